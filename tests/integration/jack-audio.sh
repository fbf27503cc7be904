#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The real audio path, through PortAudio's JACK host API on a JACK dummy
# server, at 16000 Hz (the core's rate) and at 48000 Hz (resampled):
#
#   caller (--null-audio --play=speech --record=back.wav)
#     --RTP--> callee (--audio-device=jack:) --PortAudio playback-->
#     JACK out port --jack_connect--> JACK in port --PortAudio capture-->
#     callee --RTP--> caller's back.wav
#
# The callee's ports appear when the call arrives (before it answers, 2 s
# later); the test connects each of its playback ports to its capture
# port.  The dummy driver does not loop audio by itself, so back.wav can
# only hold the speech if it went through the PortAudio callback both
# ways.  PCMU keeps the waveform, so the match is the normalised
# cross-correlation (>= CORR_MIN), taken block by block (0.25 s blocks,
# each aligned within 50 ms of the global lag), because a jitter-buffer
# insertion or a playback-ring underrun shifts everything after it by a
# frame; a different sentence must score below CORR_MIN against the same
# recording.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$TP_SRCDIR/tests/integration/jack-env.sh"

need_termphone
need_cmd espeak-ng sox soxi jackd jack_wait jack_lsp jack_connect

CORR_MIN=0.90		# measured 0.997-0.998 at both rates; other sentence 0.13

RATES="16000 48000"
plan 18			# 9 per rate

# ------------------------------------------------------- local helpers --

# Start termphone in the background with JSON events, a log and no user
# config: tp_start NAME [ARG...].  Events go to NAME.ev, stderr to
# NAME.stderr, the log to NAME.log; the PID to TP_PID.
tp_start() {
	_n=$1
	shift
	mkdir -p "$TP_TMPDIR/home"
	HOME=$TP_TMPDIR/home XDG_CONFIG_HOME=$TP_TMPDIR/home \
	XDG_STATE_HOME=$TP_TMPDIR/home \
	    "$TP_BIN" --headless --events=json -vv \
	    --log="$TP_TMPDIR/$_n.log" "$@" \
	    </dev/null >"$TP_TMPDIR/$_n.ev" 2>"$TP_TMPDIR/$_n.stderr" &
	TP_PID=$!
	bg_track "$TP_PID"
}

# True once something is bound to UDP 127.0.0.1:PORT (Sofia's SIP socket).
udp_bound() {
	_hex=$(printf '0100007F:%04X' "$1")
	grep -q " $_hex " /proc/net/udp
}

# Print the JACK ports of clients other than "system" that match the
# jack_lsp property filter (-p): jack_ports input|output.  jack_lsp -p
# prints each port followed by an indented "properties: ..." line.
jack_ports() {
	jack_lsp -p 2>/dev/null | awk -v want="$1" '
	    /^[^ \t]/ { port = $0; next }
	    /properties:/ && port !~ /^system:/ && index($0, want ",") {
		print port }'
}

# True once the callee has both playback (output) and capture (input)
# ports in JACK.
jack_have_ports() {
	[ -n "$(jack_ports output)" ] && [ -n "$(jack_ports input)" ]
}

# Connect the callee's playback ports to its capture ports, in order
# (out_0 -> in_0, ...), and check jack_lsp -c shows each connection.
jack_loop() {
	jack_ports output | sort >"$TP_TMPDIR/jack.out"
	jack_ports input | sort >"$TP_TMPDIR/jack.in"
	diag "JACK ports: $(tr '\n' ' ' <"$TP_TMPDIR/jack.out")-> $(tr '\n' ' ' \
	    <"$TP_TMPDIR/jack.in")"
	_rc=0
	exec 3<"$TP_TMPDIR/jack.in"
	while read -r _po; do
		if ! read -r _pi <&3; then
			_pi=$(head -n 1 "$TP_TMPDIR/jack.in")	# more outs than ins
		fi
		if ! jack_connect "$_po" "$_pi" >"$TP_TMPDIR/jack.connect" 2>&1; then
			diag "jack_connect $_po $_pi failed:"
			diag_file "$TP_TMPDIR/jack.connect" 5
			_rc=1
		elif ! jack_lsp -c "$_po" 2>/dev/null | grep -qxF "   $_pi"; then
			diag "jack_lsp -c does not show $_po -> $_pi:"
			jack_lsp -c >"$TP_TMPDIR/jack.lsp" 2>&1
			diag_file "$TP_TMPDIR/jack.lsp"
			_rc=1
		fi
	done <"$TP_TMPDIR/jack.out"
	exec 3<&-
	return "$_rc"
}

