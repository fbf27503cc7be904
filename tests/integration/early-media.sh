#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Early media: a 183 Session Progress with SDP starts the RTP stream before
# the answer, and what the far end sends then is heard (and recorded).

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

plan 7
need_termphone
need_cmd sipp sox espeak-ng "$TP_PYTHON"

T=$TP_TMPDIR
SIPP_PORT=$(free_udp_port)
TP_PORT=$(free_udp_port)
RTP_PORT=$(free_udp_port 4)

# The far end's early media: speech as raw mu-law for SIPp's rtp_stream
# (read from its working directory, $T), and the same speech as reference.
make_speech "$T/ref.wav" "Early media. Please hold while we connect your call." 8000 ||
    bail_out "cannot make test speech"
sox "$T/ref.wav" -t raw -e u-law "$T/early.ulaw" || bail_out "sox failed"

sipp_bg uas "$TP_SIPP_DIR/early-media.xml" -i 127.0.0.1 -p "$SIPP_PORT" \
    -m 1 -mp "$RTP_PORT"
SIPP=$SIPP_PID
wait_bound udp "$SIPP_PORT" 10 || diag "SIPp did not bind port $SIPP_PORT in 10 s"

bg_start "$T/tp.out" "$TP_BIN" --headless --events=json \
    --listen=127.0.0.1:"$TP_PORT" --null-audio --codecs=PCMU \
    --record="$T/rec.wav" --hangup-after=1 --exit-after-call \
    --log="$T/tp.log" "sip:early@127.0.0.1:$SIPP_PORT"
TP=$BG_PID

st=0; wait_pid_exit "$TP" 30 || st=$?
is "$st" 0 "termphone exits 0 after the answered call"
st=0; wait_pid_exit "$SIPP" 20 || st=$?
is "$st" 0 "SIPp saw its scenario through (183 + RTP, 200, ACK, BYE)"

early=$(grep '"event":"call_state"' "$T/tp.out" | grep -n '"state":"early"' |
    head -n 1 | cut -d: -f1)
conn=$(grep '"event":"call_state"' "$T/tp.out" | grep -n '"state":"connected"' |
    head -n 1 | cut -d: -f1)
if [ -n "$early" ] && [ -n "$conn" ] && [ "$early" -lt "$conn" ]; then
	ok "the call is early (183 with SDP) before it is connected"
else
	not_ok "the call is early (183 with SDP) before it is connected"
	diag_file "$T/tp.out"
fi
if grep '"state":"early"' "$T/tp.out" | grep -q '"status":183' &&
    grep '"state":"early"' "$T/tp.out" | grep -q '"codec":"PCMU/8000"'; then
	ok "the early state names 183 and the codec"
else
	not_ok "the early state names 183 and the codec"
fi

# Packets received before the answer: the last media_stats before the
# connected state.
pre=$(awk '/"state":"connected"/ { exit } /"event":"media_stats"/ { l = $0 }
    END { print l }' "$T/tp.out" | sed 's/.*"received":\([0-9]*\).*/\1/')
if [ "${pre:-0}" -ge 50 ]; then
	ok "early RTP is received before the answer ($pre packets)"
else
	not_ok "early RTP is received before the answer (${pre:-no} packets)"
	diag_file "$T/tp.out"
fi

if "$TP_PYTHON" "$TP_SRCDIR/tests/xcorr.py" "$T/ref.wav" "$T/rec.wav" \
    --mode corr --blocks --min 0.9 >"$T/xcorr.out" 2>&1; then
	ok "the early media is heard: $(cat "$T/xcorr.out")"
else
	not_ok "the early media is heard"
	diag_file "$T/xcorr.out"
fi
# And the check can fail: a different sentence does not match.
make_speech "$T/other.wav" "Seven green ships sailed past the quiet harbour." 8000
if "$TP_PYTHON" "$TP_SRCDIR/tests/xcorr.py" "$T/other.wav" "$T/rec.wav" \
    --mode corr --blocks --min 0.9 >"$T/xcorr2.out" 2>&1; then
	not_ok "a different sentence does not match the recording"
	diag_file "$T/xcorr2.out"
else
	ok "a different sentence does not match the recording"
fi
