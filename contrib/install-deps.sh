#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install every Debian package that building, running and testing termphone needs.
# Idempotent; run as root on a bare Debian 12 machine.
set -eu

PKGS="
build-essential autoconf automake libtool pkg-config autoconf-archive
libsofia-sip-ua-dev
portaudio19-dev libasound2-dev libasound2-plugins
libspeex-dev libspeexdsp-dev
libsndfile1-dev libinih-dev libncurses-dev
libcmocka-dev
sip-tester sipsak tshark kamailio
jackd2
espeak-ng sox
tmux procps iproute2 python3 ca-certificates
"

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
# jackd2 asks about real-time priority; the tests run jackd without it.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections

$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $PKGS
