"""hvscope under QEMU: several test guests side by side on 2 harts, the
console multiplexer, isolation (the escape guest), the QEMU version matrix."""

import pytest

from hvrun import config_bundle, focus, hv_args, make_bundle, vm_log

ALL_GUESTS = """
[vm hello]
image = ${O}/guests/tests/hello.elf
ram = 16M
[vm echo]
image = ${O}/guests/tests/echo.elf
ram = 16M
[vm timer]
image = ${O}/guests/tests/timer.elf
ram = 16M
[vm smp]
image = ${O}/guests/tests/smp.elf
ram = 16M
vcpus = 2
[vm sbiprobe]
image = ${O}/guests/tests/sbiprobe.elf
ram = 16M
"""


def boot(qemu_factory, bundle, name, **kw):
    args, logdir = hv_args(bundle, **kw)
    q = qemu_factory(args, name=name, timeout=60)
    return q, logdir


def test_banner_lists_discovered_hardware(qemu_factory):
    q, _ = boot(qemu_factory, config_bundle("guests"), "banner")
    q.expect(r"harts: 2 \(0 1\)")
    q.expect(r"RAM: 0x80000000 \+ 1024 MiB")
    q.expect(r"UART: ns16550a at 0x10000000 irq 10")
    q.expect(r"PLIC: 0xc000000")
    q.expect(r"virtio-mmio: 8 slots")
    q.expect(r"ISA: rv64\w*h")
    q.expect(r"extensions: h=yes sstc=yes svadu=yes svade=(yes|no)")
    q.expect(r"henvcfg can enable: STCE=1 PBMTE=\d ADUE=1")
    for i, name in enumerate(["hello", "echo", "timer"], 1):
        q.expect_exact(f"vm{i}: {name} started")


def test_all_guests_side_by_side(qemu_factory, qemu_bin, qemu_version):
    """5 VMs / 6 vCPUs on 2 harts; every guest reaches its success marker."""
    q, logdir = boot(qemu_factory, make_bundle(ALL_GUESTS), f"all-guests-{qemu_version}", qemu=qemu_bin)
    for i, name in enumerate(["hello", "echo", "timer", "smp", "sbiprobe"], 1):
        q.expect_exact(f"vm{i}: {name} started")
    q.expect_exact("hello: done vcpu=0")          # VM 1 has focus at boot
    focus(q, "4")
    q.expect_exact("smp: vcpu 1 up", timeout=30)
    q.expect_exact("smp: ok", timeout=30)
    focus(q, "5")
    q.expect_exact("sbiprobe: ok", timeout=30)
    focus(q, "3")
    q.expect(r"timer: ok elapsed=\d+", timeout=30)
    focus(q, "2")
    q.expect_exact("echo: ready")
    q.sendline("side by side")
    q.expect_exact("echo: line side by side")
    # unfocused output went to the logs, never to another VM
    assert "sbiprobe: FAIL" not in vm_log(logdir, 5, "sbiprobe")
    assert "side by side" not in vm_log(logdir, 1, "hello")
    assert "echo: line side by side" in vm_log(logdir, 2, "echo")


def test_console_mux_and_hv_prompt(qemu_factory):
    q, logdir = boot(qemu_factory, config_bundle("guests"), "console-mux")
    q.expect_exact("hello: done vcpu=0")
    focus(q, "2")
    q.expect_exact("echo: ready")                 # replayed on focus
    q.sendline("only for echo")
    q.expect_exact("echo: line only for echo")
    long_line = "".join(chr(ord("a") + i % 26) for i in range(300))
    q.sendline(long_line)                         # more than the vUART's 64-byte FIFO
    q.expect_exact(long_line + "\r\necho: line " + long_line[:127])  # the guest keeps 127
    q.send("\x14?")
    q.expect_exact("focus the hv> console")
    focus(q, "h")
    q.sendline("")
    q.expect_exact("hv> ")                        # empty line: new prompt
    q.sendline("help")
    for cmd in ("help", "version", "vms", "quit"):
        q.expect(r"\n%s " % cmd)
    q.expect_exact("hv> ")
    q.sendline("version")
    q.expect(r"hvscope \d+\.\d+")
    q.sendline("vms")
    q.expect(r"\n1 +hello +running")
    q.expect(r"\n2 +echo +running")
    q.expect(r"\n3 +timer +running")
    q.sendline("frobnicate now")
    q.expect_exact("error: unknown command 'frobnicate'")
    q.expect_exact("hv> ")
    q.sendline("x" * 300)
    q.expect_exact("error: line longer than")
    # input typed at the console never reached a VM
    focus(q, "2")
    q.sendline("back again")
    q.expect_exact("echo: line back again")
    assert "frobnicate" not in vm_log(logdir, 2, "echo")
    focus(q, "h")
    q.sendline("quit")
    q.wait_exit(timeout=20)


