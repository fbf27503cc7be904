#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Calls go through the outbound proxy (--proxy): the INVITE keeps its
# Request-URI (a host that cannot resolve) but is sent to the proxy, here a
# SIPp UAS that answers it.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

plan 5
need_termphone
need_cmd sipp

T=$TP_TMPDIR
P=$(free_udp_port)
sipp_bg proxy -sn:uas -i 127.0.0.1 -p "$P" -m 1 -trace_msg \
    -message_file "$T/proxy.msg"
SIPP=$SIPP_PID
wait_bound udp "$P" 10 || diag "SIPp did not bind $P"

tp_start tp --proxy="sip:127.0.0.1:$P;lr" --null-audio --codecs=PCMU \
    --hangup-after=1 --exit-after-call \
    --listen=127.0.0.1:"$(free_udp_port)" "sip:bob@nowhere.invalid"
TP=$TP_PID

exit_is "$TP" 0 20 "the call through the proxy is answered and ends normally" \
    tp.ev tp.stderr
exit_is "$SIPP" 0 20 "the proxy (SIPp UAS) saw INVITE, ACK and BYE" \
    proxy.out proxy.err
if grep -q '^INVITE sip:bob@nowhere.invalid SIP/2.0' "$T/proxy.msg"; then
	ok "the INVITE reached the proxy with the dialled Request-URI"
else
	not_ok "the INVITE reached the proxy with the dialled Request-URI"
	diag_file "$T/proxy.msg" 20
fi
if grep -q '^BYE ' "$T/proxy.msg"; then
	ok "the BYE reached the far end (its Contact is the SIPp UAS)"
else
	not_ok "the BYE reached the far end (its Contact is the SIPp UAS)"
fi
if grep '"event":"call_state"' "$T/tp.ev" | grep -q '"state":"connected"'; then
	ok "the call connected"
else
	not_ok "the call connected"
	diag_file "$T/tp.ev"
fi
