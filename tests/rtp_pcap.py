#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write a pcap of RTP packets that carry a WAV file as PCMU at a ptime.

For SIPp's play_pcap_audio: one Ethernet/IPv4/UDP frame per packet, the
capture times ptime ms apart.  SIPp rewrites the addresses and ports and
keeps the RTP header and payload.  The mu-law encoder (G.711's segment
and mantissa rule) is written out here so the test data does not come
from termphone's own code; at some negative segment edges it rounds one
step away from other encoders, which a correlation test does not notice.

usage: rtp_pcap.py WAV PTIME_MS OUT.pcap
WAV must be 8000 Hz, mono, 16-bit.
"""
import struct
import sys
import wave

RTP_PT_PCMU = 0
SSRC = 0x5EED1234


def ulaw(sample):
    """One linear 16-bit sample to a G.711 mu-law byte."""
    sign = 0x80 if sample < 0 else 0
    mag = min(-sample if sample < 0 else sample, 32635) + 0x84
    exp = 7
    while exp > 0 and not mag & (0x4000 >> (7 - exp)):
        exp -= 1
    mant = (mag >> (exp + 3)) & 0x0F
    return ~(sign | exp << 4 | mant) & 0xFF


def ip_checksum(hdr):
    """RFC 791 header checksum."""
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(payload, sport, dport):
    """Ethernet + IPv4 + UDP around payload, 127.0.0.1 to 127.0.0.1."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = b"\x00" * 12 + b"\x08\x00"
    return eth + ip + udp


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-2])
    path, ptime, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with wave.open(path) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (8000, 1, 2):
            sys.exit("rtp_pcap.py: %s: need 8000 Hz mono 16-bit" % path)
        pcm = struct.unpack("<%dh" % w.getnframes(), w.readframes(w.getnframes()))
    n = 8 * ptime                           # samples per packet
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k, start in enumerate(range(0, len(pcm) - n + 1, n)):
            rtp = struct.pack("!BBHII", 0x80, (0x80 if k == 0 else 0) | RTP_PT_PCMU,
                              k & 0xFFFF, start, SSRC)
            data = frame(rtp + bytes(ulaw(s) for s in pcm[start:start + n]),
                         40000, 40000)
            usec = k * ptime * 1000
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