# Print the codec of NAME's first "connected" call_state event.
connected_codec() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.ev" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "call_state" and e.get("state") == "connected":
        print(e.get("codec"))
        break
PY
}

# True if NAME's events hold a notice containing TEXT.
has_notice() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.ev" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "notice" and sys.argv[2] in str(e.get("text")):
        print("# notice: " + str(e.get("text")))
        sys.exit(0)
sys.exit(1)
PY
}

# Write the block scorer, used by match() below, into $TP_TMPDIR.
cat >"$TP_TMPDIR/blockscore.py" <<'PY'
"""Score REC against REF block by block: blockscore.py MODE REF REC LAG MIN.

The jitter buffer may grow or shrink its delay by a frame in mid-call (a
late packet on a loaded machine makes it insert one concealed frame), and
then one alignment for the whole file no longer fits its second part.  So
the reference's active span is cut into BLOCK_S blocks, each aligned on
its own within REACH_S of the global lag LAG (seconds, from xcorr.py),
scored (corr: normalised cross-correlation of the waveform; envelope:
Pearson correlation of 20 ms RMS envelopes), and the scores are averaged,
weighted by the reference's energy in each block.  Both files must be
16-bit mono at the same rate.  Exit 0 if the score is >= MIN, 1 if not,
2 on an error."""
import math, operator, sys, wave
from array import array

BLOCK_S = 0.25
REACH_S = 0.05		# up to two 20 ms frames either way
ENV_WIN_S, ENV_HOP_S = 0.020, 0.005
ACTIVE_DB = -30.0

def die(msg):
    print("blockscore: " + msg, file=sys.stderr)
    sys.exit(2)

