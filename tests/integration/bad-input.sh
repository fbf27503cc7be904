#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bad options, URIs, files and config lines: each gives exit status 2 and
# one clear line on stderr naming the input and the problem, and nothing else.
#
# Every case runs termphone in a fresh sandbox (its own HOME, XDG dirs and
# working directory), so no user config is read and any file it writes shows
# up.  A case passes when: the exit status is 2 (not a signal, not a started
# phone killed by the timeout), stderr is exactly one line "termphone: ..."
# that names each given input and matches the problem pattern, stdout is
# empty, there is no sanitizer report, and the sandbox is unchanged.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd timeout awk find sort

plan 36

BI_SEQ=0		# sandboxes made so far
BI_LIMIT=5		# seconds a bad-input run may take

# Make a fresh sandbox and set SB to it; inputs go in $SB/cwd.
bi_sandbox() {
	BI_SEQ=$((BI_SEQ + 1))
	SB=$TP_TMPDIR/case$BI_SEQ
	mkdir -p "$SB/home" "$SB/config" "$SB/state" "$SB/cwd"
}

# List every path in the sandbox, sorted, into file $1.
bi_snapshot() {
	(cd "$SB" && find . -mindepth 1 | LC_ALL=C sort) >"$1"
}

# Run termphone in the sandbox: bi_run ARG...  Sets BI_STATUS; the output
# is in $SB/stdout and $SB/stderr, paths that appeared in $SB/new.
BI_AS_USER=		# a command prefix to run termphone as another user

bi_run() {
	bi_snapshot "$SB/.before"
	(
		cd "$SB/cwd" &&
		exec env HOME="$SB/home" XDG_CONFIG_HOME="$SB/config" \
		    XDG_STATE_HOME="$SB/state" \
		    $BI_AS_USER timeout -k 2 "$BI_LIMIT" "${BI_BIN:-$TP_BIN}" "$@"
	) </dev/null >"$SB/.stdout" 2>"$SB/.stderr"
	BI_STATUS=$?
	mv "$SB/.stdout" "$SB/stdout"
	mv "$SB/.stderr" "$SB/stderr"
	bi_snapshot "$SB/.after"
	LC_ALL=C comm -13 "$SB/.before" "$SB/.after" |
	    grep -v -e '^\./\.before$' -e '^\./\.after$' \
		-e '^\./stdout$' -e '^\./stderr$' >"$SB/new"
	rm -f "$SB/.before" "$SB/.after"
}

