"""The xv6-style guest (guests/xv6) booted natively on QEMU + OpenSBI, no
hypervisor: the baseline the hypervisor runs are compared against.

Needs `make xv6` (kernel.bin, kernel-0x80100000.elf, fs.img in
<build>/guests/xv6).  Every boot uses its own copy of fs.img.
"""

import os
import re
import shutil
import signal

import pytest

import hvtest

# The prompt at the start of a line (or right after the echoed command line).
PROMPT = r"(?:^|\n)\$ "
USERTESTS_TIMEOUT = 300


def xv6_file(name):
    path = hvtest.build_dir() / "guests" / "xv6" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make xv6`")
    return path


def disk_args(image):
    """A modern (version 2) virtio-mmio block device in slot 0."""
    return ["-global", "virtio-mmio.force-legacy=false",
            "-drive", f"file={image},if=none,format=raw,id=x0",
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]


@pytest.fixture
def disk(tmp_path):
    """A private copy of fs.img for this test."""
    image = tmp_path / "fs.img"
    shutil.copyfile(xv6_file("fs.img"), image)
    return image


def boot(qemu_factory, image, kernel="kernel.bin", timeout=60):
    qemu = qemu_factory(hvtest.native_args(xv6_file(kernel), smp=2, mem="128M",
                                           extra=disk_args(image)), timeout=timeout)
    qemu.expect_exact("xv6 kernel is booting")
    qemu.expect_exact("init: starting sh")
    qemu.expect_exact("$ ")
    return qemu


def run(qemu, command, timeout=None):
    """Runs a shell command and returns what it printed (without the echo
    of the command line and without the next prompt)."""
    qemu.sendline(command)
    qemu.expect_exact(command + "\n", timeout)
    qemu.expect(PROMPT, timeout)
    return qemu.child.before.replace("\r", "")


def test_boot_echo_ls(qemu_factory, disk):
    qemu = boot(qemu_factory, disk)
    assert run(qemu, "echo hello").strip() == "hello"
    listing = run(qemu, "ls")
    for name in ("README", "sh", "cat", "usertests", "console"):
        assert re.search(rf"^{name}\s+\d+ \d+ \d+$", listing, re.M), listing


def test_pipes_and_redirection(qemu_factory, disk):
    qemu = boot(qemu_factory, disk)
    assert run(qemu, "echo one two > f; cat f | wc").strip() == "1 2 8"
    assert run(qemu, "echo three >> f; cat < f").split() == ["one", "two", "three"]
    assert run(qemu, "(echo a; echo b; echo c) | grep b | cat").strip() == "b"
    assert run(qemu, "ls | grep README | wc").split()[:2] == ["1", "4"]
    assert "exec nosuch failed" in run(qemu, "nosuch")


def test_file_persists_across_reboot(qemu_factory, disk):
    qemu = boot(qemu_factory, disk)
    run(qemu, "mkdir keepdir; echo persistent-data > keepdir/note")
    assert run(qemu, "cat keepdir/note").strip() == "persistent-data"
    qemu.close()

    again = boot(qemu_factory, disk)
    assert run(again, "cat keepdir/note").strip() == "persistent-data"
    assert re.search(r"^note\s+2 ", run(again, "ls keepdir"), re.M)


def test_usertests_quick(qemu_factory, disk):
    qemu = boot(qemu_factory, disk)
    qemu.sendline("usertests -q")
    qemu.expect_exact("usertests starting")
    match = qemu.expect(r"(ALL TESTS PASSED|SOME TESTS FAILED.*)\n",
                        timeout=USERTESTS_TIMEOUT)
    assert match.group(1) == "ALL TESTS PASSED", match.group(1)
    qemu.expect(PROMPT)
    assert "panic" not in qemu.output


def test_boots_at_0x80100000(qemu_factory, disk):
    # The ELF, so that QEMU loads it at its link address and OpenSBI jumps there.
    qemu = boot(qemu_factory, disk, kernel="kernel-0x80100000.elf")
    assert run(qemu, "echo low").strip() == "low"
    assert "README" in run(qemu, "ls")


def make_cmd(*targets):
    """`make` as a user types it, on this build directory and these QEMU/OpenSBI."""
    return ["make", "-s", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), f"O={hvtest.build_dir()}",
            f"QEMU={hvtest.qemu_new()}", f"OPENSBI={hvtest.opensbi()}", *targets]


@pytest.mark.parametrize("guest", ["xv6", "xv6-qemu"])
def test_make_run_native_boots_xv6(qemu_factory, tmp_path, guest):
    """`make run-native GUEST=xv6` boots our xv6 the way GUEST=hello boots a
    test guest, with a disk of its own that keeps what was written to it."""
    disk = tmp_path / "native-fs.img"
    for round_ in (1, 2):
        q = qemu_factory(make_cmd("run-native", f"GUEST={guest}", f"XV6_NATIVE_DISK={disk}", "QEMU_SMP=1"),
                         name=f"run-native-{guest}-{round_}", timeout=60)
        try:
            q.expect_exact("xv6 kernel is booting")
            q.expect(PROMPT)
            if round_ == 1:
                q.sendline("echo kept > keep")
            else:
                q.sendline("cat keep")
                q.expect_exact("kept")
            q.expect(PROMPT)
            q.send("\x01x")          # QEMU's own quit key
            assert q.wait_exit(timeout=20) == 0
        finally:
            try:
                os.killpg(q.pid, signal.SIGKILL)   # make and its QEMU, whatever happened
            except ProcessLookupError:
                pass
        assert disk.exists()


def test_make_run_native_rejects_unknown_guest():
    import subprocess
    r = subprocess.run(make_cmd("run-native", "GUEST=nosuch"), capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "make run-native: unknown GUEST=nosuch (one of: hello " in r.stdout + r.stderr
