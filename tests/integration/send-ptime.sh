#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone sends at the packet duration the far end asks for: SIPp
# answers with a=ptime (and a=maxptime) in its SDP (uas-ptime.xml) and
# echoes every RTP packet back (-rtp_echo).  termphone plays speech and
# records what comes back.  For each case:
#   - the packets on the wire (tshark) are consecutive and each carries
#     the asked-for ptime: a payload of that many samples for G.711, a
#     timestamp step of that many for Speex (several frames a packet);
#   - the echoed speech, decoded by termphone, matches what it played, so
#     the longer packets held the right audio in the right order.
# With DTMF during the call, the audio queued before the digit goes out
# as one shorter packet, the event starts where that packet ends, and the
# audio after it starts where the event ends (RFC 4733 2.5).

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp tshark espeak-ng sox "$TP_PYTHON"

CORR_MIN=0.90		# G.711, as in call-codecs.sh
ENV_MIN=0.90		# Speex envelope, as in call-codecs.sh
plan 23

SAY="The quick brown fox jumps over the lazy dog near the river bank."
make_speech "$TP_TMPDIR/s8000.wav" "$SAY" 8000 &&
make_speech "$TP_TMPDIR/s16000.wav" "$SAY" 16000 ||
    bail_out "cannot make test speech with espeak-ng and sox"

# Check the RTP termphone sent to the SIPp media port, from a capture:
#   rtp_check PCAP PORT SRC PT SAMPLES G711 [DTMF_PT MIN_SHORT]
# (packets from termphone's RTP port SRC to PORT only).
# SAMPLES is the RTP timestamp step a packet must span; with G711 set to
# 1 it must also carry that many bytes.  At least MIN_SHORT packets just
# before a digit must be shorter.  Prints what it found.
rtp_check() {
	tshark -r "$1" -Y "udp.dstport == $2 && udp.srcport == ${3:-0}" \
	    -T fields -e udp.payload >"$1.txt" 2>/dev/null
	"$TP_PYTHON" - "$1.txt" "$4" "$5" "$6" "${7:--1}" "${8:-0}" <<'EOF'
import struct, sys
path, pt, step, g711, dtmf, min_short = sys.argv[1], *map(int, sys.argv[2:])
pkts = []
for line in open(path):
    b = bytes.fromhex(line.strip().replace(":", ""))
    if len(b) < 12 or b[0] >> 6 != 2:
        continue
    seq, ts = struct.unpack("!HI", b[2:8])
    pkts.append((seq, ts, b[1] & 0x7f, b[12:]))
audio = [p for p in pkts if p[2] == pt]
events = [p for p in pkts if p[2] == dtmf]
bad = []
seqs = [p[0] for p in pkts]
gaps = sum(1 for a, b in zip(seqs, seqs[1:]) if (b - a) % 65536 != 1)
if gaps:
    bad.append("%d sequence gaps" % gaps)
if len(audio) < 40:
    bad.append("only %d audio packets" % len(audio))
short = 0
for i, (a, b) in enumerate(zip(pkts, pkts[1:])):
    if a[2] != pt:
        continue
    span = (b[1] - a[1]) % 2**32
    if b[2] == dtmf:
        # The audio before a digit may be shorter; the event starts after it.
        want = len(a[3]) if g711 else span
        short += want != step
        if not 0 < want <= step:
            bad.append("seq %d before a digit spans %d" % (a[0], want))
    else:
        want = step
    if span != want or (g711 and len(a[3]) != want):
        bad.append("seq %d: %d bytes, next ts %+d (want %d)"
                   % (a[0], len(a[3]), span, want))
if short < min_short:
    bad.append("want at least %d shorter before a digit" % min_short)
if dtmf >= 0:
    if not events:
        bad.append("no telephone-event packets")
    else:
        # The first audio after the digit starts where the event ends.
        ts0 = events[0][1]
        dur = max(struct.unpack("!H", e[3][2:4])[0] for e in events
                  if e[1] == ts0)
        after = [p for p in audio if p[1] != ts0 and (p[1] - ts0) % 2**32 < 2**31]
        if not after or after[0][1] != (ts0 + dur) % 2**32:
            bad.append("audio after the event at %s, want ts %d"
                       % (after[0][1] if after else "none", ts0 + dur))
print("%d audio packets, %d event packets, %d shorter before a digit%s"
      % (len(audio), len(events), short,
         "; " + "; ".join(bad[:5]) if bad else ""))
sys.exit(1 if bad else 0)
EOF
}

