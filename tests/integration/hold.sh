#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The far end puts the call on hold and takes it off again with
# re-INVITEs (SIPp, tests/sipp/uac-hold.xml); termphone is the callee.
# Three ways to hold: a=sendonly and a=inactive (RFC 3264 8.4), and
# c=0.0.0.0 (RFC 2543).  For each:
#   - termphone answers the hold re-INVITE (a=recvonly to sendonly and
#     to c=0.0.0.0, which Sofia's offer/answer takes for sendonly;
#     a=inactive to inactive) and the resume with sendrecv;
#   - on the wire (tshark) its RTP stops while the call is held, and
#     flows before and after (RFC 3264 5.1: no media to a stream the far
#     end will not receive);
#   - it tells its front-ends "on hold" and "taken off hold".

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp tshark "$TP_PYTHON"

plan 18

# Count termphone's RTP to the SIPp media port in the windows of the call,
# from a capture of SIP and RTP: hold_windows PCAP SIP_PORT MEDIA_PORT
# prints "BEFORE HELD AFTER"; HELD runs from 100 ms after termphone's 200
# to the hold re-INVITE (CSeq 2) to the resume re-INVITE (CSeq 3).
hold_windows() {
	tshark -r "$1" -d "udp.port==$2,sip" -T fields -e frame.time_relative \
	    -e udp.dstport -e sip.Status-Code -e sip.Method -e sip.CSeq.seq \
	    >"$1.txt" 2>/dev/null
	"$TP_PYTHON" - "$1.txt" "$3" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
media = sys.argv[2]
def when(pred):
    return next((float(r[0]) for r in rows if pred(r)), None)
hold_ok = when(lambda r: r[2] == "200" and r[4] == "2")
resume = when(lambda r: r[3] == "INVITE" and r[4] == "3")
resume_ok = when(lambda r: r[2] == "200" and r[4] == "3")
bye = when(lambda r: r[3] == "BYE")
if None in (hold_ok, resume, resume_ok, bye):
    print("- - -")
    sys.exit()
rtp = [float(r[0]) for r in rows if r[1] == media]
print(sum(1 for t in rtp if t < hold_ok - 0.1),
      sum(1 for t in rtp if hold_ok + 0.1 < t < resume),
      sum(1 for t in rtp if resume_ok + 0.1 < t < bye))
EOF
}

# The SDP direction of termphone's 200 to the re-INVITE with CSeq N, from
# SIPp's message trace NAME.msg: answer_dir NAME N (sendrecv if none).
answer_dir() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.msg" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
for block in re.split(r"(?m)^-{10,}.*$", text):
    if "message received" not in block or "SIP/2.0 200" not in block:
        continue
    if not re.search(r"(?mi)^CSeq:\s*%s\s+INVITE" % sys.argv[2], block):
        continue
    m = re.search(r"(?m)^a=(sendrecv|sendonly|recvonly|inactive)\s*$", block)
    print(m.group(1) if m else "sendrecv")
    break
EOF
}

# True if NAME's notices say "on hold", then "taken off hold".
told_hold() {
	grep '"event":"notice"' "$TP_TMPDIR/$1.ev" >"$TP_TMPDIR/$1.notices"
	awk '/on hold at the far end/ && !h { h = NR }
	    /taken off hold by the far end/ && h { o = 1 }
	    END { exit !o }' "$TP_TMPDIR/$1.notices" && return 0
	diag_file "$TP_TMPDIR/$1.notices"
	return 1
}

# hold_case NAME ADDR DIR WANT: hold with c=IN IP4 ADDR and a=DIR; WANT is
# the direction termphone must answer.  6 results.
hold_case() {
	_n=$1 _addr=$2 _dir=$3 _want=$4
	me=$(free_udp_port)
	sport=$(free_udp_port)
	media=$(free_udp_port 4)
	tshark -i lo -f "udp port $me or udp port $media" \
	    -w "$TP_TMPDIR/$_n.pcapng" -q >"$TP_TMPDIR/$_n.tshark" 2>&1 &
	_tshark=$!
	bg_track "$_tshark"
	wait_file_grep "$TP_TMPDIR/$_n.tshark" "Capturing on" 10 ||
	    diag "$_n: tshark did not say it was capturing"
	tp_start "$_n" --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
	    --auto-answer --exit-after-call
	wait_bound udp "$me" 5 || bail_out "termphone did not bind 127.0.0.1:$me"
	sipp_bg "$_n-sipp" uac-hold.xml -key holdaddr "$_addr" \
	    -key holddir "$_dir" "127.0.0.1:$me" -p "$sport" -mp "$media" \
	    -m 1 -d 1500 -recv_timeout 10s
	exit_is "$SIPP_PID" 0 20 "$_n: SIPp holds, resumes and hangs up (exit 0)" \
	    "$_n-sipp.out" "$_n-sipp.err"
	exit_is "$TP_PID" 0 10 "$_n: termphone exits 0 after the call" \
	    "$_n.stderr" "$_n.ev"
	wait_for "[ \$(tshark -r '$TP_TMPDIR/$_n.pcapng' -Y 'sip.Method == \"BYE\"' \
	    -d udp.port==$me,sip 2>/dev/null | wc -l) -ge 1 ]" 5
	bg_stop "$_tshark"
	is "$(answer_dir "$_n-sipp" 2) $(answer_dir "$_n-sipp" 3)" \
	    "$_want sendrecv" "$_n: termphone answers $_want, then sendrecv"
	set -- $(hold_windows "$TP_TMPDIR/$_n.pcapng" "$me" "$media")
	if [ "${1:--}" != - ] && [ "$1" -ge 30 ] && [ "$3" -ge 30 ]; then
		ok "$_n: RTP flows before the hold ($1) and after it ($3)"
	else
		not_ok "$_n: RTP flows before the hold (${1:-}) and after it (${3:-})"
	fi
	is "${2:--}" 0 "$_n: no RTP is sent while the call is held"
	check "$_n: termphone says the call is on hold, then taken off hold" \
	    told_hold "$_n"
}

hold_case sendonly 127.0.0.1 sendonly recvonly
hold_case inactive 127.0.0.1 inactive inactive
hold_case rfc2543 0.0.0.0 sendrecv recvonly
