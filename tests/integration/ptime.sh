#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone as the callee of a peer that packs its RTP at another ptime
# than our 20 ms frames: SIPp calls with a PCMU-only offer and, once the
# call is up, plays speech from a pcap made at 10, 30 or 40 ms per packet
# (tests/rtp_pcap.py).  termphone auto-answers and records what it hears.
# Both must exit 0, and the recording must match the speech (normalised
# cross-correlation after block alignment >= CORR_MIN, as in
# call-codecs.sh); a different sentence must score below CORR_MIN against
# the same recording, so the threshold tells speech apart.  Playing only
# 20 ms of each 30 or 40 ms packet, or concealing half of every 20 ms
# from 10 ms packets, leaves speech that does not match.
#
# SIPp's play_pcap_audio sends from a raw socket, which needs root: as
# another user the test says so and skips.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp espeak-ng sox soxi

CORR_MIN=0.90
PTIMES="30 40 10"
plan 15			# 5 per ptime

if [ "$(id -u)" -ne 0 ]; then
	for _p in $PTIMES; do
		for _k in 1 2 3 4 5; do
			skip "$_p ms: SIPp's play_pcap_audio needs root (raw socket)"
		done
	done
	exit 0
fi

SAY_A="The quick brown fox jumps over the lazy dog near the river bank."
SAY_B="Please call Stella and ask her to bring these things from the store."
make_speech "$TP_TMPDIR/a.wav" "$SAY_A" 8000 &&
make_speech "$TP_TMPDIR/b.wav" "$SAY_B" 8000 ||
    bail_out "cannot make test speech with espeak-ng and sox"
# SIPp pauses for the speech and 1.5 s more before its BYE.
speech_ms=$("$TP_PYTHON" -c 'import sys; print(int(float(sys.argv[1]) * 1000))' \
    "$(soxi -D "$TP_TMPDIR/a.wav")")

for _p in $PTIMES; do
	"$TP_PYTHON" "$TP_SRCDIR/tests/rtp_pcap.py" "$TP_TMPDIR/a.wav" "$_p" \
	    "$TP_TMPDIR/ptime.pcap" || bail_out "rtp_pcap.py failed"
	me=$(free_udp_port)
	port=$(free_udp_port)
	media=$(free_udp_port 4)
	tp_start "p$_p" --listen="127.0.0.1:$me" --null-audio --auto-answer \
	    --exit-after-call --codecs=PCMU --record="$TP_TMPDIR/rec$_p.wav"
	wait_bound udp "$me" 5 ||
	    bail_out "termphone did not bind 127.0.0.1:$me"
	sipp_bg "sipp$_p" uac-pcap-ptime.xml "127.0.0.1:$me" -p "$port" \
	    -mp "$media" -m 1 -d $((speech_ms + 1500)) -recv_timeout 10s
	exit_is "$SIPP_PID" 0 30 "$_p ms: sipp's call completes (exit 0)" \
	    "sipp$_p.out" "sipp$_p.err"
	exit_is "$TP_PID" 0 10 "$_p ms: termphone exits 0 after the call" \
	    "p$_p.stderr" "p$_p.ev"
	check "$_p ms: connected with PCMU/8000" \
	    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/p$_p.ev"
	diag "$_p ms: $(grep '"media_stats"' "$TP_TMPDIR/p$_p.ev" | tail -n 1)"
	check "$_p ms: the recording matches the speech (corr >= $CORR_MIN)" \
	    audio_match corr "$CORR_MIN" "$TP_TMPDIR/a.wav" "$TP_TMPDIR/rec$_p.wav"
	# Status 1 exactly: a score below the threshold, not an error.
	audio_match corr "$CORR_MIN" "$TP_TMPDIR/b.wav" "$TP_TMPDIR/rec$_p.wav"
	is "$?" 1 "$_p ms: a different sentence scores below $CORR_MIN"
done
