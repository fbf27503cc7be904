#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# termphone benchmarks: CPU per call-minute (PCMU, Speex WB), peak RSS idle
# and in a call, and INVITE -> 200 OK call set-up time on loopback.
#
# Two termphone instances talk over 127.0.0.1 with file audio: the caller
# runs --null-audio --play=FILE, the callee --auto-answer --null-audio.
# Then bench/floor (built by make) measures the floor under those CPU
# figures: a bare loop that wakes every 20 ms and moves one packet over
# loopback, with and without the codec, and nothing else.
# Needs only what contrib/install-deps.sh installs (bash, python3, sox,
# espeak-ng, procps; tshark for microsecond set-up times).
#
# Usage: bench/run.sh [--quick] [--call-secs=N] [--setup-calls=N]
#                     [--port=BASE] [--out=DIR] [--termphone=PATH] [--no-tshark]
#                     [--floor=PATH]
#
# See bench/RESULTS.md for what the numbers mean and past results.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

call_secs=60
setup_calls=20
base_port=15160
out=
termphone=$top/termphone
floor=$top/bench/floor
use_tshark=1

usage() {
	sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

for arg in "$@"; do
	case $arg in
	--quick) call_secs=10 setup_calls=5 ;;
	--call-secs=*) call_secs=${arg#*=} ;;
	--setup-calls=*) setup_calls=${arg#*=} ;;
	--port=*) base_port=${arg#*=} ;;
	--out=*) out=${arg#*=} ;;
	--termphone=*) termphone=${arg#*=} ;;
	--floor=*) floor=${arg#*=} ;;
	--no-tshark) use_tshark=0 ;;
	-h | --help) usage 0 ;;
	*) echo "run.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done
for v in "call_secs:$call_secs" "setup_calls:$setup_calls" "port:$base_port"; do
	case ${v#*:} in
	'' | *[!0-9]*) echo "run.sh: bad value '${v#*:}' for ${v%%:*}" >&2; exit 2 ;;
	esac
done
if [ "$call_secs" -lt 2 ] || [ "$setup_calls" -lt 1 ] ||
    [ "$base_port" -lt 1024 ] || [ "$base_port" -gt 65000 ]; then
	echo "run.sh: need call-secs >= 2, setup-calls >= 1, 1024 <= port <= 65000" >&2
	exit 2
fi
if [ ! -x "$termphone" ]; then
	echo "run.sh: no termphone binary at '$termphone' (build it: make termphone)" >&2
	exit 2
fi
if [ ! -x "$floor" ]; then
	echo "run.sh: no floor binary at '$floor' (build it: make bench/floor)" >&2
	exit 2
fi
for tool in python3 sox espeak-ng ps; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "run.sh: '$tool' is missing (run contrib/install-deps.sh)" >&2
		exit 2
	fi
done
if [ "$use_tshark" = 1 ] && ! command -v tshark >/dev/null 2>&1; then
	echo "run.sh: tshark missing: set-up times from the events (1 ms resolution)" >&2
	use_tshark=0
fi

