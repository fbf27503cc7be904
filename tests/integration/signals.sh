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
# (The same few helpers sit in each sipp-*.sh, exit-status.sh and
# signals.sh, so every test file stands alone next to tests/lib.sh.)

# Start termphone in the background with JSON events, a log and a SIP
# trace, and no user config: tp_start NAME [ARG...].  Events go to
# NAME.ev, stderr to NAME.stderr, the trace to NAME.trace; PID in TP_PID.
# Stdin is /dev/null unless TP_STDIN names another file (e.g. a FIFO).
tp_start() {
	_n=$1
	shift
	mkdir -p "$TP_TMPDIR/home"
	HOME=$TP_TMPDIR/home XDG_CONFIG_HOME=$TP_TMPDIR/home \
	XDG_STATE_HOME=$TP_TMPDIR/home \
	    "$TP_BIN" --headless --events=json -vv \
	    --log="$TP_TMPDIR/$_n.log" --sip-trace="$TP_TMPDIR/$_n.trace" \
	    "$@" <"${TP_STDIN:-/dev/null}" >"$TP_TMPDIR/$_n.ev" \
	    2>"$TP_TMPDIR/$_n.stderr" &
	TP_PID=$!
	bg_track "$TP_PID"
}

# Print termphone's events (NAME.ev) as one short line each:
# "sent INVITE", "received 200 OK (BYE)", "call connected", "reg registered",
# "redirect 302 sip:...", or the event's name.
tp_flow() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.ev" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    k = e.get("event")
    if k == "sip_message":
        s = e.get("summary") or ""
        if s[:1].isdigit():
            s += " (%s)" % e.get("method")
        print("%s %s" % (e.get("dir"), s))
    elif k == "call_state":
        print("call %s" % e.get("state"))
    elif k == "reg_state":
        print("reg %s" % e.get("state"))
    elif k == "call_redirect":
        print("redirect %s %s" % (e.get("status"), e.get("target")))
    else:
        print(k)
PY
}

# True if NAME's events hold these lines in this order (others may come
# between): flow_has NAME LINE...  Prints the flow when they do not.
flow_has() {
	_n=$1
	shift
	tp_flow "$_n" >"$TP_TMPDIR/$_n.flow"
	printf '%s\n' "$@" >"$TP_TMPDIR/$_n.want"
	awk 'NR == FNR { w[++n] = $0; next }
	    i < n && $0 == w[i + 1] { i++ }
	    END { exit !(i == n) }' \
	    "$TP_TMPDIR/$_n.want" "$TP_TMPDIR/$_n.flow" && return 0
	diag "wanted, in this order:" "$@"
	diag_file "$TP_TMPDIR/$_n.flow" 40
	return 1
}

# Print how many of NAME's event lines are exactly LINE: flow_count NAME LINE.
flow_count() {
	tp_flow "$1" | grep -cxF -e "$2"
}

# Wait at most TIMEOUT_S until a socket is bound (udp) or listening (tcp)
# on 127.0.0.1:PORT: wait_bound udp|tcp PORT TIMEOUT_S.
wait_bound() {
	_pat=$(printf ' 0100007F:%04X 00000000:0000 ' "$2")
	wait_for "grep -q '$_pat' /proc/net/$1" "$3"
}

# Wait at most TIMEOUT_S for a background process and compare its exit
# status; on a mismatch show the FILEs (names in $TP_TMPDIR):
#   exit_is PID WANT TIMEOUT_S DESC [FILE...]
exit_is() {
	wait_pid_exit "$1" "$3"
	_st=$?
	is "$_st" "$2" "$4"
	if [ "$_st" != "$2" ]; then
		shift 4
		for _f in "$@"; do
			diag_file "$TP_TMPDIR/$_f" 25
		done
	fi
}

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

# SIP message events come from Sofia's stack thread, state events from the
# main loop: each stream is in order, but the two may interleave either
# way, so a check never mixes them unless one causes the other.

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
