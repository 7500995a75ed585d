#!/usr/bin/env python3
"""make bench, gdbstub part: how long a debugger waits on hvscope's own gdbstub.

Boots one xv6 VM (a temporary copy of fs.img) under hvscope with the
gdbstub's virtio-serial device (scripts/gdbvm.py), attaches a bare remote-
protocol client to VM 1 and measures wall-clock round trips under QEMU
(TCG, no -icount, so they vary with the host's load; median and 90th
percentile of ROUNDS):

  stepi      `s` to its stop reply: plant the next-PC breakpoints, resume the
             VM, one guest instruction, the ebreak trap, every vCPU off its
             hart, the stop reply back over virtio-serial;
  breakpoint `c` with a breakpoint on the stopped pc to its stop reply: the
             breakpoint-hit path without the instruction.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdbvm  # noqa: E402

ROUNDS = 50


class Rsp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.buf = b""

    def ask(self, payload):
        p = payload.encode()
        self.sock.sendall(b"$%s#%02x" % (p, sum(p) % 256))
        while True:
            self.buf = self.buf.lstrip(b"+")
            m = re.match(rb"\$([^#]*)#[0-9a-f]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.sock.sendall(b"+")
                return m.group(1).decode()
            chunk = self.sock.recv(65536)
            if not chunk:
                sys.exit("bench_gdbstub: the stub closed the connection")
            self.buf += chunk


def timed(fn, rounds=ROUNDS):
    ms = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[int(len(ms) * 0.9) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--opensbi", required=True)
    ap.add_argument("--hv", required=True)
    ap.add_argument("--build", required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hvbench-gdbstub-")
    try:
        cfg = os.path.join(tmp, "one.cfg")
        with open(cfg, "w") as f:
            f.write("[vm xv6]\nimage = ${O}/guests/xv6/kernel.elf\nram = 128M\ndisk = auto\n")
        bundle = os.path.join(tmp, "one.bundle")
        mk = [sys.executable, os.path.join(os.path.dirname(__file__), "mkbundle.py"), cfg, "-D", f"O={a.build}"]
        subprocess.run(mk + ["-o", bundle], check=True)
        disks = subprocess.run(mk + ["--qemu-args", "--disk-dir", tmp, "--disk-template",
                                     os.path.join(a.build, "guests", "xv6", "fs.img")],
                               check=True, capture_output=True, text=True).stdout.split()
        log = open(os.path.join(tmp, "qemu.log"), "w+")
        qemu = subprocess.Popen([a.qemu, "-M", "virt", "-cpu", "rv64", "-smp", "2", "-m", "1G", "-nographic",
                                 "-bios", a.opensbi, "-kernel", a.hv,
                                 "-device", f"loader,file={bundle},addr=0x84000000,force-raw=on",
                                 "-append", "hvscope.bundle=0x84000000"] + gdbvm.qemu_args(1, tmp) + disks,
                                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 120
            while "$ " not in open(log.name, errors="replace").read():
                if time.time() > deadline or qemu.poll() is not None:
                    sys.exit("bench_gdbstub: xv6 did not reach its shell")
                time.sleep(0.5)
            c = Rsp(os.path.join(tmp, "vm1.sock"))
            c.ask("qSupported")
            c.ask("?")
            step = timed(lambda: c.ask("s"))
            pc = int.from_bytes(bytes.fromhex(c.ask("p20")), "little")
            kind = 4 if int(c.ask(f"m{pc:x},1"), 16) & 3 == 3 else 2
            c.ask(f"Z0,{pc:x},{kind}")
            hit = timed(lambda: c.ask("c"))
            c.ask(f"z0,{pc:x},{kind}")
            c.ask("D")
        finally:
            qemu.kill()
            qemu.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gdbstub round trips (wall clock, QEMU TCG, {ROUNDS} each): median / 90th percentile")
    print(f"  stepi (s -> stop reply)                    {step[0]:6.2f} / {step[1]:6.2f} ms")
    print(f"  breakpoint hit (c -> stop reply)           {hit[0]:6.2f} / {hit[1]:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
