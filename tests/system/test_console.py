"""The hv> debug console driven over QEMU's UART, as a user would: CSRs,
translations checked against each other and against the guest image, VM
control, the ADUE story replayed from the console, and bad input (garbage,
10 KiB lines, binary noise) answered with one error line each."""

import os
import random
import re
import subprocess
import sys

import pytest

from hvrun import config_bundle, focus, hv_args, make_bundle
from hvtest import REPO_ROOT, build_dir

PROMPT = "\r\nhv> "

XV6_AND_HELLO = """
[vm xv6]
image = ${O}/guests/xv6/kernel.elf
ram = 128M
[vm hello]
image = ${O}/guests/tests/hello.elf
ram = 16M
"""


def run(q, line, timeout=20):
    """Types a console line; returns what the console answered (the echo stripped)."""
    q.sendline(line)
    q.expect_exact(PROMPT, timeout=timeout)
    text = q.child.before.replace("\r\n", "\n")
    # the echo ends at the first newline; the prompt's newline ends the answer
    return text.split("\n", 1)[1] + "\n" if "\n" in text else ""


def error_lines(text):
    return [l for l in text.split("\n") if l.startswith("error: ")]


def boot(qemu_factory, bundle, name, extra=(), timeout=60):
    args, logdir = hv_args(bundle)
    q = qemu_factory(args + list(extra), name=name, timeout=timeout)
    return q, logdir


def xv6_kernel():
    path = build_dir() / "guests" / "xv6" / "kernel.elf"
    if not path.exists():
        pytest.fail(f"{path} is missing (xv6 not built)")
    return path


def test_csr_vms_and_bad_lines(qemu_factory):
    q, _ = boot(qemu_factory, config_bundle("guests"), "console-csr")
    q.expect_exact("hello: done vcpu=0")
    focus(q, "h")
    out = run(q, "csr henvcfg")
    assert re.fullmatch(r"henvcfg = 0x[0-9a-f]{16}  STCE=1 PBMTE=\d ADUE=1 CBZE=\d CBCFE=\d CBIE=\d FIOM=\d\n", out), out
    out = run(q, "csr 1 henvcfg")
    assert "ADUE=1" in out and out.startswith("henvcfg = 0x")
    out = run(q, "csr scause")
    assert "[last trap from a guest on this hart: vm" in out
    assert error_lines(run(q, "csr satp 0")) == [
        "error: satp is not written from the console: hvscope runs identity-mapped with satp = Bare: "
        "any other value crashes it"]
    out = run(q, "vms")
    assert re.search(r"\n1 +hello +running", out)

    # garbage: one error line, prompt back
    out = run(q, "frobnicate 0xzz")
    assert out == "error: unknown command 'frobnicate' (help lists them)\n"
    out = run(q, "x 1 0xzz")
    assert out == "error: bad number '0xzz' (decimal, or hex with 0x)\n"
    # 10 KiB line: no echo past the limit, one error line
    out = run(q, "y" * 10240, timeout=60)
    assert error_lines(out) == ["error: line longer than 255 characters ignored"]
    assert out.count("\n") == 1
    # binary noise: every byte but CR/LF, ^C, ^U, Ctrl-T (hvscope's prefix) and Ctrl-A (QEMU's)
    rng = random.Random(6)
    banned = {0x0d, 0x0a, 0x03, 0x15, 0x14, 0x01}
    noise = bytes(b for b in (rng.randrange(256) for _ in range(600)) if b not in banned) + b"\x80"
    os.write(q.child.child_fd, noise + b"\r")
    q.expect_exact(PROMPT, timeout=30)
    after = q.child.before.replace("\r\n", "\n")
    lines = [l for l in after.split("\n")[1:] if l]
    assert len(lines) == 1 and lines[0].startswith("error: line holds the control or non-ASCII byte"), after
    # and the console still works
    assert run(q, "version").startswith("hvscope ")


def test_pause_resume_kill_regs(qemu_factory):
    q, _ = boot(qemu_factory, config_bundle("guests"), "console-vmctl")
    q.expect_exact("hello: done vcpu=0")
    focus(q, "h")
    assert "vm3 (timer): paused (resume N lets it run), now paused" in run(q, "pause 3")
    assert re.search(r"\n3 +timer +paused", run(q, "vms"))
    regs1 = run(q, "regs 3")
    regs2 = run(q, "regs 3")
    assert re.search(r"vm3\.0 \(timer, paused\): pc 0x[0-9a-f]{16} in VS-mode", regs1)
    assert regs1 == regs2            # a paused VM does not move
    assert "now running" in run(q, "resume 3")
    assert "killed, now stopped" in run(q, "kill 2")
    assert error_lines(run(q, "kill 2")) == ["error: kill vm2: it is stopped"]
    out = run(q, "trace 5 vm 3")
    assert re.search(r"#\d+ t=\d+ h\d vm3\.0 ", out)
    assert re.search(r"vm3 \(timer\): \d+ exits", run(q, "stats 3"))
    focus(q, "3")
    q.expect(r"timer: tick \d+", timeout=30)    # it runs again after resume


