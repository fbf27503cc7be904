#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Signals: SIGINT in a call sends BYE, SIGTERM while registered sends the
# un-REGISTER, SIGINT while ringing sends CANCEL, each before a clean exit;
# a second SIGINT makes termphone exit at once (status 130) even while the
# far end never answers the BYE.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep kill

plan 16

# ------------------------------------------------------- local helpers --

# Print the last REGISTER termphone sent, from its SIP trace NAME.trace.
last_register() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.trace" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
last = ""
for m in re.split(r"(?m)^(?=SENT to |RECEIVED from )", text):
    head, _, msg = m.partition("\n")
    if head.startswith("SENT to ") and msg.startswith("REGISTER "):
        last = msg
sys.stdout.write(last)
PY
}

# True if a REGISTER (in FILE) asks for expiry 0: "Expires: 0" or a
# Contact with ";expires=0".
is_unregister() {
	grep -Eiq '^(Expires: *0 *$|(Contact|m):.*;expires=0([^0-9]|$))' "$1" &&
	    return 0
	diag "not an un-REGISTER:"
	diag_file "$1" 20
	return 1
}

# --------------------------------------- SIGINT in a call: BYE, exit 0 --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg uas -sn:uas -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp -sn uas did not bind port $port"
tp_start call --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    "sip:service@127.0.0.1:$port"
wait_file_grep "$TP_TMPDIR/call.ev" '"state":"connected"' 10 ||
    diag "the call did not connect in 10 s"
kill -INT "$TP_PID"
exit_is "$TP_PID" 0 10 "call: SIGINT, termphone exits 0" call.stderr call.ev
# The test sent SIGINT once connected: that order is causal.
check "call: connected, then BYE and its 200" \
    flow_has call 'call connected' 'sent BYE' 'received 200 OK (BYE)'
exit_is "$SIPP_PID" 0 10 "call: sipp got the BYE (exit 0)" uas.out uas.err
check "call: sipp's trace has the BYE" grep -q '^BYE sip:' "$TP_TMPDIR/uas.msg"

# ---------------------------- SIGTERM while registered: the un-REGISTER --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg reg uas-auth.xml -key user alice -key pass secret -key inv_resp 0 \
    -p "$port" -mp "$media" -recv_timeout 20s -trace_logs -log_file reg.log
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"
tp_start tp-reg --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=secret \
    --registrar="sip:127.0.0.1:$port"
wait_file_grep "$TP_TMPDIR/tp-reg.ev" '"state":"registered"' 10 ||
    diag "not registered in 10 s"
kill -TERM "$TP_PID"
exit_is "$TP_PID" 0 10 "reg: SIGTERM, termphone exits 0" \
    tp-reg.stderr tp-reg.ev
check "reg: registered, then a REGISTER and its 200" \
    flow_has tp-reg 'reg registered' 'sent REGISTER' \
    'received 200 OK (REGISTER)'
check "reg: reg_state unregistering, unregistered, then shutdown" \
    flow_has tp-reg 'reg registered' 'reg unregistering' 'reg unregistered' \
    'shutdown'
last_register tp-reg >"$TP_TMPDIR/unreg.txt"
check "reg: the last REGISTER asks for expires 0" \
    is_unregister "$TP_TMPDIR/unreg.txt"
# uas-auth.xml checks the un-REGISTER's expiry itself and exits 0 after it.
exit_is "$SIPP_PID" 0 10 "reg: sipp took the un-REGISTER (exit 0)" \
    reg.out reg.err reg.log

# -------------------------------------------- SIGINT while ringing: CANCEL --
port=$(free_udp_port)
me=$(free_udp_port)
sipp_bg ring ring-noanswer.xml -p "$port" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"
tp_start tp-ring --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    "sip:bob@127.0.0.1:$port"
wait_file_grep "$TP_TMPDIR/tp-ring.ev" '"state":"ringing"' 10 ||
    diag "no ringing in 10 s"
kill -INT "$TP_PID"
wait_pid_exit "$TP_PID" 10
st=$?
diag "termphone exit status after SIGINT while ringing: $st"
check "ring: SIGINT, termphone exits by itself, not by the signal ($st)" \
    test "$st" -lt 124
check "ring: ringing, then CANCEL, 200 (CANCEL), 487, ACK" \
    flow_has tp-ring 'call ringing' 'sent CANCEL' 'received 200 OK (CANCEL)' \
    'received 487 Request Terminated (INVITE)' 'sent ACK'
exit_is "$SIPP_PID" 0 10 "ring: sipp saw the CANCEL and the ACK (exit 0)" \
    ring.out ring.err

# ----------------- a second SIGINT: exit at once, BYE or no BYE answered --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg deaf uas-deaf-bye.xml -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"
tp_start tp-deaf --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    "sip:bob@127.0.0.1:$port"
wait_file_grep "$TP_TMPDIR/tp-deaf.ev" '"state":"connected"' 10 ||
    diag "the call did not connect in 10 s"
kill -INT "$TP_PID"
# The first SIGINT sends the BYE; termphone then waits for its answer,
# resending it (RFC 3261 timer E: first after 500 ms).
check "deaf: after one SIGINT termphone still waits, resending the BYE" \
    wait_for "[ \$(flow_count tp-deaf 'sent BYE') -ge 2 ] && _tp_alive $TP_PID" 3
kill -INT "$TP_PID"
exit_is "$TP_PID" 130 1 "deaf: a second SIGINT, termphone exits 130 within 1 s" \
    tp-deaf.stderr tp-deaf.ev
is "$(flow_count tp-deaf 'received 200 OK (BYE)')" 0 \
    "deaf: the BYE was never answered"
exit_is "$SIPP_PID" 0 10 "deaf: sipp got the BYE and went quiet (exit 0)" \
    deaf.out deaf.err
