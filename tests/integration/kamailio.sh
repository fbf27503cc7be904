#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# termphone against a real registrar and proxy: Kamailio on loopback
# (tests/kamailio/kamailio.cfg), which challenges REGISTER (401) and
# INVITE (407), record-routes, and forks an INVITE to every contact of
# the AOR.
#   - bob registers twice (two termphones, one AOR); alice registers and
#     dials the bare name "bob" through the proxy.
#   - Kamailio forks: bob1 answers at once, bob2 (which would answer after
#     5 s) gets a CANCEL and answers it 487.
#   - alice's speech reaches bob1's recording; her ACK and BYE follow the
#     recorded route; everyone unregisters when it exits.
#   - a wrong password is refused, and termphone says so and exits 3;
#   - a call to a user with no contact ends with the proxy's 404 (exit 6).

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd kamailio sox espeak-ng "$TP_PYTHON"

plan 22

KPORT=$(free_udp_port)
K=127.0.0.1:$KPORT
mkdir -p "$TP_TMPDIR/kamailio"
kamailio -f "$TP_SRCDIR/tests/kamailio/kamailio.cfg" -Y "$TP_TMPDIR/kamailio" \
    -DD -E -l "udp:$K" >"$TP_TMPDIR/kamailio.log" 2>&1 &
KAM=$!
bg_track "$KAM"
if ! wait_bound udp "$KPORT" 10; then
	diag_file "$TP_TMPDIR/kamailio.log" 20
	bail_out "Kamailio did not listen on $K"
fi

make_speech "$TP_TMPDIR/say.wav" \
    "The quick brown fox jumps over the lazy dog near the river bank." 8000 ||
    bail_out "cannot make test speech with espeak-ng and sox"

# A REGISTER answered 401, then again with credentials, answered 200.
REG_FLOW='sent REGISTER
received 401 Unauthorized (REGISTER)
sent REGISTER
received 200 OK (REGISTER)
reg registered'
# ... and the un-REGISTER when termphone exits.
UNREG_FLOW='reg unregistering
sent REGISTER
received 200 OK (REGISTER)
reg unregistered'

bob() {
	_bn=$1
	shift
	tp_start "$_bn" --listen="127.0.0.1:$(free_udp_port)" --null-audio \
	    --codecs=PCMU --exit-after-call --user=sip:bob@127.0.0.1 \
	    --password=bob-secret --registrar="sip:$K" "$@"
}
bob bob1 --auto-answer --record="$TP_TMPDIR/bob1.wav"
BOB1=$TP_PID
bob bob2 --auto-answer=5
BOB2=$TP_PID
for _b in bob1 bob2; do
	if wait_file_grep "$TP_TMPDIR/$_b.ev" '"state":"registered"' 10; then
		check "$_b: registers with digest (401, then 200)" \
		    flow_has "$_b" "$REG_FLOW"
	else
		not_ok "$_b: registers with digest (401, then 200)"
		diag_file "$TP_TMPDIR/$_b.ev"
		diag_file "$TP_TMPDIR/kamailio.log" 20
	fi
done

tp_start alice --listen="127.0.0.1:$(free_udp_port)" --null-audio \
    --codecs=PCMU --exit-after-call --user=sip:alice@127.0.0.1 \
    --password=alice-secret --registrar="sip:$K" --proxy="sip:$K" \
    --play="$TP_TMPDIR/say.wav" --hangup-when-played bob
ALICE=$TP_PID

exit_is "$ALICE" 0 30 "alice: exits 0 after the call" alice.stderr alice.ev
exit_is "$BOB1" 0 10 "bob1: exits 0 after the call" bob1.stderr bob1.ev
# bob2's call was cancelled before it answered: no answer.
exit_is "$BOB2" 7 10 "bob2: exits 7 (no answer) after the CANCEL" \
    bob2.stderr bob2.ev

check "alice: registers with digest (401, then 200)" \
    flow_has alice "$REG_FLOW"
check "alice: the INVITE is challenged (407) and sent again, then answered" \
    flow_has alice 'sent INVITE' \
    'received 407 Proxy Authentication Required (INVITE)' 'sent ACK' \
    'sent INVITE' 'received 200 OK (INVITE)' 'sent ACK' 'call connected'