def test_xlate_agrees_with_pt_gpt_and_image(qemu_factory):
    """xv6 turns paging on early (then panics at its disk, which this VM
    lacks: the slot reads as QEMU's empty transport): its kernel text
    translates through both stages consistently, and x shows the image's
    bytes."""
    xv6_kernel()    # fails the test when xv6 is not built
    q, _ = boot(qemu_factory, make_bundle(XV6_AND_HELLO), "console-xlate")
    q.expect_exact("xv6 kernel is booting")
    # its output would interleave with the console's answers: let it finish first
    q.expect_exact("panic: virtio disk: need -device virtio-blk-device on virtio-mmio-bus.0", timeout=60)
    focus(q, "h")
    out = run(q, "csr 1 vsatp")
    assert "MODE=Sv39" in out, out
    va = 0x80200000
    x = run(q, f"xlate 1 {va:#x}")
    gpa = re.search(r"\ngpa=(0x[0-9a-f]+)\n", "\n" + x).group(1)
    hpa = re.search(r"\nhpa=(0x[0-9a-f]+)\n", x).group(1)
    assert x.count("  VS pte at gpa 0x") == 3, x
    pt = run(q, f"pt 1 {va:#x}")
    assert f"\ngpa={gpa}\n" in pt
    assert "fetch ok" in pt
    gpt = run(q, f"gpt 1 {gpa}")
    assert f"\nhpa={hpa}\n" in gpt
    image = (build_dir() / "guests" / "xv6" / "kernel.bin").read_bytes()[:64]
    for where in (gpa, f"v:{va:#x}"):
        dump = run(q, f"x 1 {where} 64")
        got = bytes(int(b, 16) for line in dump.split("\n") if re.match(r"[0-9a-f]{16}: ", line)
                    for b in line[18:18 + 48].split())
        assert got == image, dump


def xv6_disk_args(tmp):
    r = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "mkbundle.py"),
                        str(REPO_ROOT / "configs" / "xv6x2.cfg"), "--qemu-args", "-D", f"O={build_dir()}",
                        "--disk-dir", str(tmp), "--disk-template", str(build_dir() / "guests" / "xv6" / "fs.img")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"no xv6 disks: {r.stderr.strip()}")
    return r.stdout.split()


def test_adue_story_from_the_console(qemu_factory, tmp_path):
    """adue 1 off + adem 1 off + reset 1: VM 1's xv6 dies with the ADUE report
    while VM 2 runs; adue 1 on + reset 1 brings it back to $."""
    xv6_kernel()
    if not (build_dir() / "guests" / "xv6" / "fs.img").exists():
        pytest.fail("xv6 fs.img is missing")
    q, _ = boot(qemu_factory, config_bundle("xv6x2"), "console-adue", extra=xv6_disk_args(tmp_path), timeout=90)
    q.expect_exact("xv6 kernel is booting")
    q.expect(r"\n\$ ", timeout=90)
    focus(q, "h")
    assert "ADUE off; A/D emulation on" in run(q, "adue 1 off")
    assert "A/D emulation off; ADUE off: a guest that relies on hardware A/D will fault" in run(q, "adem 1 off")
    q.sendline("reset 1")
    q.expect(r"=== hvscope post-mortem: vm1 \(xv6a\)", timeout=60)
    q.expect(r"instruction page fault")
    q.expect(r"A=0")
    q.expect(r"\ndiagnosis: first fault = fetch at 0x[0-9a-f]+; leaf PTE A=0 while henvcfg.ADUE=0 and A/D "
             r"emulation is off -> hv> adue 1 on \(or adem 1 on\), then reset 1\r?\n", timeout=30)
    q.expect_exact("=== end of report", timeout=30)
    focus(q, "2")
    q.sendline("echo vm2-alive")
    q.expect_exact("vm2-alive")
    focus(q, "h")
    assert re.search(r"\n1 +xv6a +dead", run(q, "vms"))
    assert "=== hvscope post-mortem: vm1" in run(q, "dump 1")
    assert "ADUE on" in run(q, "adue 1 on")
    run(q, "reset 1")
    focus(q, "1")
    q.expect(r"\n\$ ", timeout=90)