# True if line $1 names $2: it occurs there on its own (at the start or
# end, or next to a blank, quote, bracket or punctuation).
bi_names() {
	printf '%s\n' "$1" | awk -v n="$2" '
	{
		line = $0
		off = 0
		while ((i = index(substr(line, off + 1), n)) > 0) {
			p = off + i
			b = p > 1 ? substr(line, p - 1, 1) : ""
			a = substr(line, p + length(n), 1)
			if ((b == "" || b ~ /[] \047"`(<[=,;]/) &&
			    (a == "" || a ~ /[] \047"`)>[,;:.]/)) {
				found = 1
				exit
			}
			off = p
		}
	}
	END { exit found ? 0 : 1 }'
}

# Check the last bi_run and print one result:
#   bi_expect DESC [-n NAMED]... [-p PROBLEM_ERE] [-a ALLOWED_NEW_ERE]
# -n: the message must name this input; -p: it must match this extended
# regex (case-insensitive); -a: new sandbox paths matching it are allowed.
bi_expect() {
	_desc=$1
	shift
	_why=
	_nl='
'
	_line=$(head -n 1 "$SB/stderr")
	_nlines=$(wc -l <"$SB/stderr")
	# A last line without a newline still counts.
	[ -s "$SB/stderr" ] && [ "$(tail -c 1 "$SB/stderr" | od -An -c | tr -d ' ')" != '\n' ] &&
	    _nlines=$((_nlines + 1))
	_allowed='^$'

	if [ "$BI_STATUS" -ne 2 ]; then
		if [ "$BI_STATUS" -eq 124 ] || [ "$BI_STATUS" -eq 137 ]; then
			_why="$_why${_nl}still running after ${BI_LIMIT}s (killed)"
		elif [ "$BI_STATUS" -gt 128 ]; then
			_why="$_why${_nl}killed by signal $((BI_STATUS - 128))"
		else
			_why="$_why${_nl}exit status $BI_STATUS, want 2"
		fi
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	    "$SB/stderr" "$SB/stdout"; then
		_why="$_why${_nl}sanitizer report"
	fi
	if [ "$_nlines" -ne 1 ]; then
		_why="$_why${_nl}$_nlines lines on stderr, want exactly 1"
	fi
	case $_line in
	"termphone: "?*) ;;
	*) _why="$_why${_nl}stderr does not start with 'termphone: '" ;;
	esac
	while [ $# -gt 0 ]; do
		case $1 in
		-n)
			bi_names "$_line" "$2" ||
			    _why="$_why${_nl}message does not name '$2'"
			;;
		-p)
			printf '%s\n' "$_line" | grep -Eiq -e "$2" ||
			    _why="$_why${_nl}message does not say the problem (/$2/)"
			;;
		-a)
			_allowed=$2
			;;
		*)
			bail_out "bi_expect: bad argument '$1'"
			;;
		esac
		shift 2
	done
	if [ -s "$SB/stdout" ]; then
		_why="$_why${_nl}output on stdout"
	fi
	if grep -Ev -e "$_allowed" "$SB/new" >"$SB/new.bad"; then
		_why="$_why${_nl}files written: $(tr '\n' ' ' <"$SB/new.bad")"
	fi

	if [ -z "$_why" ]; then
		ok "$_desc"
		return 0
	fi
	not_ok "$_desc"
	printf '%s\n' "${_why#"$_nl"}" | sed 's/^/problem: /' |
	    while IFS= read -r _l; do diag "$_l"; done
	diag "status $BI_STATUS; stderr, then stdout (cat -v):"
	head -n 5 "$SB/stderr" | cat -v | sed 's/^/#   2> /'
	head -n 5 "$SB/stdout" | cat -v | sed 's/^/#   1> /'
	return 1
}

# Write file $1 (in the sandbox's cwd) from printf format $2 and args.
bi_write() {
	_f=$SB/cwd/$1
	shift
	# shellcheck disable=SC2059
	printf "$@" >"$_f"
}

# ------------------------------------------------------------- options --

bi_sandbox
bi_run --bogus
bi_expect "unknown option --bogus" -n --bogus -p 'unknown|unrecognized'

bi_sandbox
bi_run --null-audio --play
bi_expect "--play without its argument" -n --play \
    -p 'argument|requires|missing|needs'

bi_sandbox
bi_run --version=yes
bi_expect "--version=yes (an argument to an option that takes none)" -n --version \
    -p 'argument|takes no|does not take|not allowed'

# ---------------------------------------------------------------- URIs --

bi_sandbox
bi_run --null-audio sip:
bi_expect "URI 'sip:'" -n 'sip:' -p 'host'

bi_sandbox
bi_run --null-audio sip:bob@
bi_expect "URI 'sip:bob@'" -n 'sip:bob@' -p 'host'

bi_sandbox
bi_run --null-audio sip:@host
bi_expect "URI 'sip:@host'" -n 'sip:@host' -p 'user'

bi_sandbox
bi_run --null-audio 'sip:bob@ho st'
bi_expect "URI 'sip:bob@ho st'" -n 'sip:bob@ho st' -p 'host'

bi_sandbox
bi_run --null-audio sip:bob@host:99999
bi_expect "URI 'sip:bob@host:99999'" -n 'sip:bob@host:99999' -p 'port'

bi_sandbox
bi_run --null-audio 1234
bi_expect "a bare number without an account" -n 1234 -p 'domain|account'

# ---------------------------------------------------------------- files --

bi_sandbox
bi_run --null-audio --play=missing.wav
bi_expect "--play of a missing file" -n --play -n missing.wav \
    -p 'no such|not found|does not exist'

