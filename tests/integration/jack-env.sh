# SPDX-License-Identifier: BSD-2-Clause
# Sourceable helpers that run a private jackd on the dummy driver, so PortAudio tests get real-time pacing without a sound card.
#
#	. "$TP_SRCDIR/tests/integration/jack-env.sh"
#	jack_start 48000 || exit 1	# 2: jackd not installed, 1: it failed
#	trap jack_stop EXIT
#	TP_PA_HOSTAPI=jack "$TP_BIN" ...	# or the device spec "jack:"
#
# jack_start exports JACK_DEFAULT_SERVER (a name unique to this shell, so
# parallel tests never share a server) and JACK_NO_START_SERVER=1 (so no
# client ever autostarts a server of its own).  PortAudio only sees JACK if
# the server is up before it initialises.  Set JACK_LOG to keep jackd's
# output (default: /dev/null).  POSIX sh; the helpers' globals start with
# JACK_ or _jack_.

JACK_PID=
_jack_seq=0

# jack_start RATE: start jackd at RATE Hz with a 20 ms period and one
# capture and one playback port, and wait (at most 10 s) until it answers.
jack_start() {
	_jack_rate=${1:-48000}
	if ! command -v jackd >/dev/null 2>&1 ||
	    ! command -v jack_wait >/dev/null 2>&1; then
		echo "jack_start: jackd/jack_wait not found (apt-get install jackd2)" >&2
		return 2
	fi
	if [ -n "$JACK_PID" ]; then
		echo "jack_start: jackd $JACK_PID already running" >&2
		return 1
	fi
	_jack_seq=$((_jack_seq + 1))
	JACK_DEFAULT_SERVER="termphone-$$-$_jack_seq"
	JACK_NO_START_SERVER=1
	export JACK_DEFAULT_SERVER JACK_NO_START_SERVER

	jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy \
	    -r "$_jack_rate" -p $((_jack_rate / 50)) -C 1 -P 1 \
	    >>"${JACK_LOG:-/dev/null}" 2>&1 &
	JACK_PID=$!

	# Poll every 0.1 s, 100 times at most; stop early if jackd died.
	_jack_i=0
	while [ "$_jack_i" -lt 100 ]; do
		if ! kill -0 "$JACK_PID" 2>/dev/null; then
			echo "jack_start: jackd exited during start-up" >&2
			wait "$JACK_PID" 2>/dev/null
			JACK_PID=
			return 1
		fi
		# jack_wait -c exits 0 either way: its output tells.
		if [ "$(jack_wait -c -s "$JACK_DEFAULT_SERVER" 2>/dev/null)" = \
		    running ]; then
			return 0
		fi
		sleep 0.1
		_jack_i=$((_jack_i + 1))
	done
	echo "jack_start: jackd not ready after 10 s" >&2
	jack_stop
	return 1
}

# jack_stop: end the jackd that jack_start started (TERM, then KILL after
# 5 s) and reap it.  Safe to call twice or without jack_start.
jack_stop() {
	[ -n "$JACK_PID" ] || return 0
	kill "$JACK_PID" 2>/dev/null
	_jack_i=0
	while kill -0 "$JACK_PID" 2>/dev/null && [ "$_jack_i" -lt 50 ]; do
		sleep 0.1
		_jack_i=$((_jack_i + 1))
	done
	kill -9 "$JACK_PID" 2>/dev/null
	wait "$JACK_PID" 2>/dev/null
	JACK_PID=
	unset JACK_DEFAULT_SERVER
	return 0
}
