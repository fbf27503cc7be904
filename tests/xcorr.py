#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Score how well a recording reproduces a reference sound.

    xcorr.py REF.wav REC.wav [--mode corr|envelope] [--blocks] [--min 0.9]
             [--max-lag SECONDS] [--quiet]

The recording may start with call-setup silence and lag behind by codec and
jitter-buffer delay, so the best lag is searched first (up to --max-lag,
2.5 s by default, either way).  Both files go to the lower of their two
rates (linear interpolation), then:

  corr      normalised cross-correlation of the waveforms at the best lag,
            over the reference's active span (G.711 keeps the waveform);
  envelope  Pearson correlation of 20 ms RMS envelopes at the best lag
            (Speex and other vocoders keep the envelope, not the waveform).

With --blocks the score of a whole call is taken block by block instead.
The jitter buffer may grow or shrink its delay by a frame in mid-call (a
late packet on a loaded machine makes it conceal one frame), and then one
alignment for the whole file no longer fits its second part: one such frame
shifts the rest of the recording by 20 ms, and a perfect PCMU path scored
0.47.  So the reference's active part is cut into 0.25 s blocks, each block
is aligned on its own within 50 ms of the best lag and scored as above
(envelopes with a 5 ms hop), and the score is the mean of the block scores
weighted by the reference's energy in each block.  The one-alignment score
is printed too, as whole=, with each block's score on a second line.

The lag search is FFT-free but quick: a coarse search on decimated
envelopes, then a finer one on a decimated waveform, then +-a few samples
at the full rate.  Prints "score=S lag=L s ..." and exits 0 if the score
is at least --min, 1 if not, 2 on a usage or file error.  Standard library
only, so it runs with Debian's python3 and nothing else.
"""

import argparse
import math
import operator
import struct
import sys
from array import array

ENV_WIN_S = 0.020	# envelope window for the envelope score
COARSE_HOP_S = 0.005	# envelope hop for the coarse lag search
COARSE_WIN_S = 0.010
ACTIVE_DB = -30.0	# a frame is active above max frame RMS + this
ACTIVE_MARGIN_S = 0.020
BLOCK_S = 0.25		# --blocks: block length
BLOCK_REACH_S = 0.05	# --blocks: up to two 20 ms frames either way of the lag
BLOCK_HOP_S = 0.005	# --blocks: envelope hop


class WavError(Exception):
    """A file this tool cannot read as a WAV."""


def _ulaw_table():
    """Return the 256 linear values of G.711 mu-law codes."""
    out = []
    for code in range(256):
        u = ~code & 0xFF
        t = ((u & 0x0F) << 3) + 0x84
        t <<= (u & 0x70) >> 4
        out.append(float((0x84 - t) if (u & 0x80) else (t - 0x84)))
    return out


def _alaw_table():
    """Return the 256 linear values of G.711 A-law codes."""
    out = []
    for code in range(256):
        a = code ^ 0x55
        t = (a & 0x0F) << 4
        seg = (a & 0x70) >> 4
        if seg == 0:
            t += 8
        elif seg == 1:
            t += 0x108
        else:
            t = (t + 0x108) << (seg - 1)
        out.append(float(t if (a & 0x80) else -t))
    return out


def read_wav(path):
    """Read a WAV file; return (mono float samples, sample rate).

    Handles PCM 8/16/24/32-bit, 32/64-bit float, mu-law, A-law and
    WAVE_FORMAT_EXTENSIBLE; channels are averaged."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise WavError(str(e)) from e
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("%s: not a RIFF/WAVE file" % path)
    pos, fmt, body = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        chunk = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = chunk
        elif cid == b"data":
            body = chunk	# a truncated data chunk is read as far as it goes
        pos += 8 + size + (size & 1)
    if fmt is None or body is None or len(fmt) < 16:
        raise WavError("%s: no fmt or data chunk" % path)
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if channels < 1 or rate < 1:
        raise WavError("%s: bad channel count or rate" % path)
    width = (bits + 7) // 8
    body = body[:len(body) - len(body) % (width * channels)]

    if tag == 1 and width == 1:
        x = [float(b - 128) * 256.0 for b in body]
    elif tag == 1 and width == 2:
        a = array("h")
        a.frombytes(body)
        if sys.byteorder != "little":
            a.byteswap()
        x = list(map(float, a))
    elif tag == 1 and width == 3:
        x = [float(int.from_bytes(body[i:i + 3], "little", signed=True)) / 256.0
             for i in range(0, len(body), 3)]
    elif tag == 1 and width == 4:
        a = array("i")
        a.frombytes(body)
        if sys.byteorder != "little":
            a.byteswap()
        x = [v / 65536.0 for v in a]
    elif tag == 3 and width in (4, 8):
        a = array("f" if width == 4 else "d")
        a.frombytes(body)
        if sys.byteorder != "little":
            a.byteswap()
        x = [v * 32768.0 for v in a]
    elif tag in (6, 7) and width == 1:
        table = _alaw_table() if tag == 6 else _ulaw_table()
        x = [table[b] for b in body]
    else:
        raise WavError("%s: unsupported format tag %d, %d bits" % (path, tag, bits))

    if channels > 1:
        x = [sum(x[i:i + channels]) / channels for i in range(0, len(x), channels)]
    return x, rate