bi_sandbox
bi_write notsound.wav 'this is a text file, not a WAV\n'
bi_run --null-audio --play=notsound.wav
bi_expect "--play of a text file named .wav" -n --play -n notsound.wav \
    -p 'format|recogni[sz]|unsupported|not a sound|not an audio'

bi_sandbox
mkdir "$SB/cwd/dir.wav"
bi_run --null-audio --play=dir.wav
bi_expect "--play of a directory" -n --play -n dir.wav \
    -p 'directory|not a (regular )?file'

bi_sandbox
head -c 8192 /dev/zero >"$SB/cwd/zeros.mp3"
bi_run --null-audio --play=zeros.mp3
bi_expect "--play of an unknown format" -n --play -n zeros.mp3 \
    -p 'format|recogni[sz]|unsupported'

bi_sandbox
printf 'RIFF\044\000\000\000WAVEjunk' >"$SB/cwd/short.wav"
bi_run --null-audio --play=short.wav
bi_expect "--play of a truncated WAV" -n --play -n short.wav \
    -p 'format|recogni[sz]|error|chunk|corrupt|truncated|invalid'

bi_sandbox
bi_write locked.wav 'x\n'
chmod 000 "$SB/cwd/locked.wav"
if [ "$(id -u)" -eq 0 ]; then
	# Root reads a mode-000 file: run this one case as nobody instead.
	# The checkout may sit where nobody cannot reach: run a copy.
	need_cmd setpriv
	chmod o+x "$TP_TMPDIR" "$SB"
	chmod o+rwx "$SB/cwd"
	BI_BIN=$TP_TMPDIR/termphone-as-nobody
	cp "$TP_BIN" "$BI_BIN" && chmod 755 "$BI_BIN"
	BI_AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups --"
fi
bi_run --null-audio --play=locked.wav
BI_AS_USER=
BI_BIN=
bi_expect "--play of an unreadable file" -n --play -n locked.wav \
    -p 'permission'
chmod 600 "$SB/cwd/locked.wav"

# The recording must not leave a file or a temp file anywhere next to the
# missing directory: the sandbox diff in bi_expect covers $SB/cwd.
bi_sandbox
bi_run --null-audio --record="$SB/cwd/nodir/rec.wav"
bi_expect "--record into a missing directory" -n --record \
    -p 'does not exist|no such|not found'

# ------------------------------------------------------------- numbers --

bi_sandbox
bi_run --null-audio --hangup-after=abc
bi_expect "--hangup-after=abc" -n --hangup-after -n abc -p 'number|seconds'

bi_sandbox
bi_run --null-audio --hangup-after=-1
bi_expect "--hangup-after=-1" -n --hangup-after -n -1 \
    -p 'number|seconds|negative|range'

bi_sandbox
bi_run --null-audio --dtmf=12x
bi_expect "--dtmf=12x" -n --dtmf -n 12x -p 'digit|0-9|invalid'

bi_sandbox
bi_run --null-audio --events=xml
bi_expect "--events=xml" -n --events -n xml -p 'json|unknown|invalid'

bi_sandbox
bi_run --null-audio --codecs=opus
bi_expect "--codecs=opus" -n --codecs -n opus -p 'unknown|unsupported|codec'

# -------------------------------------------------------------- config --

bi_sandbox
bi_write tp.conf '# a test config\n[general]\n\nlisten = 127.0.0.1:5070\ncolour = blue\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: unknown key" -n "$SB/cwd/tp.conf:5:" -n colour -p 'unknown'

bi_sandbox
bi_write tp.conf '[general]\n; comment\n[phonebook]\nbob = sip:bob@example.com\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: unknown section" -n "$SB/cwd/tp.conf:3:" -n phonebook \
    -p 'unknown|section'

bi_sandbox
bi_write tp.conf '[account work]\naor = sip:alice@example.com\n\nexpires = soon\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: bad number" -n "$SB/cwd/tp.conf:4:" -n expires -n soon \
    -p 'number'

bi_sandbox
bi_write tp.conf '[general]\n# where we listen\nlisten = 1.2.3:99\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: bad listen address" -n "$SB/cwd/tp.conf:3:" -n listen \
    -n 1.2.3:99 -p 'address|ADDR:PORT'

