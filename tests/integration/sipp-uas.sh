#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone as the callee (--auto-answer) against SIPp callers: the call
# flow with SIPp's built-in uac over UDP and over TCP, the SDP answer
# (PCMU, and telephone-event when the offer has it), the Contact of the
# answer (";transport=tcp" when the INVITE came over TCP), DTMF in SIP
# INFO, and 488 Not Acceptable Here to an offer that has no codec
# termphone knows.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 29

# ------------------------------------------------------- local helpers --

# Print the SDP of the first 200 OK to an INVITE that termphone sent, from
# its SIP trace NAME.trace: sdp_answer NAME.
sdp_answer() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.trace" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
for m in re.split(r"(?m)^(?=SENT to |RECEIVED from )", text):
    head, _, msg = m.partition("\n")
    if not head.startswith("SENT to ") or not msg.startswith("SIP/2.0 200"):
        continue
    hdrs, _, body = msg.partition("\n\n")
    if re.search(r"(?mi)^CSeq:\s*\d+\s+INVITE\s*$", hdrs):
        sys.stdout.write(body.strip() + "\n")
        break
PY
}

# True if SDP file FILE has an audio m= line listing payload type PT and,
# unless ENCODING is "-", the line a=rtpmap:PT ENCODING.
#   sdp_has FILE PT ENCODING
sdp_has() {
	grep -Eq "^m=audio [0-9]+ RTP/AVP( [0-9]+)* $2( |\$)" "$1" &&
	    { [ "$3" = - ] || grep -qxF "a=rtpmap:$2 $3" "$1"; } && return 0
	diag "no payload type $2 ($3) in this SDP:"
	diag_file "$1" 20
	return 1
}

# Start an auto-answering termphone NAME on a fresh port (me) and a SIPp
# caller NAME against it over PROTO (udp or tcp), with SCENARIO (as for
# sipp_bg) and more SIPp arguments: uas_call NAME PROTO SCENARIO [ARG...].
uas_call() {
	_n=$1 _proto=$2 _scn=$3
	shift 3
	me=$(free_udp_port)
	port=$(free_udp_port)
	media=$(free_udp_port 4)
	tp_start "$_n" --listen="127.0.0.1:$me" --null-audio --auto-answer \
	    --exit-after-call
	wait_bound "$_proto" "$me" 5 ||
	    bail_out "termphone did not listen on $_proto 127.0.0.1:$me"
	if [ "$_proto" = tcp ]; then
		set -- -t t1 "$@"
	fi
	sipp_bg "$_n" "$_scn" "$@" "127.0.0.1:$me" -p "$port" -mp "$media" \
	    -m 1 -recv_timeout 10s
}

# What a callee sends and receives from SIPp's uac, and its call states.
UAS_SIP='received INVITE
sent 180 Ringing (INVITE)
sent 200 OK (INVITE)
received ACK
received BYE
sent 200 OK (BYE)'
UAS_STATES='call incoming
call connected
call ended'

# ------------------------------------------------- sipp -sn uac, PCMU --
uas_call uac udp -sn:uac -d 500
exit_is "$SIPP_PID" 0 15 "uac: sipp -sn uac exits 0 (call completed)" \
    uac.out uac.err
exit_is "$TP_PID" 0 10 "uac: termphone exits 0 after the call" \
    uac.stderr uac.ev
check "uac: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has uac "$UAS_SIP"
check "uac: call states incoming, connected, ended" \
    flow_has uac "$UAS_STATES"
check "uac: connected with PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/uac.ev"
sdp_answer uac >"$TP_TMPDIR/uac.answer"
check "uac: the 200 OK's SDP answers PCMU (payload type 0)" \
    sdp_has "$TP_TMPDIR/uac.answer" 0 PCMU/8000
check "uac: the answer's connection address is 127.0.0.1" \
    grep -qx 'c=IN IP4 127.0.0.1' "$TP_TMPDIR/uac.answer"
is "$(msg_header "$TP_TMPDIR/uac.msg" 'SIP/2.0 200' Contact)" \
    "Contact: <sip:termphone@127.0.0.1:$me>" \
    "uac: the 200 OK's Contact has our user and no transport"

