#!/usr/bin/env python3
"""Run the fuzz guest (guests/tests/fuzz.c) as VM 1 next to xv6 as VM 2 under
hvscope, probe both the hypervisor and the neighbour while it runs, and end
with one line:

  fuzz-guest: N ops in S s, seed X; hypervisor alive; neighbour answered M/M; F findings

N is what the hypervisor counted for VM 1 (its exits, summed over the fuzz
VM's lives), not what the guest claims.  A finding is: the hypervisor stops
answering its console or prints an internal error, the neighbour stops
answering, the fuzz guest reports its own state corrupted (FINDING) or an
answer the specs rule out (unexpected).  The fuzz VM may die (contained,
with a report): the harness counts the death and resets it with the next
seed (`hv> bootargs 1 seed=S+1`, `hv> reset 1`).  Each finding prints the
seed and the last trace records, so `--seed` replays it.

Usage: fuzz_guest.py [--seconds N] [--seed S] [--qemu PATH] [--build DIR]
(`make fuzz-guest FUZZ_SECONDS=N FUZZ_SEED=S` runs it.)  Exit status 0 only
with 0 findings.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "system"))

import pexpect  # noqa: E402

import hvtest  # noqa: E402
from hvrun import CTRL_T, hv_args, make_bundle  # noqa: E402

PROBE_EVERY = 5          # seconds between probes
CONSOLE_DEADLINE = 10    # the hv> console must answer within this
NEIGHBOUR_DEADLINE = 20  # and xv6 within this
INTERNAL_ERRORS = ("hvscope: panic", "hvscope: internal error", "hvscope: BUG")


class Finding(Exception):
    pass


def config(seed, scratch, xv6_disk):
    return f"""
[vm fuzz]
image = ${{O}}/guests/tests/fuzz.elf
ram = 16M
vcpus = 2
adue = off
bootargs = seed={seed}
disk = {scratch}

[vm xv6]
image = ${{O}}/guests/xv6/kernel.elf
ram = 128M
disk = {xv6_disk}
"""


def disk_args(cfg_text, workdir):
    cfg = workdir / "fuzz.cfg"
    cfg.write_text(cfg_text)
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "mkbundle.py"), str(cfg), "--qemu-args",
                        "-D", f"O={hvtest.build_dir()}", "--disk-dir", str(workdir / "disks")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"fuzz-guest: {r.stderr.strip()}")
    return r.stdout.split()


class Run:
    def __init__(self, q, seed, logdir):
        self.q = q
        self.vm1_log = Path(logdir) / "vm1-fuzz.log"
        self.log_seen = 0
        self.seed = seed
        self.ops_done = 0        # exits of the fuzz VM's earlier lives
        self.deaths = 0
        self.probes = 0
        self.answered = 0
        self.findings = []
        self.scanned = 0

    def hv(self, line):
        """One console command (focus moves to hv> first); its output."""
        q = self.q
        q.send(CTRL_T + "h")
        try:
            q.expect_exact("hv> ", timeout=CONSOLE_DEADLINE)
            q.sendline(line)
            q.expect_exact("hv> ", timeout=CONSOLE_DEADLINE)
        except AssertionError as e:
            raise Finding(f"the hv> console did not answer '{line}' within {CONSOLE_DEADLINE} s") from e
        return q.child.before

    def vm1(self):
        """(state, exits) of the fuzz VM from `vms` (asked again when a
        lifecycle line from another hart cut into the table)."""
        for _ in range(3):
            out = self.hv("vms")
            m = re.search(r"\n1 +fuzz +(\w+) +\S+ +\S+ +(\d+)", out)
            if m:
                return m.group(1), int(m.group(2))
        raise Finding(f"`vms` did not list the fuzz VM:\n{out}")

    def probe_neighbour(self):
        q = self.q
        self.probes += 1
        word = f"probe-{self.probes}"
        q.send(CTRL_T + "2")
        try:
            q.expect(r"\[hvscope: console -> vm2 ", timeout=CONSOLE_DEADLINE)
            q.sendline(f"echo {word}")
            q.expect(r"\n%s\r?\n" % word, timeout=NEIGHBOUR_DEADLINE)
        except AssertionError as e:
            raise Finding(f"xv6 (vm2) did not answer `echo {word}` within {NEIGHBOUR_DEADLINE} s") from e
        self.answered += 1

    def scan(self):
        """Findings since the last scan: the hypervisor's lines on the
        terminal, the fuzz guest's in its log (VM 1 never has focus)."""
        text = self.q.output[self.scanned:]
        self.scanned += len(text)
        for line in text.splitlines():
            if any(e in line for e in INTERNAL_ERRORS):
                self.findings.append(line.strip())
        if self.vm1_log.exists():
            with open(self.vm1_log, "rb") as f:
                f.seek(self.log_seen)
                data = f.read()
            cut = data.rfind(b"\n") + 1
            self.log_seen += cut
            for raw in data[:cut].split(b"\n"):
                line = raw.decode("ascii", "replace")
                i = max(line.find("fuzz: FINDING"), line.find("fuzz: unexpected"))
                if i >= 0:
                    self.findings.append(line[i:].strip())

    def restart_fuzz_vm(self, exits):
        self.ops_done += exits
        self.deaths += 1
        self.seed += 1
        self.hv(f"bootargs 1 seed={self.seed}")
        self.hv("reset 1")


