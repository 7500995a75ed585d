#!/usr/bin/env python3
"""make bench: instructions the hypervisor executes per exit, measured in one run.

QEMU runs with -icount shift=0, so `instret` counts every retired
instruction and the numbers repeat exactly.  The bench guest (guests/tests/
bench.c) reports the per-call cost of an SBI null call and of a UART MMIO
write; we boot it natively (OpenSBI handles the call) and under hvscope with
tracing off and on.  Targets from the trace issue: null SBI round trip under
250 instructions with tracing off, tracing adding under 60.
"""
import argparse
import re
import subprocess
import sys

TARGET_NULL = 250
TARGET_TRACE = 60


def run(cmd, timeout=60):
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=timeout).stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
    sbi = re.search(r"bench: sbi-null n=\d+ per-call=(\d+)", out)
    mmio = re.search(r"bench: mmio-uart n=\d+ per-access=(\d+)", out)
    if not sbi or not mmio:
        sys.exit("bench: no result from: " + " ".join(cmd) + "\n" + out[-2000:])
    return int(sbi.group(1)), int(mmio.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--opensbi", required=True)
    ap.add_argument("--hv", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--guest", required=True)
    a = ap.parse_args()
    base = [a.qemu, "-M", "virt", "-cpu", "rv64", "-smp", "1", "-m", "1G", "-nographic",
            "-icount", "shift=0", "-bios", a.opensbi]
    # QEMU with -icount runs until killed: the run ends at the timeout after "bench: done"
    native = run(base + ["-kernel", a.guest], timeout=20)
    hv = []
    for trace in ("off", "on"):
        args = base + ["-kernel", a.hv, "-device", f"loader,file={a.bundle},addr=0x84000000,force-raw=on",
                       "-append", f"hvscope.bundle=0x84000000 hvscope.trace={trace}"]
        hv.append(run(args, timeout=20))
    (off_sbi, off_mmio), (on_sbi, on_mmio) = hv
    print("instructions per exit (QEMU -icount shift=0, instret difference, 2000 iterations)")
    print(f"  {'':28} {'native':>8} {'hv trace off':>13} {'hv trace on':>12}")
    print(f"  {'SBI null call round trip':28} {native[0]:>8} {off_sbi:>13} {on_sbi:>12}")
    print(f"  {'UART MMIO write':28} {native[1]:>8} {off_mmio:>13} {on_mmio:>12}")
    ok_null = off_sbi < TARGET_NULL
    ok_trace = on_sbi - off_sbi < TARGET_TRACE
    print(f"target: null SBI call < {TARGET_NULL} with tracing off: {off_sbi} -> {'met' if ok_null else 'MISSED'}")
    print(f"target: tracing adds < {TARGET_TRACE}: {on_sbi - off_sbi} -> {'met' if ok_trace else 'MISSED'}")
    return 0 if ok_null and ok_trace else 1


if __name__ == "__main__":
    sys.exit(main())
