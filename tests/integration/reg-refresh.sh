#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Registration is refreshed before it expires (RFC 3261 10.2.4) and removed
# (Expires: 0) on exit, against a SIPp registrar that grants only 4 s.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

plan 6
need_termphone
need_cmd sipp

T=$TP_TMPDIR
P=$(free_udp_port)
sipp_bg reg "$TP_SIPP_DIR/reg-refresh.xml" -i 127.0.0.1 -p "$P" -m 1 \
    -trace_msg -message_file "$T/reg.msg"
SIPP=$SIPP_PID
wait_bound udp "$P" 10 || diag "SIPp did not bind $P"

tp_start tp --user=sip:alice@127.0.0.1 --registrar="sip:127.0.0.1:$P" \
    --expires=3600 --null-audio --listen=127.0.0.1:"$(free_udp_port)"
TP=$TP_PID

# Registered twice: the first REGISTER and its refresh within 4 s.
if wait_for '[ "$(grep -c "\"state\":\"registered\"" "$T/tp.ev")" -ge 2 ]' 8; then
	ok "the registration is refreshed before its 4 s run out"
else
	not_ok "the registration is refreshed before its 4 s run out"
	diag_file "$T/tp.ev"
fi
if grep '"state":"registered"' "$T/tp.ev" | head -n 1 | grep -q '"expires":4'; then
	ok "the granted expiry (4 s) is reported, not the one asked for"
else
	not_ok "the granted expiry (4 s) is reported, not the one asked for"
	diag_file "$T/tp.ev" 5
fi
n=$(grep -c '^REGISTER ' "$T/reg.msg" 2>/dev/null)
if [ "${n:-0}" -eq 2 ]; then
	ok "exactly one refresh so far (2 REGISTERs)"
else
	not_ok "exactly one refresh so far (${n:-0} REGISTERs)"
fi

kill -TERM "$TP"
exit_is "$TP" 0 10 "termphone exits 0 on SIGTERM" tp.ev tp.stderr
if wait_file_grep "$T/tp.ev" '"state":"unregistered"' 1; then
	ok "the un-REGISTER is answered before termphone exits"
else
	not_ok "the un-REGISTER is answered before termphone exits"
fi
exit_is "$SIPP" 0 15 "SIPp saw REGISTER, the refresh in time, and the un-REGISTER" \
    reg.out reg.err
