#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone --demo calls a demo peer inside the same process: no server and
# no sound card needed.  Three runs, in parallel (each takes about 13 s):
#
#   A  --demo --headless --events=json, stdin /dev/null: exits 0, prints
#      only JSON lines, shows INVITE, 100, 180, 200, ACK, BYE received and
#      200 sent in order, connects with a codec, receives RTP, warns about
#      the missing audio device (or does not, if PortAudio finds one), and
#      ends with the call ended and shutdown;
#   B  the same without --headless: stdout is a file, so headless is
#      automatic (no curses output), and the JSON flow is the same;
#   C  plain --demo, stdout a file: the text event lines.
#
# B and C listen on a free 127.0.0.1 port; A keeps the default listen
# address, as a user would run it.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone

plan 15

# Never let libjack autostart a server when PortAudio probes JACK.
JACK_NO_START_SERVER=1
export JACK_NO_START_SERVER

# ------------------------------------------------------- local helpers --

# Check NAME.ev (termphone's stdout, from lib.sh's tp_start) as JSON
# events: ev_check NAME WHAT [ARG].  WHAT is
#   json       every line is a JSON object with an "event" name;
#   flow       sip_message events hold ARG's lines ("dir summary (method)",
#              separated by "|") in this order, others may come between;
#   codec      a call_state "connected" has a non-empty codec (printed);
#   rtp        the last media_stats has received > 0 (printed);
#   nodev      a notice says "no audio device";
#   ending     the call ends (state ended) and shutdown is the last event.
# Explains a failure on stdout as TAP diagnostics.
ev_check() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.ev" "$2" "${3:-}" <<'PY'
import json, sys
path, what, arg = sys.argv[1:4]
evs, bad = [], []
for n, line in enumerate(open(path, errors="replace"), 1):
    try:
        e = json.loads(line)
        if not isinstance(e, dict) or not isinstance(e.get("event"), str):
            raise ValueError
        evs.append(e)
    except ValueError:
        bad.append("line %d: %s" % (n, line.rstrip()[:120]))

def fail(msg, lines=()):
    print("# " + msg)
    for l in lines:
        print("#   " + l)
    sys.exit(1)

def flow():
    out = []
    for e in evs:
        if e["event"] == "sip_message":
            s = e.get("summary") or ""
            if s[:1].isdigit():
                s += " (%s)" % e.get("method")
            out.append("%s %s" % (e.get("dir"), s))
    return out

if what == "json":
    if bad or not evs:
        fail("not JSON event lines (%d events):" % len(evs), bad[:10])
elif what == "flow":
    want, got, i = arg.split("|"), flow(), 0
    for l in got:
        if i < len(want) and l == want[i]:
            i += 1
    if i < len(want):
        fail("missing '%s'; wanted in order: %s; got:" % (want[i], want), got)
elif what == "codec":
    c = [e.get("codec") for e in evs
         if e["event"] == "call_state" and e.get("state") == "connected"]
    if not c or not c[0]:
        fail("no connected call_state with a codec: %r" % c)
    print("# connected with %s" % c[0])
elif what == "rtp":
    st = [e for e in evs if e["event"] == "media_stats"]
    if not st or not isinstance(st[-1].get("received"), int) \
            or st[-1]["received"] <= 0:
        fail("media_stats: %s" % (json.dumps(st[-1]) if st else "none"))
    print("# last media_stats: sent %s, received %s, lost %s"
          % (st[-1].get("sent"), st[-1]["received"], st[-1].get("lost")))
elif what == "nodev":
    if not any(e["event"] == "notice" and
               "no audio device" in str(e.get("text")) for e in evs):
        sys.exit(1)
elif what == "ending":
    states = [e.get("state") for e in evs if e["event"] == "call_state"]
    if "ended" not in states or not evs or evs[-1]["event"] != "shutdown":
        fail("call states %s, last event %s"
             % (states, evs[-1]["event"] if evs else None))
else:
    fail("ev_check: unknown check " + what)
PY
}

# True if FILE holds no ESC byte (no curses or other terminal control).
no_escapes() {
	if grep -q "$(printf '\033')" "$1"; then
		diag "$(grep -c "$(printf '\033')" "$1") lines of ${1##*/} hold ESC"
		return 1
	fi
	return 0
}

