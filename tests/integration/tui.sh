#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Drive the ncurses TUI inside tmux against headless termphone peers: dial,
# hang up, help, flow view, resize, quit, answer an incoming call, Ctrl-C.
#
# Each TUI runs in its own tmux session on a private server (tmux -L), under
# a small wrapper that prints "EXIT=status" and the terminal's icanon/echo
# modes when termphone returns, so the pane shows how it ended.  Every
# screen captured is also appended to $TP_TMPDIR/screens.NAME, which the
# library-noise checks read.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd tmux stty

plan 30

TUI_SOCK=tp-tui-$$
TUI_WAIT=10		# seconds for anything the TUI should show

# Run tmux on this test's private server, without any user config.
tm() {
	tmux -L "$TUI_SOCK" -f /dev/null "$@"
}

# Kill the tmux server and remove its socket, then do lib.sh's cleanup
# with the same exit status.
tui_cleanup() {
	_tui_rc=$?
	tm kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
	(exit "$_tui_rc")
	_tp_cleanup
}
trap tui_cleanup EXIT

TUI_WRAP=$TP_TMPDIR/run-tui.sh
cat >"$TUI_WRAP" <<'EOF'
#!/bin/sh
# Run the TUI; then show its exit status and the terminal modes it left.
trap : INT
"$@"
echo "EXIT=$?"
echo "STTY: $(stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' ')END"
exec sleep 300
EOF

# Start a TUI termphone in a new 100x30 tmux session: tui_start NAME ARG...
tui_start() {
	_tui_name=$1
	shift
	: >"$TP_TMPDIR/screens.$_tui_name"
	tm new-session -d -x 100 -y 30 -s "$_tui_name" -- \
	    env TERM=screen sh "$TUI_WRAP" "$TP_BIN" "$@" ||
	    bail_out "cannot start a tmux session"
}

# Print the visible screen of session NAME (and keep a copy).
tui_screen() {
	tm capture-pane -p -t "$1" 2>/dev/null | tee -a "$TP_TMPDIR/screens.$1"
}

# True if the screen of session NAME has a line matching the ERE.
tui_has() {
	tui_screen "$1" | grep -Eq -e "$2"
}

# True if the screen of session NAME has no line matching the ERE.
tui_lacks() {
	! tui_has "$1" "$2"
}

# True if NAME shows the ERE, or the TUI has already exited.
_tui_done() {
	tui_screen "$1" | grep -Eq -e "$2" -e '^EXIT='
}

# Wait until session NAME shows the ERE: tui_wait NAME ERE [TIMEOUT].
tui_wait() {
	wait_for _tui_done "$1" "$2" "${3:-$TUI_WAIT}" && tui_has "$1" "$2"
}

# Wait until the ERE has gone from session NAME: tui_wait_gone NAME ERE.
tui_wait_gone() {
	wait_for tui_lacks "$1" "$2" "${3:-$TUI_WAIT}"
}

# Print a result from a TUI wait; on failure show the screen.
#   tui_check DESC NAME ERE [TIMEOUT]
tui_check() {
	if tui_wait "$2" "$3" "${4:-}"; then
		ok "$1"
	else
		not_ok "$1"
		diag "no line matching /$3/ on the screen:"
		tui_diag_screen "$2"
	fi
}

# Show the screen of session NAME as diagnostics.
tui_diag_screen() {
	tui_screen "$1" | sed -e 's/^/#   |/'
}

# Check that NAME shows every ERE given: one result.  tui_check_all DESC NAME ERE...
tui_check_all() {
	_tui_desc=$1
	_tui_name=$2
	shift 2
	_tui_missing=
	for _tui_re in "$@"; do
		tui_wait "$_tui_name" "$_tui_re" ||
		    _tui_missing="$_tui_missing /$_tui_re/"
	done
	if [ -z "$_tui_missing" ]; then
		ok "$_tui_desc"
	else
		not_ok "$_tui_desc"
		diag "missing on the screen:$_tui_missing"
		tui_diag_screen "$_tui_name"
	fi
}

# Wait for the TUI in NAME to exit and check its status and the terminal's
# modes: tui_check_exit DESC NAME.  Two results.
tui_check_exit() {
	if tui_wait "$2" '^EXIT=[0-9]+$' 15; then
		is "$(tui_screen "$2" | sed -n 's/^EXIT=//p' | head -n 1)" 0 \
		    "$1: exit status"
		if tui_has "$2" '^STTY: icanon echo END$'; then
			ok "$1: terminal restored (icanon, echo)"
		else
			not_ok "$1: terminal restored (icanon, echo)"
			diag "stty after termphone: $(tui_screen "$2" | grep '^STTY:')"
		fi
	else
		not_ok "$1: exit status"
		diag "termphone did not exit within 15 s"
		tui_diag_screen "$2"
		not_ok "$1: terminal restored (icanon, echo)"
	fi
}