def read(path):
    try:
        w = wave.open(path, "rb")
    except (OSError, wave.Error) as e:
        die("%s: %s" % (path, e))
    if w.getsampwidth() != 2 or w.getnchannels() != 1:
        die("%s: not 16-bit mono" % path)
    a = array("h")
    a.frombytes(w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        a.byteswap()
    x = list(map(float, a))
    m = sum(x) / len(x) if x else 0.0
    return [v - m for v in x], w.getframerate()

def envelope(x, rate):
    win, hop = int(ENV_WIN_S * rate), int(ENV_HOP_S * rate)
    pre, acc = [0.0], 0.0
    for v in x:
        acc += v * v
        pre.append(acc)
    return [math.sqrt(max(0.0, pre[s + win] - pre[s]) / win)
            for s in range(0, len(x) - win + 1, hop)], hop

def ncc(a, b):
    den = math.sqrt(sum(map(operator.mul, a, a)) * sum(map(operator.mul, b, b)))
    return sum(map(operator.mul, a, b)) / den if den > 0.0 else 0.0

def pearson(a, b):
    if len(a) < 2 or len(a) != len(b):
        return 0.0
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    return ncc([v - ma for v in a], [v - mb for v in b])

def decimate(x, f):
    return [sum(x[i:i + f]) / f for i in range(0, len(x) - f + 1, f)]

if len(sys.argv) != 6 or sys.argv[1] not in ("corr", "envelope"):
    die("usage: blockscore.py corr|envelope REF REC LAG MIN")
mode, ref_p, rec_p = sys.argv[1:4]
try:
    lag_s, minimum = float(sys.argv[4]), float(sys.argv[5])
except ValueError:
    die("bad LAG or MIN")
ref, rate = read(ref_p)
rec, rec_rate = read(rec_p)
if rate != rec_rate:
    die("rates differ: %d and %d Hz" % (rate, rec_rate))
lag, reach = int(round(lag_s * rate)), int(REACH_S * rate)
pad = abs(lag) + reach + rate	# rec[i] is recp[pad + i], zeros around it
recp = [0.0] * pad + rec + [0.0] * (pad + len(ref))

env_ref, hop = envelope(ref, rate)
if not env_ref or max(env_ref) <= 0.0:
    die("%s is silent" % ref_p)
thr = max(env_ref) * 10 ** (ACTIVE_DB / 20)
active = [i for i, v in enumerate(env_ref) if v > thr]
s0, s1 = active[0] * hop, active[-1] * hop + int(ENV_WIN_S * rate)
n = int(BLOCK_S * rate)
blocks = [(b, min(b + n, s1)) for b in range(s0, s1, n)
          if min(b + n, s1) - b >= n // 2]

if mode == "envelope":
    env_rec, _ = envelope(recp, rate)
else:
    f = max(1, rate // 2000)	# coarse search at about 2 kHz
    recd = decimate(recp, f)
scores, weights = [], []
for b0, b1 in blocks:
    r = ref[b0:b1]
    if mode == "corr":
        rd = decimate(r, f)
        coarse = sorted(((ncc(rd, recd[(pad + b0 + l) // f:
                                       (pad + b0 + l) // f + len(rd)]), l)
                         for l in range(lag - reach, lag + reach + 1, f)),
                        reverse=True)
        best = max(ncc(r, recp[pad + b0 + l:pad + b1 + l])
                   for _, c in coarse[:2] for l in range(c - f, c + f + 1))
    else:
        i0, i1 = b0 // hop, b1 // hop
        base = (pad + b0) // hop
        best = max(pearson(env_ref[i0:i1],
                           env_rec[base + k:base + k + (i1 - i0)])
                   for k in range((lag - reach) // hop,
                                  (lag + reach) // hop + 1))
    scores.append(best)
    weights.append(sum(map(operator.mul, r, r)))
score = sum(map(operator.mul, scores, weights)) / sum(weights)
ok = score >= minimum
print("score=%.4f mode=%s, %d blocks of %.2f s, each within %.2f s of lag "
      "%.4f s; lowest block %.2f; min=%.2f %s"
      % (score, mode, len(blocks), BLOCK_S, REACH_S, lag_s, min(scores),
         minimum, "PASS" if ok else "FAIL"))
print("blocks: " + " ".join("%.2f" % s for s in scores))
sys.exit(0 if ok else 1)
PY

# Score how well REC reproduces REF: match MODE MIN REF REC.  xcorr.py
# aligns the whole files (its score is printed for information, its lag
# kept), then blockscore.py aligns each 0.25 s block on its own and
# decides.  REC is first resampled (sox) to REF's rate.  Returns 0 (a
# match), 1 (no match) or 2 (an error, e.g. no recording).
match() {
	_x=$("$TP_PYTHON" "$TP_SRCDIR/tests/xcorr.py" --mode "$1" --min "$2" \
	    "$3" "$4" 2>&1)
	_st=$?
	diag "${3##*/} vs ${4##*/}, one alignment: $_x"
	[ "$_st" -le 1 ] || return 2
	_lag=$(printf '%s\n' "$_x" | sed -n 's/.* lag=\([-0-9.]*\) s .*/\1/p')
	_rate=$(soxi -r "$3") &&
	sox -D "$4" -r "$_rate" "$4.$_rate.wav" || return 2
	_b=$("$TP_PYTHON" "$TP_TMPDIR/blockscore.py" "$1" "$3" "$4.$_rate.wav" \
	    "${_lag:-0}" "$2" 2>&1)
	_st=$?
	diag "${3##*/} vs ${4##*/}, by blocks: $_b"
	return "$_st"
}

# ------------------------------------------------------------- speech --

make_speech "$TP_TMPDIR/a.wav" \
    "The quick brown fox jumps over the lazy dog near the river bank." &&
make_speech "$TP_TMPDIR/b.wav" \
    "Please call Stella and ask her to bring these things from the store." ||
    bail_out "cannot make test speech with espeak-ng and sox"

# ---------------------------------------------------------------- calls --

# One looped call with jackd at RATE: loop_call RATE.
loop_call() {
	_r=$1
	_ee=callee-$_r _er=caller-$_r

	JACK_LOG=$TP_TMPDIR/jackd-$_r.log
	if ! jack_start "$_r"; then
		diag_file "$JACK_LOG"
		bail_out "jackd -d dummy -r $_r does not start (see above)"
	fi
	bg_track "$JACK_PID"	# lib.sh's EXIT trap stops it too
	ok "$_r Hz: jackd (dummy driver) starts"

	_pe=$(free_udp_port)
	_pr=$(free_udp_port)
	tp_start "$_ee" --listen="127.0.0.1:$_pe" --audio-device=jack: \
	    --auto-answer=2 --exit-after-call --codecs=PCMU
	_ee_pid=$TP_PID
	wait_for "udp_bound $_pe || ! kill -0 $_ee_pid 2>/dev/null" 10 ||
	    diag "$_r Hz: callee not listening on $_pe after 10 s"

	tp_start "$_er" --listen="127.0.0.1:$_pr" --null-audio \
	    --play="$TP_TMPDIR/a.wav" --record="$TP_TMPDIR/back-$_r.wav" \
	    --hangup-when-played --exit-after-call --codecs=PCMU \
	    "sip:callee@127.0.0.1:$_pe"
	_er_pid=$TP_PID

	if wait_for jack_have_ports 10; then
		ok "$_r Hz: the callee's PortAudio ports appear in JACK"
		check "$_r Hz: its playback ports loop into its capture ports" \
		    jack_loop
	else
		not_ok "$_r Hz: the callee's PortAudio ports appear in JACK"
		jack_lsp -p >"$TP_TMPDIR/jack-$_r.lsp" 2>&1
		diag_file "$TP_TMPDIR/jack-$_r.lsp"
		not_ok "$_r Hz: its playback ports loop into its capture ports"
	fi

	# 2 s ring, 4.3 s of speech, plus the loop's delay.
	wait_pid_exit "$_er_pid" 25
	_st_er=$?
	wait_pid_exit "$_ee_pid" 10
	_st_ee=$?
	jack_stop

	is "$_st_er" 0 "$_r Hz: the caller exits 0"
	[ "$_st_er" = 0 ] || diag_file "$TP_TMPDIR/$_er.ev"
	is "$_st_ee" 0 "$_r Hz: the callee exits 0"
	[ "$_st_ee" = 0 ] || diag_file "$TP_TMPDIR/$_ee.ev"

	if has_notice "$_ee" "no audio device"; then
		not_ok "$_r Hz: the callee uses JACK (no 'no audio device' notice)"
		diag_file "$TP_TMPDIR/$_ee.log" 20
	else
		ok "$_r Hz: the callee uses JACK (no 'no audio device' notice)"
	fi
	is "$(connected_codec "$_ee")" PCMU/8000 \
	    "$_r Hz: the callee's call connects with PCMU/8000"

	check "$_r Hz: what comes back matches the speech (corr >= $CORR_MIN)" \
	    match corr "$CORR_MIN" "$TP_TMPDIR/a.wav" "$TP_TMPDIR/back-$_r.wav"
	# Status 1 exactly: a score below the threshold, not an error.
	match corr "$CORR_MIN" "$TP_TMPDIR/b.wav" "$TP_TMPDIR/back-$_r.wav"
	is "$?" 1 "$_r Hz: a different sentence scores below $CORR_MIN"
}

for _rate in $RATES; do
	loop_call "$_rate"
done