# True if FILE holds lines matching these extended regexes in this order.
lines_in_order() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f.want"
	awk 'NR == FNR { w[++n] = $0; next }
	    i < n && $0 ~ w[i + 1] { i++ }
	    END { exit !(i == n) }' "$_f.want" "$_f" && return 0
	diag "wanted, in this order:" "$@"
	diag_file "$_f" 40
	return 1
}

# ----------------------------------------------------------------- runs --

# Each run is tp_start --bare: only the log and these arguments, stdout
# to NAME.ev.

# Does PortAudio see any audio device here?  (The CI machines have no
# sound card: then the demo must say it falls back to null audio.)
tp_start --bare devices --list-devices
wait_pid_exit "$TP_PID" 20 ||
    diag "termphone --list-devices failed; taking it as no devices"
# Device lines are "  N  HOSTAPI  NAME  (in I, out O, R Hz)".
if grep -Eq '^ *[0-9]+ ' "$TP_TMPDIR/devices.ev"; then
	HAVE_DEVICE=yes
	diag "PortAudio lists audio devices:"
	diag_file "$TP_TMPDIR/devices.ev" 10
else
	HAVE_DEVICE=no
	diag "--list-devices: $(cat "$TP_TMPDIR/devices.ev")"
fi

port_b=$(free_udp_port)
port_c=$(free_udp_port)

tp_start --bare A --demo --headless --events=json
pid_a=$TP_PID
tp_start --bare B --demo --events=json --listen="127.0.0.1:$port_b"
pid_b=$TP_PID
tp_start --bare C --demo --listen="127.0.0.1:$port_c"
pid_c=$TP_PID

# The demo call lasts 12 s after a 1 s ring.
wait_pid_exit "$pid_a" 30
st_a=$?
wait_pid_exit "$pid_b" 10
st_b=$?
wait_pid_exit "$pid_c" 10
st_c=$?

# The demo peer answers and, after 12 s, hangs up.
FLOW="sent INVITE|received 100 Trying (INVITE)|received 180 Ringing (INVITE)"
FLOW="$FLOW|received 200 OK (INVITE)|sent ACK|received BYE|sent 200 OK (BYE)"

# ---------------------------------------------------------------- run A --

is "$st_a" 0 "--demo --headless --events=json exits 0 within 30 s"
[ "$st_a" = 0 ] || diag_file "$TP_TMPDIR/A.stderr" 10
check "A: every output line is a JSON event" ev_check A json
check "A: SIP flow INVITE, 100, 180, 200, ACK, BYE in, 200 out" \
    ev_check A flow "$FLOW"
check "A: the call connects with a codec" ev_check A codec
check "A: media_stats shows RTP received" ev_check A rtp
if [ "$HAVE_DEVICE" = no ]; then
	check "A: no sound card: a 'no audio device' notice" \
	    ev_check A nodev
else
	if ev_check A nodev; then
		not_ok "A: PortAudio has a device: no 'no audio device' notice"
	else
		ok "A: PortAudio has a device: no 'no audio device' notice"
	fi
fi
check "A: the call ends and shutdown is the last event" ev_check A ending

# ---------------------------------------------------------------- run B --

is "$st_b" 0 "--demo --events=json, stdout not a tty, no --headless: exits 0"
[ "$st_b" = 0 ] || diag_file "$TP_TMPDIR/B.stderr" 10
check "B: headless by itself: no terminal escapes" no_escapes "$TP_TMPDIR/B.ev"
check "B: every output line is a JSON event" ev_check B json
check "B: the same SIP flow" ev_check B flow "$FLOW"
check "B: the call connects with a codec" ev_check B codec

# ---------------------------------------------------------------- run C --

is "$st_c" 0 "--demo, stdout not a tty, text events: exits 0"
[ "$st_c" = 0 ] || diag_file "$TP_TMPDIR/C.stderr" 10
check "C: no terminal escapes" no_escapes "$TP_TMPDIR/C.ev"
check "C: text events: INVITE, 100, 180, 200, ACK, connected with a codec, RTP, BYE, 200, ended, shutdown" \
    lines_in_order "$TP_TMPDIR/C.ev" \
    '^sip_message --> INVITE ' '^sip_message <-- 100 Trying ' \
    '^sip_message <-- 180 Ringing ' '^sip_message <-- 200 OK ' \
    '^sip_message --> ACK ' '^call_state 1 connected .*codec=[^- ]' \
    '^media_stats 1 .*received=[1-9]' '^sip_message <-- BYE ' \
    '^sip_message --> 200 OK ' '^call_state 1 ended ' '^shutdown 0$'
