# SPDX-License-Identifier: BSD-2-Clause
# Shared helpers for the integration tests: TAP output, bounded waits, ports,
# background processes that are always cleaned up, test speech, and
# termphone runs whose SIP flow and exit status are checked.
#
# Source it first thing:
#	. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
#	plan 3
#	need_cmd sipp sox
#	port=$(free_udp_port)
#	sipp_bg uas uas-auth.xml -p "$port" -key user alice ...
#	...
#	check "sipp saw the call" wait_pid_exit "$SIPP_PID" 30
#
# Works in bash and dash; do not "set -e" in a test (a failed check is a
# "not ok" line, not the end of the script).  Every wait here is bounded; the EXIT trap kills
# every process started with bg_start/sipp_bg/bg_track and removes the
# per-test directory $TP_TMPDIR (kept, and named, if a test failed or
# TP_KEEP_TMP=1).  Output goes to stdout, which is what tap-driver.sh reads.

# ------------------------------------------------------------ environment --

if [ -z "${TP_SRCDIR:-}" ]; then
	TP_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
fi
: "${TP_BIN:=$PWD/termphone}"
: "${TP_SOUNDS_DIR:=$TP_SRCDIR/sounds}"
TP_SIPP_DIR=$TP_SRCDIR/tests/sipp
export TP_SRCDIR TP_BIN TP_SOUNDS_DIR TP_SIPP_DIR

# Debian's python3; the helpers use the standard library only.
if [ -z "${TP_PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		TP_PYTHON=/usr/bin/python3
	else
		TP_PYTHON=python3
	fi
fi

TP_TEST_NAME=$(basename "$0" .sh)
TP_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/tp-$TP_TEST_NAME.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 1
}
export TP_TMPDIR

TP_NUM=0		# results printed so far
TP_FAILS=0		# of which "not ok"
TP_PLANNED=		# the plan, once printed
TP_PIDS=		# background processes to clean up

# ------------------------------------------------------------------- TAP --

# Print the TAP plan: the number of results this test will print.
plan() {
	TP_PLANNED=$1
	echo "1..$1"
}

# Print diagnostic lines: one per argument (and per line within one).
diag() {
	for _tp_a in "$@"; do
		printf '%s\n' "$_tp_a"
	done | sed 's/^/# /'
}

# Print the last lines (default 30) of a file as diagnostics, if it exists.
diag_file() {
	if [ -s "$1" ]; then
		diag "---- ${1#"$TP_TMPDIR"/} (last ${2:-30} lines) ----"
		tail -n "${2:-30}" "$1" | sed 's/^/#   /'
	else
		diag "---- ${1#"$TP_TMPDIR"/}: missing or empty ----"
	fi
}

# Print a passing result.
ok() {
	TP_NUM=$((TP_NUM + 1))
	echo "ok $TP_NUM - $*"
}

# Print a failing result.
not_ok() {
	TP_NUM=$((TP_NUM + 1))
	TP_FAILS=$((TP_FAILS + 1))
	echo "not ok $TP_NUM - $*"
}

# Print a skipped result: skip DESCRIPTION REASON.
skip() {
	TP_NUM=$((TP_NUM + 1))
	echo "ok $TP_NUM - $1 # SKIP ${2:-}"
}

# Run a command; its exit status decides the result: check DESC CMD [ARG...].
check() {
	_tp_desc=$1
	shift
	if "$@"; then
		ok "$_tp_desc"
	else
		_tp_st=$?
		not_ok "$_tp_desc"
		diag "command failed (status $_tp_st): $*"
	fi
}

# Compare two strings: is GOT WANT DESC.
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'" "want: '$2'"
	fi
}

# Stop the whole test with an error result (tap-driver reports ERROR).
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# Require commands; a missing one is an error, never a skip.
need_cmd() {
	for _tp_cmd in "$@"; do
		command -v "$_tp_cmd" >/dev/null 2>&1 ||
		    bail_out "required command '$_tp_cmd' not found" \
			"(install the test dependencies: sh contrib/install-deps.sh)"
	done
}

# Require the termphone binary under test.
need_termphone() {
	[ -x "$TP_BIN" ] || bail_out "termphone binary '$TP_BIN' missing (build it first)"
}

