#!/usr/bin/env python3
"""make bench, second half: guest boot and workload times, native vs hvscope.

Each measurement boots a guest twice on the same QEMU, once natively (QEMU +
OpenSBI, the guest as OpenSBI's payload) and once as the only VM under
hvscope, with the same vCPU count and guest RAM, and compares:

  wall  seconds from starting QEMU (or from typing the command) to the marker
  cpu   QEMU's own CPU time over the same interval: user+sys of the QEMU
        process (all its threads) from /proc/PID/stat, read when the marker
        arrives, before QEMU is killed.  On a shared machine this is the
        steadier measure: it does not grow when QEMU waits for a core.

Rows:
  xv6 boot        to the first `$ ` (1 vCPU, 128M, a temporary copy of fs.img)
  xv6 usertests   `usertests -q` to `ALL TESTS PASSED`, right after that boot
  linux boot      Debian's Image + the busybox initramfs to the shell prompt
                  after `hvscope-initramfs: ready` (2 vCPUs, 256M)
  trace on/off    xv6 usertests -q under hvscope with the trace file on
                  (hvscope.tracefile=on, as `make run TRACE=on`) vs off, and
                  the file's bytes per exit (docs/tracing.md)

Boots are repeated (--boots, default 3, alternating native and hvscope so a
change in the machine's load hits both) and the medians compared; the xv6
boot row also counts the boot before usertests.  The inputs (hvscope.bin,
kernel, fs.img, Image, initramfs) are copied to a private directory first.

Under hvscope the script also prints `hv> stats 1` after the boot and after
usertests (counters reset in between) and after the last Linux boot, which
shows what the exits are.

Targets (issues 4 and 8), judged on the CPU-time ratio: usertests <= 1.25x,
xv6 boot <= 1.5x, Linux boot <= 1.5x; and (issue 17) usertests with the trace
file on <= 1.15x of the same run with it off.  The wall ratio is printed next to it.
Exit status 1 when a target is missed or a row could not be measured.

Every QEMU runs with a timeout and is killed by its PID (SIGTERM, then
SIGKILL); transcripts go to <build>/bench/*.log.
"""
import argparse
import hashlib
import os
import re
import shutil
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import pexpect
except ImportError:
    sys.exit(f"bench_boot: {sys.executable} has no pexpect (apt install python3-pexpect)")

REPO = Path(__file__).resolve().parents[1]
BUNDLE_ADDR = "0x84000000"
CTRL_T = "\x14"
XV6_PROMPT = r"(?:^|\n)\$ "
LINUX_READY = r"hvscope-initramfs: ready \([^\r\n]*\)"
LINUX_PROMPT = r"[#$] "
# Targets of issue 18: the boots and usertests by their deterministic
# instruction counts, the Linux boot by QEMU's CPU time.
TARGETS = {"xv6 boot": ("icount", 1.1), "xv6 usertests -q": ("icount", 1.05), "linux boot": ("cpu", 1.3)}
TARGET_SCALE = 0.9
KEYS = {"xv6 boot": "xv6_boot", "xv6 usertests -q": "usertests", "linux boot": "linux_boot"}