if [ -n "$out" ]; then
	mkdir -p "$out"
	work=$(cd "$out" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/termphone-bench.XXXXXX")
	keep=0
fi

driver_pid=
cleanup() {
	local pid comm
	trap - EXIT INT TERM
	if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
		kill -TERM "$driver_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$driver_pid" 2>/dev/null || break
			sleep 0.5
		done
	fi
	# Anything the driver started and did not stop (it writes their ids).
	if [ -f "$work/pids" ]; then
		while read -r pid; do
			comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
			case $comm in
			termphone | tshark | dumpcap) kill -KILL "$pid" 2>/dev/null || true ;;
			esac
		done <"$work/pids"
	fi
	if [ "$keep" = 0 ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run a private copy: other people may rebuild the tree's binary meanwhile.
mkdir -p "$work/bin"
cp "$termphone" "$work/bin/termphone"
cp "$floor" "$work/bin/floor"
floor=$work/bin/floor
termphone_src=$termphone
termphone=$work/bin/termphone

# Keep any user config, history or log out of the measurement.
export XDG_CONFIG_HOME=$work/xdg-config XDG_STATE_HOME=$work/xdg-state
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

# Speech for the whole call, 16 kHz mono (termphone's internal rate, so the
# file itself is not resampled; PCMU still resamples 16 <-> 8 kHz inside).
espeak-ng -s 150 -w "$work/phrase.wav" \
    "This is the termphone benchmark. One two three four five six seven \
eight nine ten. The quick brown fox jumps over the lazy dog." 2>/dev/null
phrase_secs=$(soxi -D "$work/phrase.wav")
reps=$(python3 -c "import math,sys; print(math.ceil(($call_secs + 10) / float(sys.argv[1])))" \
    "$phrase_secs")
sox "$work/phrase.wav" -r 16000 -c 1 -b 16 "$work/play.wav" repeat "$reps" 2>/dev/null

# The machine, and what else is running on it.
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host: $(uname -n)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cores: $(nproc)"
	echo "ram: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "debian: $(cat /etc/debian_version 2>/dev/null || echo '?')"
	echo "termphone: $("$termphone" --version 2>/dev/null | head -n 1)," \
	    "commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(
	    git -C "$top" diff --quiet HEAD -- src ui 2>/dev/null || echo ' (+ local changes in src/ ui/)')"
	echo "binary: copy of $termphone_src, sha256 $(sha256sum "$termphone" | cut -c1-16)," \
	    "built $(date -u -r "$termphone_src" '+%Y-%m-%d %H:%M:%S UTC')"
	echo "command: $0 $*"
	echo "clk_tck: $(getconf CLK_TCK)"
} >"$work/machine.txt"
cpu_busy() {	# % of all cores busy over 2 s, from /proc/stat
	local a b
	a=$(head -n 1 /proc/stat)
	sleep 2
	b=$(head -n 1 /proc/stat)
	echo "$a $b" | awk '{ for (i = 2; i <= 9; i++) { t1 += $i; t2 += $(i + 11) }
	    i1 = $5 + $6; i2 = $16 + $17
	    printf "%.0f%% busy (steal %.0f%%)", 100 * ((t2 - t1) - (i2 - i1)) / (t2 - t1),
	    100 * ($20 - $9) / (t2 - t1) }'
}
load_snapshot() {
	echo "uptime: $(uptime | sed 's/^ *//'); all cores over 2 s: $(cpu_busy)"
	ps -eo pid,pcpu,comm --sort=-pcpu | head -n 8 | sed 's/^/  /'
}
load_snapshot >"$work/load-before.txt"

python3 - "$work" "$termphone" "$call_secs" "$setup_calls" "$base_port" \
    "$use_tshark" "$(getconf CLK_TCK)" <<'PY' &
"""Drive the termphone instances, sample /proc, write results.json."""
import json, os, signal, statistics, subprocess, sys, threading, time

work, termphone = sys.argv[1], sys.argv[2]
call_secs, setup_calls, base_port = map(int, sys.argv[3:6])
use_tshark, clk_tck = sys.argv[6] == "1", int(sys.argv[7])
PORT_CALLEE, PORT_CALLER, PORT_IDLE = base_port, base_port + 2, base_port + 4
TICK = 0.05                     # s between /proc samples during a call
children = []                   # Popen objects still to stop


def on_term(signum, frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, on_term)


def log(msg):
    print("  " + msg, file=sys.stderr, flush=True)


def note_pid(pid):
    with open(os.path.join(work, "pids"), "a") as f:
        f.write("%d\n" % pid)


class Proc:
    """One child; its stdout JSON events are collected with arrival times."""

    def __init__(self, name, argv, stdin=subprocess.DEVNULL):
        self.name, self.events, self.rusage, self.exit = name, [], None, None
        self.cond = threading.Condition()
        self.out = open(os.path.join(work, name + ".out"), "w")
        self.err = open(os.path.join(work, name + ".err"), "w")
        self.t_start = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True, bufsize=1)
        self.pid = self.p.pid
        note_pid(self.pid)
        children.append(self)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            t = time.monotonic()
            self.out.write(line)
            self.out.flush()
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                self.events.append((t, ev))
                self.cond.notify_all()

    def find(self, pred, since=0):
        with self.cond:
            for i, (t, ev) in enumerate(self.events[since:], since):
                if pred(ev):
                    return i, t, ev
        return None

    def wait_event(self, pred, timeout, since=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                r = self.find(pred, since)
                if r is not None or self.reap():
                    return r
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.1))

    def reap(self):
        """True once the process has exited; keeps its rusage (wait4)."""
        if self.rusage is not None:
            return True
        try:
            pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False
        self.rusage, self.t_end = ru, time.monotonic()
        self.exit = os.waitstatus_to_exitcode(status)
        self.p.returncode = self.exit
        return True

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.reap():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def stop(self, timeout=5):
        if not self.reap():
            try:
                if self.p.stdin:
                    self.send("quit")
            except (BrokenPipeError, OSError, ValueError):
                pass
            if not self.wait_exit(timeout):
                self.p.terminate()
                if not self.wait_exit(3):
                    self.p.kill()
                    self.wait_exit(3)
        if self in children:
            children.remove(self)


