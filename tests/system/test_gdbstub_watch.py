"""Hardware watchpoints and breakpoints through the SBI Debug Triggers
extension (issue 16), once per QEMU of the version matrix.

QEMU 10 + OpenSBI 1.5: the boot banner reports mcontrol6 triggers, `watch`
on xv6's pid counter is a hardware watchpoint that fires when a command
forks in VM 1 (old and new value), `hbreak syscall` hits.  QEMU 7.2 with
Debian's OpenSBI 1.5 offers two mcontrol6 triggers too: the same hardware
watchpoint fires there (its breakpoint exception leaves stval 0, and the
stub finds the trigger from the store's address), and `hbreak` hits.
Without Sdtrig (`-cpu ...,debug=false`, on either QEMU) the banner says
there is no usable trigger and the documented fallback happens: the same
plain `watch` (no gdb setting) is done by the stub, which write-protects
the variable's page in the G-stage, and it fires with old and new value;
`hbreak` gets the empty reply and cannot be inserted.
"""

import os
import re
import tempfile
import time

import pytest

import hvtest
from hvrun import focus, hv_args, make_bundle
from test_gdbstub import DEFAULT_SET, GDB_TIMEOUT, PROMPT, BOOT_TIMEOUT, disk_args, start_gdb_vm, stop


# QEMU 10 (two mcontrol6 triggers); -nosdtrig: -cpu ...,debug=false, no
# Sdtrig, so no usable trigger and the fallback.  QEMU 7.2 with Debian's
# OpenSBI 1.5 finds two mcontrol6 triggers: its execute triggers fire in
# VS-mode (hbreak works) but its load/store triggers never do for VS/VU
# accesses, so its watchpoint run is the documented fallback (docs/gdb.md).
WATCH_VARIANTS = ["qemu10", "qemu10-nosdtrig", "qemu7.2-nosdtrig", "qemu7.2"]
HBREAK_VARIANTS = ["qemu10", "qemu10-nosdtrig", "qemu7.2"]


def machine(variant):
    """(qemu binary, -cpu) of a variant; skips only the 7.2 runs, only when its binary is absent."""
    qemu = hvtest.qemu_new()
    if variant.startswith("qemu7.2"):
        if not os.access(hvtest.qemu_old(), os.X_OK):
            pytest.skip(hvtest.QEMU_OLD_MISSING)
        qemu = hvtest.qemu_old()
    return qemu, hvtest.qemu_cpu() + (",debug=false" if variant.endswith("-nosdtrig") else "")


def boot(qemu_factory, tmp_path, variant, name):
    """The default two-xv6 set with the gdbstub device; returns (qemu, socket dir, banner line)."""
    qemu_bin, cpu = machine(variant)
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(make_bundle(DEFAULT_SET, name), qemu=qemu_bin, cpu=cpu, gdbstub_dir=sockdir)
    q = qemu_factory(args + disk_args(DEFAULT_SET, tmp_path), name=name, timeout=BOOT_TIMEOUT)
    banner = q.expect(r"debug triggers: ([^\r\n]+)\r?\n").group(1)
    q.expect(r"gdbstub: virtio-console at 0x[0-9a-f]+ irq \d+, 32 ports")
    for vm in (1, 2):
        focus(q, str(vm))
        q.sendline("")
        q.expect(PROMPT)
    return q, sockdir, banner


def gdb_while_typing(q, sockdir, tmp_path, commands):
    """gdb on VM 1 runs commands up to a `continue` that waits for VM 1 to
    make a system call; the test types into VM 1 until gdb is past it."""
    flag = tmp_path / "hit"
    gdb = start_gdb_vm(sockdir, 1, commands[0] + [f"shell touch {flag}"] + commands[1])
    try:
        focus(q, "1")
        deadline = time.time() + GDB_TIMEOUT
        while not flag.exists():
            assert gdb.poll() is None or flag.exists(), gdb.stdout.read()
            assert time.time() < deadline, "gdb never stopped"
            q.sendline("echo typed")
            for _ in range(15):
                if flag.exists():
                    break
                time.sleep(0.2)
        out, _ = gdb.communicate(timeout=GDB_TIMEOUT)
    finally:
        stop(gdb)
    print(out)
    return out


