"""A dying VM stops in gdb (issue 16): the ADUE story from gdb.

VM 1 runs xv6 with `adue = off`, `ad_emulation = off` and `gdb = wait`
(configs/adue-off.cfg plus the wait), so its first fetch after `csrw satp`
faults on a leaf with A=0 and, with no stvec yet, the guest loops on an
instruction page fault at pc 0.  Without gdb that is a fault-loop death
(test_adue.py); with gdb attached:

(a) plain `continue`: gdb stops with SIGTRAP for the fault loop, `monitor why`
    names the first fault and its A=0 leaf, `hv> vms` says `stopped in
    debugger`; `detach`, and the VM dies with the usual report.
(b) `monitor catch fault on`, `continue`: gdb stops with SIGSEGV at the fetch
    right after `csrw satp`; `x/i $pc`, `monitor pt $pc fetch` and `hv pte`
    show the leaf with A=0; `detach`, and the VM dies with the usual report.
"""

import re
import subprocess
import tempfile
import time

import hvtest
from hvrun import focus
from test_gdbstub import GDB_TIMEOUT, XV6_ELF, boot, start_gdb_vm, stop

ADUE_WAIT = (hvtest.REPO_ROOT / "configs" / "adue-off.cfg").read_text().replace(
    "[vm xv6-noadue]\n", "[vm xv6-noadue]\ngdb = wait\n")