def port_bound(port):
    """True when something listens on 127.0.0.1:port over UDP."""
    want = "0100007F:%04X" % port
    with open("/proc/net/udp") as f:
        return any(line.split()[1] == want for line in list(f)[1:])


def port_in_use(port):
    for table in ("/proc/net/udp", "/proc/net/tcp"):
        with open(table) as f:
            for line in list(f)[1:]:
                if line.split()[1].endswith(":%04X" % port):
                    return True
    return False


def wait_bound(proc, port, timeout=10):
    deadline = time.monotonic() + timeout
    while not port_bound(port):
        if proc.reap() or time.monotonic() >= deadline:
            raise RuntimeError("%s did not bind 127.0.0.1:%d (see %s.err)"
                               % (proc.name, port, proc.name))
        time.sleep(0.02)


def stat_fields(path):
    with open(path) as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()   # fields from 3 (state) on


def sample(pid):
    """CPU ticks, VmHWM/VmRSS (kB), per-thread CPU; None once it is gone."""
    try:
        st = stat_fields("/proc/%d/stat" % pid)
        s = {"t": time.monotonic(), "ticks": int(st[11]) + int(st[12])}
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    s[line[:5]] = int(line.split()[1])
        threads = {}
        for tid in os.listdir("/proc/%d/task" % pid):
            base = "/proc/%d/task/%s/" % (pid, tid)
            try:
                tst = stat_fields(base + "stat")
                with open(base + "schedstat") as f:
                    ns = int(f.read().split()[0])
                try:
                    with open(base + "syscall") as f:
                        sc = f.read().split()[0]
                except OSError:
                    sc = "?"
            except (OSError, IndexError):
                continue
            threads[int(tid)] = {"ticks": int(tst[11]) + int(tst[12]),
                                 "ns": ns, "start": int(tst[19]), "sc": sc}
        s["threads"] = threads
        # /proc/PID/schedstat is the main thread's alone: sum the threads.
        s["ns"] = sum(t["ns"] for t in threads.values())
        return s
    except (OSError, ValueError, IndexError):
        return None


