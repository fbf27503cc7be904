#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Hold with re-INVITEs, both ways.  First the far end puts the call on
# hold and takes it off again (SIPp, tests/sipp/uac-hold.xml); termphone
# is the callee.
# Three ways to hold: a=sendonly and a=inactive (RFC 3264 8.4), and
# c=0.0.0.0 (RFC 2543).  For each:
#   - termphone answers the hold re-INVITE (a=recvonly to sendonly and
#     to c=0.0.0.0, which Sofia's offer/answer takes for sendonly;
#     a=inactive to inactive) and the resume with sendrecv;
#   - on the wire (tshark) its RTP stops while the call is held, and
#     flows before and after (RFC 3264 5.1: no media to a stream the far
#     end will not receive);
#   - it tells its front-ends (call_hold events, by=peer).
# Then termphone holds and resumes a call it placed (the hold and resume
# commands on stdin) to a SIPp callee (tests/sipp/uas-held.xml), which
# checks its offers: a=sendonly, then sendrecv; no RTP goes out meanwhile.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp tshark "$TP_PYTHON"

plan 27

# Count termphone's RTP in the windows of the call, from a capture of SIP
# and RTP: hold_windows PCAP SIP_PORT MEDIA_PORT TP_RTP_PORT prints
# "BEFORE HELD AFTER".  Only the first call's SIP (its Call-ID) and RTP
# from TP_RTP_PORT to MEDIA_PORT count: tests running alongside may use
# these port numbers once this call is over.  The call's INVITEs are
# taken in order (the call, the hold, the resume, whoever sent them);
# HELD runs from 100 ms after the 200 to the hold to 100 ms before the
# resume.
hold_windows() {
	tshark -r "$1" -d "udp.port==$2,sip" -T fields -e frame.time_relative \
	    -e udp.srcport -e udp.dstport -e sip.Status-Code -e sip.Method \
	    -e sip.CSeq.seq -e sip.CSeq.method -e sip.Call-ID \
	    >"$1.txt" 2>/dev/null
	"$TP_PYTHON" - "$1.txt" "$3" "$4" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
media, tp_rtp = sys.argv[2], sys.argv[3]
call_id = next((r[7] for r in rows if r[4] == "INVITE" and r[7]), None)
sip = [r for r in rows if r[7] and r[7] == call_id]
def when(pred):
    return next((float(r[0]) for r in sip if pred(r)), None)
invites = []
for r in sip:
    if r[4] == "INVITE" and r[5] not in invites:
        invites.append(r[5])
if len(invites) != 3:
    print("- - -")
    sys.exit()
ok200 = lambda c: when(lambda r: r[3] == "200" and r[5] == c and r[6] == "INVITE")
hold_ok, resume_ok = ok200(invites[1]), ok200(invites[2])
resume = when(lambda r: r[4] == "INVITE" and r[5] == invites[2])
bye = when(lambda r: r[4] == "BYE")
if None in (hold_ok, resume, resume_ok, bye):
    print("- - -")
    sys.exit()
rtp = [float(r[0]) for r in rows if r[1] == tp_rtp and r[2] == media]
print(sum(1 for t in rtp if t < hold_ok - 0.1),
      sum(1 for t in rtp if hold_ok + 0.1 < t < resume - 0.1),
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

# True if NAME's events say the call was held, then resumed, BY (here or
# peer): told_hold NAME BY.
told_hold() {
	grep '"event":"call_hold"' "$TP_TMPDIR/$1.ev" >"$TP_TMPDIR/$1.holds"
	if [ "$(tr -d '\n' <"$TP_TMPDIR/$1.holds")" = \
	    "{\"event\":\"call_hold\",\"call\":1,\"held\":true,\"by\":\"$2\"}{\"event\":\"call_hold\",\"call\":1,\"held\":false,\"by\":\"$2\"}" ]
	then
		return 0
	fi
	diag_file "$TP_TMPDIR/$1.holds"
	return 1
}

# hold_case NAME ADDR DIR WANT: hold with c=IN IP4 ADDR and a=DIR; WANT is
# the direction termphone must answer.  6 results.
hold_case() {
	_n=$1 _addr=$2 _dir=$3 _want=$4
	me=$(free_udp_port)
	sport=$(free_udp_port)
	media=$(free_udp_port 4)
	capture_start "$_n" "udp port $me or udp port $media"
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
	bg_stop "$CAPTURE_PID"
	is "$(answer_dir "$_n-sipp" 2) $(answer_dir "$_n-sipp" 3)" \
	    "$_want sendrecv" "$_n: termphone answers $_want, then sendrecv"
	set -- $(hold_windows "$TP_TMPDIR/$_n.pcapng" "$me" "$media" \
	    "$(tp_rtp_port "$_n")")
	if [ "${1:--}" != - ] && [ "$1" -ge 30 ] && [ "$3" -ge 30 ]; then
		ok "$_n: RTP flows before the hold ($1) and after it ($3)"
	else
		not_ok "$_n: RTP flows before the hold (${1:-}) and after it (${3:-})"
	fi
	is "${2:--}" 0 "$_n: no RTP is sent while the call is held"
	check "$_n: call_hold events: held by the peer, then off hold" \
	    told_hold "$_n" peer
}

# True if NAME's last two media_stats events, both after its last
# call_hold event, have the same "sent" count: nothing went out between.
sent_stopped() {
	awk '/"event":"call_hold"/ { n = 0 }
	    /"event":"media_stats"/ { sub(/.*"sent":/, ""); sub(/[^0-9].*/, "");
	        s[++n] = $0 }
	    END { exit !(n >= 2 && s[n] == s[n - 1]) }' "$TP_TMPDIR/$1.ev"
}

hold_case sendonly 127.0.0.1 sendonly recvonly
hold_case inactive 127.0.0.1 inactive inactive
hold_case rfc2543 0.0.0.0 sendrecv recvonly

# ---------------------------------------------------- we hold the call --
# termphone calls a SIPp callee (uas-held.xml) and is told on stdin to
# hold and resume; SIPp checks the offers (a=sendonly, then sendrecv).
me=$(free_udp_port)
sport=$(free_udp_port)
media=$(free_udp_port 4)
capture_start here "udp port $me or udp port $media"
sipp_bg here-sipp uas-held.xml -p "$sport" -mp "$media" -m 1 -timeout 60s
wait_bound udp "$sport" 10 || bail_out "SIPp did not bind 127.0.0.1:$sport"
mkfifo "$TP_TMPDIR/cmd"
exec 3<>"$TP_TMPDIR/cmd"
TP_STDIN=$TP_TMPDIR/cmd tp_start here --listen="127.0.0.1:$me" --null-audio \
    --codecs=PCMU --exit-after-call "sip:held@127.0.0.1:$sport"
wait_file_grep "$TP_TMPDIR/here.ev" '"state":"connected"' 10 ||
    diag "here: the call did not connect"
wait_for "[ \$(last_sent here) -ge 50 ]" 10
echo hold >&3
wait_for sent_stopped here 10 || diag "here: RTP did not stop after 'hold'"
held=$(last_sent here)
echo resume >&3
wait_for "[ \$(last_sent here) -ge $((held + 50)) ]" 10 ||
    diag "here: RTP did not start again after 'resume'"
echo hangup >&3
exit_is "$TP_PID" 0 15 "here: termphone exits 0 after the call" here.stderr here.ev
exit_is "$SIPP_PID" 0 15 \
    "here: SIPp saw a re-INVITE with a=sendonly, then one with sendrecv" \
    here-sipp.out here-sipp.err
exec 3>&-
check "here: call_hold events: held here, then off hold" told_hold here here
wait_for "[ \$(tshark -r '$TP_TMPDIR/here.pcapng' -Y 'sip.Method == \"BYE\"' \
    -d udp.port==$me,sip 2>/dev/null | wc -l) -ge 1 ]" 5
bg_stop "$CAPTURE_PID"
set -- $(hold_windows "$TP_TMPDIR/here.pcapng" "$me" "$media" \
    "$(tp_rtp_port here)")
if [ "${1:--}" != - ] && [ "$1" -ge 30 ] && [ "$3" -ge 30 ]; then
	ok "here: RTP flows before the hold ($1) and after it ($3)"
else
	not_ok "here: RTP flows before the hold (${1:-}) and after it (${3:-})"
fi
is "${2:--}" 0 "here: no RTP is sent while the call is held"

# ------------------------------------------- the far end refuses a hold --
# A re-INVITE answered 488 leaves the call as it was: termphone says so,
# and the call still ends with our BYE's 200, not with the 488.
me=$(free_udp_port)
sport=$(free_udp_port)
media=$(free_udp_port 4)
sipp_bg refuse-sipp uas-refuse-reinvite.xml -p "$sport" -mp "$media" -m 1 \
    -timeout 60s
wait_bound udp "$sport" 10 || bail_out "SIPp did not bind 127.0.0.1:$sport"
exec 3<>"$TP_TMPDIR/cmd"
TP_STDIN=$TP_TMPDIR/cmd tp_start refuse --listen="127.0.0.1:$me" \
    --null-audio --codecs=PCMU --exit-after-call "sip:held@127.0.0.1:$sport"
wait_file_grep "$TP_TMPDIR/refuse.ev" '"state":"connected"' 10 ||
    diag "refuse: the call did not connect"
echo hold >&3
check "refuse: termphone says the far end refused the re-INVITE (488)" \
    wait_file_grep "$TP_TMPDIR/refuse.ev" 'refused the re-INVITE: 488' 10
echo hangup >&3
exit_is "$TP_PID" 0 15 "refuse: termphone exits 0 after the call" \
    refuse.stderr refuse.ev
exit_is "$SIPP_PID" 0 15 "refuse: SIPp saw the re-INVITE, its ACK and the BYE" \
    refuse-sipp.out refuse-sipp.err
exec 3>&-
check "refuse: the call ends with the BYE's 200, not the 488" \
    grep -q '"state":"ended".*"status":200' "$TP_TMPDIR/refuse.ev"
