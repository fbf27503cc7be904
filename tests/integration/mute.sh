#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Mute: termphone plays speech into a call to a SIPp callee and is told
# on stdin to mute, then to unmute.  On the wire (tshark) its RTP keeps
# flowing, with a run of pure silence (mu-law 0xff) while muted and speech
# on both sides of it; call_mute events say muted, then unmuted.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp tshark espeak-ng sox "$TP_PYTHON"

plan 5

make_speech "$TP_TMPDIR/say.wav" "The quick brown fox jumps over the lazy dog \
near the river bank. Please call Stella and ask her to bring these things \
from the store." 8000 || bail_out "cannot make test speech with espeak-ng and sox"

me=$(free_udp_port)
sport=$(free_udp_port)
media=$(free_udp_port 4)
capture_start rtp "udp dst port $media"
sipp_bg sipp uas-ptime.xml -p "$sport" -mp "$media" -key pt 0 \
    -key enc PCMU/8000 -key terate 8000 -key ptime 20 -key maxptime 120 \
    -m 1 -timeout 60s
wait_bound udp "$sport" 10 || bail_out "SIPp did not bind 127.0.0.1:$sport"
mkfifo "$TP_TMPDIR/cmd"
exec 3<>"$TP_TMPDIR/cmd"
TP_STDIN=$TP_TMPDIR/cmd tp_start tp --listen="127.0.0.1:$me" --null-audio \
    --codecs=PCMU --play="$TP_TMPDIR/say.wav" --exit-after-call \
    "sip:mute@127.0.0.1:$sport"
wait_file_grep "$TP_TMPDIR/tp.ev" '"state":"connected"' 10 ||
    diag "the call did not connect"
wait_for "[ \$(last_sent tp) -ge 40 ]" 10
echo mute >&3
wait_file_grep "$TP_TMPDIR/tp.ev" '"event":"call_mute".*"muted":true' 5
n=$(last_sent tp)
wait_for "[ \$(last_sent tp) -ge $((n + 60)) ]" 10
echo unmute >&3
wait_file_grep "$TP_TMPDIR/tp.ev" '"event":"call_mute".*"muted":false' 5
n=$(last_sent tp)
wait_for "[ \$(last_sent tp) -ge $((n + 40)) ]" 10
echo hangup >&3
exit_is "$TP_PID" 0 15 "termphone exits 0 after the call" tp.stderr tp.ev
exit_is "$SIPP_PID" 0 15 "SIPp saw the call through (exit 0)" sipp.out sipp.err
exec 3>&-
wait_for "[ \$(tshark -r '$TP_TMPDIR/rtp.pcapng' 2>/dev/null | wc -l) -ge 150 ]" 5
bg_stop "$CAPTURE_PID"

tshark -r "$TP_TMPDIR/rtp.pcapng" -Y "udp.srcport == $(tp_rtp_port tp)" \
    -T fields -e udp.payload >"$TP_TMPDIR/rtp.txt" 2>/dev/null
# Per packet in order: S for all-silence PCMU, V for anything else.
"$TP_PYTHON" - "$TP_TMPDIR/rtp.txt" >"$TP_TMPDIR/runs.txt" <<'EOF'
import sys
out = []
for line in open(sys.argv[1]):
    b = bytes.fromhex(line.strip().replace(":", ""))
    if len(b) < 12 or b[1] & 0x7f != 0:
        continue
    out.append("S" if all(x == 0xFF for x in b[12:]) else "V")
print("".join(out))
EOF
runs=$(cat "$TP_TMPDIR/runs.txt")
diag "packets (S silence, V voice): $runs"
check "RTP keeps flowing through the mute (at least 150 packets)" \
    test "${#runs}" -ge 150
if "$TP_PYTHON" - "$runs" <<'EOF'
import re, sys
s = sys.argv[1]
# The longest run of silence with voice after it; voice before it too.
best = max((m for m in re.finditer(r"S+", s) if m.end() < len(s)),
           key=lambda m: m.end() - m.start(), default=None)
ok = (best is not None and best.end() - best.start() >= 50 and
      "V" in s[:best.start()] and "V" in s[best.end():])
sys.exit(0 if ok else 1)
EOF
then
	ok "muted, termphone sends silence for a second or more, with speech before and after"
else
	not_ok "muted, termphone sends silence for a second or more, with speech before and after"
fi
check "call_mute events: muted, then unmuted" test \
    "$(grep '"event":"call_mute"' "$TP_TMPDIR/tp.ev" | tr -d '\n')" = \
    '{"event":"call_mute","call":1,"muted":true}{"event":"call_mute","call":1,"muted":false}'
