#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A 302 redirect: termphone calls a SIPp redirect server (redirect.xml),
# ACKs its 302, follows the Contact to a second SIPp (-sn uas) on another
# port, and the call connects there; the JSON events report the redirect.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 11

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

# ------------------------------------------------ redirect and target --
port=$(free_udp_port)		# the redirect server
target=$(free_udp_port)		# where its 302 points
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg redirect redirect.xml -key target_port "$target" -p "$port" -m 1 \
    -recv_timeout 20s
redirect_pid=$SIPP_PID
sipp_bg target -sn:uas -p "$target" -mp "$media" -m 1 -recv_timeout 20s
target_pid=$SIPP_PID
wait_bound udp "$port" 5 || bail_out "sipp (redirect.xml) did not bind $port"
wait_bound udp "$target" 5 || bail_out "sipp -sn uas did not bind $target"

tp_start tp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 --exit-after-call "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 0 20 "termphone exits 0 after the redirected call" \
    tp.stderr tp.ev
exit_is "$redirect_pid" 0 10 "the redirect server got the ACK for its 302" \
    redirect.out redirect.err
exit_is "$target_pid" 0 15 "the target (sipp -sn uas) took the call (exit 0)" \
    target.out target.err

# SIP message events come from Sofia's stack thread, state events from the
# main loop: each stream is in order, but the two may interleave either
# way, so a check never mixes them unless one causes the other.
want="redirect 302 sip:target@127.0.0.1:$target"
check "call_redirect event: status 302, target sip:target@127.0.0.1:$target" \
    flow_has tp "$want"
check "INVITE, 302, ACK, INVITE, 200, ACK, BYE, 200 in termphone's events" \
    flow_has tp 'sent INVITE' 'received 302 Moved Temporarily (INVITE)' \
    'sent ACK' 'sent INVITE' 'received 200 OK (INVITE)' 'sent ACK' \
    'sent BYE' 'received 200 OK (BYE)'
# termphone sends the new INVITE once it has handled the 302: causal.
check "the redirect event comes before the new INVITE" \
    flow_has tp "$want" 'sent INVITE'
check "call states: calling, redirect, connected, ended" \
    flow_has tp 'call calling' "$want" 'call connected' 'call ended'
check "the redirect server saw one INVITE and the ACK" \
    test "$(grep -c '^INVITE sip:' "$TP_TMPDIR/redirect.msg")" = 1 -a \
    "$(grep -c '^ACK sip:' "$TP_TMPDIR/redirect.msg")" = 1
check "the new INVITE asks for the 302's Contact" \
    grep -q "^INVITE sip:target@127.0.0.1:${target}[ ;]" "$TP_TMPDIR/target.msg"
check "the call is connected to the target" \
    grep -q "\"state\":\"connected\",\"peer\":\"sip:target@127.0.0.1:$target\"" \
    "$TP_TMPDIR/tp.ev"
check "the BYE went to the target" \
    grep -q '^BYE sip:' "$TP_TMPDIR/target.msg"
