"""gdb on a Linux VM with 2 vCPUs (issue 16): attach, two threads, `thread
2` + `p $pc`, stepi on each vCPU, held stopped for a few seconds, continue,
Ctrl-C (SIGINT to gdb, as a terminal sends it), detach; afterwards the
guest's shell answers and its kernel reports no RCU stall.

configs/linux.cfg (Debian's kernel, busybox initramfs, `make fetch-guests`;
a failed fetch fails the test, as in test_thirdparty.py).
"""

import os
import re
import signal
import tempfile
import time

from hvrun import config_bundle, hv_args
from test_gdbstub import GDB_TIMEOUT, start_gdb_vm, stop
import test_thirdparty
from test_thirdparty import linux_reaches_shell, shell

guests = test_thirdparty.guests     # a fixture: the tests below take it by name


def gdb_child(make_pid):
    """The gdb that `make gdb-vm` started (in make's own process group), to send it SIGINT as Ctrl-C would."""
    deadline = time.time() + 30
    while time.time() < deadline:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = open(f"/proc/{pid}/stat").read()
            except OSError:
                continue
            comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
            if "gdb" in comm and int(rest[2]) == make_pid:      # field 5: process group
                return int(pid)
        time.sleep(0.2)
    raise AssertionError("no gdb under make gdb-vm")


def test_gdbstub_linux_smp_session(qemu_factory, guests, tmp_path):
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(config_bundle("linux"), gdbstub_dir=sockdir)
    q = qemu_factory(args, name="gdb-linux", timeout=60)
    q.expect_exact("vm1: linux started (2 vCPUs")
    m = linux_reaches_shell(q)
    assert m.group(2) == "2", m.group(0)
    flag = tmp_path / "continued"
    regs = "info registers pc sp priv"
    commands = ["info threads", "thread 2", "p/x $pc", regs, "stepi", regs, "thread 1", regs, "stepi", regs,
                "shell sleep 4", "echo continuing\\n", f"shell touch {flag}", "continue", "info threads", "detach"]
    gdb = start_gdb_vm(sockdir, 1, commands, config="linux")
    try:
        deadline = time.time() + GDB_TIMEOUT
        while not flag.exists():
            assert gdb.poll() is None, gdb.stdout.read()
            assert time.time() < deadline, "gdb never got to continue"
            time.sleep(0.2)
        time.sleep(3)                                  # the guest runs under gdb's continue
        os.kill(gdb_child(gdb.pid), signal.SIGINT)     # Ctrl-C
        out, _ = gdb.communicate(timeout=GDB_TIMEOUT)
    finally:
        stop(gdb)
    print(out)
    assert re.search(r"1\s+Thread 1 \(vCPU 0[^\n]*\n[^\n]*2\s+Thread 2 \(vCPU 1", out), out
    assert "[Switching to thread 2 (Thread 2)]" in out, out
    # stepi on each thread: pc moves on that thread, the stop is that thread's
    pcs = [int(x, 16) for x in re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)]
    assert len(pcs) >= 4, out
    assert pcs[1] != pcs[0] and pcs[3] != pcs[2], out
    assert all(pc >= 0xffffffff00000000 for pc in pcs), out        # in Linux's kernel mapping
    assert re.search(r"received signal SIGINT", out), out
    assert "[Inferior 1 (Remote target) detached]" in out, out
    # the guest lives on: its shell answers, two CPUs online, no RCU stall after being held
    q.expect(r"vm1: linux: debugger detached, running")
    from hvrun import focus
    focus(q, "1")
    q.sendline("")
    shell(q, "echo after-gdb-$((6 * 7))", r"after-gdb-42")
    shell(q, "cat /sys/devices/system/cpu/online", r"\n0-1\r?\n")
    time.sleep(2)
    m = shell(q, "echo STALLS=$(dmesg | grep -c 'rcu.*stall')", r"STALLS=(\d+)")
    assert m.group(1) == "0", q.output[-3000:]