# -------------------------------------------------------------- clocks --

# Print the monotonic clock in centiseconds (from /proc/uptime; no fork).
_tp_now_cs() {
	read -r _tp_up _tp_idle </proc/uptime
	_tp_s=${_tp_up%.*}
	_tp_f=${_tp_up#*.}
	echo $((_tp_s * 100 + ${_tp_f#0}))
}

# Print a duration in seconds ("3", "0.5", "2.25") as centiseconds.
_tp_to_cs() {
	case $1 in
	*.*)	_tp_s=${1%%.*}; _tp_f=${1#*.}00 ;;
	*)	_tp_s=$1; _tp_f=00 ;;
	esac
	_tp_f=$(printf '%.2s' "$_tp_f")
	echo $(( ${_tp_s:-0} * 100 + $(echo "$_tp_f" | sed 's/^0//') ))
}

# Poll a condition every 50 ms until it holds or TIMEOUT_S passes.
#   wait_for 'grep -q ready log' 5      (one string: evaluated)
#   wait_for test -s "$f" 5            (several words: run as they are)
# Returns 0 once the condition holds, 1 on timeout.
wait_for() {
	_tp_timeout=$(eval "echo \${$#}")
	_tp_deadline=$(( $(_tp_now_cs) + $(_tp_to_cs "$_tp_timeout") ))
	_tp_n=$(($# - 1))
	while :; do
		if [ "$_tp_n" -eq 1 ]; then
			eval "$1" && return 0
		else
			_tp_run_but_last "$@" && return 0
		fi
		[ "$(_tp_now_cs)" -ge "$_tp_deadline" ] && return 1
		sleep 0.05
	done
}

# Run "$@" without its last argument.
_tp_run_but_last() {
	_tp_k=$#
	_tp_i=0
	for _tp_a in "$@"; do
		_tp_i=$((_tp_i + 1))
		[ "$_tp_i" -lt "$_tp_k" ] && set -- "$@" "$_tp_a"
	done
	shift "$_tp_k"
	"$@"
}

# Wait until FILE has a line matching the extended REGEX, at most TIMEOUT_S.
wait_file_grep() {
	wait_for grep -Eq -e "$2" "$1" "$3" 2>/dev/null
}

# True while PID is a live process (a zombie counts as exited).
_tp_alive() {
	read -r _tp_line 2>/dev/null <"/proc/$1/stat" || return 1
	# The state follows the last ")", which closes the command name.
	_tp_st=${_tp_line##*) }
	_tp_st=${_tp_st%% *}
	[ -n "$_tp_st" ] && [ "$_tp_st" != Z ] && [ "$_tp_st" != X ]
}

# Wait at most TIMEOUT_S for a background child to exit; return its status.
# On timeout it is killed and the status is 124 (as timeout(1)).
wait_pid_exit() {
	_tp_wpid=$1
	if wait_for "! _tp_alive $_tp_wpid" "$2"; then
		wait "$_tp_wpid" 2>/dev/null
		return $?
	fi
	diag "pid $_tp_wpid ($(_tp_comm "$_tp_wpid")) still running after ${2}s: killing it"
	bg_stop "$_tp_wpid"
	return 124
}

# Print a process's command name, for messages.
_tp_comm() {
	cat "/proc/$1/comm" 2>/dev/null || echo "?"
}

# ------------------------------------------------- background processes --

# Remember a background process (started with &) for the cleanup trap.
bg_track() {
	TP_PIDS="$TP_PIDS $1"
}

# Start a command in the background, output to LOGFILE, stdin from
# /dev/null; the PID goes to BG_PID.  bg_start LOGFILE CMD [ARG...]
bg_start() {
	_tp_log=$1
	shift
	"$@" </dev/null >"$_tp_log" 2>&1 &
	BG_PID=$!
	bg_track "$BG_PID"
}

# Stop one process: TERM, up to 2 s grace, then KILL; reaps it if ours.
bg_stop() {
	_tp_alive "$1" || { wait "$1" 2>/dev/null; return 0; }
	# Its direct children first (e.g. a shell wrapper's), by their PIDs.
	for _tp_c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill -TERM "$_tp_c" 2>/dev/null
	done
	kill -TERM "$1" 2>/dev/null
	wait_for "! _tp_alive $1" 2 || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# Run a SIPp scenario in the background, in $TP_TMPDIR, with the options
# every test wants (loopback, no stdin, a global time limit, error trace).
#   sipp_bg NAME SCENARIO.xml|-sn:uas [SIPP-ARG...]
# Output: $TP_TMPDIR/NAME.out, unexpected messages: NAME.err, SIP
# messages: NAME.msg.  The PID goes to SIPP_PID (and BG_PID).
# Defaults: -timeout $TP_SIPP_TIMEOUT (30s) with -timeout_error; pass
# your own -timeout to override it.
sipp_bg() {
	_tp_name=$1
	_tp_scn=$2
	shift 2
	case $_tp_scn in
	-sn:*)	set -- -sn "${_tp_scn#-sn:}" "$@" ;;
	/*)	set -- -sf "$_tp_scn" "$@" ;;
	*)	set -- -sf "$TP_SIPP_DIR/$_tp_scn" "$@" ;;
	esac
	case " $* " in
	*" -timeout "*) ;;
	*) set -- "$@" -timeout "${TP_SIPP_TIMEOUT:-30s}" -timeout_error ;;
	esac
	( cd "$TP_TMPDIR" && exec sipp -i 127.0.0.1 -nostdin \
	    -trace_err -error_file "$_tp_name.err" \
	    -trace_msg -message_file "$_tp_name.msg" "$@" ) \
	    </dev/null >"$TP_TMPDIR/$_tp_name.out" 2>&1 &
	SIPP_PID=$!
	BG_PID=$SIPP_PID
	bg_track "$SIPP_PID"
}

# Kill every tracked process and remove the temporary directory.
_tp_cleanup() {
	_tp_rc=$?
	trap - EXIT
	for _tp_p in $TP_PIDS; do
		bg_stop "$_tp_p"
	done
	if [ -n "$TP_PLANNED" ] && [ "$TP_NUM" -ne "$TP_PLANNED" ]; then
		diag "planned $TP_PLANNED results, printed $TP_NUM"
	fi
	if [ "$TP_FAILS" -gt 0 ] || [ "$_tp_rc" -ne 0 ] || [ -n "${TP_KEEP_TMP:-}" ]; then
		diag "files kept in $TP_TMPDIR"
	else
		rm -rf "$TP_TMPDIR"
	fi
	exit "$_tp_rc"
}

trap _tp_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------- ports --

# Print a free port on 127.0.0.1: free for UDP and TCP (Sofia binds both).
# free_udp_port [N]: ports P..P+N-1 are all free (e.g. 4 for SIPp's -mp,
# which binds P and P+2).  Never hands out the same port twice in a test.
free_udp_port() {
	"$TP_PYTHON" - "${1:-1}" "$TP_TMPDIR/.ports" <<'EOF'
import os, random, socket, sys
span = int(sys.argv[1])
used_file = sys.argv[2]
try:
    used = set(int(x) for x in open(used_file).read().split())
except OSError:
    used = set()
rng = random.Random(os.getpid() ^ int.from_bytes(os.urandom(4), "little"))

def free(port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True

# Below termphone's RTP ports (16384-32767, which other tests' calls take
# at random) and Linux's ephemeral range (32768-60999, port-0 binds), so
# nothing else can take the port before the test binds it.
for _ in range(200):
    base = rng.randrange(10000, 16384 - span)
    ports = range(base, base + span)
    if any(p in used for p in ports):
        continue
    if all(free(p) for p in ports):
        with open(used_file, "a") as f:
            f.write(" ".join(map(str, ports)) + "\n")
        print(base)
        sys.exit(0)
sys.exit("free_udp_port: no free port found")
EOF
}

# ----------------------------------------------------------------- audio --

# Make a speech WAV: make_speech FILE TEXT [RATE]; RATE 8000 (default) or
# 16000; mono, 16-bit, normalised to -3 dBFS.
make_speech() {
	_tp_raw=$TP_TMPDIR/.espeak.$$.wav
	espeak-ng -v en -s 150 -w "$_tp_raw" "$2" || return 1
	sox "$_tp_raw" -c 1 -b 16 -e signed-integer "$1" \
	    rate -h "${3:-8000}" norm -3 || return 1
	rm -f "$_tp_raw"
}

# Score how well a recording reproduces a reference with tests/xcorr.py
# --blocks (each 0.25 s block aligned on its own, so that a frame the
# jitter buffer conceals mid-call does not misalign the rest): audio_match
# MODE MIN REF REC, MODE corr or envelope.  REC is first resampled (sox) to
# REF's rate.  Prints the scores as diagnostics; returns 0 (a match), 1 (no
# match) or 2 (an error, e.g. no recording).
audio_match() {
	_tp_x=
	if ! _tp_rate=$(soxi -r "$3" 2>&1) ||
	    ! _tp_x=$(sox -D "$4" -r "$_tp_rate" "$4.$_tp_rate.wav" 2>&1); then
		diag "${3##*/} vs ${4##*/}: cannot resample: $_tp_rate $_tp_x"
		return 2
	fi
	_tp_x=$("$TP_PYTHON" "$TP_SRCDIR/tests/xcorr.py" --blocks --mode "$1" \
	    --min "$2" "$3" "$4.$_tp_rate.wav" 2>&1)
	_tp_st=$?
	diag "${3##*/} vs ${4##*/}: $_tp_x"
	return "$_tp_st"
}

# ------------------------------------------------------------------- SIP --

# Print the RFC 2617 digest response without qop (what uas-auth.xml expects
# for the INVITE): sip_digest_response USER REALM PASS METHOD URI NONCE.
sip_digest_response() {
	"$TP_PYTHON" - "$@" <<'EOF'
import hashlib, sys
user, realm, password, method, uri, nonce = sys.argv[1:7]
h = lambda s: hashlib.md5(s.encode()).hexdigest()
print(h(":".join((h(":".join((user, realm, password))), nonce,
                  h(method + ":" + uri)))))
EOF
}

# -------------------------------------------------------- termphone runs --
# For the tests that drive termphone (sipp-*.sh, exit-status.sh, signals.sh,
# call-codecs.sh, jack-audio.sh, demo.sh): start it headless with JSON
# events and a SIP trace, read its SIP flow back from the events, and wait
# for sockets and exit statuses.
# flow_has needs awk, tp_flow $TP_PYTHON.
#
# SIP message events come from Sofia's stack thread, state events from the
# main loop: each stream is in order, but the two may interleave either
# way, so a flow_has check never mixes them unless one causes the other.

# Start termphone in the background with JSON events, a log and a SIP
# trace, and no user config: tp_start [--no-trace] [--bare] NAME [ARG...].
# Events (stdout) go to NAME.ev, stderr to NAME.stderr, the log to
# NAME.log, the trace to NAME.trace; PID in TP_PID.  Stdin is /dev/null
# unless TP_STDIN names another file (e.g. a FIFO).  --no-trace leaves the
# SIP trace out (the audio tests); --bare passes only the log and ARGs, no
# --headless --events=json -vv and no trace (tests of the defaults).
tp_start() {
	_tp_trace=yes
	_tp_bare=
	while :; do
		case ${1:-} in
		--no-trace)	_tp_trace= ;;
		--bare)		_tp_bare=yes _tp_trace= ;;
		*)		break ;;
		esac
		shift
	done
	_tp_tn=$1
	shift
	if [ -n "$_tp_trace" ]; then
		set -- --sip-trace="$TP_TMPDIR/$_tp_tn.trace" "$@"
	fi
	set -- --log="$TP_TMPDIR/$_tp_tn.log" "$@"
	if [ -z "$_tp_bare" ]; then
		set -- --headless --events=json -vv "$@"
	fi
	mkdir -p "$TP_TMPDIR/home"
	HOME=$TP_TMPDIR/home XDG_CONFIG_HOME=$TP_TMPDIR/home \
	XDG_STATE_HOME=$TP_TMPDIR/home \
	    "$TP_BIN" "$@" <"${TP_STDIN:-/dev/null}" >"$TP_TMPDIR/$_tp_tn.ev" \
	    2>"$TP_TMPDIR/$_tp_tn.stderr" &
	TP_PID=$!
	bg_track "$TP_PID"
}

# Capture loopback traffic into $TP_TMPDIR/NAME.pcapng through capture
# filter FILTER (tshark -f), and wait until tshark says it is capturing:
# capture_start NAME FILTER.  Sets CAPTURE_PID; bg_stop stops it.
capture_start() {
	tshark -i lo -f "$2" -w "$TP_TMPDIR/$1.pcapng" -q \
	    >"$TP_TMPDIR/$1.tshark" 2>&1 &
	CAPTURE_PID=$!
	bg_track "$CAPTURE_PID"
	wait_file_grep "$TP_TMPDIR/$1.tshark" "Capturing on" 10 ||
	    diag "$1: tshark did not say it was capturing"
}

# Print the RTP port of termphone NAME: the m=audio port of the first SDP
# it sent, from its SIP trace (tp_start writes NAME.trace).
tp_rtp_port() {
	awk '/^SENT to / { s = 1; next } /^RECEIVED from / { s = 0 }
	    s && /^m=audio / { print $2; exit }' "$TP_TMPDIR/$1.trace"
}

# Print the "sent" count of NAME's latest media_stats event, or 0.
last_sent() {
	grep '"event":"media_stats"' "$TP_TMPDIR/$1.ev" | tail -n 1 |
	    sed -n 's/.*"sent":\([0-9]*\).*/\1/p' | grep . || echo 0
}

# Print the codec of NAME's first "connected" call_state event.
connected_codec() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.ev" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "call_state" and e.get("state") == "connected":
        print(e.get("codec"))
        break
PY
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
	_tp_fn=$1
	shift
	tp_flow "$_tp_fn" >"$TP_TMPDIR/$_tp_fn.flow"
	printf '%s\n' "$@" >"$TP_TMPDIR/$_tp_fn.want"
	awk 'NR == FNR { w[++n] = $0; next }
	    i < n && $0 == w[i + 1] { i++ }
	    END { exit !(i == n) }' \
	    "$TP_TMPDIR/$_tp_fn.want" "$TP_TMPDIR/$_tp_fn.flow" && return 0
	diag "wanted, in this order:" "$@"
	diag_file "$TP_TMPDIR/$_tp_fn.flow" 40
	return 1
}

# Print how many of NAME's event lines are exactly LINE: flow_count NAME LINE.
flow_count() {
	tp_flow "$1" | grep -cxF -e "$2"
}

# True if every sip_message event in FILE went over TCP.
all_tcp() {
	! grep '"event":"sip_message"' "$1" | grep -qv '"peer":"tcp/'
}

# Print header HDR (e.g. Contact) of the first message in trace FILE
# (SIPp's -trace_msg or termphone's --sip-trace) whose start line begins
# with START ("INVITE ", "SIP/2.0 200"), without its CR:
#   msg_header FILE START HDR
msg_header() {
	awk -v start="$2" -v hdr="$3" '
		{ sub(/\r$/, "") }
		index($0, start) == 1 { inmsg = 1; next }
		inmsg && $0 == "" { inmsg = 0 }
		inmsg && tolower($0) ~ "^" tolower(hdr) "[ \t]*:" { print; exit }
	' "$1"
}

# Wait at most TIMEOUT_S until a socket is bound (udp) or listening (tcp)
# on 127.0.0.1:PORT: wait_bound udp|tcp PORT TIMEOUT_S.
wait_bound() {
	_tp_pat=$(printf ' 0100007F:%04X 00000000:0000 ' "$2")
	wait_for "grep -q '$_tp_pat' /proc/net/$1" "$3"
}

# Wait at most TIMEOUT_S for a background process and compare its exit
# status; on a mismatch show the FILEs (names in $TP_TMPDIR):
#   exit_is PID WANT TIMEOUT_S DESC [FILE...]
exit_is() {
	wait_pid_exit "$1" "$3"
	_tp_est=$?
	is "$_tp_est" "$2" "$4"
	if [ "$_tp_est" != "$2" ]; then
		shift 4
		for _tp_ef in "$@"; do
			diag_file "$TP_TMPDIR/$_tp_ef" 25
		done
	fi
}