# True if events file FILE has digit D received: heard_digit D FILE.
heard_digit() {
	grep '"event":"dtmf"' "$2" | grep '"dir":"received"' |
	    grep -q "\"digit\":\"$1\""
}

# One call: ptime_case NAME CODEC PT ENCODING RATE PTIME MAXPTIME WANT_MS
#     MODE MIN_SHORT [TERMPHONE_ARG...]
# termphone dials SIPp, which answers ENCODING on PT with PTIME/MAXPTIME;
# termphone must send packets of WANT_MS.  MODE (corr or envelope) is how
# the echoed speech is compared; MIN_SHORT is for rtp_check.  5 results,
# 6 with --dtmf.
ptime_case() {
	_n=$1 _codec=$2 _pt=$3 _enc=$4 _rate=$5 _pt_ms=$6 _max=$7 _want=$8
	_mode=$9 _min_short=${10}
	shift 10
	sport=$(free_udp_port)
	media=$(free_udp_port 4)
	me=$(free_udp_port)
	capture_start "$_n" "udp port $media"
	sipp_bg "$_n-sipp" uas-ptime.xml -p "$sport" -mp "$media" -rtp_echo \
	    -key pt "$_pt" -key enc "$_enc" -key terate "$_rate" \
	    -key ptime "$_pt_ms" -key maxptime "$_max" -m 1 -timeout 40s
	wait_bound udp "$sport" 10 ||
	    bail_out "SIPp did not bind 127.0.0.1:$sport"
	tp_start "$_n" --listen="127.0.0.1:$me" --null-audio \
	    --codecs="$_codec" --play="$TP_TMPDIR/s$_rate.wav" \
	    --hangup-when-played --exit-after-call \
	    --record="$TP_TMPDIR/$_n.wav" "$@" "sip:echo@127.0.0.1:$sport"
	exit_is "$TP_PID" 0 30 "$_n: termphone exits 0 after the call" \
	    "$_n.stderr" "$_n.ev"
	exit_is "$SIPP_PID" 0 15 "$_n: SIPp saw INVITE, ACK and BYE (exit 0)" \
	    "$_n-sipp.out" "$_n-sipp.err"
	check "$_n: the log names ptime $_want ms" \
	    grep -q "ptime $_want ms" "$TP_TMPDIR/$_n.log"
	# Let the last echoed packets reach the file before tshark stops.
	wait_for "[ \$(tshark -r '$TP_TMPDIR/$_n.pcapng' 2>/dev/null | wc -l) -ge 80 ]" 5
	bg_stop "$CAPTURE_PID"
	_g711=0
	[ "$_mode" = corr ] && _g711=1
	_dtmf=
	case " $* " in *" --dtmf="*) _dtmf=101 ;; esac
	_r=$(rtp_check "$TP_TMPDIR/$_n.pcapng" "$media" "$(tp_rtp_port "$_n")" "$_pt" \
	    $((_want * _rate / 1000)) "$_g711" "${_dtmf:--1}" "$_min_short")
	_st=$?
	if [ "$_st" -eq 0 ]; then
		ok "$_n: every packet spans $_want ms: $_r"
	else
		not_ok "$_n: every packet spans $_want ms: $_r"
	fi
	if [ "$_mode" = corr ]; then
		check "$_n: the echoed speech matches what was played" \
		    audio_match corr "$CORR_MIN" "$TP_TMPDIR/s$_rate.wav" \
		    "$TP_TMPDIR/$_n.wav"
	else
		check "$_n: the echoed speech matches what was played" \
		    audio_match envelope "$ENV_MIN" "$TP_TMPDIR/s$_rate.wav" \
		    "$TP_TMPDIR/$_n.wav"
	fi
	if [ -n "$_dtmf" ]; then
		check "$_n: termphone hears its digit echoed back" \
		    heard_digit 5 "$TP_TMPDIR/$_n.ev"
	fi
}

# At 40 ms, the second digit of two comes after a 60 ms gap, so 20 ms of
# audio is queued when it starts: that goes out as one shorter packet.
# Speex WB takes telephone-event/16000, so an event's duration counts at
# 16 kHz too, and the audio after it starts where it ends.
ptime_case u30 PCMU 0 PCMU/8000 8000 30 120 30 corr 0 --dtmf=,5
ptime_case u10 PCMU 0 PCMU/8000 8000 10 120 10 corr 0
ptime_case u60 PCMU 0 PCMU/8000 8000 60 40 40 corr 1 --dtmf=,55
ptime_case wb60 speex-wb 96 speex/16000 16000 60 120 60 envelope 0 --dtmf=,55
