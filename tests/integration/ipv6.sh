#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone calls termphone over IPv6 loopback ([::1]), over UDP and over
# TCP: SIP goes to and from [::1], the SDP names "c=IN IP6 ::1" (RFC 4566
# 5.7), and the callee's recording of the caller's speech matches it.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd espeak-ng sox "$TP_PYTHON"

plan 12

"$TP_PYTHON" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' ||
    bail_out "cannot bind [::1]: this machine has no IPv6 loopback"

make_speech "$TP_TMPDIR/say.wav" \
    "The quick brown fox jumps over the lazy dog near the river bank." 8000 ||
    bail_out "cannot make test speech with espeak-ng and sox"

for proto in udp tcp; do
	callee=$(free_udp_port)
	caller=$(free_udp_port)
	uri="sip:bob@[::1]:$callee"
	[ "$proto" = tcp ] && uri="$uri;transport=tcp"
	tp_start "b$proto" --listen="[::1]:$callee" --null-audio --codecs=PCMU \
	    --auto-answer --exit-after-call --record="$TP_TMPDIR/$proto.wav"
	wait_file_grep "$TP_TMPDIR/b$proto.log" "starting" 5
	BOB=$TP_PID
	tp_start "a$proto" --listen="[::1]:$caller" --null-audio --codecs=PCMU \
	    --play="$TP_TMPDIR/say.wav" --hangup-when-played --exit-after-call \
	    "$uri"
	exit_is "$TP_PID" 0 30 "$proto: the caller exits 0" \
	    "a$proto.stderr" "a$proto.ev"
	exit_is "$BOB" 0 10 "$proto: the callee exits 0" \
	    "b$proto.stderr" "b$proto.ev"
	check "$proto: INVITE, 200, ACK, BYE, 200 between [::1] ports" \
	    flow_has "a$proto" 'sent INVITE' 'received 200 OK (INVITE)' \
	    'sent ACK' 'sent BYE' 'received 200 OK (BYE)'
	peers=$(grep '"event":"sip_message"' "$TP_TMPDIR/a$proto.ev" |
	    sed 's/.*"peer":"\([^"]*\)".*/\1/' | sort -u | tr '\n' ' ')
	is "$peers" "$proto/[::1]:$callee " \
	    "$proto: every SIP message went over $proto to [::1]:$callee"
	check "$proto: both SDPs say c=IN IP6 ::1" \
	    test "$(grep -c '^c=IN IP6 ::1' "$TP_TMPDIR/a$proto.trace")" -eq 2
	check "$proto: the callee's recording matches the speech" \
	    audio_match corr 0.90 "$TP_TMPDIR/say.wav" "$TP_TMPDIR/$proto.wav"
done
