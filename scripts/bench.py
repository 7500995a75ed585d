#!/usr/bin/env python3
"""make bench: instructions the hypervisor executes per exit, measured in one run.

QEMU runs with -icount shift=0, so `instret` counts every retired
instruction and the numbers repeat exactly.  The bench guest (guests/tests/
bench.c) reports the per-call cost of an SBI null call and of a UART MMIO
write; we boot it natively (OpenSBI handles the call) and under hvscope with
tracing off and on.  Targets (issue 18): null SBI round trip at most 150
instructions with tracing off, a UART MMIO write at most 250, tracing adding
at most 40.  The numbers are also merged into --results (JSON) as
sbi_null_instr, uart_mmio_instr and trace_add_instr.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdbvm  # noqa: E402

TARGET_NULL = 150
TARGET_MMIO = 250
TARGET_TRACE = 40


def run_until_done(cmd, timeout):
    """QEMU with -icount runs until killed: stop it once the bench guest says
    "bench: done" (or at the timeout).  Returns what it printed."""
    out = ""
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as p:
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            for line in p.stdout:
                out += line
                if "bench: done" in line:
                    break
        finally:
            timer.cancel()
            p.kill()
            p.wait()
    return out


def run(cmd, timeout=60):
    out = run_until_done(cmd, timeout)
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
    ap.add_argument("--results", help="JSON file the named numbers are merged into")
    a = ap.parse_args()
    base = [a.qemu, "-M", "virt", "-cpu", "rv64", "-smp", "1", "-m", "1G", "-nographic",
            "-icount", "shift=0", "-bios", a.opensbi]
    native = run(base + ["-kernel", a.guest], timeout=20)
    hv = []
    # The third run has the gdbstub's virtio-serial device (no debugger
    # attached): a debugger that is not there must cost the exit path nothing.
    sockdir = tempfile.mkdtemp(prefix="hvbench-gdb-")
    for trace, extra in (("off", []), ("on", []), ("off", gdbvm.qemu_args(1, sockdir))):
        args = base + ["-kernel", a.hv, "-device", f"loader,file={a.bundle},addr=0x84000000,force-raw=on",
                       "-append", f"hvscope.bundle=0x84000000 hvscope.trace={trace}"] + extra
        hv.append(run(args, timeout=20))
    shutil.rmtree(sockdir, ignore_errors=True)
    (off_sbi, off_mmio), (on_sbi, on_mmio), (gdb_sbi, gdb_mmio) = hv
    print("instructions per exit (QEMU -icount shift=0, instret difference, 2000 iterations)")
    print(f"  {'':28} {'native':>8} {'hv trace off':>13} {'hv trace on':>12} {'hv + gdbstub device':>20}")
    print(f"  {'SBI null call round trip':28} {native[0]:>8} {off_sbi:>13} {on_sbi:>12} {gdb_sbi:>20}")
    print(f"  {'UART MMIO write':28} {native[1]:>8} {off_mmio:>13} {on_mmio:>12} {gdb_mmio:>20}")
    ok_null = off_sbi <= TARGET_NULL
    ok_mmio = off_mmio <= TARGET_MMIO
    ok_trace = on_sbi - off_sbi <= TARGET_TRACE
    ok_gdb = (gdb_sbi, gdb_mmio) == (off_sbi, off_mmio)
    print(f"target: null SBI call <= {TARGET_NULL} with tracing off: {off_sbi} -> {'met' if ok_null else 'MISSED'}")
    print(f"target: UART MMIO write <= {TARGET_MMIO} with tracing off: {off_mmio} -> "
          f"{'met' if ok_mmio else 'MISSED'}")
    print(f"target: tracing adds <= {TARGET_TRACE}: {on_sbi - off_sbi} -> {'met' if ok_trace else 'MISSED'}")
    print(f"target: the gdbstub device without a debugger adds 0: {gdb_sbi - off_sbi} / {gdb_mmio - off_mmio}"
          f" -> {'met' if ok_gdb else 'MISSED'}")
    if a.results:
        write_results(a.results, {"sbi_null_instr": off_sbi, "uart_mmio_instr": off_mmio,
                                  "trace_add_instr": on_sbi - off_sbi})
    return 0 if ok_null and ok_mmio and ok_trace and ok_gdb else 1


def write_results(path, values):
    """Merge values into the JSON results file (bench_boot.py adds its own)."""
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = {}
    old.update(values)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(old, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