# True if the layout of NAME fits a W x H window: status line on top,
# the dial line at the bottom and the message rule as wide as the window.
tui_layout() {
	tui_screen "$1" | awk -v w="$2" -v h="$3" '
	NR == 1 && /^ termphone \| / { top = 1 }
	NR == h && /^dial>/ { bottom = 1 }
	/^-- SIP messages -+$/ && length($0) == w { rule = 1 }
	END { exit (top && bottom && rule && NR == h) ? 0 : 1 }'
}

# Resize session NAME and check that the TUI redraws: tui_resize DESC NAME W H.
tui_resize() {
	tm resize-window -t "$2" -x "$3" -y "$4"
	if wait_for tui_layout "$2" "$3" "$4" "$TUI_WAIT"; then
		ok "$1"
	else
		not_ok "$1"
		diag "want the status line on row 1, 'dial>' on row $4 and a" \
		    "$3-column message rule; the screen is:"
		tui_diag_screen "$2"
	fi
}

# Start a headless auto-answering callee on a free port and set
# CALLEE_PORT; its output goes to $TP_TMPDIR/NAME.out.  tui_callee NAME
tui_callee() {
	CALLEE_PORT=$(free_udp_port 1)
	bg_start "$TP_TMPDIR/$1.out" "$TP_BIN" --headless --auto-answer \
	    --null-audio --listen="127.0.0.1:$CALLEE_PORT" \
	    --log="$TP_TMPDIR/$1.log"
	wait_bound udp "$CALLEE_PORT" 10 ||
	    bail_out "the callee did not bind 127.0.0.1:$CALLEE_PORT"
}

# Library noise that must never reach the screen.
TUI_NOISE='ALSA|[Jj]ack|JACK|Cannot connect|snd_|pcm\.c'

# ----------------------------------------------- outgoing call, keys --

tui_callee callee-a
p1=$(free_udp_port 1)
tui_start A --null-audio --listen="127.0.0.1:$p1" --log="$TP_TMPDIR/tui-a.log"
tui_check_all "the TUI draws the status line and the dial line" A \
    "^ termphone \\| .*listening on 127\\.0\\.0\\.1:$p1" '^dial>'

tm send-keys -t A -l "sip:bob@127.0.0.1:$CALLEE_PORT"
tm send-keys -t A Enter
tui_check "the dialled call connects" A \
    "out +sip:bob@127\\.0\\.0\\.1:$CALLEE_PORT +connected "
tui_check_all "the message pane shows INVITE, 180 Ringing, 200 OK, ACK" A \
    ' --> INVITE ' ' <-- 180 Ringing ' ' <-- 200 OK \(INVITE\) ' ' --> ACK '

tm send-keys -t A p
tui_check "p holds the call: it shows on hold" A \
    "out +sip:bob@127\\.0\\.0\\.1:$CALLEE_PORT +on hold "
check "the callee is told the far end put the call on hold" \
    wait_file_grep "$TP_TMPDIR/callee-a.out" '^call_hold 1 held by=peer' 5
tm send-keys -t A p
tui_check "p again takes it off hold: it shows connected" A \
    "out +sip:bob@127\\.0\\.0\\.1:$CALLEE_PORT +connected "
check "the callee is told the call is off hold" \
    wait_file_grep "$TP_TMPDIR/callee-a.out" '^call_hold 1 resumed by=peer' 5

tm send-keys -t A m
tui_check "m mutes the call: the call list says muted" A \
    "out +sip:bob@127\\.0\\.0\\.1:$CALLEE_PORT +connected .* muted"
tm send-keys -t A m
tui_check "m again unmutes it" A "unmuted"

tm send-keys -t A h
tui_check_all "h hangs up: BYE sent, the call shows ended" A \
    ' --> BYE ' "out +sip:bob@127\\.0\\.0\\.1:$CALLEE_PORT +ended "
check "the callee got the BYE" \
    wait_file_grep "$TP_TMPDIR/callee-a.out" '^sip_message <-- BYE ' 5

tm send-keys -t A -l '?'
tui_check_all "? opens the help" A ': keys ' 'press any key to close'
tm send-keys -t A x
if tui_wait_gone A 'press any key to close' && tui_wait A '^dial>$'; then
	ok "any key closes the help (and is not typed)"
else
	not_ok "any key closes the help (and is not typed)"
	tui_diag_screen A
fi