auth=$(msg_header "$TP_TMPDIR/alice.trace" "INVITE " Proxy-Authorization)
case $auth in
*'username="alice"'*'realm="127.0.0.1"'* | *'realm="127.0.0.1"'*'username="alice"'*)
	ok "alice: her credentials name user alice and realm 127.0.0.1" ;;
*)	not_ok "alice: her credentials name user alice and realm 127.0.0.1"
	diag "got: $auth" ;;
esac
check "alice: the bare name 'bob' is dialled as sip:bob@127.0.0.1" \
    grep -q '^INVITE sip:bob@127.0.0.1 SIP/2.0' "$TP_TMPDIR/alice.trace"

check "bob1: answers the forked INVITE; the call ends with alice's BYE" \
    flow_has bob1 'received INVITE' 'sent 200 OK (INVITE)' 'received ACK' \
    'call connected' 'received BYE' 'sent 200 OK (BYE)' 'call ended'
check "bob2: gets the same INVITE, then a CANCEL, and answers it 487" \
    flow_has bob2 'received INVITE' 'received CANCEL' \
    'sent 487 Request Terminated (INVITE)' 'call ended'
is "$(flow_count bob2 'call connected')" 0 "bob2: never connects"

# Header HDR of the Nth request METHOD that NAME sent, from its SIP trace:
#   sent_header NAME METHOD N HDR
sent_header() {
	"$TP_PYTHON" - "$TP_TMPDIR/$1.trace" "$2" "$3" "$4" <<'EOF'
import re, sys
path, method, n, hdr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(path, errors="replace").read()
seen = 0
for m in re.split(r"(?m)^(?=SENT to |RECEIVED from )", text):
    head, _, msg = m.partition("\n")
    if not head.startswith("SENT to ") or not msg.startswith(method + " "):
        continue
    seen += 1
    if seen == n:
        for line in msg.replace("\r", "").split("\n\n")[0].splitlines():
            if line.lower().startswith(hdr.lower() + ":"):
                print(line.strip())
        break
EOF
}

# Kamailio record-routes: the ACK to the 200 (alice's second ACK; the
# first, to the 407, is hop by hop) and the BYE go back through it.
for _req in "ACK 2" "BYE 1"; do
	r=$(sent_header alice $_req Route)
	case $r in
	"Route: <sip:127.0.0.1:$KPORT;lr"*)
		ok "alice: her ${_req% *} carries the recorded Route ($r)" ;;
	*)	not_ok "alice: her ${_req% *} carries the recorded Route"
		diag "got: '$r'" ;;
	esac
done

check "bob1's recording matches alice's speech (corr >= 0.90)" \
    audio_match corr 0.90 "$TP_TMPDIR/say.wav" "$TP_TMPDIR/bob1.wav"

for _n in alice bob1; do
	check "$_n: unregisters before it exits" flow_has "$_n" "$UNREG_FLOW"
done

# The wrong password: Kamailio challenges again, termphone gives up.
tp_start eve --listen="127.0.0.1:$(free_udp_port)" --null-audio \
    --user=sip:alice@127.0.0.1 --password=not-her-secret \
    --registrar="sip:$K" --exit-after-call
exit_is "$TP_PID" 3 20 "a wrong password: registration fails, exit 3" \
    eve.stderr eve.ev
check "a wrong password: the failure names 401 Unauthorized" \
    grep -q '"event":"reg_state".*"state":"failed".*"status":401' \
    "$TP_TMPDIR/eve.ev"

# A user with no contact: the proxy answers 404 and termphone exits 6.
tp_start carol --listen="127.0.0.1:$(free_udp_port)" --null-audio \
    --user=sip:alice@127.0.0.1 --password=alice-secret --registrar="sip:$K" \
    --proxy="sip:$K" --exit-after-call carol
exit_is "$TP_PID" 6 20 "a call to a user with no contact: exit 6 (rejected)" \
    carol.stderr carol.ev
check "a call to a user with no contact: the call ends with 404 Not Found" \
    grep -q '"event":"call_state".*"state":"ended".*"status":404' \
    "$TP_TMPDIR/carol.ev"

# No log, trace or event stream holds a password.
leaks=$(cd "$TP_TMPDIR" && grep -l -e alice-secret -e bob-secret \
    -e not-her-secret -- *.log *.trace *.ev *.stderr 2>/dev/null |
    grep -v '^kamailio.log$')
is "$leaks" "" "no log, SIP trace or event stream holds a password"