def write_results(path, values):
    """Merge values into the results file (scripts/bench.py writes its own keys)."""
    if not path:
        return
    path = Path(path)
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        old = {}
    old.update({k: (round(v, 4) if isinstance(v, float) else v) for k, v in values.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")
TRACE_TARGET = 1.15
CLK_TCK = os.sysconf("SC_CLK_TCK")


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def cpu_seconds(pid):
    """user+sys of process PID (the sum over its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Mark:
    """A point (or interval) of one run: wall and CPU seconds, and with
    -icount the instructions QEMU has executed on all harts (None without)."""

    def __init__(self, wall, cpu, icount=None):
        self.wall, self.cpu, self.icount = wall, cpu, icount

    def __sub__(self, other):
        icount = None if self.icount is None else self.icount - other.icount
        return Mark(self.wall - other.wall, self.cpu - other.cpu, icount)


class Qmp:
    """QEMU's QMP on a unix socket: the instruction count of an -icount run."""

    def __init__(self, path):
        self.path = path
        self.f = None

    def ask(self, command):
        if self.f is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(10)
            sock.connect(str(self.path))
            self.f = sock.makefile("rw")
            self.f.readline()                       # the greeting
            self.ask("qmp_capabilities")
        self.f.write(json.dumps({"execute": command}) + "\n")
        self.f.flush()
        while True:
            reply = json.loads(self.f.readline())
            if "return" in reply or "error" in reply:
                return reply.get("return")

    def icount(self):
        """Instructions executed on all harts so far (query-replay works
        without record/replay whenever -icount is on)."""
        return int(self.ask("query-replay")["icount"])


class Qemu:
    """One QEMU on a pty; close() kills it by PID."""

    def __init__(self, args, log_path, qmp=None):
        self.qmp = Qmp(qmp) if qmp else None
        if qmp:
            args = args + ["-qmp", f"unix:{qmp},server=on,wait=off"]
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.log.write("# " + " ".join(args) + "\n")
        self.t0 = time.monotonic()
        self.child = pexpect.spawn(args[0], args[1:], encoding="utf-8", codec_errors="replace",
                                   dimensions=(50, 200), timeout=60)
        self.child.logfile_read = self.log
        self.pid = self.child.pid
        self.log_path = log_path

    def mark(self, stop=False):
        """Now.  With -icount, stop=True also pauses the guest first, so an
        end mark counts no instruction run after the marker arrived."""
        wall, cpu = time.monotonic() - self.t0, cpu_seconds(self.pid)
        icount = None
        if self.qmp:
            if stop:
                self.qmp.ask("stop")
            icount = self.qmp.icount()
        return Mark(wall, cpu, icount)

    def expect(self, pattern, timeout, exact=False):
        try:
            if exact:
                self.child.expect_exact(pattern, timeout=timeout)
            else:
                self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            raise RuntimeError(f"timeout after {timeout}s waiting for {pattern!r} (log: {self.log_path})")
        except pexpect.EOF:
            tail = " | ".join(self.child.before.strip().splitlines()[-2:])
            raise RuntimeError(f"QEMU exited waiting for {pattern!r}: {tail} (log: {self.log_path})")
        return self.child

    def send(self, text):
        self.child.send(text)

    def close(self):
        try:
            for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
                if not self.child.isalive():
                    break
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + grace
                while self.child.isalive() and time.monotonic() < deadline:
                    time.sleep(0.05)
            try:
                self.child.read_nonblocking(size=1 << 20, timeout=0)
            except (pexpect.TIMEOUT, pexpect.EOF, OSError):
                pass
            self.child.close(force=True)
        finally:
            self.log.close()


class Bench:
    def __init__(self, a):
        self.a = a
        self.build = Path(a.build).resolve()
        self.logdir = self.build / "bench"
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix="hvbench-"))
        self.rows = []          # (name, native Mark | None, hv Mark | None, note)
        self.stats = []         # (title, text)
        self.starts = {}        # "xv6"/"linux" -> Marks at `vm1: ... started` under hvscope
        self.trace_row = None   # ((off Mark, None, exits), (on Mark, bytes, exits)) or why not
        self.icounts = {}       # row -> (native Mark, hv Mark) of the -icount runs, or why not
        self.scale_results, self.scale_base, self.scale_error = [], None, None
        self.results = {}       # build/bench/results.json

    # ------------------------------------------------------------ QEMU lines

    ICOUNT = ["-icount", "shift=0,sleep=on"]

    def native_args(self, smp, mem, kernel, extra=(), icount=False):
        return [self.a.qemu, "-M", "virt", "-cpu", self.a.cpu, "-smp", str(smp), "-m", mem,
                "-nographic", "-bios", self.a.opensbi, "-kernel", str(kernel), *extra] + \
            (self.ICOUNT if icount else [])

    def qmp_path(self, name, icount):
        return self.tmp / f"{name}.qmp" if icount else None

    def hv_args(self, smp, config_text, name, icount=False, append=""):
        """hvscope with a one-VM config, as `make run` starts it (bundle,
        semihosted VM logs in a temporary directory, disks from mkbundle)."""
        cfg = self.tmp / f"{name}.cfg"
        cfg.write_text(config_text)
        bundle = self.tmp / f"{name}.bundle"
        common = [sys.executable, str(REPO / "scripts" / "mkbundle.py"), str(cfg), "-D", f"O={self.build}"]
        r = subprocess.run(common + ["-o", str(bundle), "--host-ram", self.a.hv_mem],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(r.stderr.strip())
        r = subprocess.run(common + ["--qemu-args", "--disk-dir", str(self.tmp / "disks")],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(r.stderr.strip())
        vmlogs = self.tmp / f"{name}-vmlogs"
        vmlogs.mkdir(exist_ok=True)
        return [self.a.qemu, "-M", "virt", "-cpu", self.a.cpu, "-smp", str(smp), "-m", self.a.hv_mem,
                "-nographic", "-bios", self.a.opensbi, "-kernel", self.a.hv,
                "-device", f"loader,file={bundle},addr={BUNDLE_ADDR},force-raw=on",
                "-semihosting-config", "enable=on,target=native",
                "-append", f"hvscope.bundle={BUNDLE_ADDR} hvscope.logdir={vmlogs} {append}".strip()] + \
            r.stdout.split() + (self.ICOUNT if icount else [])

    def fresh_disk(self, name):
        disk = self.tmp / f"{name}.img"
        shutil.copyfile(self.a.fs_img, disk)
        return disk

    def hv_started(self, q, row):
        """Under hvscope: when the VM was started (QEMU, OpenSBI and hvscope's
        own boot are done), printed next to the rows as hvscope's fixed start."""
        q.expect(r"vm1: \S+ started", 30)
        self.starts.setdefault(row, []).append(q.mark())

    def hv_console(self, q, command):
        """Ctrl-T h, run one hv> command, return its output; focus back on vm1."""
        q.send(CTRL_T + "h")
        q.expect("hv> ", 10, exact=True)
        q.send(command + "\r")
        q.expect(re.escape(command) + r"\r*\n", 10)
        q.expect("hv> ", 10, exact=True)
        out = q.child.before.replace("\r", "").strip()
        q.send(CTRL_T + "1")
        q.expect(r"\[hvscope: console -> vm1 ", 10)
        return out

    # ------------------------------------------------------------ xv6

    def xv6(self, hv, usertests, icount=False):
        name = ("xv6-hv" if hv else "xv6-native") + ("-usertests" if usertests else "-boot") + \
            ("-icount" if icount else "")
        disk = self.fresh_disk(name)
        if hv:
            args = self.hv_args(1, f"""[vm xv6]
image = {self.a.xv6_kernel}
ram = 128M
vcpus = 1
disk = {disk}
""", name, icount)
        else:
            args = self.native_args(1, "128M", self.a.xv6_kernel, [
                "-global", "virtio-mmio.force-legacy=false",
                "-drive", f"file={disk},if=none,format=raw,id=x0",
                "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"], icount)
        q = Qemu(args, self.logdir / f"{name}.log", self.qmp_path(name, icount))
        try:
            if hv and not icount:
                self.hv_started(q, "xv6")
            q.expect(XV6_PROMPT, self.a.boot_timeout)
            boot = q.mark(stop=not usertests)
            if not usertests:
                return boot, None
            if hv and not icount:
                self.stats.append(("xv6 boot under hvscope: hv> stats 1", self.hv_console(q, "stats 1")))
                self.hv_console(q, "stats reset 1")
            q.send("usertests -q\r")
            q.expect(r"usertests -q\r*\n", 10)
            start = q.mark()
            q.expect(r"ALL TESTS PASSED|SOME TESTS FAILED|FAILED -- lost", self.a.usertests_timeout)
            end = q.mark(stop=True)
            if q.child.after != "ALL TESTS PASSED":
                raise RuntimeError(f"usertests: {q.child.after} (log: {q.log_path})")
            if hv and not icount:
                self.stats.append(("xv6 usertests -q under hvscope: hv> stats 1", self.hv_console(q, "stats 1")))
            return boot, end - start
        finally:
            q.close()

    def xv6_traced(self, trace_on):
        """usertests -q as one VM under hvscope, the trace file on or off:
        (usertests Mark, trace file bytes or None, exits of the run)."""
        name = f"xv6-hv-usertests-trace-{'on' if trace_on else 'off'}"
        disk = self.fresh_disk(name)
        args = self.hv_args(1, f"""[vm xv6]
image = {self.a.xv6_kernel}
ram = 128M
vcpus = 1
disk = {disk}
""", name, append="hvscope.tracefile=on" if trace_on else "")
        q = Qemu(args, self.logdir / f"{name}.log")
        try:
            q.expect(XV6_PROMPT, self.a.boot_timeout)
            q.send("usertests -q\r")
            q.expect(r"usertests -q\r*\n", 10)
            start = q.mark()
            q.expect(r"ALL TESTS PASSED|SOME TESTS FAILED|FAILED -- lost", self.a.usertests_timeout)
            end = q.mark()
            if q.child.after != "ALL TESTS PASSED":
                raise RuntimeError(f"usertests: {q.child.after} (log: {q.log_path})")
            exits = int(re.search(r"(\d+) exits", self.hv_console(q, "stats 1")).group(1))
            size = None
            if trace_on:
                m = re.search(r"(\d+) bytes written, (\d+) records dropped", self.hv_console(q, "trace file off"))
                if not m:
                    raise RuntimeError("no `trace file` status from hv> trace file off")
                size = int(m.group(1))
            return end - start, size, exits
        finally:
            q.close()

    # ------------------------------------------------------------ Linux

    def linux_files(self):
        """Image and initramfs; fetched through make when missing.  Returns
        None or the reason they are not there."""
        files = [Path(self.a.linux_image), Path(self.a.initrd)]
        if all(p.exists() for p in files):
            return None
        print("bench: Linux guest not cached: make fetch-guests", flush=True)
        try:
            r = subprocess.run([self.a.make, "--no-print-directory", f"O={self.a.build}", "fetch-guests",
                                self.a.initrd], cwd=REPO, capture_output=True, text=True, timeout=1800)
            out = (r.stdout + r.stderr).strip()
            status = f"exit {r.returncode}"
        except (OSError, subprocess.TimeoutExpired) as e:
            out, status = str(e), "failed"
        missing = [str(p) for p in files if not p.exists()]
        if missing:
            tail = out.splitlines()[-3:] if out else []
            return f"`make fetch-guests` {status}, missing {', '.join(missing)}: " + " | ".join(tail)
        return None

    def linux(self, hv, icount=False):
        name = ("linux-hv" if hv else "linux-native") + ("-icount" if icount else "")
        bootargs = "console=ttyS0 earlycon"
        if hv:
            args = self.hv_args(2, f"""[vm linux]
image = {self.a.linux_image}
entry = 0x80200000
initrd = {self.a.initrd}
ram = 256M
vcpus = 2
bootargs = {bootargs}
""", name, icount)
        else:
            args = self.native_args(2, "256M", self.a.linux_image,
                                    ["-initrd", self.a.initrd, "-append", bootargs], icount)
        q = Qemu(args, self.logdir / f"{name}.log", self.qmp_path(name, icount))
        try:
            if hv and not icount:
                self.hv_started(q, "linux")
            q.expect(LINUX_READY, self.a.linux_timeout)
            if "2 CPUs online" not in q.child.after:
                raise RuntimeError(f"not both vCPUs online: {q.child.after}")
            q.expect(LINUX_PROMPT, 60)
            boot = q.mark(stop=icount)
            if hv and not icount:      # the last boot's counters are the ones printed
                self.linux_stats = ("Linux boot under hvscope: hv> stats 1", self.hv_console(q, "stats 1"))
            return boot
        finally:
            q.close()

    # ------------------------------------------------------------ run, report

    def pair(self, what, fn, *args, labels=("native", "under hvscope")):
        """fn(False, ...) natively, then fn(True, ...) under hvscope (or
        whatever the two `labels` say False and True mean)."""
        out = []
        for hv in (False, True):
            print(f"bench: {what} {labels[hv]} ...", flush=True)
            try:
                out.append(fn(hv, *args))
            except Exception as e:           # a failed boot is a row "not measured"
                raise RuntimeError(f"{labels[hv]}: {e}") from None
        return out

    def boots(self, name, fn, *args):
        """self.a.boots boots each way, alternating native and hvscope so
        that a change in the machine's load hits both; returns the samples."""
        native, hv = [], []
        for i in range(self.a.boots):
            n, h = self.pair(f"{name} {i + 1}/{self.a.boots}", fn, *args)
            native.append(n)
            hv.append(h)
        return native, hv

    def snapshot(self, *opts):
        """Copy the inputs into the private directory first: a rebuild in the
        build tree while the bench runs must not change them half-way."""
        for opt in opts:
            src = Path(getattr(self.a, opt))
            if src.exists():
                dst = self.tmp / "inputs" / opt / src.name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                setattr(self.a, opt, str(dst))

    # ------------------------------------------------------------ scale

    def scale(self, vms, harts, icount):
        """`usertests -q` in `vms` xv6 VMs at once (1 vCPU, 128M, own disk
        each) on `harts` QEMU harts; the interval from typing the command into
        the first VM to the last `ALL TESTS PASSED` (read from the VMs' logs)."""
        name = f"scale-{vms}vms-{harts}harts" + ("-icount" if icount else "")
        config = "".join(f"[vm xv6{chr(ord('a') + i)}]\nimage = {self.a.xv6_kernel}\nram = 128M\nvcpus = 1\n"
                         f"disk = {self.fresh_disk(f'{name}-{i}')}\n\n" for i in range(vms))
        args = self.hv_args(harts, config, name, icount)
        logdir = self.tmp / f"{name}-vmlogs"
        q = Qemu(args, self.logdir / f"{name}.log", self.qmp_path(name, icount))
        try:
            for i in range(1, vms + 1):      # the console takes keys once the VMs are built
                q.expect(rf"vm{i}: \S+ started", 60)
            for i in range(vms, 0, -1):      # every VM at its prompt (focus replays its output)
                q.send(CTRL_T + str(i))
                q.expect(rf"\[hvscope: console -> vm{i} ", 30)
                q.expect(XV6_PROMPT, self.a.boot_timeout)
            start = None
            for i in range(1, vms + 1):
                q.send(CTRL_T + str(i))
                q.expect(rf"\[hvscope: console -> vm{i} ", 30)
                q.send("usertests -q\r")
                q.expect(r"usertests -q\r*\n", 10)
                start = start or q.mark()
            logs = [logdir / f"vm{i + 1}-xv6{chr(ord('a') + i)}.log" for i in range(vms)]
            deadline = time.monotonic() + self.a.usertests_timeout * vms
            while True:
                texts = [p.read_text(errors="replace") if p.exists() else "" for p in logs]
                if any("FAILED" in t for t in texts):
                    raise RuntimeError(f"usertests failed in {name} (logs: {logdir})")
                if all("ALL TESTS PASSED" in t for t in texts):
                    return q.mark(stop=True) - start
                if time.monotonic() > deadline or not q.child.isalive():
                    raise RuntimeError(f"usertests did not finish in {name} (log: {q.log_path})")
                try:
                    q.child.read_nonblocking(size=1 << 16, timeout=0.1)
                except (pexpect.TIMEOUT, pexpect.EOF):
                    pass
        finally:
            q.close()

    def scale_rows(self):
        """Aggregate throughput of N VMs running usertests on H harts, against
        2 VMs on 2 harts: (N / time) / (2 / time of 2 on 2), in instructions
        (-icount) and in QEMU CPU seconds."""
        marks = {}
        for vms, harts in ((2, 2), (4, 2), (2, 1)):
            for icount in (True, False):
                print(f"bench: {vms} VMs on {harts} harts, usertests -q in each"
                      f"{' (-icount)' if icount else ''} ...", flush=True)
                marks[(vms, harts, icount)] = self.scale(vms, harts, icount)
        base_i, base_c = marks[(2, 2, True)].icount / 2, marks[(2, 2, False)].cpu / 2
        for vms, harts, key in ((4, 2, "vms4_on_2harts_throughput_ratio"), (2, 1, "vms2_on_1hart_throughput_ratio")):
            mi, mc = marks[(vms, harts, True)], marks[(vms, harts, False)]
            self.scale_results.append((vms, harts, base_i / (mi.icount / vms), base_c / (mc.cpu / vms), mi, mc, key))
        self.scale_base = (marks[(2, 2, True)], marks[(2, 2, False)])

    # ------------------------------------------------------------ run, report

    def icount_pair(self, row, fn):
        """One run each way under -icount: the deterministic column."""
        try:
            self.icounts[row] = self.pair(f"{row} (-icount)", fn)
        except RuntimeError as e:
            self.icounts[row] = str(e)

    def run(self):
        only = set(self.a.only.split(",")) if self.a.only else {"xv6", "linux", "scale", "trace"}
        self.snapshot("hv", "xv6_kernel", "fs_img")
        with open(self.a.hv, "rb") as f:
            print(f"bench: hvscope.bin sha256 {hashlib.sha256(f.read()).hexdigest()[:12]}", flush=True)
        if "xv6" in only:
            try:
                nb, hb = self.boots("xv6 boot", lambda hv: self.xv6(hv, False)[0])
                (n, nu), (h, hu) = self.pair("xv6 boot + usertests -q", self.xv6, True)
                self.rows += [("xv6 boot", nb + [n], hb + [h], None), ("xv6 usertests -q", [nu], [hu], None)]
            except RuntimeError as e:
                self.rows += [("xv6 boot", None, None, str(e)), ("xv6 usertests -q", None, None, str(e))]
            try:
                (n, nu), (h, hu) = self.pair("xv6 boot + usertests -q (-icount)",
                                             lambda hv: self.xv6(hv, True, icount=True))
                self.icounts["xv6 boot"], self.icounts["xv6 usertests -q"] = (n, h), (nu, hu)
            except RuntimeError as e:
                self.icounts["xv6 boot"] = self.icounts["xv6 usertests -q"] = str(e)
        if "trace" in only:
            try:
                self.trace_row = self.pair("xv6 usertests -q under hvscope,", self.xv6_traced,
                                           labels=("trace file off", "trace file on"))
            except RuntimeError as e:
                self.trace_row = str(e)
        if "linux" in only:
            err = self.linux_files()
            if not err:
                self.snapshot("linux_image", "initrd")
                try:
                    nb, hb = self.boots("Linux boot", self.linux)
                    self.rows.append(("linux boot", nb, hb, None))
                    self.stats.append(self.linux_stats)
                except RuntimeError as e:
                    err = str(e)
                self.icount_pair("linux boot", lambda hv: self.linux(hv, icount=True))
            if err:
                self.rows.append(("linux boot", None, None, err))
        if "scale" in only:
            try:
                self.scale_rows()
            except RuntimeError as e:
                self.scale_error = str(e)
        return self.report()

    def icount_cell(self, name):
        """(text for the table, ratio or None)"""
        got = self.icounts.get(name)
        if got is None:
            return "not run", None
        if isinstance(got, str):
            return "not measured", None
        n, h = got
        return f"{n.icount / 1e6:9.1f}M {h.icount / 1e6:9.1f}M {h.icount / n.icount:5.3f}x", h.icount / n.icount

    def report(self):
        for title, text in self.stats:
            print(f"{title}\n" + "\n".join("  " + line for line in text.splitlines()))
        print("boot and workload, native (QEMU+OpenSBI) vs hvscope, same QEMU, vCPUs and guest RAM;")
        print("wall and CPU: median of the runs (n), QEMU's wall time and CPU time (user+sys, all threads);")
        print("icount: one run each way with -icount shift=0,sleep=on: instructions QEMU executed on all harts (sleep=on: see docs)")
        print(f"  {'':18} {'n':>2} {'native wall':>11} {'hv wall':>8} {'ratio':>6}   "
              f"{'native cpu':>10} {'hv cpu':>7} {'ratio':>6}   {'native icount':>13} {'hv icount':>10} {'ratio':>6}")
        verdicts, samples = [], []
        for name, n, h, err in self.rows:
            itext, iratio = self.icount_cell(name)
            self.results[KEYS[name] + "_icount_ratio"] = iratio
            if err:
                print(f"  {name:18} not measured: {err}")
                self.results[KEYS[name] + "_cpu_ratio"] = None
                continue
            nw, hw = median([m.wall for m in n]), median([m.wall for m in h])
            nc, hc = median([m.cpu for m in n]), median([m.cpu for m in h])
            rw = hw / nw
            rc = hc / nc if nc else float("inf")
            self.results[KEYS[name] + "_cpu_ratio"] = rc
            print(f"  {name:18} {len(n):>2} {nw:10.2f}s {hw:7.2f}s {rw:5.2f}x   "
                  f"{nc:9.2f}s {hc:6.2f}s {rc:5.2f}x   {itext}")
            if len(n) > 1:
                fmt = lambda ms: " ".join(f"{m.wall:.2f}/{m.cpu:.2f}" for m in ms)
                samples.append(f"  {name:18} native {fmt(n)}  hv {fmt(h)}")
        for row, marks in self.starts.items():
            print(f"  under hvscope, QEMU start to `vm1: ... started` ({row}, median of {len(marks)}): "
                  f"wall {median([m.wall for m in marks]):.2f}s cpu {median([m.cpu for m in marks]):.2f}s")
        if samples:
            print("samples (wall/cpu seconds):")
            print("\n".join(samples))
        self.report_trace(verdicts)
        self.report_scale()
        for name, (kind, target) in TARGETS.items():
            key = f"{KEYS[name]}_{kind}_ratio"
            got = self.results.get(key)
            if got is None:
                verdicts.append(f"target: {name} ({kind}) <= {target}x: not measured -> MISSED")
            else:
                verdicts.append(f"target: {name} ({kind}) <= {target}x: {got:.3f}x -> "
                                f"{'met' if got <= target else 'MISSED'}")
        got = self.results.get("vms4_on_2harts_throughput_ratio")
        verdicts.append(f"target: 4 VMs on 2 harts, aggregate usertests throughput vs 2 VMs >= {TARGET_SCALE}x "
                        f"(icount): " + ("not measured -> MISSED" if got is None else
                                         f"{got:.3f}x -> {'met' if got >= TARGET_SCALE else 'MISSED'}"))
        print("\n".join(verdicts))
        write_results(self.a.results, self.results)
        return 0 if all(v.endswith("-> met") for v in verdicts) else 1

    def report_scale(self):
        if self.scale_error:
            print(f"scale: not measured: {self.scale_error}")
        if not self.scale_results:
            self.results["vms4_on_2harts_throughput_ratio"] = None
            return
        bi, bc = self.scale_base
        print("scale: usertests -q in every VM at once (1 vCPU, 128M each), aggregate throughput vs 2 VMs on 2 harts")
        print(f"  {'':22} {'icount':>10} {'per run':>9} {'ratio':>6}   {'cpu':>8} {'per run':>8} {'ratio':>6}   wall")
        print(f"  {'2 VMs on 2 harts':22} {bi.icount / 1e6:9.0f}M {bi.icount / 2e6:8.0f}M {1:5.2f}x   "
              f"{bc.cpu:7.2f}s {bc.cpu / 2:7.2f}s {1:5.2f}x   {bc.wall:.1f}s")
        for vms, harts, ri, rc, mi, mc, key in self.scale_results:
            self.results[key] = ri
            self.results[key.replace("_ratio", "_cpu_ratio")] = rc
            print(f"  {f'{vms} VMs on {harts} hart' + ('s' if harts > 1 else ''):22} {mi.icount / 1e6:9.0f}M "
                  f"{mi.icount / vms / 1e6:8.0f}M {ri:5.2f}x   {mc.cpu:7.2f}s {mc.cpu / vms:7.2f}s {rc:5.2f}x   "
                  f"{mc.wall:.1f}s")

    def report_trace(self, verdicts):
        """The trace file's cost: usertests with it on vs off, bytes per exit."""
        if self.trace_row is None:
            return True
        name = f"usertests -q with TRACE=on <= {TRACE_TARGET}x of off"
        if isinstance(self.trace_row, str):
            print(f"  trace file on/off  not measured: {self.trace_row}")
            verdicts.append(f"target: {name}: not measured -> MISSED")
            return False
        (off, _, off_exits), (on, size, on_exits) = self.trace_row
        rc = on.cpu / off.cpu if off.cpu else float("inf")
        print(f"  usertests -q under hvscope, trace file off / on: wall {off.wall:.2f}s / {on.wall:.2f}s "
              f"({on.wall / off.wall:.2f}x), cpu {off.cpu:.2f}s / {on.cpu:.2f}s ({rc:.2f}x); "
              f"trace file {size} bytes for {on_exits} exits: {size / max(on_exits, 1):.1f} bytes per exit")
        verdicts.append(f"target: {name} (cpu): {rc:.2f}x (wall {on.wall / off.wall:.2f}x) -> "
                        f"{'met' if rc <= TRACE_TARGET else 'MISSED'}")
        self.results["trace_file_cpu_ratio"] = rc
        self.results["trace_bytes_per_exit"] = size / max(on_exits, 1)
        return rc <= TRACE_TARGET

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def add_machine_args(ap):
    """The QEMU, firmware, hypervisor and guest images both bench_boot.py and
    bench_profile.py boot (make bench passes the same ones to each)."""
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--cpu", default="rv64", help="QEMU -cpu")
    ap.add_argument("--opensbi", required=True)
    ap.add_argument("--hv", required=True, help="hvscope.bin")
    ap.add_argument("--hv-mem", default="1G", help="QEMU -m for the hvscope runs (the host's RAM)")
    ap.add_argument("--build", required=True, help="build directory (O)")
    ap.add_argument("--xv6-kernel", required=True)
    ap.add_argument("--fs-img", required=True)
    ap.add_argument("--linux-image", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--make", default="make", help="make, to fetch the Linux guest when missing")


def absolute_paths(a):
    """The image options as absolute paths (runs happen in temporary directories)."""
    for opt in ("hv", "xv6_kernel", "fs_img", "linux_image", "initrd"):
        setattr(a, opt, str(Path(getattr(a, opt)).resolve()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_machine_args(ap)
    ap.add_argument("--only", help="comma-separated subset: xv6,linux,scale,trace")
    ap.add_argument("--results", help="JSON file the named numbers are merged into")
    ap.add_argument("--boots", type=int, default=3, help="boots each way for the boot rows")
    ap.add_argument("--boot-timeout", type=float, default=120)
    ap.add_argument("--usertests-timeout", type=float, default=900)
    ap.add_argument("--linux-timeout", type=float, default=300)
    a = ap.parse_args()
    # make's timeout or Ctrl-C: unwind, so that every QEMU is killed by close()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    absolute_paths(a)
    b = Bench(a)
    try:
        return b.run()
    finally:
        b.cleanup()


if __name__ == "__main__":
    sys.exit(main())