# -------------------------------------------- sipp -sn uac over TCP --
uas_call tcp tcp -sn:uac -d 500
exit_is "$SIPP_PID" 0 15 "tcp: sipp -sn uac -t t1 exits 0 (call completed)" \
    tcp.out tcp.err
exit_is "$TP_PID" 0 10 "tcp: termphone exits 0 after the call" \
    tcp.stderr tcp.ev
check "tcp: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has tcp "$UAS_SIP"
check "tcp: call states incoming, connected, ended" \
    flow_has tcp "$UAS_STATES"
check "tcp: every SIP message went over TCP" all_tcp "$TP_TMPDIR/tcp.ev"
is "$(msg_header "$TP_TMPDIR/tcp.msg" 'SIP/2.0 180' Contact)" \
    "Contact: <sip:termphone@127.0.0.1:$me;transport=tcp>" \
    "tcp: the 180's Contact names ;transport=tcp"
is "$(msg_header "$TP_TMPDIR/tcp.msg" 'SIP/2.0 200' Contact)" \
    "Contact: <sip:termphone@127.0.0.1:$me;transport=tcp>" \
    "tcp: the 200 OK's Contact names ;transport=tcp"

# -------------------------------- an offer with telephone-event (101) --
uas_call te udp uac-pcmu-te.xml -d 500
exit_is "$SIPP_PID" 0 15 "te: sipp (uac-pcmu-te.xml) exits 0" te.out te.err
exit_is "$TP_PID" 0 10 "te: termphone exits 0 after the call" \
    te.stderr te.ev
check "te: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has te "$UAS_SIP"
sdp_answer te >"$TP_TMPDIR/te.answer"
check "te: the answer has PCMU (payload type 0)" \
    sdp_has "$TP_TMPDIR/te.answer" 0 PCMU/8000
# RFC 3264 6.1: the answer SHOULD keep the offer's payload type numbers.
check "te: the answer has telephone-event/8000 on the offered type 101" \
    sdp_has "$TP_TMPDIR/te.answer" 101 telephone-event/8000

# --------------------------------------------- DTMF in SIP INFO (RFC 6086) --
uas_call info udp uac-info.xml -d 500
exit_is "$SIPP_PID" 0 15 "info: sipp's three INFOs are answered 200 (exit 0)" \
    info.out info.err
exit_is "$TP_PID" 0 10 "info: termphone exits 0 after the call" \
    info.stderr info.ev
got=$(grep '"event":"dtmf"' "$TP_TMPDIR/info.ev" | grep '"dir":"received"' |
    sed 's/.*"digit":"\(.\)".*/\1/' | tr -d '\n')
is "$got" "5#*" "info: dtmf-relay 5, dtmf #, dtmf-relay 10 are received as 5 # *"

# ------------------------------------ no common codec: 488, then the ACK --
uas_call gsm udp uac-nocodec.xml
exit_is "$SIPP_PID" 0 15 "gsm: sipp got 488 to its GSM-only offer (exit 0)" \
    gsm.out gsm.err gsm.ev
check "gsm: termphone sent 488 Not Acceptable Here and got the ACK" \
    flow_has gsm 'received INVITE' 'sent 488 Not Acceptable Here (INVITE)' \
    'received ACK'
is "$(flow_count gsm 'call connected')" 0 "gsm: the call never connected"
# The ACK matched the INVITE's transaction, so the 488 is not resent
# (it would be after 500 ms, RFC 3261 17.2.1).
if wait_for "[ \$(flow_count gsm 'sent 488 Not Acceptable Here (INVITE)') -gt 1 ]" 1.5
then
	not_ok "gsm: the 488 is not retransmitted after the ACK"
	diag_file "$TP_TMPDIR/gsm.flow"
else
	ok "gsm: the 488 is not retransmitted after the ACK"
fi
check "gsm: termphone still runs after rejecting the offer" _tp_alive "$TP_PID"
kill -TERM "$TP_PID" 2>/dev/null
exit_is "$TP_PID" 0 10 "gsm: termphone exits 0 on SIGTERM" gsm.stderr
