#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Media on the wire between two termphones: RFC 4733 DTMF both ways, RTP from
# a stranger dropped, RTP and RTCP well-formed (tshark), and 486 Busy Here
# for a second INVITE while a call is up.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

plan 14
need_termphone
need_cmd sipp tshark sox "$TP_PYTHON"

T=$TP_TMPDIR
P1=$(free_udp_port)
P2=$(free_udp_port)

# Capture loopback UDP for the whole call; SIP is on P1/P2, RTP/RTCP on the
# even/odd ports termphone picks (16384-32767).
capture_start call "udp and not port 53"

# Callee: answers, sends 9 after the answer, records what it hears.
bg_start "$T/callee.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$P2" --auto-answer --exit-after-call --null-audio \
    --codecs=PCMU --dtmf=9 --record="$T/callee.wav" --log="$T/callee.log"
CALLEE=$BG_PID
wait_file_grep "$T/callee.log" "starting" 5

# Caller: digits with a pause, then hangs up after 7 s.
bg_start "$T/caller.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$P1" --exit-after-call --null-audio --codecs=PCMU \
    --dtmf='123#,A' --hangup-after=7 --sip-trace="$T/caller.trace" \
    --log="$T/caller.log" "sip:callee@127.0.0.1:$P2"
CALLER=$BG_PID

if wait_file_grep "$T/callee.out" '"state":"connected"' 10; then
	ok "the call connects"
else
	not_ok "the call connects"
	diag_file "$T/callee.out"
	diag_file "$T/caller.out"
fi

