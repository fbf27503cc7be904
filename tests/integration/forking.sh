#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone as the caller through a forking proxy (RFC 3261 13.2.2.4,
# 16.7): SIPp plays both branches (tests/sipp/uas-fork.xml).  Fork A
# rings, fork B sends 183 with SDP (early media from another port), A
# answers, and B answers late, after the call is up.  termphone must:
#   - connect once, to A, and send its RTP to A's SDP, not to B's;
#   - ACK B's 200 and at once end B's dialog with a BYE;
#   - hang up with a BYE to A (its Request-URI A's Contact, its To tag A's)
#     and exit 0.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp tshark "$TP_PYTHON"

plan 8

sport=$(free_udp_port)
amedia=$(free_udp_port 4)
bmedia=$(free_udp_port 2)
me=$(free_udp_port)

capture_start rtp "udp port $amedia or udp port $bmedia"

sipp_bg fork uas-fork.xml -p "$sport" -mp "$amedia" -key bport "$bmedia" \
    -m 1
wait_bound udp "$sport" 10 || bail_out "SIPp did not bind 127.0.0.1:$sport"
tp_start tp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=2 --exit-after-call "sip:fork@127.0.0.1:$sport"

exit_is "$TP_PID" 0 20 "termphone exits 0 after the forked call" \
    tp.stderr tp.ev
exit_is "$SIPP_PID" 0 15 \
    "SIPp saw ACK to A, ACK to B, BYE to B, then BYE to A (exit 0)" \
    fork.out fork.err

# The requests termphone sent, in order, with their To tags, from SIPp's
# message trace: "METHOD RURI-USER TAG" per line.
"$TP_PYTHON" - "$TP_TMPDIR/fork.msg" >"$TP_TMPDIR/requests.txt" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
for block in re.split(r"(?m)^-{10,}.*$", text):
    if "message received" not in block:
        continue
    m = re.search(r"(?m)^(ACK|BYE) sip:([^@]+)@", block)
    tag = re.search(r"(?mi)^To:.*;tag=([^;\s]+)", block)
    if m:
        print(m.group(1), m.group(2), tag.group(1) if tag else "-")
EOF
is "$(tr '\n' ' ' <"$TP_TMPDIR/requests.txt")" \
    "ACK a forkA1 ACK b forkB1 BYE b forkB1 BYE a forkA1 " \
    "the ACKs and BYEs go to each fork's Contact with its own To tag"

# B's BYE follows its ACK at once, before the 2 s hang-up.
gap=$("$TP_PYTHON" - "$TP_TMPDIR/tp.ev" <<'EOF'
import json, sys
t = {}
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if ev.get("event") == "sip_message" and ev.get("dir") == "sent":
        t.setdefault(ev.get("summary", ""), []).append(
            ev.get("time", 0))
byes = t.get("BYE", [])
print("%.3f" % (byes[1] - byes[0]) if len(byes) == 2 else "none")
EOF
)
if "$TP_PYTHON" -c "import sys; sys.exit(0 if float('$gap') >= 1.5 else 1)" \
    2>/dev/null; then
	ok "B's dialog is ended at once, A's at the hang-up ($gap s later)"
else
	not_ok "B's dialog is ended at once, A's at the hang-up (gap: $gap)"
	diag_file "$TP_TMPDIR/tp.ev" 40
fi

states=$(grep '"event":"call_state"' "$TP_TMPDIR/tp.ev" |
    sed 's/.*"state":"\([a-z]*\)".*/\1/' | tr '\n' ' ')
is "$states" "calling ringing early connected ending ended " \
    "call states: one early dialog, then connected once"
check "the call's codec is PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/tp.ev"

wait_for "[ \$(tshark -r '$TP_TMPDIR/rtp.pcapng' -Y 'udp.dstport == $amedia' \
    2>/dev/null | wc -l) -ge 50 ]" 5
bg_stop "$CAPTURE_PID"
# Only termphone's RTP counts: B's port is in no socket of this test, so
# a test running alongside may take it.
src=$(tp_rtp_port tp)
to_a=$(tshark -r "$TP_TMPDIR/rtp.pcapng" \
    -Y "udp.srcport == ${src:-0} && udp.dstport == $amedia" 2>/dev/null | wc -l)
to_b=$(tshark -r "$TP_TMPDIR/rtp.pcapng" \
    -Y "udp.srcport == ${src:-0} && udp.dstport == $bmedia" 2>/dev/null | wc -l)
if [ "$to_a" -ge 50 ]; then
	ok "RTP goes to A's SDP address ($to_a packets)"
else
	not_ok "RTP goes to A's SDP address ($to_a packets)"
fi
is "$to_b" 0 "no RTP goes to B's early-media address"