bi_sandbox
bi_write tp.conf '[general]\nlisten = 127.0.0.1:5070\nthis line has no equals sign\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: a line without '='" -n "$SB/cwd/tp.conf:3:" \
    -p "syntax|'='|key ?= ?value"

bi_sandbox
bi_write tp.conf '[general]\nlisten = 127.0.0.1:5070\n\n[account work]\nregistrar = sip:example.com\npassword = x\n'
bi_run --null-audio --config="$SB/cwd/tp.conf"
bi_expect "config: an account without aor" -n "$SB/cwd/tp.conf:4:" -n aor \
    -n work -p 'no aor|missing|needs|without'

bi_sandbox
bi_write tp.conf '[account work]\naor = sip:alice@example.com\n'
bi_run --null-audio --config="$SB/cwd/tp.conf" --account=nope
bi_expect "--account=nope" -n "$SB/cwd/tp.conf" -n nope \
    -p 'no \[account|not found|no such|unknown'

bi_sandbox
bi_run --null-audio --config=/nonexistent
bi_expect "--config=/nonexistent" -n /nonexistent \
    -p 'no such|not found|does not exist'

# ------------------------------------------------------------- network --

# The log may be opened before the port is tried: allow it, nothing else.
bi_state_log='^\./state(/termphone(/termphone\.log)?)?$'

# The holder's TCP socket takes SO_REUSEADDR, as free_udp_port's probe
# does: a connection of another test can leave the port in TIME_WAIT,
# which only a socket without it is refused over.  A listening socket
# still keeps termphone off the port.
port=$(free_udp_port 1)
bg_start "$TP_TMPDIR/holder-py.log" "$TP_PYTHON" -c '
import socket, sys, time
port = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", port))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port))
t.listen(1)
print("bound", flush=True)
time.sleep(60)
' "$port"
holder=$BG_PID
bi_sandbox
if wait_file_grep "$TP_TMPDIR/holder-py.log" '^bound' 10; then
	bi_run --null-audio --listen="127.0.0.1:$port"
	bi_expect "--listen on a port a python listener holds" \
	    -n "127.0.0.1:$port" -p 'in use|busy|taken' -a "$bi_state_log"
else
	not_ok "--listen on a port a python listener holds"
	diag "the python listener did not bind 127.0.0.1:$port"
	diag_file "$TP_TMPDIR/holder-py.log"
fi
bg_stop "$holder"

port=$(free_udp_port 1)
bg_start "$TP_TMPDIR/holder-tp.log" "$TP_BIN" --headless --null-audio \
    --listen="127.0.0.1:$port" --log="$TP_TMPDIR/holder-tp.tplog"
holder=$BG_PID
bi_sandbox
if wait_bound udp "$port" 10; then
	bi_run --null-audio --listen="127.0.0.1:$port"
	bi_expect "--listen on a port another termphone holds" \
	    -n "127.0.0.1:$port" -p 'in use|busy|taken' -a "$bi_state_log"
else
	not_ok "--listen on a port another termphone holds"
	diag "the first termphone did not bind 127.0.0.1:$port"
	diag_file "$TP_TMPDIR/holder-tp.log"
fi
bg_stop "$holder"

bi_sandbox
bi_run --null-audio --listen=garbage
bi_expect "--listen=garbage" -n garbage \
    -p 'ADDR:PORT|expected|invalid|malformed|bad' -a "$bi_state_log"

bi_sandbox
bi_run --null-audio --registrar=sip:example.com
bi_expect "--registrar without --user" -n --registrar -p 'user|aor'

# --------------------------------------------------------------- audio --

