#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone's exit status after a call that fails (see termphone --help):
# busy 4, declined 5, other 4xx-6xx 6, no answer 7 (with a CANCEL when
# --no-answer-timeout fires), transport failure 8; and a callee that
# declines an incoming call with the headless command "reject 603".

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep mkfifo

plan 33

# ------------------------------------------- final responses (reject.xml) --
# code, the exit status it must give, its reason phrase.
while read -r code want reason; do
	port=$(free_udp_port)
	me=$(free_udp_port)
	sipp_bg "rej$code" reject.xml -key code "$code" -p "$port" -m 1 \
	    -recv_timeout 20s
	wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"
	tp_start "tp$code" --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
	    --exit-after-call "sip:bob@127.0.0.1:$port"
	exit_is "$TP_PID" "$want" 15 "$code $reason: termphone exits $want" \
	    "tp$code.stderr" "tp$code.ev"
	exit_is "$SIPP_PID" 0 10 "$code $reason: sipp got the ACK (exit 0)" \
	    "rej$code.out" "rej$code.err"
	check "$code $reason: the call ended with status $code" \
	    grep -q "\"state\":\"ended\".*\"status\":$code," \
	    "$TP_TMPDIR/tp$code.ev"
done <<'CODES'
486 4 Busy Here
600 4 Busy Everywhere
603 5 Decline
404 6 Not Found
500 6 Server Internal Error
606 6 Not Acceptable
480 7 Temporarily Unavailable
408 7 Request Timeout
CODES

# ----------------------- 180, then silence: --no-answer-timeout and CANCEL --
port=$(free_udp_port)
me=$(free_udp_port)
sipp_bg ring ring-noanswer.xml -p "$port" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"
t0=$(_tp_now_cs)
tp_start tp-ring --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --no-answer-timeout=2 --exit-after-call "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 7 15 "no answer in 2 s: termphone exits 7" \
    tp-ring.stderr tp-ring.ev
t=$(( $(_tp_now_cs) - t0 ))
check "no answer: it gave up after 2 s, not before, not much later (${t}0 ms)" \
    test "$t" -ge 190 -a "$t" -le 600
check "no answer: 180, then CANCEL, 200 (CANCEL), 487, ACK" \
    flow_has tp-ring 'received 180 Ringing (INVITE)' 'sent CANCEL' \
    'received 200 OK (CANCEL)' 'received 487 Request Terminated (INVITE)' \
    'sent ACK'
exit_is "$SIPP_PID" 0 10 "no answer: sipp saw the CANCEL and the ACK (exit 0)" \
    ring.out ring.err

# -------------------------------------- nothing listens: transport error --
port=$(free_udp_port)
me=$(free_udp_port)
tp_start tp-udp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --exit-after-call "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 8 15 "UDP port unreachable: termphone exits 8" \
    tp-udp.stderr tp-udp.ev
me=$(free_udp_port)
tp_start tp-tcp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --exit-after-call "sip:bob@127.0.0.1:$port;transport=tcp"
exit_is "$TP_PID" 8 15 "TCP connection refused: termphone exits 8" \
    tp-tcp.stderr tp-tcp.ev

# ------------------------- the callee declines: headless "reject 603" --
me=$(free_udp_port)
port=$(free_udp_port)
media=$(free_udp_port 4)
mkfifo "$TP_TMPDIR/cmd" || bail_out "cannot make a FIFO"
TP_STDIN=$TP_TMPDIR/cmd tp_start tp-uas --listen="127.0.0.1:$me" \
    --null-audio --codecs=PCMU --exit-after-call
# Opening the FIFO's write end lets termphone's open of the read end return.
exec 7>"$TP_TMPDIR/cmd"
wait_bound udp "$me" 5 || bail_out "termphone did not bind 127.0.0.1:$me"
sipp_bg decline exit-uac-decline.xml "127.0.0.1:$me" -p "$port" \
    -mp "$media" -m 1 -recv_timeout 10s
if wait_file_grep "$TP_TMPDIR/tp-uas.ev" '"state":"incoming"' 10; then
	echo "reject 603" >&7
else
	diag "no incoming call in 10 s"
fi
exit_is "$SIPP_PID" 0 10 "reject 603: sipp got 603 Decline (exit 0)" \
    decline.out decline.err tp-uas.ev
check "reject 603: termphone sent 603 and got the ACK" \
    flow_has tp-uas 'received INVITE' 'sent 603 Decline (INVITE)' \
    'received ACK'
# --help does not say which status a declined incoming call gives: 0 (no
# call was answered) or 5 (declined) are both sound; a hang or a crash not.
wait_pid_exit "$TP_PID" 10
st=$?
diag "termphone exit status after declining: $st"
check "reject 603: termphone exits by itself with status 0 or 5 (got $st)" \
    test "$st" = 0 -o "$st" = 5
exec 7>&-
