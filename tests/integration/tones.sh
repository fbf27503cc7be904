#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Local tones through the real audio path: ringback while a called party
# rings (180 without SDP) and the ringtone for an incoming call, recorded
# from termphone's PortAudio output on a JACK dummy server with jack_rec and
# checked by their frequencies.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$TP_SRCDIR/tests/integration/jack-env.sh"

plan 9
need_termphone
need_cmd sipp jackd jack_wait jack_lsp jack_rec "$TP_PYTHON"

T=$TP_TMPDIR
JACK_LOG=$T/jackd.log
jack_start 16000 || bail_out "cannot start a JACK dummy server"
bg_track "$JACK_PID"		# lib.sh's EXIT trap stops it

# The JACK output ports of clients other than "system" (termphone's).
tone_ports() {
	jack_lsp -p 2>/dev/null | awk '/^[^ \t]/ { port = $0; next }
	    /properties:/ && port !~ /^system:/ && port !~ /jack_rec/ &&
	    index($0, "output,") { print port }'
}

# Record 2 s of termphone's output to FILE once its ports exist.
tone_record() {
	if ! wait_for '[ -n "$(tone_ports)" ]' 10; then
		diag "termphone's JACK ports never appeared"
		jack_lsp >"$T/lsp.txt" 2>&1
		diag_file "$T/lsp.txt"
		return 1
	fi
	# shellcheck disable=SC2046
	timeout 10 jack_rec -f "$1" -d 2 $(tone_ports) >"$1.log" 2>&1
}

# Check that WAV holds a loud tone made of the frequencies in WANT (Hz),
# each at least 10 times stronger than any frequency in AVOID (Goertzel).
tone_check() {
	"$TP_PYTHON" - "$@" <<'EOF'
import math, struct, sys, wave
path, want, avoid = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
w = wave.open(path)
rate, n, width = w.getframerate(), w.getnframes(), w.getsampwidth()
raw = w.readframes(n)
if width == 2:
    x = [s / 32768 for s in struct.unpack("<%dh" % (len(raw) // 2), raw)]
elif width == 4:
    x = [s / 2147483648 for s in struct.unpack("<%di" % (len(raw) // 4), raw)]
else:
    sys.exit("unexpected sample width %d" % width)
ch = w.getnchannels()
x = x[::ch]
rms = math.sqrt(sum(v * v for v in x) / max(len(x), 1))
def power(f):
    k = 2 * math.cos(2 * math.pi * f / rate)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / len(x)
pw = {f: power(float(f)) for f in want + avoid}
print("rms %.4f; " % rms + ", ".join("%s Hz %.2e" % (f, pw[f]) for f in want + avoid))
if rms < 0.01:
    sys.exit("silence")
worst = min(pw[f] for f in want)
loudest = max(pw[f] for f in avoid)
sys.exit(0 if worst > 10 * loudest else "the tone's frequencies are not dominant")
EOF
}

# ---- the device list shows JACK's device ------------------------------------
"$TP_BIN" --list-devices --log="$T/list.log" >"$T/list.out" 2>&1
if grep -q "JACK Audio Connection Kit" "$T/list.out"; then
	ok "--list-devices lists the JACK device: $(head -n 1 "$T/list.out")"
else
	not_ok "--list-devices lists the JACK device"
	diag_file "$T/list.out"
fi

# ---- ringback: we call, the far end answers 180 and nothing more ----------
SIPP_PORT=$(free_udp_port)
sipp_bg ring "$TP_SIPP_DIR/ring-noanswer.xml" -i 127.0.0.1 -p "$SIPP_PORT" \
    -m 1 -recv_timeout 30s -timeout 40s
SIPP=$SIPP_PID
wait_bound udp "$SIPP_PORT" 10 || diag "SIPp did not bind $SIPP_PORT"
bg_start "$T/caller.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$(free_udp_port)" --audio-device=jack: \
    --no-answer-timeout=6 --exit-after-call --log="$T/caller.log" \
    "sip:ring@127.0.0.1:$SIPP_PORT"
CALLER=$BG_PID
if wait_file_grep "$T/caller.out" '"state":"ringing"' 10 &&
    tone_record "$T/ringback.wav"; then
	ok "termphone's output is recorded while the far end rings"
else
	not_ok "termphone's output is recorded while the far end rings"
	diag_file "$T/caller.out"
fi
if tone_check "$T/ringback.wav" 440,480 350,620,650,800,1000 >"$T/rb.txt" 2>&1; then
	ok "ringback is 440+480 Hz: $(cat "$T/rb.txt")"
else
	not_ok "ringback is 440+480 Hz"
	diag_file "$T/rb.txt"
fi
if grep -q '"text":"no audio device' "$T/caller.out"; then
	not_ok "the caller used PortAudio (no 'no audio device' notice)"
else
	ok "the caller used PortAudio (no 'no audio device' notice)"
fi
st=0; wait_pid_exit "$CALLER" 20 || st=$?
is "$st" 7 "no answer: exit status 7"
st=0; wait_pid_exit "$SIPP" 20 || st=$?
is "$st" 0 "SIPp saw the CANCEL"

# ---- ringtone: an incoming call rings until the caller gives up ------------
CALLEE_PORT=$(free_udp_port)
bg_start "$T/callee.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$CALLEE_PORT" --audio-device=jack: \
    --log="$T/callee.log"
CALLEE=$BG_PID
wait_bound udp "$CALLEE_PORT" 10 || diag "termphone did not bind $CALLEE_PORT"
bg_start "$T/caller2.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$(free_udp_port)" --null-audio --no-answer-timeout=6 \
    --exit-after-call --log="$T/caller2.log" "sip:callee@127.0.0.1:$CALLEE_PORT"
CALLER2=$BG_PID
if wait_file_grep "$T/callee.out" '"event":"call_incoming"' 10 &&
    tone_record "$T/ringtone.wav"; then
	ok "termphone's output is recorded while it rings"
else
	not_ok "termphone's output is recorded while it rings"
	diag_file "$T/callee.out"
fi
if tone_check "$T/ringtone.wav" 650,800 440,480,1000,1200 >"$T/rt.txt" 2>&1; then
	ok "the ringtone is the 650/800 Hz warble: $(cat "$T/rt.txt")"
else
	not_ok "the ringtone is the 650/800 Hz warble"
	diag_file "$T/rt.txt"
fi
st=0; wait_pid_exit "$CALLER2" 20 || st=$?
is "$st" 7 "the unanswered caller exits 7"
bg_stop "$CALLEE"
jack_stop