# A device the user names must exist.  On a machine with no sound card
# PortAudio has no device at all; with one, no device matches this name:
# either way it is bad input, reported before any call (jack-audio.sh has
# the case where PortAudio has devices but none by that name).  Probing
# PortAudio runs ALSA's PulseAudio plugin, whose client library leaves a
# runtime link under $XDG_CONFIG_HOME/pulse: that, and the log, may appear.
bi_audio_new="$bi_state_log|^\./config/pulse(/[^/]*)?\$"
bi_sandbox
bi_run --audio-device=no-such-audio-device sip:bob@127.0.0.1:9
bi_expect "--audio-device naming no device" -n no-such-audio-device \
    -p 'no such|no audio device' -a "$bi_audio_new"

bi_sandbox
bi_write tp.conf '[general]\naudio_device = no-such-audio-device\n'
bi_run --config="$SB/cwd/tp.conf" sip:bob@127.0.0.1:9
bi_expect "config: audio_device naming no device" -n no-such-audio-device \
    -p 'no such|no audio device' -a "$bi_audio_new"

# ------------------------------------------------------------ password --

# Register with digest auth against a small registrar (401, then 200), at
# the highest verbosity and with Sofia's own debug output on, and look for
# the password everywhere termphone writes.
secret='Pw-Zq7x-sEcReT-4711'
regport=$(free_udp_port 1)
tpport=$(free_udp_port 1)
bi_sandbox
cat >"$SB/cwd/registrar.py" <<'EOF'
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
s.settimeout(30)
while True:
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        break
    head = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0].split("\r\n")
    if not head[0].startswith("REGISTER"):
        continue
    keep = [h for h in head[1:]
            if re.match(r"(?i)(via|from|to|call-id|cseq|contact)\s*:", h)]
    if any(re.match(r"(?i)authorization\s*:", h) for h in head[1:]):
        status, extra = "200 OK", ["Expires: 60"]
    else:
        status = "401 Unauthorized"
        keep = [h for h in keep if not h.lower().startswith("contact")]
        extra = ['WWW-Authenticate: Digest realm="bad-input", nonce="42", algorithm=MD5']
    out = ["SIP/2.0 " + status]
    for h in keep:
        if re.match(r"(?i)to\s*:", h) and ";tag=" not in h:
            h += ";tag=reg"
        out.append(h)
    out += extra + ["Content-Length: 0", "", ""]
    s.sendto("\r\n".join(out).encode(), addr)
    print(status, flush=True)
EOF
cat >"$SB/cwd/tp.conf" <<EOF
[general]
listen = 127.0.0.1:$tpport

[account work]
aor = sip:alice@127.0.0.1
registrar = sip:127.0.0.1:$regport
password = $secret
EOF
bg_start "$SB/registrar.out" "$TP_PYTHON" "$SB/cwd/registrar.py" "$regport"
registrar=$BG_PID
wait_file_grep "$SB/registrar.out" '^bound' 10
(
	cd "$SB/cwd" &&
	exec env HOME="$SB/home" XDG_CONFIG_HOME="$SB/config" \
	    XDG_STATE_HOME="$SB/state" SOFIA_DEBUG=9 NUA_DEBUG=9 NTA_DEBUG=9 \
	    TPORT_LOG=1 "$TP_BIN" --headless --null-audio -v -v -v \
	    --config="$SB/cwd/tp.conf" --log="$SB/tp.log" \
	    --sip-trace="$SB/trace.txt"
) </dev/null >"$SB/stdout" 2>"$SB/stderr" &
tp=$!
bg_track "$tp"
wait_file_grep "$SB/stdout" '^reg_state registered ' 10
registered=$?
bg_stop "$tp"
bg_stop "$registrar"
leaks=$(grep -rlF -e "$secret" "$SB" | grep -v -e '/tp\.conf$')
if [ "$registered" -ne 0 ]; then
	not_ok "the password never appears in the log, trace or output"
	diag "termphone did not register with the password (test setup)"
	diag_file "$SB/stdout"
	diag_file "$SB/registrar.out"
elif [ -n "$leaks" ]; then
	not_ok "the password never appears in the log, trace or output"
	diag "the password is in: $leaks"
	grep -rnF -e "$secret" "$SB" | grep -v -e '/tp\.conf:' | head -n 5 |
	    while IFS= read -r l; do
		diag "  $l"
	done
else
	ok "the password never appears in the log, trace or output"
fi
