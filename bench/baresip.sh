#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The reference point for bench/run.sh: CPU per call-minute of a PCMU call
# between two baresip 1.0 instances on this machine, measured as run.sh
# measures termphone (per process, scheduler run time over the connected
# window).  The caller plays espeak-ng speech from a file at 8 kHz; both
# write what they hear to /dev/null through baresip's aufile module.
#
# baresip 1.0 will not run on the loopback interface alone, so the two
# instances run in a network namespace this script creates (a veth pair,
# 198.18.0.1/24 and 198.18.0.2/24 from the RFC 2544 benchmarking range)
# and removes again; no packet leaves the namespace.
#
# Needs root, iproute2, sox, espeak-ng and baresip
# (apt-get install baresip-core); none of it is in contrib/install-deps.sh,
# since only this benchmark uses baresip.
#
# Usage: bench/baresip.sh [--call-secs=N]
set -eu

call_secs=60
for arg in "$@"; do
	case $arg in
	--call-secs=*) call_secs=${arg#*=} ;;
	-h | --help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "baresip.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done
case $call_secs in
'' | *[!0-9]*) echo "baresip.sh: bad --call-secs '$call_secs'" >&2; exit 2 ;;
esac
if [ "$call_secs" -lt 5 ]; then
	echo "baresip.sh: --call-secs must be at least 5" >&2
	exit 2
fi
for tool in baresip ip sox espeak-ng; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "baresip.sh: '$tool' is missing (apt-get install baresip-core iproute2 sox espeak-ng)" >&2
		exit 2
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "baresip.sh: needs root to create its network namespace" >&2
	exit 2
fi

ns=tpbench$$
work=$(mktemp -d "${TMPDIR:-/tmp}/termphone-baresip.XXXXXX")
caller= callee=
cleanup() {
	local p
	for p in $caller $callee; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link add tpb0 type veth peer name tpb1
ip -n "$ns" addr add 198.18.0.1/24 dev tpb0
ip -n "$ns" addr add 198.18.0.2/24 dev tpb1
ip -n "$ns" link set lo up
ip -n "$ns" link set tpb0 up
ip -n "$ns" link set tpb1 up

espeak-ng -s 150 -w "$work/phrase.wav" \
    "This is the termphone benchmark. One two three four five six seven \
eight nine ten. The quick brown fox jumps over the lazy dog." 2>/dev/null
reps=$(( (call_secs + 20) / 5 + 1 ))
sox "$work/phrase.wav" -r 8000 -c 1 -b 16 "$work/play.wav" repeat "$reps" 2>/dev/null

# One baresip config: $1 name, $2 SIP address, $3 RTP port range.
bs_config() {
	mkdir -p "$work/$1"
	cat >"$work/$1/config" <<EOF
poll_method epoll
sip_listen $2
audio_player aufile,/dev/null
audio_source aufile,$work/play.wav
audio_alert aufile,/dev/null
ausrc_srate 8000
auplay_srate 8000
rtp_ports $3
module_path /usr/lib/baresip/modules
module stdio.so
module g711.so
module aufile.so
module_app account.so
module_app menu.so
EOF
	echo "<sip:bench@$2>;regint=0;answermode=auto;audio_codecs=PCMU" \
	    >"$work/$1/accounts"
}
bs_config callee 198.18.0.1:26160 30000-30098
bs_config caller 198.18.0.2:26162 30100-30198

life=$((call_secs + 20))
ip netns exec "$ns" baresip -f "$work/callee/" -t "$((life + 2))" \
    >"$work/callee.log" 2>&1 </dev/null &
callee=$!
sleep 1
ip netns exec "$ns" baresip -f "$work/caller/" -t "$life" \
    -e "/dial sip:bench@198.18.0.1:26160" >"$work/caller.log" 2>&1 </dev/null &
caller=$!

# Wait (bounded) for the call to be established.
for _ in $(seq 1 100); do
	grep -q "Call established" "$work/caller.log" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q "Call established" "$work/caller.log"; then
	echo "baresip.sh: the call did not connect; caller's log:" >&2
	tail -n 20 "$work/caller.log" >&2
	exit 1
fi
sleep 1

# Scheduler run time (ns) of every thread of process $1.
run_ns() {
	local t s=0 v
	for t in /proc/"$1"/task/*; do
		read -r v _ <"$t/schedstat" || continue
		s=$((s + v))
	done
	echo "$s"
}
# (ip netns exec execs baresip: the pids are baresip's own.)
c0=$(run_ns "$caller") e0=$(run_ns "$callee") t0=$(date +%s.%N)
sleep "$call_secs"
c1=$(run_ns "$caller") e1=$(run_ns "$callee") t1=$(date +%s.%N)

echo "baresip $(baresip -h 2>&1 | sed -n '1s/^baresip v\([^ ]*\).*/\1/p'), PCMU, ${call_secs} s window, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
awk -v c="$((c1 - c0))" -v e="$((e1 - e0))" -v t0="$t0" -v t1="$t1" 'BEGIN {
	w = t1 - t0
	printf "CPU-s per call-minute: caller %.3f, callee %.3f (scheduler run time over %.1f s)\n",
	    c / 1e9 / w * 60, e / 1e9 / w * 60, w }'
