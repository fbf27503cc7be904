#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone as the caller against SIPp's built-in UAS (-sn uas), over UDP
# and over TCP (";transport=tcp" in the dialled URI): the call connects
# with PCMU, termphone hangs up after 1 s, and both sides exit 0.
#
# The SIP flow is checked in termphone's own JSON events: INVITE sent,
# 180 and 200 received, ACK sent, BYE sent, 200 received.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 15

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

# True if SIPp's message trace FILE holds a line matching each REGEX.
msg_has() {
	_f=$1
	shift
	for _re in "$@"; do
		grep -Eq -e "$_re" "$_f" || { diag "no '$_re' in ${_f##*/}"; return 1; }
	done
}

# True if every sip_message event in FILE went over TCP.
all_tcp() {
	! grep '"event":"sip_message"' "$1" | grep -qv '"peer":"tcp/'
}

# SIP message events come from Sofia's stack thread, state events from the
# main loop: each stream is in order, but the two may interleave either
# way, so a check never mixes them unless one causes the other.

# What a caller sends and receives against -sn uas, and its call states.
UAC_SIP='sent INVITE
received 180 Ringing (INVITE)
received 200 OK (INVITE)
sent ACK
sent BYE
received 200 OK (BYE)'
UAC_STATES='call calling
call ringing
call connected
call ended'

# ------------------------------------------------------------------ UDP --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg uas-udp -sn:uas -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound udp "$port" 5 || bail_out "sipp -sn uas did not bind port $port"

tp_start udp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 --exit-after-call "sip:service@127.0.0.1:$port"
exit_is "$TP_PID" 0 15 "udp: termphone exits 0 after the call" \
    udp.stderr udp.ev
exit_is "$SIPP_PID" 0 15 "udp: sipp -sn uas exits 0 (call completed)" \
    uas-udp.out uas-udp.err
check "udp: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has udp "$UAC_SIP"
check "udp: call states calling, ringing, connected, ended" \
    flow_has udp "$UAC_STATES"
check "udp: connected with PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/udp.ev"
check "udp: sipp received the ACK and the BYE" \
    msg_has "$TP_TMPDIR/uas-udp.msg" '^ACK sip:' '^BYE sip:'

# ------------------------------------------------------------------ TCP --
# SIPp's uas keeps a call for 4 s after the BYE's 200 (its <timewait>), and
# counts the call as failed if the TCP connection closes meanwhile.  So here
# termphone does not exit after the call: the test waits for SIPp, then
# stops termphone with SIGTERM.
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg uas-tcp -sn:uas -t t1 -p "$port" -mp "$media" -m 1 -recv_timeout 20s
wait_bound tcp "$port" 5 ||
    bail_out "sipp -sn uas -t t1 did not listen on TCP port $port"

tp_start tcp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 "sip:service@127.0.0.1:$port;transport=tcp"
check "tcp: the call ends within 15 s" \
    wait_file_grep "$TP_TMPDIR/tcp.ev" '"state":"ended"' 15
exit_is "$SIPP_PID" 0 15 "tcp: sipp -sn uas -t t1 exits 0 (call completed)" \
    uas-tcp.out uas-tcp.err
kill -TERM "$TP_PID" 2>/dev/null
exit_is "$TP_PID" 0 10 "tcp: termphone exits 0 on SIGTERM after the call" \
    tcp.stderr tcp.ev
check "tcp: INVITE, 180, 200, ACK, BYE, 200 in termphone's events" \
    flow_has tcp "$UAC_SIP"
check "tcp: call states calling, ringing, connected, ended" \
    flow_has tcp "$UAC_STATES"
check "tcp: every SIP message went over TCP" all_tcp "$TP_TMPDIR/tcp.ev"
check "tcp: sipp took the call over TCP" \
    grep -q '^TCP message received' "$TP_TMPDIR/uas-tcp.msg"
check "tcp: connected with PCMU/8000" \
    grep -q '"state":"connected".*"codec":"PCMU/8000"' "$TP_TMPDIR/tcp.ev"
# The dialled URI's ";transport=tcp" is a URI parameter: in the To header
# it must stay inside the <...>, not become a To header parameter.
to=$(awk '/^INVITE sip:/ {i = 1} i && /^To:/ {print; exit}' \
    "$TP_TMPDIR/tcp.trace")
case $to in
'')	not_ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>"
	diag "no INVITE with a To header in tcp.trace" ;;
*'>'*transport=*)
	not_ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>"
	diag "got: $to" "want: To: <sip:service@127.0.0.1:$port;transport=tcp>" ;;
*)	ok "tcp: INVITE's To keeps ;transport=tcp inside <the URI>" ;;
esac