def resample_linear(x, rate_in, rate_out):
    """Resample by linear interpolation (a box pre-filter when going down)."""
    if rate_in == rate_out or not x:
        return list(x)
    ratio = rate_in / rate_out
    width = int(round(ratio))
    if width >= 2:	# crude anti-aliasing: moving average over one output period
        x = box_filter(x, width)
    n_out = int(len(x) / ratio)
    last = len(x) - 1
    out = []
    for i in range(n_out):
        t = i * ratio
        j = int(t)
        if j >= last:
            out.append(x[last])
        else:
            f = t - j
            out.append(x[j] + (x[j + 1] - x[j]) * f)
    return out


def box_filter(x, width):
    """Return the centred moving average of x over width samples."""
    pre = [0.0]
    acc = 0.0
    for v in x:
        acc += v
        pre.append(acc)
    n = len(x)
    half = width // 2
    out = []
    for i in range(n):
        lo = max(0, i - half)
        hi = min(n, lo + width)
        out.append((pre[hi] - pre[lo]) / (hi - lo))
    return out


def decimate(x, factor):
    """Average non-overlapping blocks of factor samples."""
    if factor <= 1:
        return list(x)
    n = len(x) // factor
    return [sum(x[i * factor:(i + 1) * factor]) / factor for i in range(n)]


def remove_mean(x):
    """Return x minus its mean."""
    if not x:
        return []
    m = sum(x) / len(x)
    return [v - m for v in x]


def envelope(x, rate, win_s, hop_s):
    """Return (RMS envelope, hop in samples): windows of win_s every hop_s."""
    win = max(1, int(round(win_s * rate)))
    hop = max(1, int(round(hop_s * rate)))
    pre = [0.0]
    acc = 0.0
    for v in x:
        acc += v * v
        pre.append(acc)
    n = len(x)
    out = []
    for start in range(0, max(1, n - win + 1), hop):
        end = min(n, start + win)
        out.append(math.sqrt(max(0.0, pre[end] - pre[start]) / max(1, end - start)))
    return out, hop


def active_span(x, rate):
    """Return (start, end) sample indices of the signal's active part."""
    env, hop = envelope(x, rate, ENV_WIN_S, ENV_WIN_S / 2)
    peak = max(env) if env else 0.0
    if peak <= 0.0:
        return None
    thr = peak * 10 ** (ACTIVE_DB / 20)
    active = [i for i, v in enumerate(env) if v > thr]
    margin = int(ACTIVE_MARGIN_S * rate)
    start = max(0, active[0] * hop - margin)
    end = min(len(x), active[-1] * hop + int(ENV_WIN_S * rate) + margin)
    return start, end


def padded(x, pad, total):
    """Return x with pad zeros before it, zero-filled to length total."""
    out = [0.0] * pad + list(x)
    if len(out) < total:
        out.extend([0.0] * (total - len(out)))
    return out


def ncc(ref, ref_energy, rec, offset):
    """Normalised correlation of ref with rec[offset:offset+len(ref)]."""
    seg = rec[offset:offset + len(ref)]
    den = math.sqrt(ref_energy * sum(map(operator.mul, seg, seg)))
    if den <= 0.0:
        return 0.0
    return sum(map(operator.mul, ref, seg)) / den


def pearson(a, b):
    """Pearson correlation of two equally long sequences."""
    a = remove_mean(a)
    b = remove_mean(b)
    den = math.sqrt(sum(map(operator.mul, a, a)) * sum(map(operator.mul, b, b)))
    return sum(map(operator.mul, a, b)) / den if den > 0.0 else 0.0


def pearson_equal(a, b):
    """Pearson correlation of a and b, 0 unless equally long (2 or more)."""
    if len(a) < 2 or len(a) != len(b):
        return 0.0
    return pearson(a, b)


def search(ref, rec, lags, score_at):
    """Return [(score, lag)] for every lag in lags, best first."""
    scored = [(score_at(ref, rec, lag), lag) for lag in lags]
    scored.sort(reverse=True)
    return scored


def local_peaks(scored, min_gap, count):
    """Pick up to count best lags at least min_gap apart."""
    picked = []
    for score, lag in scored:
        if all(abs(lag - p) >= min_gap for _, p in picked):
            picked.append((score, lag))
            if len(picked) == count:
                break
    return picked