# The callee's RTP port, from its 200 OK's SDP in the caller's trace.
RTP_PORT=$(awk '/^RECEIVED/ { resp = 0 } /^SIP\/2.0 200 OK/ { resp = 1 }
    resp && /^m=audio/ { print $2; exit }' "$T/caller.trace")
CALLER_RTP=$(awk '/^SENT/ { inv = 0 } /^INVITE / { inv = 1 }
    inv && /^m=audio/ { print $2; exit }' "$T/caller.trace")
diag "callee RTP port: $RTP_PORT, caller RTP port: $CALLER_RTP"

# A stranger sends loud PCMU RTP to the callee's port from another socket.
"$TP_PYTHON" - "$RTP_PORT" <<'EOF'
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
for i in range(60):
    hdr = struct.pack("!BBHII", 0x80, 0, 1000 + i, 160 * i, 0x5eed)
    s.sendto(hdr + b"\x00" * 160, ("127.0.0.1", port))   # 0x00 = loudest mu-law
    time.sleep(0.005)
EOF

# A second caller while the call is up gets 486 Busy Here.
P3=$(free_udp_port)
sipp -sn uac -i 127.0.0.1 -p "$P3" -m 1 -nostdin \
    -timeout 10s -timeout_error -trace_msg -message_file "$T/busy.msg" \
    "127.0.0.1:$P2" >"$T/busy.out" 2>&1
if grep -q "SIP/2.0 486 Busy Here" "$T/busy.msg" 2>/dev/null; then
	ok "a second INVITE during a call gets 486 Busy Here"
else
	not_ok "a second INVITE during a call gets 486 Busy Here"
	diag_file "$T/busy.msg"
fi

st=0; wait_pid_exit "$CALLER" 20 || st=$?
is "$st" 0 "the caller exits 0"
st=0; wait_pid_exit "$CALLEE" 20 || st=$?
is "$st" 0 "the callee exits 0"
# dumpcap writes in blocks: let the last packets (RTCP BYE) reach the file
# before tshark is stopped.
RTCP1=$((CALLER_RTP + 1)); RTCP2=$((RTP_PORT + 1))

# Read the capture with every port of this call decoded as what it
# carries: tshark would otherwise take a port that some protocol
# registers (12222 is LWAPP's, for one) for that protocol, and call
# a well-formed SIP message a malformed 802.11 frame.
call_tshark() {
	tshark -r "$T/call.pcapng" -d "udp.port==$P1,sip" -d "udp.port==$P2,sip" \
	    -d "udp.port==$P3,sip" -d "udp.port==$RTP_PORT,rtp" \
	    -d "udp.port==$CALLER_RTP,rtp" -d "udp.port==$RTCP1,rtcp" \
	    -d "udp.port==$RTCP2,rtcp" "$@"
}
wait_for "call_tshark -Y 'rtcp.pt == 203' 2>/dev/null | grep -q ." 5
bg_stop "$CAPTURE_PID"

# Every SIP message of the caller's call carries the call's id.
n=$(grep -c '"event":"sip_message"' "$T/caller.out")
m=$(grep '"event":"sip_message"' "$T/caller.out" | grep -c '"call":1,')
if [ "$n" -ge 6 ] && [ "$n" -eq "$m" ]; then
	ok "the caller's $n SIP messages all carry call id 1"
else
	not_ok "the caller's SIP messages all carry call id 1 ($m of $n)"
fi

# DTMF, in order, each side receiving what the other sent.
got=$(grep '"event":"dtmf"' "$T/callee.out" | grep '"dir":"received"' |
    sed 's/.*"digit":"\(.\)".*/\1/' | tr -d '\n')
is "$got" "123#A" "the callee receives 1 2 3 # A as RFC 4733 events"
got=$(grep '"event":"dtmf"' "$T/caller.out" | grep '"dir":"received"' |
    sed 's/.*"digit":"\(.\)".*/\1/' | tr -d '\n')
is "$got" "9" "the caller receives 9"
got=$(grep '"event":"dtmf"' "$T/caller.out" | grep '"dir":"sent"' |
    sed 's/.*"digit":"\(.\)".*/\1/' | tr -d '\n')
is "$got" "123#A" "the caller reports each digit it sent"

# The stranger's packets were dropped and never reached the speaker.
dropped=$(grep '"event":"media_stats"' "$T/callee.out" | tail -n 1 |
    sed 's/.*"dropped":\([0-9]*\).*/\1/')
if [ "${dropped:-0}" -ge 60 ]; then
	ok "RTP from a stranger is dropped (dropped=$dropped)"
else
	not_ok "RTP from a stranger is dropped (dropped=${dropped:-none})"
	diag_file "$T/callee.out" 5
fi
peak=$(sox "$T/callee.wav" -n stat 2>&1 | awk '/Maximum amplitude/ { print $3 }')
if "$TP_PYTHON" -c "import sys; sys.exit(0 if float('$peak') < 0.05 else 1)" 2>/dev/null; then
	ok "the recording holds only the caller's silence (peak $peak)"
else
	not_ok "the recording holds only the caller's silence (peak ${peak:-none})"
fi

# On the wire: RTP version 2, PCMU or telephone-event (they share one
# sequence space), consecutive sequence numbers, RTCP sender reports from
# both sides, nothing malformed.
TE_PT=$(awk '/^SIP\/2.0 200 OK/ { resp = 1 } resp && /telephone-event/ {
    sub("a=rtpmap:", ""); print $1; exit }' "$T/caller.trace")
diag "telephone-event payload type: ${TE_PT:-none}"
call_tshark -Y "rtp && udp.dstport==$RTP_PORT && rtp.ssrc != 0x5eed" \
    -T fields -e rtp.version -e rtp.p_type -e rtp.seq >"$T/rtp.txt" 2>"$T/tshark-rtp.err"
if "$TP_PYTHON" - "$T/rtp.txt" "${TE_PT:-none}" <<'EOF'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l.strip()]
if len(rows) < 200:
    sys.exit("only %d RTP packets" % len(rows))
if any(r[0] != "2" or r[1] not in ("0", sys.argv[2]) for r in rows):
    sys.exit("a packet is not RTP v2 PCMU or telephone-event")
if sum(1 for r in rows if r[1] == sys.argv[2]) < 5:
    sys.exit("no telephone-event packets on the wire")
seqs = [int(r[2]) for r in rows]
gaps = sum(1 for a, b in zip(seqs, seqs[1:]) if (b - a) % 65536 != 1)
sys.exit(0 if gaps == 0 else "%d sequence gaps" % gaps)
EOF
then
	ok "the caller's RTP is v2, PCMU and telephone-event, with consecutive sequence numbers"
else
	not_ok "the caller's RTP is v2, PCMU and telephone-event, with consecutive sequence numbers"
	diag_file "$T/rtp.txt" 5
fi
call_tshark -Y "rtcp.pt == 200" -T fields -e udp.dstport >"$T/sr.txt" 2>/dev/null
if grep -qx "$RTCP1" "$T/sr.txt" && grep -qx "$RTCP2" "$T/sr.txt"; then
	ok "both sides send RTCP sender reports"
else
	not_ok "both sides send RTCP sender reports"
	diag_file "$T/sr.txt"
fi
n=$(call_tshark -Y "rtcp.pt == 203" 2>/dev/null | wc -l)
if [ "$n" -ge 1 ]; then
	ok "RTCP BYE is sent when media stops"
else
	not_ok "RTCP BYE is sent when media stops"
	call_tshark -Y rtcp >"$T/rtcp-all.txt" 2>&1
	diag_file "$T/rtcp-all.txt" 10
fi
# Only this call's packets (both ends ours): tests running alongside send
# on the same loopback, and a port of ours may be theirs before or after.
OURS="$P1, $P2, $P3, $RTP_PORT, $RTCP2, $CALLER_RTP, $RTCP1"
BAD="(_ws.malformed || _ws.expert.severity >= error) &&
    udp.srcport in {$OURS} && udp.dstport in {$OURS}"
call_tshark -Y "$BAD" >"$T/bad.txt" 2>/dev/null
n=$(wc -l <"$T/bad.txt")
all=$(call_tshark -Y "udp.srcport in {$OURS} && udp.dstport in {$OURS}" \
    2>/dev/null | wc -l)
if [ "$n" -eq 0 ] && [ "$all" -ge 300 ]; then
	ok "tshark finds no malformed SIP, RTP or RTCP packet (of $all)"
else
	not_ok "tshark finds no malformed SIP, RTP or RTCP packet ($n of $all)"
	diag_file "$T/bad.txt" 10
	call_tshark -V -x -Y "$BAD" >"$T/bad-full.txt" 2>&1
	diag_file "$T/bad-full.txt" 200
fi
