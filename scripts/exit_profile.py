#!/usr/bin/env python3
"""Where the instructions of one exit go: hvscope's functions, counted.

QEMU's `-d exec,nochain` log with one instruction per translation block
(`-accel tcg,one-insn-per-tb=on`) lists every instruction the hart retires.
This script splits the log into exits (runs of instructions in HS-mode,
between two runs in the guest), names each instruction's function from the
hypervisor's ELF symbols, and prints the most frequent kinds of exit with
their instruction count per function:

  exit_profile.py --elf build/hypervisor/hvscope.elf --log exec.log
  exit_profile.py --elf ... -- qemu-system-riscv64 ARGS...   (runs QEMU with
      the logging options added, until the guest prints "bench: done")

docs/performance.md shows its output for the bench guest's SBI call and
UART write.  Mode bits: QEMU's riscv TB flags keep the MMU index in bits 2:0;
1 is S-mode without virtualization (the hypervisor), a set bit 2 a guest.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

TRACE = re.compile(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/")


def symbols(elf, nm):
    out = subprocess.run([nm, "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), f[2]))
    return syms


def episodes(lines, syms):
    """Counter of exits: each a sorted tuple of (function, instructions)."""
    addrs = [a for a, _ in syms]
    found = collections.Counter()
    cur = collections.Counter()
    for line in lines:
        m = TRACE.match(line)
        if not m:
            continue
        pc, flags = int(m.group(1), 16), int(m.group(2), 16)
        if flags & 7 == 1:  # HS-mode: the hypervisor
            i = bisect.bisect_right(addrs, pc) - 1
            cur[syms[i][1] if i >= 0 else "?"] += 1
        elif cur:
            found[tuple(sorted(cur.items()))] += 1
            cur = collections.Counter()
    return found


def report(found, top):
    lines = []
    for key, n in found.most_common(top):
        lines.append(f"exit x{n}: {sum(c for _, c in key)} instructions")
        for name, c in sorted(key, key=lambda x: (-x[1], x[0])):
            lines.append(f"  {c:6d} {name}")
    return "\n".join(lines)


def run_qemu(cmd, log, timeout):
    """QEMU with the exec log, stopped once the guest says "bench: done"."""
    bench.run_until_done(cmd + ["-accel", "tcg,one-insn-per-tb=on", "-d", "exec,nochain", "-D", log], timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("--log", help="an existing exec log")
    ap.add_argument("--nm", default=os.environ.get("NM", "riscv64-unknown-elf-nm"))
    ap.add_argument("--top", type=int, default=4, help="kinds of exit to show")
    ap.add_argument("--timeout", type=int, default=300)
    argv = sys.argv[1:]
    cmd = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if not a.log and not cmd:
        ap.error("give --log, or -- and a QEMU command line")
    try:
        syms = symbols(a.elf, a.nm)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"exit_profile: cannot read symbols of {a.elf}: {e}")
    if cmd:
        with tempfile.TemporaryDirectory(prefix="hvexit-") as d:
            log = os.path.join(d, "exec.log")
            run_qemu(cmd, log, a.timeout)
            with open(log, errors="replace") as f:
                found = episodes(f, syms)
    else:
        try:
            with open(a.log, errors="replace") as f:
                found = episodes(f, syms)
        except OSError as e:
            sys.exit(f"exit_profile: {e}")
    if not found:
        sys.exit("exit_profile: no exits in the log (no HS-mode runs between guest runs)")
    print(report(found, a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
