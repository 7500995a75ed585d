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
import signal
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
TARGETS = {"xv6 boot": 1.5, "xv6 usertests -q": 1.25, "linux boot": 1.5}
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
    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    def __sub__(self, other):
        return Mark(self.wall - other.wall, self.cpu - other.cpu)


class Qemu:
    """One QEMU on a pty; close() kills it by PID."""

    def __init__(self, args, log_path):
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.log.write("# " + " ".join(args) + "\n")
        self.t0 = time.monotonic()
        self.child = pexpect.spawn(args[0], args[1:], encoding="utf-8", codec_errors="replace",
                                   dimensions=(50, 200), timeout=60)
        self.child.logfile_read = self.log
        self.pid = self.child.pid
        self.log_path = log_path

    def mark(self):
        return Mark(time.monotonic() - self.t0, cpu_seconds(self.pid))

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

    # ------------------------------------------------------------ QEMU lines

    def native_args(self, smp, mem, kernel, extra=()):
        return [self.a.qemu, "-M", "virt", "-cpu", self.a.cpu, "-smp", str(smp), "-m", mem,
                "-nographic", "-bios", self.a.opensbi, "-kernel", str(kernel), *extra]

    def hv_args(self, smp, config_text, name, append=""):
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
                "-append", f"hvscope.bundle={BUNDLE_ADDR} hvscope.logdir={vmlogs} {append}".strip()] + r.stdout.split()

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

    def xv6(self, hv, usertests):
        name = ("xv6-hv" if hv else "xv6-native") + ("-usertests" if usertests else "-boot")
        disk = self.fresh_disk(name)
        if hv:
            args = self.hv_args(1, f"""[vm xv6]
image = {self.a.xv6_kernel}
ram = 128M
vcpus = 1
disk = {disk}
""", name)
        else:
            args = self.native_args(1, "128M", self.a.xv6_kernel, [
                "-global", "virtio-mmio.force-legacy=false",
                "-drive", f"file={disk},if=none,format=raw,id=x0",
                "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"])
        q = Qemu(args, self.logdir / f"{name}.log")
        try:
            if hv:
                self.hv_started(q, "xv6")
            q.expect(XV6_PROMPT, self.a.boot_timeout)
            boot = q.mark()
            if not usertests:
                return boot, None
            if hv:
                self.stats.append(("xv6 boot under hvscope: hv> stats 1", self.hv_console(q, "stats 1")))
                self.hv_console(q, "stats reset 1")
            q.send("usertests -q\r")
            q.expect(r"usertests -q\r*\n", 10)
            start = q.mark()
            q.expect(r"ALL TESTS PASSED|SOME TESTS FAILED|FAILED -- lost", self.a.usertests_timeout)
            end = q.mark()
            if q.child.after != "ALL TESTS PASSED":
                raise RuntimeError(f"usertests: {q.child.after} (log: {q.log_path})")
            if hv:
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
""", name, "hvscope.tracefile=on" if trace_on else "")
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

    def linux(self, hv):
        name = "linux-hv" if hv else "linux-native"
        bootargs = "console=ttyS0 earlycon"
        if hv:
            args = self.hv_args(2, f"""[vm linux]
image = {self.a.linux_image}
entry = 0x80200000
initrd = {self.a.initrd}
ram = 256M
vcpus = 2
bootargs = {bootargs}
""", name)
        else:
            args = self.native_args(2, "256M", self.a.linux_image,
                                    ["-initrd", self.a.initrd, "-append", bootargs])
        q = Qemu(args, self.logdir / f"{name}.log")
        try:
            if hv:
                self.hv_started(q, "linux")
            q.expect(LINUX_READY, self.a.linux_timeout)
            if "2 CPUs online" not in q.child.after:
                raise RuntimeError(f"not both vCPUs online: {q.child.after}")
            q.expect(LINUX_PROMPT, 60)
            boot = q.mark()
            if hv:      # the last boot's counters are the ones printed
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

    def run(self):
        only = set(self.a.only.split(",")) if self.a.only else {"xv6", "linux", "trace"}
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
            if err:
                self.rows.append(("linux boot", None, None, err))
        return self.report()

    def report(self):
        for title, text in self.stats:
            print(f"{title}\n" + "\n".join("  " + line for line in text.splitlines()))
        print("boot and workload times, native (QEMU+OpenSBI) vs hvscope, same QEMU, vCPUs and guest RAM;")
        print("median of the runs (n), QEMU's wall time and CPU time (user+sys, all threads)")
        print(f"  {'':18} {'n':>2} {'native wall':>11} {'hv wall':>8} {'ratio':>6}   "
              f"{'native cpu':>10} {'hv cpu':>7} {'ratio':>6}   target (cpu)")
        ok = True
        verdicts, samples = [], []
        for name, n, h, err in self.rows:
            target = TARGETS[name]
            if err:
                ok = False
                print(f"  {name:18} not measured: {err}")
                verdicts.append(f"target: {name} <= {target}x: not measured -> MISSED")
                continue
            nw, hw = median([m.wall for m in n]), median([m.wall for m in h])
            nc, hc = median([m.cpu for m in n]), median([m.cpu for m in h])
            rw = hw / nw
            rc = hc / nc if nc else float("inf")
            met = rc <= target
            ok &= met
            print(f"  {name:18} {len(n):>2} {nw:10.2f}s {hw:7.2f}s {rw:5.2f}x   "
                  f"{nc:9.2f}s {hc:6.2f}s {rc:5.2f}x   <= {target}x")
            verdicts.append(f"target: {name} <= {target}x (cpu): {rc:.2f}x (wall {rw:.2f}x) -> "
                            f"{'met' if met else 'MISSED'}")
            if len(n) > 1:
                fmt = lambda ms: " ".join(f"{m.wall:.2f}/{m.cpu:.2f}" for m in ms)
                samples.append(f"  {name:18} native {fmt(n)}  hv {fmt(h)}")
        for row, marks in self.starts.items():
            print(f"  under hvscope, QEMU start to `vm1: ... started` ({row}, median of {len(marks)}): "
                  f"wall {median([m.wall for m in marks]):.2f}s cpu {median([m.cpu for m in marks]):.2f}s")
        if samples:
            print("samples (wall/cpu seconds):")
            print("\n".join(samples))
        ok &= self.report_trace(verdicts)
        print("\n".join(verdicts))
        return 0 if ok else 1

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
        return rc <= TRACE_TARGET

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    ap.add_argument("--only", help="comma-separated subset: xv6,linux,trace")
    ap.add_argument("--boots", type=int, default=3, help="boots each way for the boot rows")
    ap.add_argument("--boot-timeout", type=float, default=120)
    ap.add_argument("--usertests-timeout", type=float, default=900)
    ap.add_argument("--linux-timeout", type=float, default=300)
    a = ap.parse_args()
    # make's timeout or Ctrl-C: unwind, so that every QEMU is killed by close()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for opt in ("hv", "xv6_kernel", "fs_img", "linux_image", "initrd"):
        setattr(a, opt, str(Path(getattr(a, opt)).resolve()))
    b = Bench(a)
    try:
        return b.run()
    finally:
        b.cleanup()


if __name__ == "__main__":
    sys.exit(main())
