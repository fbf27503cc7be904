#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Digest authentication against SIPp: termphone registers (401, then
# credentials), calls (407, then credentials), hangs up and unregisters on
# exit (uas-auth.xml verifies every credential); with a wrong password it
# gives up after a bounded number of REGISTERs, exits 3 and never calls.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 19

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

# SIP message events come from Sofia's stack thread, state events from the
# main loop: each stream is in order, but the two may interleave either
# way, so a check never mixes them unless one causes the other.

# ------------------------------------------- the right password: a call --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
uri="sip:bob@127.0.0.1:$port"
resp=$(sip_digest_response alice termphone.test secret INVITE "$uri" \
    9a3e51b07c2d4f68e4b1) || bail_out "cannot compute the INVITE digest"
sipp_bg good uas-auth.xml -key user alice -key pass secret \
    -key inv_resp "$resp" -p "$port" -mp "$media" -recv_timeout 20s \
    -trace_logs -log_file good.log
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-good --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=secret \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "$uri"
exit_is "$TP_PID" 0 20 "good: termphone exits 0" tp-good.stderr tp-good.ev
exit_is "$SIPP_PID" 0 15 "good: sipp exits 0 (every credential verified)" \
    good.out good.err good.log
check "good: REGISTER, 401, REGISTER with credentials, 200" \
    flow_has tp-good 'sent REGISTER' 'received 401 Unauthorized (REGISTER)' \
    'sent REGISTER' 'received 200 OK (REGISTER)'
# termphone dials once registered, so this order is causal.
check "good: reg_state registered before the INVITE is sent" \
    flow_has tp-good 'reg registered' 'sent INVITE'
check "good: INVITE, 407, ACK, INVITE with credentials, 200, ACK" \
    flow_has tp-good 'sent INVITE' \
    'received 407 Proxy Authentication Required (INVITE)' 'sent ACK' \
    'sent INVITE' 'received 200 OK (INVITE)' 'sent ACK'
check "good: BYE, 200, then the un-REGISTER and its 200" \
    flow_has tp-good 'sent BYE' 'received 200 OK (BYE)' 'sent REGISTER' \
    'received 200 OK (REGISTER)'
check "good: reg_state registered, call connected, ended, unregistered" \
    flow_has tp-good 'reg registered' 'call connected' 'call ended' \
    'reg unregistered'
check "good: sipp checked the INVITE's Proxy-Authorization" \
    grep -q '^uas-auth: INVITE Proxy-Authorization: Digest' \
    "$TP_TMPDIR/good.log"
check "good: sipp saw the un-REGISTER with expires 0" \
    grep -q '^uas-auth: un-REGISTER (' "$TP_TMPDIR/good.log"

# ----------------------------- a wrong password: 403, exit 3, no INVITE --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
uri="sip:bob@127.0.0.1:$port"
sipp_bg bad uas-auth.xml -key user alice -key pass secret -key inv_resp 0 \
    -p "$port" -mp "$media" -recv_timeout 20s -trace_logs -log_file bad.log
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-bad --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=wrong \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "$uri"
exit_is "$TP_PID" 3 15 "bad: termphone exits 3 (registration failed)" \
    tp-bad.stderr tp-bad.ev
# uas-auth.xml answers a wrong digest with 403 and fails its call.
exit_is "$SIPP_PID" 1 15 "bad: sipp rejected the credentials (exit 1)" \
    bad.out bad.log
check "bad: sipp's verifyauth failed the REGISTER" \
    grep -q 'REGISTER digest verification FAILED' "$TP_TMPDIR/bad.log"
is "$(flow_count tp-bad 'sent INVITE')" 0 "bad: no INVITE was sent"
n=$(flow_count tp-bad 'sent REGISTER')
check "bad: at most 3 REGISTERs sent (it sent $n)" test "$n" -le 3
check "bad: reg_state failed" flow_has tp-bad 'reg failed'

# ------------- a registrar that always says 401: bounded retries, exit 3 --
port=$(free_udp_port)
me=$(free_udp_port)
sipp_bg loop reg-always-401.xml -p "$port" -m 1
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-loop --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=wrong \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 3 15 "loop: termphone gives up and exits 3" \
    tp-loop.stderr tp-loop.ev
n=$(flow_count tp-loop 'sent REGISTER')
check "loop: termphone sent 2 or 3 REGISTERs (it sent $n)" \
    test "$n" -ge 2 -a "$n" -le 3
# SIPp ends the call once no REGISTER has come for 1.5 s.
exit_is "$SIPP_PID" 0 15 "loop: sipp saw the REGISTERs stop (exit 0)" \
    loop.out loop.err
n=$(grep -c '^REGISTER sip:' "$TP_TMPDIR/loop.msg")
check "loop: sipp received at most 3 REGISTERs (it got $n)" test "$n" -le 3
