#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone as the caller against SIPp's built-in UAS (-sn uas), over UDP
# and over TCP (";transport=tcp" in the dialled URI): the call connects
# with PCMU, termphone hangs up after 1 s, and both sides exit 0.  The
# INVITE's Contact carries our user part, and ";transport=tcp" on TCP so
# the far end's in-dialog requests stay on TCP.
#
# The SIP flow is checked in termphone's own JSON events: INVITE sent,
# 180 and 200 received, ACK sent, BYE sent, 200 received.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 17

# ------------------------------------------------------- local helpers --

# True if SIPp's message trace FILE holds a line matching each REGEX.
msg_has() {
	_f=$1
	shift
	for _re in "$@"; do
		grep -Eq -e "$_re" "$_f" || { diag "no '$_re' in ${_f##*/}"; return 1; }
	done
}

# What a caller sends and receives against -sn uas, and its call states.
UAC_SIP='sent INVITE
received 180 Ringing (INVITE)
received 200 OK (INVITE)
sent ACK
sent BYE
received 200 OK (BYE)'
UAC_STATES='call calling
call ringing
call connected
call ended'

# ------------------------------------------------------------------ UDP --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg uas-udp -sn:uas -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp -sn uas did not bind port $port"

tp_start udp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 --exit-after-call "sip:service@127.0.0.1:$port"
exit_is "$TP_PID" 0 15 "udp: termphone exits 0 after the call" \
    udp.stderr udp.ev
exit_is "$SIPP_PID" 0 15 "udp: sipp -sn uas exits 0 (call completed)" \
    uas-udp.out uas-udp.err
check "udp: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has udp "$UAC_SIP"
check "udp: call states calling, ringing, connected, ended" \
    flow_has udp "$UAC_STATES"
check "udp: connected with PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/udp.ev"
check "udp: sipp received the ACK and the BYE" \
    msg_has "$TP_TMPDIR/uas-udp.msg" '^ACK sip:' '^BYE sip:'
is "$(msg_header "$TP_TMPDIR/uas-udp.msg" 'INVITE ' Contact)" \
    "Contact: <sip:termphone@127.0.0.1:$me>" \
    "udp: the INVITE's Contact has our user and no transport"

# ------------------------------------------------------------------ TCP --
# SIPp's uas keeps a call for 4 s after the BYE's 200 (its <timewait>), and
# counts the call as failed if the TCP connection closes meanwhile.  So here
# termphone does not exit after the call: the test waits for SIPp, then
# stops termphone with SIGTERM.
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg uas-tcp -sn:uas -t t1 -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound tcp "$port" 5 ||
    bail_out "sipp -sn uas -t t1 did not listen on TCP port $port"

tp_start tcp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 "sip:service@127.0.0.1:$port;transport=tcp"
check "tcp: the call ends within 15 s" \
    wait_file_grep "$TP_TMPDIR/tcp.ev" '"state":"ended"' 15
exit_is "$SIPP_PID" 0 15 "tcp: sipp -sn uas -t t1 exits 0 (call completed)" \
    uas-tcp.out uas-tcp.err
kill -TERM "$TP_PID" 2>/dev/null
exit_is "$TP_PID" 0 10 "tcp: termphone exits 0 on SIGTERM after the call" \
    tcp.stderr tcp.ev
check "tcp: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has tcp "$UAC_SIP"
check "tcp: call states calling, ringing, connected, ended" \
    flow_has tcp "$UAC_STATES"
check "tcp: every SIP message went over TCP" all_tcp "$TP_TMPDIR/tcp.ev"
check "tcp: sipp took the call over TCP" \
    grep -q '^TCP message received' "$TP_TMPDIR/uas-tcp.msg"
check "tcp: connected with PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/tcp.ev"
is "$(msg_header "$TP_TMPDIR/uas-tcp.msg" 'INVITE ' Contact)" \
    "Contact: <sip:termphone@127.0.0.1:$me;transport=tcp>" \
    "tcp: the INVITE's Contact names ;transport=tcp"
# The dialled URI's ";transport=tcp" is a URI parameter: in the To header
# it must stay inside the <...>, not become a To header parameter.
to=$(awk '/^INVITE sip:/ {i = 1} i && /^To:/ {print; exit}' \
    "$TP_TMPDIR/tcp.trace")
case $to in
'')	not_ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>"
	diag "no INVITE with a To header in tcp.trace" ;;
*'>'*transport=*)
	not_ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>"
	diag "got: $to" "want: To: <sip:service@127.0.0.1:$port;transport=tcp>" ;;
*)	ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>" ;;
esac