tm send-keys -t A Tab
tui_check_all "Tab shows the call flow ladder with --> and <--" A \
    '\(Tab: calls' ' INVITE -*-->\|' '\|<--+ 180 Ringing ' ' BYE -*-->\|'
tm send-keys -t A Tab
tui_wait A '^dial>' >/dev/null

tui_resize "the TUI redraws after growing to 120x40" A 120 40
tui_resize "the TUI redraws after shrinking to 70x20" A 70 20

tm send-keys -t A q
tui_check_exit "q quits" A

# ------------------------------------------------ incoming call, 'a' --

p3=$(free_udp_port 1)
tui_start B --null-audio --listen="127.0.0.1:$p3" --log="$TP_TMPDIR/tui-b.log"
tui_wait B "listening on 127\\.0\\.0\\.1:$p3" >/dev/null
bg_start "$TP_TMPDIR/caller-b.out" "$TP_BIN" --headless --null-audio \
    --listen="127.0.0.1:$(free_udp_port 1)" --log="$TP_TMPDIR/caller-b.log" \
    --hangup-after=1 --exit-after-call "sip:tui@127.0.0.1:$p3"
caller=$BG_PID
tui_check_all "an incoming call shows, with the answer key" B \
    ' in +sip:.* incoming ' 'incoming call from .*a answer'
tm send-keys -t B a
tui_check "a answers: the call shows connected" B ' in +sip:.* connected '
tui_check_all "the caller's hang-up shows: BYE received, ended" B \
    ' <-- BYE ' ' in +sip:.* ended ' 'ended by the peer'
wait_pid_exit "$caller" 10
is "$?" 0 "the caller saw an answered call (exit status 0)"
tm send-keys -t B q
tui_check_exit "q after an incoming call" B

# ---------------------------------------------- Ctrl-C during a call --

tui_callee callee-c
p5=$(free_udp_port 1)
tui_start C --null-audio --listen="127.0.0.1:$p5" --log="$TP_TMPDIR/tui-c.log"
tui_wait C '^dial>' >/dev/null
tm send-keys -t C -l "sip:carol@127.0.0.1:$CALLEE_PORT"
tm send-keys -t C Enter
tui_check "the call to hang up with Ctrl-C connects" C \
    "out +sip:carol@127\\.0\\.0\\.1:$CALLEE_PORT +connected "
tm send-keys -t C C-c
check "Ctrl-C ends the call: the callee gets a BYE" \
    wait_file_grep "$TP_TMPDIR/callee-c.out" '^sip_message <-- BYE ' 10
tui_check_exit "Ctrl-C quits" C

# ------------------------------------------------------ library noise --

if grep -Eh -e "$TUI_NOISE" "$TP_TMPDIR/screens.A" "$TP_TMPDIR/screens.B" \
    "$TP_TMPDIR/screens.C" >"$TP_TMPDIR/noise.ABC"; then
	not_ok "no library noise on the screen (--null-audio)"
	diag "lines on the screen:"
	sort -u "$TP_TMPDIR/noise.ABC" | head -n 10 | sed 's/^/#   |/'
else
	ok "no library noise on the screen (--null-audio)"
fi

# Real audio devices: ALSA, JACK and PortAudio may complain on stderr (no
# sound card, no server); that must land in the log, not on the screen.
p7=$(free_udp_port 1)
tui_start D --listen="127.0.0.1:$p7" --log="$TP_TMPDIR/tui-d.log"
tui_wait D '^dial>' >/dev/null
tm send-keys -t D -l "sip:dave@127.0.0.1:$CALLEE_PORT"
tm send-keys -t D Enter
tui_wait D "out +sip:dave@.* (connected|ended) " >/dev/null
tm send-keys -t D h
tui_wait D "out +sip:dave@.* ended " >/dev/null
tm send-keys -t D q
tui_wait D '^EXIT=' 15 >/dev/null
if grep -Eh -e "$TUI_NOISE" "$TP_TMPDIR/screens.D" >"$TP_TMPDIR/noise.D"; then
	not_ok "no library noise on the screen with real audio devices"
	diag "lines on the screen:"
	sort -u "$TP_TMPDIR/noise.D" | head -n 10 | sed 's/^/#   |/'
elif ! grep -Eq "out +sip:dave@" "$TP_TMPDIR/screens.D" ||
    ! grep -q '^EXIT=0$' "$TP_TMPDIR/screens.D"; then
	not_ok "no library noise on the screen with real audio devices"
	diag "the call or the exit did not happen, so nothing was shown:"
	tui_diag_screen D
else
	ok "no library noise on the screen with real audio devices"
	diag "audio library lines in the log (kept off the screen): $(grep -cE \
	    -e "$TUI_NOISE" "$TP_TMPDIR/tui-d.log")"
fi