def best_lag(ref_act, rec_pad, rate, max_lag_n, pad):
    """Find the lag (in samples, rec relative to ref) of the best match.

    ref_act is the reference's active span, rec_pad the recording with pad
    zeros before and after, so lag L compares ref_act[n] with
    rec_pad[pad + span_start + L + n]; the caller folds in span_start."""
    # 1. Coarse: envelopes at COARSE_HOP_S, every lag in range.
    ref_env, hop = envelope(ref_act, rate, COARSE_WIN_S, COARSE_HOP_S)
    rec_env, _ = envelope(rec_pad, rate, COARSE_WIN_S, COARSE_HOP_S)
    ref_env = remove_mean(ref_env)
    rec_env = remove_mean(rec_env)
    e_ref = sum(map(operator.mul, ref_env, ref_env))
    max_lag_h = max_lag_n // hop
    base_h = pad // hop
    lags = [l for l in range(-max_lag_h, max_lag_h + 1)
            if 0 <= base_h + l and base_h + l + len(ref_env) <= len(rec_env)]

    def env_score(r, s, l):
        return ncc(r, e_ref, s, base_h + l)

    coarse = local_peaks(search(ref_env, rec_env, lags, env_score),
                         max(2, int(0.020 / COARSE_HOP_S)), 3)

    # 2. Medium: the waveform decimated to about 2 kHz, +-2 coarse hops.
    factor = max(1, rate // 2000)
    ref_d = decimate(ref_act, factor)
    rec_d = decimate(rec_pad, factor)
    e_ref_d = sum(map(operator.mul, ref_d, ref_d))
    base_d = pad // factor
    reach = 2 * hop // factor + 2
    medium = []
    for _, lh in coarse:
        centre = lh * hop // factor
        lags = [l for l in range(centre - reach, centre + reach + 1)
                if 0 <= base_d + l and base_d + l + len(ref_d) <= len(rec_d)]
        medium += search(ref_d, rec_d, lags,
                         lambda r, s, l: ncc(r, e_ref_d, s, base_d + l))[:1]
    medium.sort(reverse=True)

    # 3. Fine: full rate, +-(factor + 1) samples around the best two.
    e_ref_f = sum(map(operator.mul, ref_act, ref_act))
    fine = []
    for _, ld in medium[:2]:
        centre = ld * factor
        lags = [l for l in range(centre - factor - 1, centre + factor + 2)
                if 0 <= pad + l and pad + l + len(ref_act) <= len(rec_pad)]
        fine += search(ref_act, rec_pad, lags,
                       lambda r, s, l: ncc(r, e_ref_f, s, pad + l))[:1]
    fine.sort(reverse=True)
    if fine:
        return fine[0][1]
    if coarse:
        return coarse[0][1] * hop
    return 0


def block_scores(ref, rec, rate, lag, mode):
    """Score rec against ref block by block; return [(score, weight)].

    ref and rec are at rate, mean removed; lag (samples) is the best lag of
    the whole files, as best_lag finds it.  Blocks of BLOCK_S cover ref's
    active part (its 20 ms envelope at 5 ms hops within ACTIVE_DB of the
    peak, no margin); a last block shorter than half a block is left out.
    Each block's score is its best within BLOCK_REACH_S of lag, its weight
    its energy in ref."""
    env_ref, hop = envelope(ref, rate, ENV_WIN_S, BLOCK_HOP_S)
    peak = max(env_ref) if env_ref else 0.0
    if peak <= 0.0:
        return []
    thr = peak * 10 ** (ACTIVE_DB / 20)
    active = [i for i, v in enumerate(env_ref) if v > thr]
    s0, s1 = active[0] * hop, active[-1] * hop + int(ENV_WIN_S * rate)
    n = int(BLOCK_S * rate)
    blocks = [(b, min(b + n, s1)) for b in range(s0, s1, n)
              if min(b + n, s1) - b >= n // 2]

    reach = int(BLOCK_REACH_S * rate)
    pad = abs(lag) + reach + rate	# rec[i] is recp[pad + i], zeros around it
    recp = padded(rec, pad, 2 * pad + len(rec) + len(ref))
    if mode == "envelope":
        env_rec, _ = envelope(recp, rate, ENV_WIN_S, BLOCK_HOP_S)
    else:
        f = max(1, rate // 2000)	# coarse search at about 2 kHz
        recd = decimate(recp, f)
    out = []
    for b0, b1 in blocks:
        r = ref[b0:b1]
        e_r = sum(map(operator.mul, r, r))
        if mode == "corr":
            rd = decimate(r, f)
            e_rd = sum(map(operator.mul, rd, rd))
            lags = range(lag - reach, lag + reach + 1, f)
            coarse = search(rd, recd, lags, lambda a, s, l:
                            ncc(a, e_rd, s, (pad + b0 + l) // f))
            best = max(ncc(r, e_r, recp, pad + b0 + l)
                       for _, c in coarse[:2] for l in range(c - f, c + f + 1))
        else:
            i0, i1 = b0 // hop, b1 // hop
            base = (pad + b0) // hop
            best = max(pearson_equal(env_ref[i0:i1],
                                     env_rec[base + k:base + k + (i1 - i0)])
                       for k in range((lag - reach) // hop,
                                      (lag + reach) // hop + 1))
        out.append((best, e_r))
    return out


def main(argv):
    """Parse arguments, compare the two files, print and return the verdict."""
    ap = argparse.ArgumentParser(
        description="Compare a recording with a reference WAV.")
    ap.add_argument("ref")
    ap.add_argument("rec")
    ap.add_argument("--mode", choices=("corr", "envelope"), default="corr",
                    help="corr: waveform correlation (G.711); envelope: "
                    "20 ms RMS envelope correlation (vocoders)")
    ap.add_argument("--blocks", action="store_true",
                    help="score 0.25 s blocks, each aligned within 50 ms of "
                    "the best lag, and decide on their energy-weighted mean "
                    "(a concealed frame mid-call shifts the rest by 20 ms)")
    ap.add_argument("--min", type=float, default=0.9, dest="minimum",
                    help="lowest passing score (default 0.9)")
    ap.add_argument("--max-lag", type=float, default=2.5,
                    help="largest offset searched, seconds (default 2.5)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    try:
        ref, ref_rate = read_wav(args.ref)
        rec, rec_rate = read_wav(args.rec)
    except WavError as e:
        print("xcorr: %s" % e, file=sys.stderr)
        return 2
    rate = min(ref_rate, rec_rate)
    ref = remove_mean(resample_linear(ref, ref_rate, rate))
    rec = remove_mean(resample_linear(rec, rec_rate, rate))

    span = active_span(ref, rate)
    if span is None:
        print("xcorr: %s is silent" % args.ref, file=sys.stderr)
        return 2
    s0, s1 = span
    ref_act = ref[s0:s1]
    max_lag_n = int(args.max_lag * rate)
    # Lag L: ref[s0 + n] is heard at rec[s0 + L + n].  Pad so every lag
    # in range stays inside the array (silence where rec has nothing).
    pad = max_lag_n + s0 + 1
    total = pad + max(len(rec), s0 + len(ref_act)) + max_lag_n + 1
    rec_pad = padded(rec, pad - s0, total)	# rec_pad[pad + L + n] = rec[s0 + L + n]

    lag = best_lag(ref_act, rec_pad, rate, max_lag_n, pad)
    seg = rec_pad[pad + lag:pad + lag + len(ref_act)]
    if args.mode == "corr":
        e = sum(map(operator.mul, ref_act, ref_act))
        score = ncc(ref_act, e, seg, 0)
    else:
        env_a, _ = envelope(ref_act, rate, ENV_WIN_S, ENV_WIN_S / 4)
        env_b, _ = envelope(seg, rate, ENV_WIN_S, ENV_WIN_S / 4)
        n = min(len(env_a), len(env_b))
        score = pearson(env_a[:n], env_b[:n])

    if args.blocks:
        return report_blocks(args, ref, rec, rate, lag, score, span)

    passed = score >= args.minimum
    if not args.quiet:
        print("score=%.4f lag=%.4f s (%d samples at %d Hz) mode=%s "
              "span=%.2f-%.2f s min=%.2f %s"
              % (score, lag / rate, lag, rate, args.mode, s0 / rate,
                 s1 / rate, args.minimum, "PASS" if passed else "FAIL"))
    return 0 if passed else 1


def report_blocks(args, ref, rec, rate, lag, whole, span):
    """Score by blocks (--blocks), print and return the verdict."""
    scored = block_scores(ref, rec, rate, lag, args.mode)
    if not scored:
        print("xcorr: %s: no block of %.2f s in the active part"
              % (args.ref, BLOCK_S), file=sys.stderr)
        return 2
    weight = sum(w for _, w in scored)
    score = sum(s * w for s, w in scored) / weight if weight > 0.0 else 0.0
    passed = score >= args.minimum
    if not args.quiet:
        print("score=%.4f lag=%.4f s (%d samples at %d Hz) mode=%s "
              "span=%.2f-%.2f s blocks=%d of %.2f s, each within %.2f s "
              "of the lag, lowest %.2f whole=%.4f min=%.2f %s"
              % (score, lag / rate, lag, rate, args.mode, span[0] / rate,
                 span[1] / rate, len(scored), BLOCK_S, BLOCK_REACH_S,
                 min(s for s, _ in scored), whole, args.minimum,
                 "PASS" if passed else "FAIL"))
        print("blocks: " + " ".join("%.2f" % s for s, _ in scored))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
