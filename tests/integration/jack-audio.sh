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
# cross-correlation (>= CORR_MIN), taken block by block (xcorr.py
# --blocks: 0.25 s blocks, each aligned within 50 ms of the global lag),
# because a jitter-buffer insertion or a playback-ring underrun shifts
# everything after it by a frame; a different sentence must score below
# CORR_MIN against the same recording.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
. "$TP_SRCDIR/tests/integration/jack-env.sh"

need_termphone
need_cmd espeak-ng sox soxi jackd jack_wait jack_lsp jack_connect

CORR_MIN=0.90		# measured 0.997-0.998 at both rates; other sentence 0.13

RATES="16000 48000"
plan 20			# 10 per rate

# ------------------------------------------------------- local helpers --

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

	# PortAudio now has devices, but none by this name: a usage error
	# before any call, not a call with silence.
	_bad=$(HOME=$TP_TMPDIR/home XDG_CONFIG_HOME=$TP_TMPDIR/home \
	    XDG_STATE_HOME=$TP_TMPDIR/home timeout -k 2 10 "$TP_BIN" \
	    --headless --audio-device=jack:no-such-port sip:x@127.0.0.1:9 \
	    </dev/null 2>&1 >/dev/null; echo "exit $?")
	is "$_bad" "termphone: audio device 'jack:no-such-port': no such input \
and output device (see --list-devices)
exit 2" "$_r Hz: --audio-device=jack:no-such-port is a usage error (exit 2)"

	_pe=$(free_udp_port)
	_pr=$(free_udp_port)
	tp_start --no-trace "$_ee" --listen="127.0.0.1:$_pe" \
	    --audio-device=jack: --auto-answer=2 --exit-after-call --codecs=PCMU
	_ee_pid=$TP_PID
	wait_for "udp_bound $_pe || ! kill -0 $_ee_pid 2>/dev/null" 10 ||
	    diag "$_r Hz: callee not listening on $_pe after 10 s"

	tp_start --no-trace "$_er" --listen="127.0.0.1:$_pr" --null-audio \
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
	    audio_match corr "$CORR_MIN" "$TP_TMPDIR/a.wav" \
	    "$TP_TMPDIR/back-$_r.wav"
	# Status 1 exactly: a score below the threshold, not an error.
	audio_match corr "$CORR_MIN" "$TP_TMPDIR/b.wav" "$TP_TMPDIR/back-$_r.wav"
	is "$?" 1 "$_r Hz: a different sentence scores below $CORR_MIN"
}

for _rate in $RATES; do
	loop_call "$_rate"
done
