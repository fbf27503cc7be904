#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Digest authentication against SIPp: termphone registers (401, then
# credentials), calls (407, then credentials), hangs up and unregisters on
# exit (uas-auth.xml verifies every credential); with a wrong password it
# gives up after a bounded number of REGISTERs, exits 3 and never calls.

. "${TP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"

need_termphone
need_cmd sipp awk grep

plan 19

# ------------------------------------------- the right password: a call --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
uri="sip:bob@127.0.0.1:$port"
resp=$(sip_digest_response alice termphone.test secret INVITE "$uri" \
    9a3e51b07c2d4f68e4b1) || bail_out "cannot compute the INVITE digest"
sipp_bg good uas-auth.xml -key user alice -key pass secret \
    -key inv_resp "$resp" -p "$port" -mp "$media" -recv_timeout 20s \
    -trace_logs -log_file good.log
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-good --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=secret \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "$uri"
exit_is "$TP_PID" 0 20 "good: termphone exits 0" tp-good.stderr tp-good.ev
exit_is "$SIPP_PID" 0 15 "good: sipp exits 0 (every credential verified)" \
    good.out good.err good.log
check "good: REGISTER, 401, REGISTER with credentials, 200" \
    flow_has tp-good 'sent REGISTER' 'received 401 Unauthorized (REGISTER)' \
    'sent REGISTER' 'received 200 OK (REGISTER)'
# termphone dials once registered, so this order is causal.
check "good: reg_state registered before the INVITE is sent" \
    flow_has tp-good 'reg registered' 'sent INVITE'
check "good: INVITE, 407, ACK, INVITE with credentials, 200, ACK" \
    flow_has tp-good 'sent INVITE' \
    'received 407 Proxy Authentication Required (INVITE)' 'sent ACK' \
    'sent INVITE' 'received 200 OK (INVITE)' 'sent ACK'
check "good: BYE, 200, then the un-REGISTER and its 200" \
    flow_has tp-good 'sent BYE' 'received 200 OK (BYE)' 'sent REGISTER' \
    'received 200 OK (REGISTER)'
check "good: reg_state registered, call connected, ended, unregistered" \
    flow_has tp-good 'reg registered' 'call connected' 'call ended' \
    'reg unregistered'
check "good: sipp checked the INVITE's Proxy-Authorization" \
    grep -q '^uas-auth: INVITE Proxy-Authorization: Digest' \
    "$TP_TMPDIR/good.log"
check "good: sipp saw the un-REGISTER with expires 0" \
    grep -q '^uas-auth: un-REGISTER (' "$TP_TMPDIR/good.log"

# ----------------------------- a wrong password: 403, exit 3, no INVITE --
port=$(free_udp_port)
media=$(free_udp_port 4)
me=$(free_udp_port)
uri="sip:bob@127.0.0.1:$port"
sipp_bg bad uas-auth.xml -key user alice -key pass secret -key inv_resp 0 \
    -p "$port" -mp "$media" -recv_timeout 20s -trace_logs -log_file bad.log
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-bad --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=wrong \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "$uri"
exit_is "$TP_PID" 3 15 "bad: termphone exits 3 (registration failed)" \
    tp-bad.stderr tp-bad.ev
# uas-auth.xml answers a wrong digest with 403 and fails its call.
exit_is "$SIPP_PID" 1 15 "bad: sipp rejected the credentials (exit 1)" \
    bad.out bad.log
check "bad: sipp's verifyauth failed the REGISTER" \
    grep -q 'REGISTER digest verification FAILED' "$TP_TMPDIR/bad.log"
is "$(flow_count tp-bad 'sent INVITE')" 0 "bad: no INVITE was sent"
n=$(flow_count tp-bad 'sent REGISTER')
check "bad: at most 3 REGISTERs sent (it sent $n)" test "$n" -le 3
check "bad: reg_state failed" flow_has tp-bad 'reg failed'

# ------------- a registrar that always says 401: bounded retries, exit 3 --
port=$(free_udp_port)
me=$(free_udp_port)
sipp_bg loop reg-always-401.xml -p "$port" -m 1
wait_bound udp "$port" 5 || bail_out "sipp did not bind port $port"

tp_start tp-loop --listen="127.0.0.1:$me" --null-audio --codecs=PCMU \
    --user=sip:alice@127.0.0.1 --password=wrong \
    --registrar="sip:127.0.0.1:$port" --hangup-after=1 --exit-after-call \
    "sip:bob@127.0.0.1:$port"
exit_is "$TP_PID" 3 15 "loop: termphone gives up and exits 3" \
    tp-loop.stderr tp-loop.ev
n=$(flow_count tp-loop 'sent REGISTER')
check "loop: termphone sent 2 or 3 REGISTERs (it sent $n)" \
    test "$n" -ge 2 -a "$n" -le 3
# SIPp ends the call once no REGISTER has come for 1.5 s.
exit_is "$SIPP_PID" 0 15 "loop: sipp saw the REGISTERs stop (exit 0)" \
    loop.out loop.err
n=$(grep -c '^REGISTER sip:' "$TP_TMPDIR/loop.msg")
check "loop: sipp received at most 3 REGISTERs (it got $n)" test "$n" -le 3