def machine_cpu():
    """(busy, total, steal) jiffies over all CPUs from /proc/stat; steal is
    time the hypervisor ran something else while a vCPU wanted to run."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8]), v[7]


def thread_label(pid, tid, infos, order):
    """Name a thread by where it waits (x86-64 syscall numbers): the media
    thread's clock loop sits in ppoll (271), Sofia's nua stack thread in
    epoll_wait/epoll_pwait (232/281) like the main loop."""
    calls = {i["sc"] for i in infos if i}
    if tid == pid:
        return "main"
    if "271" in calls:
        return "media"
    if calls & {"232", "281"}:
        return "sofia"
    return "thread%d" % order


def per_thread(pid, s0, s1, wall):
    out = {}
    order = sorted(s1["threads"], key=lambda t: (s1["threads"][t]["start"], t))
    for n, tid in enumerate(order, 1):
        a, b = s0["threads"].get(tid), s1["threads"][tid]
        label = thread_label(pid, tid, (a, b), n)
        ticks = b["ticks"] - (a["ticks"] if a else 0)
        ns = b["ns"] - (a["ns"] if a else 0)
        out["%s(%d)" % (label, tid)] = {
            "cpu_s_per_min": round(ticks / clk_tck / wall * 60, 4),
            "sched_s_per_min": round(ns / 1e9 / wall * 60, 4)}
    return out


def termphone_argv(name, port, *extra):
    return [termphone, "--headless", "--events=json", "--null-audio",
            "--listen=127.0.0.1:%d" % port,
            "--log=" + os.path.join(work, name + ".log")] + list(extra)


def is_state(state):
    return lambda ev: ev.get("event") == "call_state" and ev.get("state") == state


def bench_call(codec):
    """One call of call_secs; CPU in the connected window, RSS while it runs."""
    tag = codec.replace("-", "")
    log("%s call, %d s ..." % (codec, call_secs))
    callee = Proc("callee-" + tag, termphone_argv(
        "callee-" + tag, PORT_CALLEE, "--auto-answer", "--exit-after-call",
        "--codecs=" + codec))
    wait_bound(callee, PORT_CALLEE)
    caller = Proc("caller-" + tag, termphone_argv(
        "caller-" + tag, PORT_CALLER, "--codecs=" + codec,
        "--play=" + os.path.join(work, "play.wav"),
        "--hangup-after=%d" % call_secs, "--exit-after-call",
        "sip:bench@127.0.0.1:%d" % PORT_CALLEE))
    procs = {"caller": caller, "callee": callee}
    start = end = None
    history = []                # recent complete samples, oldest first
    hwm = {k: 0 for k in procs}
    mstart = mend = None
    deadline = time.monotonic() + call_secs + 40
    while time.monotonic() < deadline:
        alive = {k: not p.reap() for k, p in procs.items()}
        ending = [p.find(lambda ev: ev.get("event") == "call_state" and
                         ev.get("state") in ("ending", "ended")) for p in procs.values()]
        ending = [r[1] for r in ending if r is not None]
        if start is not None and end is None and ending:
            # The last samples taken before the call started to end.
            t_end = min(ending)
            before = [h for h in history
                      if all(h[k]["t"] < t_end for k in procs)]
            if not before or before[-1] is start:
                break
            end = before[-1]
        if not any(alive.values()):
            break
        now = {k: sample(p.pid) for k, p in procs.items() if alive[k]}
        for k, s in now.items():
            if s is not None:
                hwm[k] = max(hwm[k], s.get("VmHWM", 0))
        complete = all(now.get(k) for k in procs)
        if start is None and not ending and complete and all(
                p.find(is_state("connected")) for p in procs.values()):
            start, mstart = now, machine_cpu()
        elif start is not None and end is None and not ending:
            mend = machine_cpu()
        if complete:
            history = history[-4:] + [now]
        time.sleep(TICK)
    for p in procs.values():
        if not p.wait_exit(10):
            log("%s did not exit after the call; stopping it" % p.name)
        p.stop()
    res = {"codec": codec}
    con = caller.find(is_state("connected"))
    if start is None or end is None or con is None:
        raise RuntimeError("%s call: no clean connected..ending window "
                           "(see %s and %s in %s)" % (codec, caller.name,
                                                       callee.name, work))
    res["negotiated"] = con[2].get("codec")
    for k, p in procs.items():
        s0, s1 = start[k], end[k]
        wall = s1["t"] - s0["t"]
        cpu = (s1["ticks"] - s0["ticks"]) / clk_tck
        ru = p.rusage
        last_stats = [ev for _, ev in p.events if ev.get("event") == "media_stats"]
        res[k] = {
            "window_s": round(wall, 3),
            "cpu_s": cpu,
            "cpu_s_per_min": round(cpu / wall * 60, 4),
            "sched_s_per_min": round((s1["ns"] - s0["ns"]) / 1e9 / wall * 60, 4),
            "threads": per_thread(p.pid, s0, s1, wall),
            "vmhwm_in_call_kb": hwm[k],
            # (Not ru_maxrss: a child's counts the forking python's RSS.)
            "total_cpu_s": round(ru.ru_utime + ru.ru_stime, 3) if ru else None,
            "total_user_s": round(ru.ru_utime, 3) if ru else None,
            "total_sys_s": round(ru.ru_stime, 3) if ru else None,
            "lifetime_s": round(p.t_end - p.t_start, 3) if ru else None,
            "exit": p.exit,
            "last_media_stats": last_stats[-1] if last_stats else None,
        }
    mb, mt, ms = (mend[i] - mstart[i] for i in range(3))
    res["machine_busy_pct"] = round(100.0 * mb / mt, 1) if mt else None
    res["machine_steal_pct"] = round(100.0 * ms / mt, 1) if mt else None
    res["mean_cpu_s_per_min"] = round(
        (res["caller"]["cpu_s_per_min"] + res["callee"]["cpu_s_per_min"]) / 2, 4)
    return res


def bench_idle():
    log("idle RSS ...")
    p = Proc("idle", termphone_argv("idle", PORT_IDLE), stdin=subprocess.PIPE)
    wait_bound(p, PORT_IDLE)
    time.sleep(max(0.0, 2.0 - (time.monotonic() - p.t_start)))
    s = sample(p.pid)
    p.stop()
    if s is None:
        raise RuntimeError("the idle instance exited early (see idle.err)")
    return {"after_s": 2.0, "vmhwm_kb": s["VmHWM"], "vmrss_kb": s["VmRSS"],
            "cpu_s": s["ticks"] / clk_tck}


def tshark_times(pcap):
    r = subprocess.run(
        ["tshark", "-r", pcap, "-d", "udp.port==%d,sip" % PORT_CALLEE,
         "-Y", "sip", "-T", "fields", "-E", "separator=\t",
         "-e", "frame.time_epoch", "-e", "sip.Call-ID", "-e", "sip.Method",
         "-e", "sip.Status-Code", "-e", "sip.CSeq.method"],
        capture_output=True, text=True, timeout=60)
    invite, ok, retrans = {}, {}, 0
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 5:
            continue
        t, cid, method, status, cseq = float(f[0]), f[1], f[2], f[3], f[4]
        if method == "INVITE":
            if cid in invite:
                retrans += 1
            else:
                invite[cid] = t
        elif status == "200" and cseq == "INVITE" and cid not in ok:
            ok[cid] = t
    return [ok[c] - invite[c] for c in invite if c in ok], retrans


def bench_setup():
    log("call set-up, %d calls ..." % setup_calls)
    tshark = None
    pcap = os.path.join(work, "setup.pcapng")
    if use_tshark:
        terr = open(os.path.join(work, "tshark.err"), "w+")
        tshark = subprocess.Popen(
            ["tshark", "-q", "-i", "lo", "-f", "udp port %d" % PORT_CALLEE,
             "-a", "duration:%d" % (60 + 10 * setup_calls), "-w", pcap],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terr)
        note_pid(tshark.pid)
        deadline = time.monotonic() + 15
        while True:
            terr.seek(0)
            if "Capturing on" in terr.read():
                break
            if tshark.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tshark did not start (see tshark.err)")
            time.sleep(0.05)
    callee = Proc("setup-callee", termphone_argv(
        "setup-callee", PORT_CALLEE, "--auto-answer"), stdin=subprocess.PIPE)
    caller = Proc("setup-caller", termphone_argv(
        "setup-caller", PORT_CALLER), stdin=subprocess.PIPE)
    wait_bound(callee, PORT_CALLEE)
    wait_bound(caller, PORT_CALLER)
    ev_times = []
    m0 = machine_cpu()
    try:
        for n in range(1, setup_calls + 1):
            mark = len(caller.events)
            caller.send("dial sip:bench@127.0.0.1:%d" % PORT_CALLEE)
            r = caller.wait_event(is_state("connected"), 10, mark)
            if r is None or r[2].get("call") != n:
                raise RuntimeError("set-up call %d did not connect (see "
                                   "setup-caller.out)" % n)
            inv = caller.find(lambda ev: ev.get("event") == "sip_message" and
                              ev.get("dir") == "sent" and ev.get("summary") == "INVITE", mark)
            ok = caller.find(lambda ev: ev.get("event") == "sip_message" and
                             ev.get("dir") == "received" and ev.get("method") == "INVITE"
                             and str(ev.get("summary", "")).startswith("200"), mark)
            if inv and ok:
                ev_times.append(ok[2]["time"] - inv[2]["time"])
            time.sleep(0.2)
            caller.send("hangup")
            if caller.wait_event(is_state("ended"), 10, mark) is None:
                raise RuntimeError("set-up call %d did not end" % n)
            time.sleep(0.2)
        m1 = machine_cpu()
    finally:
        caller.stop()
        callee.stop()
        if tshark is not None:
            time.sleep(0.3)
            tshark.send_signal(signal.SIGINT)
            try:
                tshark.wait(10)
            except subprocess.TimeoutExpired:
                tshark.kill()
                tshark.wait(5)
    res = {"calls": setup_calls, "codecs": "default (speex-wb,speex-nb,PCMU,PCMA)"}
    mb, mt, ms = (m1[i] - m0[i] for i in range(3))
    res["machine_busy_pct"] = round(100.0 * mb / mt, 1) if mt else None
    res["machine_steal_pct"] = round(100.0 * ms / mt, 1) if mt else None

    def summary(xs):
        xs = sorted(xs)
        return {"n": len(xs), "median_ms": round(statistics.median(xs) * 1e3, 3),
                "min_ms": round(xs[0] * 1e3, 3), "max_ms": round(xs[-1] * 1e3, 3),
                "all_ms": [round(x * 1e3, 3) for x in xs]} if xs else None

    res["events"] = summary(ev_times)
    if tshark is not None:
        xs, retrans = tshark_times(pcap)
        res["tshark"] = summary(xs)
        res["tshark_invite_retransmissions"] = retrans
    return res


def main():
    for port in (PORT_CALLEE, PORT_CALLER, PORT_IDLE):
        if port_in_use(port):
            raise RuntimeError("port %d is in use on this machine; pick "
                               "another base with --port=" % port)
    results = {"call_secs": call_secs, "setup_calls": setup_calls,
               "clk_tck": clk_tck, "sample_interval_s": TICK}
    results["idle"] = bench_idle()
    results["calls"] = [bench_call("PCMU"), bench_call("speex-wb")]
    results["setup"] = bench_setup()
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


try:
    main()
except RuntimeError as e:
    print("run.sh: " + str(e), file=sys.stderr)
    sys.exit(1)
finally:
    for p in list(children):
        try:
            p.stop(2)
        except Exception:
            pass
PY
driver_pid=$!
wait "$driver_pid" || { rc=$?; driver_pid=; echo "run.sh: benchmark failed (files in $work)" >&2; keep=1; exit "$rc"; }
driver_pid=

# The floor: the same 20 ms pacing and codec, without termphone around it.
floor_secs=$((call_secs < 30 ? call_secs : 30))
sox "$work/play.wav" -r 8000 "$work/play8k.wav" 2>/dev/null
echo "  floor, ${floor_secs} s per mode ..." >&2
"$floor" --secs="$floor_secs" --codec=speex-wb --file="$work/play.wav" \
    >"$work/floor-speexwb.txt"
"$floor" --secs="$floor_secs" --codec=PCMU --modes=rtp,codec,hot \
    --file="$work/play8k.wav" >"$work/floor-pcmu.txt"

load_snapshot >"$work/load-after.txt"

# The summary table.
python3 - "$work" "$keep" <<'PY'
import json, os, sys
work, keep = sys.argv[1], sys.argv[2] == "1"
r = json.load(open(os.path.join(work, "results.json")))
machine = open(os.path.join(work, "machine.txt")).read()
mib = lambda kb: "%.2f MiB (%d kB)" % (kb / 1024.0, kb)
print()
print("termphone benchmark")
print("".join("  " + l + "\n" for l in machine.splitlines()), end="")
print("  load before: " + open(os.path.join(work, "load-before.txt")).readline().strip())
print("  load after:  " + open(os.path.join(work, "load-after.txt")).readline().strip())
print()
print("1. CPU per call-minute, utime+stime in the connected window (%d s call)" % r["call_secs"])
print("   %-9s %-12s %7s %7s %7s  %7s  %s" % ("codec", "negotiated", "caller", "callee",
      "mean", "window", "all cores in the window: busy (of which steal)"))
for c in r["calls"]:
    print("   %-9s %-12s %7.3f %7.3f %7.3f  %6.1fs  %s%% (%s%%)" % (
        c["codec"], c["negotiated"], c["caller"]["cpu_s_per_min"],
        c["callee"]["cpu_s_per_min"], c["mean_cpu_s_per_min"],
        c["caller"]["window_s"], c["machine_busy_pct"], c.get("machine_steal_pct")))
w = r["calls"][0]["caller"]["window_s"]
print("   (utime+stime tick is 1/%d s: resolution %.3f CPU-s per call-minute in a %.0f s window)" % (
    r["clk_tck"], 60.0 / r["clk_tck"] / w, w))
print("   cross-check, run time in ns from /proc/PID/task/*/schedstat, per call-minute:")
for c in r["calls"]:
    print("     %-9s caller %.3f, callee %.3f" % (c["codec"], c["caller"]["sched_s_per_min"],
          c["callee"]["sched_s_per_min"]))
print("   whole process, start-up and teardown included (user+sys CPU-s / lifetime):")
for c in r["calls"]:
    print("     %-9s caller %.3f s / %.1f s, callee %.3f s / %.1f s" % (
        c["codec"], c["caller"]["total_cpu_s"], c["caller"]["lifetime_s"],
        c["callee"]["total_cpu_s"], c["callee"]["lifetime_s"]))
print("   per thread (schedstat run time, CPU-s per call-minute):")
for c in r["calls"]:
    for k in ("caller", "callee"):
        th = ", ".join("%s %.3f" % (n.split("(")[0], v["sched_s_per_min"])
                       for n, v in c[k]["threads"].items())
        print("     %-9s %-7s %s" % (c["codec"], k, th))
print()
print("2. Memory")
i = r["idle"]
print("   idle, %.0f s after start:  VmHWM %s, VmRSS %s" % (i["after_s"], mib(i["vmhwm_kb"]), mib(i["vmrss_kb"])))
for c in r["calls"]:
    print("   %-9s call VmHWM:      caller %s, callee %s" % (c["codec"], mib(c["caller"]["vmhwm_in_call_kb"]),
          mib(c["callee"]["vmhwm_in_call_kb"])))
print()
s = r["setup"]
print("3. INVITE -> 200 OK on loopback, %d calls (all cores meanwhile: %s%% busy, steal %s%%)" % (
    s["calls"], s.get("machine_busy_pct"), s.get("machine_steal_pct")))
if s.get("tshark"):
    t = s["tshark"]
    print("   tshark (packet times on lo): median %.3f ms, min %.3f, max %.3f (n=%d, INVITE retransmissions %d)" % (
        t["median_ms"], t["min_ms"], t["max_ms"], t["n"], s["tshark_invite_retransmissions"]))
if s.get("events"):
    e = s["events"]
    print("   caller's sip_message events (1 ms resolution): median %.3f ms, min %.3f, max %.3f (n=%d)" % (
        e["median_ms"], e["min_ms"], e["max_ms"], e["n"]))
print()
floor = {}
for tag, name in (("speexwb", "speex-wb"), ("pcmu", "PCMU")):
    for line in open(os.path.join(work, "floor-%s.txt" % tag)):
        if not line.startswith("#"):
            mode, per_min, us = line.split()
            floor[(name, mode)] = (float(per_min), float(us))
print("4. The floor: bench/floor, the same 20 ms pacing on this machine with nothing else")
print("   CPU-s per call-minute (us per 20 ms frame); modes take turns a second at a time")
print("   %-42s %-16s %s" % ("", "PCMU run", "speex-wb run"))
def cell(name, mode):
    v = floor.get((name, mode))
    return "%.3f (%.1f us)" % v if v else "-"
for mode, what in (("wake", "wake every 20 ms only"),
                   ("rtp", "+ one 172-byte datagram each way on lo"),
                   ("codec", "+ encode and decode one frame of speech"),
                   ("hot", "the codec alone, back to back (warm)")):
    print("   %-42s %-16s %s" % (what, cell("PCMU", mode), cell("speex-wb", mode)))
print()
pcmu = next(c for c in r["calls"] if c["codec"] == "PCMU")
swb = next(c for c in r["calls"] if c["codec"] == "speex-wb")
setup = (s.get("tshark") or s.get("events"))["median_ms"]
def verdict(ok):
    return "MET" if ok else "NOT MET"
print("Targets")
print("   idle RSS < 8 MB:              %-7s (VmRSS %.2f MiB, VmHWM %.2f MiB)" % (
    verdict(i["vmrss_kb"] < 8192 and i["vmhwm_kb"] < 8192), i["vmrss_kb"] / 1024, i["vmhwm_kb"] / 1024))
for c, lim in ((pcmu, 0.4), (swb, 0.6)):
    worst = max(c["caller"]["cpu_s_per_min"], c["callee"]["cpu_s_per_min"])
    print("   %-9s < %.1f CPU-s/min:  %-7s (worst process %.3f, mean %.3f; floor %.3f)" % (
        c["codec"], lim, verdict(worst < lim), worst, c["mean_cpu_s_per_min"],
        floor[(c["codec"], "codec")][0]))
print("   median set-up < 3 ms:         %-7s (%.3f ms)" % (verdict(setup < 3.0), setup))
print()
if keep:
    print("   raw results and logs: %s" % work)
else:
    print("   (raw results.json and logs are removed on exit; keep them with --out=DIR)")
PY