def has_triggers(banner, variant):
    """What the banner says, checked against what the machine is known to offer."""
    hw = re.match(r"SBI DBTR, \d+ triggers, (\d+) mcontrol6 \(VS/VU\): gdb hbreak/watch use (\d+) per VM$", banner)
    if variant.endswith("-nosdtrig"):
        assert not hw and "fall back to software" in banner, banner
    else:
        assert hw and int(hw.group(2)) == 2, banner           # two mcontrol6 triggers
    return bool(hw)


@pytest.mark.parametrize("variant", WATCH_VARIANTS)
def test_gdbstub_watch_pid_counter(qemu_factory, tmp_path, variant):
    q, sockdir, banner = boot(qemu_factory, tmp_path, variant, f"watch-{variant}")
    hw = has_triggers(banner, variant)
    # The same plain `watch` everywhere, no gdb settings; always-inserted: gdb
    # keeps the watchpoint in while stopped, so monitor triggers shows it.
    before = ["monitor triggers", "monitor help", "set breakpoint always-inserted on", "watch nextpid",
              "monitor triggers", "continue"]
    out = gdb_while_typing(q, sockdir, tmp_path, (before, ["bt 1", "monitor triggers", "delete", "detach"]))
    assert "Hardware watchpoint 1: nextpid" in out, out
    assert "Could not insert" not in out, out
    if hw:
        assert re.search(r"SBI DBTR: \d+ triggers per hart, \d+ mcontrol6; this VM may use \d+, uses 0", out), out
        # inserted before the continue: one mcontrol6 store trigger, VS/VU only (bits 24, 23)
        trig = re.search(r"uses 1\n  trigger 0: watch \(store\) at (0x[0-9a-f]+), 4 bytes, mcontrol6 tdata1 "
                         r"(0x[0-9a-f]{16})\n(?:.*\n)*Old value", out)
        assert trig and int(trig.group(2), 16) == (6 << 60) | (1 << 24) | (1 << 23) | (3 << 16) | 2, out
    else:
        # the fallback: no trigger, the stub write-protects nextpid's page in the G-stage
        assert re.search(r"no hardware triggers: .*; watch \(Z2\) write-protects the watched page", out), out
        assert "stub write-protects the watched page" in out, out       # monitor help says so
        prot = re.search(r"  watch \(store\) at (0x[0-9a-f]+), 4 bytes: page at gpa (0x[0-9a-f]+) "
                         r"write-protected\n(?:.*\n)*Old value", out)
        assert prot and int(prot.group(2), 16) == int(prot.group(1), 16) & ~0xfff, out   # xv6: VA == GPA
    m = re.search(r"Old value = (\d+)\s+New value = (\d+)", out)
    assert m and int(m.group(2)) == int(m.group(1)) + 1, out
    assert re.search(r"allocpid \(\) at .*proc\.c", out), out
    assert "[Inferior 1 (Remote target) detached]" in out, out
    # after detach the page is writable again and xv6 runs on: a fork, many stores on that page
    q.sendline("echo after-watch")
    q.expect("after-watch")
    q.expect(PROMPT)


@pytest.mark.parametrize("variant", HBREAK_VARIANTS)
def test_gdbstub_hbreak(qemu_factory, tmp_path, variant):
    q, sockdir, banner = boot(qemu_factory, tmp_path, variant, f"hbreak-{variant}")
    hw = has_triggers(banner, variant)
    if not hw:
        out = start_and_wait(sockdir, ["hbreak syscall", "continue", "detach"])
        assert "Hardware assisted breakpoint 1 at" in out, out
        assert re.search(r"Cannot insert hardware breakpoint 1|Could not insert hardware breakpoint", out), out
        return
    out = gdb_while_typing(q, sockdir, tmp_path, (["hbreak syscall", "continue"],
                                                  ["bt 1", "p/x $pc", "info symbol $pc", "delete", "detach"]))
    assert "Hardware assisted breakpoint 1 at" in out, out
    assert re.search(r"Breakpoint 1, syscall \(\) at .*syscall\.c", out), out
    assert re.search(r"^syscall in section \.text$", out, re.M), out
    q.sendline("echo after-hbreak")
    q.expect("after-hbreak")
    q.expect(PROMPT)


def start_and_wait(sockdir, commands):
    gdb = start_gdb_vm(sockdir, 1, commands)
    try:
        out, _ = gdb.communicate(timeout=GDB_TIMEOUT)
    finally:
        stop(gdb)
    print(out)
    return out