def fetch_after_satp():
    """The address right after kvminithart's `csrw satp` in xv6's kernel (objdump)."""
    r = subprocess.run(["riscv64-unknown-elf-objdump", "-d", str(XV6_ELF)], capture_output=True, text=True,
                       check=True)
    body = r.stdout[r.stdout.index("<kvminithart>:"):]
    body = body[:body.index("\n\n")]
    m = re.search(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+csrw\s+satp", body, re.M)
    return int(m.group(1), 16) + len(m.group(2)) // 2


def run_gdb(q, sockdir, commands, flag, resume, while_stopped):
    """gdb on VM 1 with commands; once it touches flag, while_stopped() runs, then gdb goes on."""
    gdb = start_gdb_vm(sockdir, 1, commands, config="adue-off")
    try:
        deadline = time.time() + GDB_TIMEOUT
        while not flag.exists():
            assert gdb.poll() is None, gdb.stdout.read()
            assert time.time() < deadline, "gdb never stopped"
            time.sleep(0.2)
        while_stopped()
        resume.touch()
        out, _ = gdb.communicate(timeout=GDB_TIMEOUT)
    finally:
        stop(gdb)
    print(out)
    return out


def sync(flag, resume):
    return [f"shell touch {flag}",
            f'python import os, time; any(time.sleep(0.2) for _ in iter(lambda: os.path.exists("{resume}"), True))']


def vms_line(q):
    focus(q, "h")
    q.sendline("vms")
    m = q.expect(r"\n\s*1\s+xv6-noadue\s+(\S.*?)\s+\d+@\d+ ")
    q.expect_exact("hv> ")
    return m.group(1)


def expect_death_report(q, held):
    """The usual post-mortem report after detach (held: the death was waiting for the detach)."""
    if held:
        q.expect(r"vm1: xv6-noadue: debugger detached from a VM that could not go on", 60)
    else:
        q.expect(r"vm1: xv6-noadue: debugger detached, running", 60)
    q.expect(r"=== hvscope post-mortem: vm1 \(xv6-noadue\) vCPU 0: fault loop: instruction page fault", 60)
    q.expect(r"level 0: [^\r\n]* A=0 D=0 [^\r\n]*\(leaf\)")
    q.expect_exact("=== end of report")
    q.expect_exact("vm1: xv6-noadue dead: fault loop, A/D (hv> dump 1)")


def test_gdbstub_fault_loop_stops_in_gdb(qemu_factory, tmp_path):
    """(a): the fault loop is a SIGTRAP stop in gdb; monitor why; dies on detach."""
    q, sockdir = boot(qemu_factory, tmp_path, ADUE_WAIT, name="gdbfault", shells=())
    q.expect(r"vm1: xv6-noadue waits for gdb at its first instruction")
    flag, resume = tmp_path / "stopped", tmp_path / "resume"
    held = {}

    def while_stopped():
        held["vms"] = vms_line(q)

    out = run_gdb(q, sockdir, ["continue", "p/x $pc", "monitor why", "info threads"] + sync(flag, resume) +
                  ["detach"], flag, resume, while_stopped)
    assert re.search(r"Program received signal SIGTRAP", out), out
    assert re.search(r"^\$1 = 0x0$", out, re.M), out           # the loop: fetch at pc 0 (no stvec yet)
    assert "vm1 would have died (it dies on detach): fault loop: instruction page fault" in out, out
    m = re.search(r"first fault of the chain: scause 0xc instruction page fault, pc (0x[0-9a-f]+), "
                  r"address (0x[0-9a-f]+)", out)
    assert m and int(m.group(1), 16) == fetch_after_satp() and m.group(1) == m.group(2), out
    assert re.search(r"leaf PTE: level 0, at gpa 0x[0-9a-f]+: 0x[0-9a-f]{16} V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0", out), out
    assert re.search(r"diagnosis: first fault = fetch at 0x[0-9a-f]+; leaf PTE A=0 while henvcfg.ADUE=0", out), out
    assert held["vms"] == "stopped in debugger", held
    assert "vm1: xv6-noadue stopped in debugger: fault loop: instruction page fault" in q.output
    assert "=== hvscope post-mortem: vm1" not in q.output[q.output.rindex("stopped in debugger: fault loop"):]
    expect_death_report(q, held=True)
    state = vms_line(q)
    assert state == "dead", state


def test_gdbstub_catch_fault_first_fetch(qemu_factory, tmp_path):
    """(b): monitor catch fault on: SIGSEGV at the fetch after csrw satp, the A=0 leaf; dies on detach."""
    q, sockdir = boot(qemu_factory, tmp_path, ADUE_WAIT, name="gdbcatch", shells=())
    q.expect(r"vm1: xv6-noadue waits for gdb at its first instruction")
    flag, resume = tmp_path / "stopped", tmp_path / "resume"
    leaf = ("python import re; o = gdb.execute('monitor pt $pc fetch', to_string=True); "
            "pte = re.findall(r'pte (0x[0-9a-f]+)', o); "
            "gdb.execute('hv pte %s --level 0' % pte[-1])")
    out = run_gdb(q, sockdir, ["monitor catch fault on", "continue", "p/x $pc", "x/i $pc", "monitor why",
                               "monitor pt $pc fetch", leaf, "continue", "p/x $pc"] + sync(flag, resume) + ["detach"],
                  flag, resume, lambda: None)
    after = fetch_after_satp()
    assert "catch fault on: every exception the hypervisor reflects or fixes up" in out, out
    assert re.search(r"Program received signal SIGSEGV", out), out
    assert re.search(r"^\$1 = 0x%x$" % after, out, re.M), out
    assert re.search(r"=> 0x%x <kvminithart\+\d+>:\s+sfence\.vma" % after, out), out
    assert re.search(r"caught \(monitor catch fault\): scause 0xc instruction page fault, pc 0x%x" % after, out), out
    # monitor why and monitor pt: the leaf with A=0; hv pte decodes the same PTE
    assert re.search(r"continue hands it to the guest\n  leaf PTE: level 0, at gpa 0x[0-9a-f]+: (0x[0-9a-f]+) "
                     r"V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0\n  -> A=0 and hardware A/D updating is off", out), out
    pte = re.search(r"level 0: table gpa 0x[0-9a-f]+ index \d+ pte (0x[0-9a-f]+) V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0 "
                    r"ppn 0x[0-9a-f]+ \(leaf", out)
    assert pte, out
    assert re.search(r"^pte %s  V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0$" % pte.group(1), out, re.M), out
    assert "any access without hardware A/D updating (A=0" in out, out
    # continue hands the fault to the guest: the next one caught is its loop at pc 0 (no stvec yet)
    assert len(re.findall(r"Program received signal SIGSEGV", out)) == 2, out
    assert re.search(r"^\$2 = 0x0$", out, re.M), out
    expect_death_report(q, held=False)


def test_gdbstub_srst_failure_dies_on_dropped_connection(qemu_factory, tmp_path):
    """A guest SRST reporting a system failure with a debugger attached: the
    stop is SIGTRAP with `monitor why` naming the SRST, the VM
    is `stopped in debugger`; the connection drops without a detach and the
    VM dies with its report."""
    from test_gdbstub import Rsp, hv_args, make_bundle
    elf = hvtest.build_dir() / "guests" / "tests" / "hostile.elf"
    config = f"[vm hostile]\nimage = {elf}\nram = 16M\nbootargs = hostile=sysfail\ngdb = wait\n"
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(make_bundle(config, "sysfail"), gdbstub_dir=sockdir)
    q = qemu_factory(args, timeout=60)
    q.expect(r"vm1: hostile waits for gdb at its first instruction")
    c = Rsp(f"{sockdir}/vm1.sock")
    try:
        assert c.ask("?") == "T05thread:1;"
        c.send("c")
        assert c.ack() == b"+"
        q.expect("hostile: sysfail now")
        assert c.reply() == "T05thread:1;"
        why = c.monitor("why")
        assert "vm1 would have died (it dies on detach): guest shut down reporting a system failure (SBI SRST)" in why, why
        assert c.ask("g")[:2] != "E1", "registers readable while held"
        q.expect_exact("vm1: hostile stopped in debugger: guest shut down reporting a system failure (SBI SRST)")
        assert "=== hvscope post-mortem: vm1" not in q.output
    finally:
        c.close()                                   # no detach: the connection just drops
    q.expect(r"vm1: hostile: debugger disconnected")
    q.expect(r"vm1: hostile: debugger detached from a VM that could not go on")
    q.expect(r"=== hvscope post-mortem: vm1 \(hostile\) vCPU 0: guest shut down reporting a system failure")
    q.expect_exact("=== end of report")
    q.expect(r"vm1: hostile dead: ")
