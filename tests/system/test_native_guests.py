"""Every test guest booted directly on QEMU + OpenSBI (no hypervisor), on the
new QEMU and on QEMU 7.2: the baseline the same binaries must match as VMs."""

import re

from hvtest import guest_image, native_args


def boot(qemu_factory, qemu_bin, guest, **kwargs):
    return qemu_factory(native_args(guest_image(guest), qemu=qemu_bin, **kwargs))


def test_hello(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "hello")
    q.expect_exact("hello: uart ok\r\n")
    # OpenSBI's console adds "\r" before every "\n" the guest sends through
    # SBI, so those lines end in "\r\r\n" natively.
    q.expect(r"hello: sbi dbcn ok\r+\n")
    q.expect(r"hello: legacy ok\r+\n")
    vcpu = int(q.expect(r"hello: done vcpu=(\d+)\r\n").group(1))
    assert vcpu in (0, 1)
    assert "FAIL" not in q.output


def test_echo(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "echo")
    q.expect_exact("echo: ready\r\n")
    q.sendline("hvscope says hi 42")
    q.expect_exact("hvscope says hi 42\r\necho: line hvscope says hi 42\r\n")
    q.sendline("second")
    q.expect_exact("\r\necho: line second\r\n")


def check_timer(q, mode=None):
    using = q.expect(r"timer: timebase (\d+) using (sstc|sbi)\r\n")
    assert int(using.group(1)) > 0
    if mode:
        assert using.group(2) == mode
    for n in range(10, 60, 10):
        q.expect_exact(f"timer: tick {n}\r\n")
    elapsed = int(q.expect(r"timer: ok elapsed=(\d+)\r\n").group(1))
    # 50 ticks of 10 ms; QEMU's time follows the host clock, so only a lower
    # bound holds on a loaded machine.
    assert elapsed >= 400, f"50 ticks of 10 ms took only {elapsed} ms"
    q.expect_exact("timer: tick 100\r\n")


def test_timer(qemu_factory, qemu_bin):
    check_timer(boot(qemu_factory, qemu_bin, "timer"))


def test_timer_without_sstc_uses_sbi(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "timer", cpu="rv64,sstc=off")
    check_timer(q, mode="sbi")


def test_smp(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "smp", smp=2)
    boot_id = int(q.expect(r"smp: boot vcpu (\d+)\r\n").group(1))
    other = 1 - boot_id
    q.expect_exact(f"smp: vcpu {other} up\r\n")
    q.expect_exact(f"smp: ipi received on {other}\r\n")
    q.expect(r"smp: (ok|FAIL [^\r\n]*)\r\n")
    assert "smp: ok\r\n" in q.output, "smp guest reported a failure"


def test_smp_single_vcpu(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "smp", smp=1)
    q.expect_exact("smp: boot vcpu 0\r\n")
    q.expect_exact("smp: single vcpu\r\n")
    q.expect_exact("smp: ok\r\n")


REQUIRED_EXTENSIONS = ("BASE", "TIME", "IPI", "RFENCE", "HSM", "SRST", "DBCN")


def test_sbiprobe(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "sbiprobe")
    q.expect(r"sbiprobe: (ok|failed \d+)\r\n")
    out = q.output
    failures = re.findall(r"sbiprobe: FAIL .*", out)
    assert not failures, "\n".join(failures)
    assert "sbiprobe: ok\r\n" in out
    assert re.search(r"sbiprobe: impl id 1 ", out), "native runs are on OpenSBI"
    for ext in REQUIRED_EXTENSIONS:
        assert f"sbiprobe: ext {ext} present\r\n" in out
    assert len(re.findall(r"sbiprobe: PASS ", out)) >= 10


ESCAPES = ("ram", "low", "dev", "high")


def test_escape(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "escape")
    for name in ESCAPES:
        q.expect(rf"escape: try {name} addr=0x[0-9a-f]+\r\n")
        result = q.expect(rf"escape: (blocked|LEAK) {name}\b[^\r\n]*\r\n")
        assert result.group(1) == "blocked", result.group(0)
    q.expect_exact("escape: done\r\n")
    assert "LEAK" not in q.output


def test_escape_bootargs_select_one(qemu_factory, qemu_bin):
    q = boot(qemu_factory, qemu_bin, "escape", extra=["-append", "quiet escape=high"])
    q.expect_exact("escape: try high addr=0x1000000000\r\n")
    q.expect_exact("escape: blocked high scause=0x5\r\n")
    q.expect_exact("escape: done\r\n")
    assert len(re.findall(r"escape: try ", q.output)) == 1