ESCAPE_SET = """
[vm escape]
image = ${O}/guests/tests/escape.elf
ram = 16M
bootargs = escape=%s
[vm echo]
image = ${O}/guests/tests/echo.elf
ram = 16M
[vm hello]
image = ${O}/guests/tests/hello.elf
ram = 16M
"""


@pytest.mark.parametrize("attempt", ["ram", "low", "dev", "high"])
def test_escape_gets_access_fault_as_on_qemu(qemu_factory, attempt):
    """An access outside RAM and the VM's devices gets the access fault QEMU's
    bus gives (tests/system/test_devprobe.py compares it with QEMU), the
    console says so, and the VM and its neighbours go on."""
    q, _ = boot(qemu_factory, make_bundle(ESCAPE_SET % attempt), f"escape-{attempt}")
    q.expect_exact(f"escape: try {attempt}")
    kind, cause = ("store", "0x7") if attempt == "low" else ("load", "0x5")
    q.expect(rf"vm1: {kind} at guest-physical 0x[0-9a-f]+ \(pc 0x[0-9a-f]+\): not RAM and no device "
             rf"the VM was given; RAM is \[0x80000000, 0x81000000\): access fault injected, as on QEMU")
    q.expect_exact(f"escape: blocked {attempt} scause={cause}")
    q.expect_exact("escape: done")
    assert "escape: LEAK" not in q.output
    assert "post-mortem" not in q.output
    focus(q, "2")
    q.sendline("still alive")
    q.expect_exact("echo: line still alive")
    focus(q, "h")
    q.sendline("stats 1")
    q.expect(r"MMIO accesses [^\r\n]* none 1\r?\n")
    q.sendline("vms")
    q.expect(r"\n1 +escape +running")
    q.expect(r"\n2 +echo +running")
    q.expect(r"\n3 +hello +running")


def test_svadu_off_boots_with_adue_off(qemu_factory):
    """QEMU_CPU=rv64,svadu=off: henvcfg.ADUE cannot be set; VMs run with ADUE off."""
    q, _ = boot(qemu_factory, config_bundle("guests"), "svadu-off", cpu="rv64,svadu=off")
    q.expect(r"henvcfg can enable: STCE=1 PBMTE=\d ADUE=0")
    q.expect_exact("vm1: hello started (1 vCPU, 32 MiB, entry 0x80200000, ADUE off, A/D emulation on)")
    q.expect_exact("hello: done vcpu=0")
    focus(q, "3")
    q.expect(r"timer: tick 20")


def test_bad_configs_fail_with_one_clear_message(tmp_path):
    with pytest.raises(RuntimeError, match=r"image '.*nope.elf' does not exist"):
        make_bundle("[vm x]\nimage = ${O}/nope.elf\n")
    with pytest.raises(RuntimeError, match=r"unknown key 'colour'"):
        make_bundle("[vm x]\nimage = ${O}/guests/tests/hello.elf\ncolour = red\n")
    with pytest.raises(RuntimeError, match=r"does not fit QEMU_MEM"):
        make_bundle("".join(f"[vm v{i}]\nimage = ${{O}}/guests/tests/hello.elf\nram = 512M\n"
                            for i in range(3)))
    with pytest.raises(RuntimeError, match=r"vcpus must be 1..8"):
        make_bundle("[vm x]\nimage = ${O}/guests/tests/hello.elf\nvcpus = 9\n")
    with pytest.raises(RuntimeError, match=r"33 VMs, at most 32"):
        make_bundle("".join(f"[vm v{i}]\nimage = ${{O}}/guests/tests/hello.elf\nram = 8M\n"
                            for i in range(33)))
    with pytest.raises(RuntimeError, match=r"does not fit\s+its RAM|does not fit its RAM"):
        make_bundle("[vm x]\nimage = ${O}/guests/tests/hello.bin\nentry = 0x90000000\nram = 16M\n")
