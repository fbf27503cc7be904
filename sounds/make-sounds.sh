#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Regenerate the tone and greeting WAVs (16-bit mono, 16000 Hz) with sox and espeak-ng.
#
# Usage: sounds/make-sounds.sh [OUTDIR]   (default: this script's directory)
# The same tool versions give byte-identical files: sox runs with -D (no
# dither, hence no random noise) and espeak-ng is deterministic.

# $fmt below holds several sox options and is meant to split.
# shellcheck disable=SC2086
set -eu

out=${1:-$(dirname "$0")}
mkdir -p "$out"
for tool in sox espeak-ng; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-sounds.sh: needs $tool (apt-get install sox espeak-ng)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# Every output file: 16-bit signed mono at 16000 Hz.
fmt="-r 16000 -b 16 -c 1 -e signed-integer"

# ringback.wav: US ringback, 440+480 Hz, 2 s on / 4 s off, one 6 s cycle.
sox -D -n $fmt "$out/ringback.wav" \
	synth 2 sine 440 sine 480 remix - fade t 0.01 2 0.01 gain -n -8 \
	pad 0 4

# busy.wav: US busy, 480+620 Hz, 0.5 s on / 0.5 s off, four cycles (4 s).
sox -D -n $fmt "$tmp/busy1.wav" \
	synth 0.5 sine 480 sine 620 remix - fade t 0.01 0.5 0.01 gain -n -8 \
	pad 0 0.5
sox -D "$tmp/busy1.wav" $fmt "$out/busy.wav" repeat 3

# ringtone.wav: two 0.8 s warbling bursts 0.4 s apart (2 s on), 4 s off.
# A burst warbles between 650 and 800 Hz, switching 32 times a second:
# each tone is gated by a 16 Hz square wave, the 800 Hz one in antiphase.
sox -D -n $fmt "$tmp/hi.wav" synth 0.8 sine 650 synth square amod 16
sox -D -n $fmt "$tmp/lo.wav" synth 0.8 sine 800 synth square amod 16 0 50
sox -D -m "$tmp/hi.wav" "$tmp/lo.wav" $fmt "$tmp/burst.wav" \
	gain -n -6 fade t 0.02 0.8 0.05
sox -D -n $fmt "$tmp/gap.wav" trim 0 0.4
sox -D -n $fmt "$tmp/off.wav" trim 0 4
sox -D "$tmp/burst.wav" "$tmp/gap.wav" "$tmp/burst.wav" "$tmp/off.wav" \
	$fmt "$out/ringtone.wav"

# greeting.wav: espeak-ng's en-us voice at 180 words/min (22050 Hz),
# trimmed of leading/trailing silence, resampled, then 0.15 s of silence
# and a 0.3 s 1000 Hz beep; under 5 s in all.
espeak-ng -v en-us -s 180 -w "$tmp/speech.wav" \
	"Welcome to the termphone demo. After the tone, everything you say is echoed back."
sox -D "$tmp/speech.wav" $fmt "$tmp/speech16.wav" \
	silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse \
	gain -n -3 pad 0 0.15
sox -D -n $fmt "$tmp/beep.wav" \
	synth 0.3 sine 1000 fade t 0.01 0.3 0.01 gain -n -8
sox -D "$tmp/speech16.wav" "$tmp/beep.wav" $fmt "$out/greeting.wav"
