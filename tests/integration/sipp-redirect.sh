#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A 302 redirect: termphone calls a SIPp redirect server (redirect.xml),
# ACKs its 302, follows the Contact to a second SIPp (-sn uas) on another
# port, and the call connects there; the JSON events report the redirect.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 11

# ------------------------------------------------ redirect and target --
port=$(free_udp_port)		# the redirect server
target=$(free_udp_port)		# where its 302 points
media=$(free_udp_port 4)
me=$(free_udp_port)
sipp_bg redirect redirect.xml -key target_port "$target" -p "$port" -m 1 \
    -recv_timeout 20s
redirect_pid=$SIPP_PID
sipp_bg target -sn:uas -p "$target" -mp "$media" -m 1 -recv_timeout 20s
target_pid=$SIPP_PID
wait_bound udp "$port" 5 || bail_out "sipp (redirect.xml) did not bind $port"
wait_bound udp "$target" 5 || bail_out "sipp -sn uas did not bind $target"

tp_start tp --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --hangup-after=1 --exit-after-call "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 0 20 "termphone exits 0 after the redirected call" \
    tp.stderr tp.ev
exit_is "$redirect_pid" 0 10 "the redirect server got the ACK for its 302" \
    redirect.out redirect.err
exit_is "$target_pid" 0 15 "the target (sipp -sn uas) took the call (exit 0)" \
    target.out target.err

want="redirect 302 sip:target@127.0.0.1:$target"
check "call_redirect event: status 302, target sip:target@127.0.0.1:$target" \
    flow_has tp "$want"
check "INVITE, 302, ACK, INVITE, 200, ACK, BYE, 200 in termphone's events" \
    flow_has tp 'sent INVITE' 'received 302 Moved Temporarily (INVITE)' \
    'sent ACK' 'sent INVITE' 'received 200 OK (INVITE)' 'sent ACK' \
    'sent BYE' 'received 200 OK (BYE)'
# termphone sends the new INVITE once it has handled the 302: causal.
check "the redirect event comes before the new INVITE" \
    flow_has tp "$want" 'sent INVITE'
check "call states: calling, redirect, connected, ended" \
    flow_has tp 'call calling' "$want" 'call connected' 'call ended'
check "the redirect server saw one INVITE and the ACK" \
    test "$(grep -c '^INVITE sip:' "$TP_TMPDIR/redirect.msg")" = 1 -a \
    "$(grep -c '^ACK sip:' "$TP_TMPDIR/redirect.msg")" = 1
check "the new INVITE asks for the 302's Contact" \
    grep -q "^INVITE sip:target@127.0.0.1:${target}[ ;]" "$TP_TMPDIR/target.msg"
check "the call is connected to the target" \
    grep -q "\"state\":\"connected\",\"peer\":\"sip:target@127.0.0.1:$target\"" \
    "$TP_TMPDIR/tp.ev"
check "the BYE went to the target" \
    grep -q '^BYE sip:' "$TP_TMPDIR/target.msg"