def trace_tail(run):
    try:
        return run.hv("trace 20 vm 1")
    except Finding:
        return "(no answer)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--qemu", default=None)
    ap.add_argument("--build", default=None)
    a = ap.parse_args()
    if a.build:
        os.environ["HV_BUILD"] = a.build
    seed = a.seed if a.seed is not None else int(time.time()) % 1000000
    fs_img = hvtest.build_dir() / "guests" / "xv6" / "fs.img"
    if not fs_img.exists():
        raise SystemExit(f"fuzz-guest: {fs_img} is missing: run `make`")
    work = Path(tempfile.mkdtemp(prefix="hvfuzz-"))
    scratch = work / "scratch.img"
    scratch.write_bytes(bytes(512 * 2048))
    xv6_disk = work / "xv6.img"
    shutil.copyfile(fs_img, xv6_disk)
    text = config(seed, scratch, xv6_disk)
    args, logdir = hv_args(make_bundle(text, "fuzz"), qemu=a.qemu)
    q = hvtest.Qemu(args + disk_args(text, work), name=f"fuzz-guest-{seed}", timeout=60)
    run = Run(q, seed, logdir)
    start = time.monotonic()
    ops = 0
    try:
        q.expect_exact("vm1: fuzz started")
        q.expect_exact("vm2: xv6 started")
        q.expect_exact(f"fuzz: seed {seed}")
        q.send(CTRL_T + "2")
        q.expect(r"\n\$ ", timeout=120)
        start = time.monotonic()
        while time.monotonic() - start < a.seconds:
            # a death says so on the terminal at once (unless rate-limited): restart right away
            wait = min(PROBE_EVERY, max(0.0, a.seconds - (time.monotonic() - start)))
            q.child.expect([r"vm1: fuzz dead", pexpect.TIMEOUT], timeout=wait)
            state, exits = run.vm1()
            if state in ("dead", "stopped"):
                run.restart_fuzz_vm(exits)
            run.probe_neighbour()
            run.scan()
            if run.findings:
                break
        state, exits = run.vm1()
        ops = run.ops_done + exits
        run.scan()
    except Finding as f:
        run.findings.append(str(f))
    elapsed = time.monotonic() - start
    if run.findings:
        print(f"fuzz-guest: findings with seed {run.seed} (replay: --seed {run.seed}):")
        for f in run.findings[:10]:
            print(f"  {f}")
        print("last trace records of vm1:")
        print(trace_tail(run))
        print(f"log: {q.log_path}; VM logs: {logdir}")
    alive = "alive" if not any("console did not answer" in f for f in run.findings) else "NOT ANSWERING"
    q.close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"fuzz-guest: fuzz VM died {run.deaths} times (contained; restarted with the next seed)")
    print(f"fuzz-guest: {ops} ops in {elapsed:.0f} s, seed {seed}; hypervisor {alive}; "
          f"neighbour answered {run.answered}/{run.probes}; {len(run.findings)} findings")
    return 0 if not run.findings else 1


if __name__ == "__main__":
    sys.exit(main())
