"""Bring your own kernel: a kernel built for QEMU's `virt` elsewhere, with its
own fs.img, runs unchanged as two VMs side by side.

The kernel is guests/xv6 built as the variant `xv6-qemu` (guests/xv6/
Makefile.inc): linked at 0x80100000, RAM ending at a fixed PHYSTOP
(0x88000000, the device tree's /memory ignored), and a virtio driver in
xv6-riscv's style that insists on VendorID "QEMU" and writes only the low
feature word.  It is copied with fs.img into a directory of the user's, as
README's "Run your own guest image" describes, and both VMs start from that
one fs.img through `disk = copy:PATH`, each keeping its own copy.
"""

import hashlib
import re
import shutil
import sys
import subprocess

import pytest

import hvtest
from hvrun import focus, hv_args, make_bundle, vm_log
from test_xv6_vms import BOOT_TIMEOUT, PROMPT, run, usertests_in_vms_1_and_2


def user_files(tmp_path):
    """The user's kernel and disk image, outside the build tree."""
    user = tmp_path / "user"
    user.mkdir()
    for src, dst in (("xv6-qemu/kernel.elf", "kernel"), ("xv6/fs.img", "fs.img")):
        path = hvtest.build_dir() / "guests" / src
        if not path.exists():
            pytest.fail(f"{path} is missing: build it with `make`")
        shutil.copyfile(path, user / dst)
    return user


def byok_config(user, ram="128M"):
    return "".join(f"""
[vm {name}]
image = {user}/kernel
ram = {ram}
disk = copy:{user}/fs.img
""" for name in ("mit1", "mit2"))


def disk_args(config, tmp_path):
    """QEMU's disk options as `make run` gets them, with the disks in tmp_path/disks."""
    cfg = tmp_path / "byok.cfg"
    cfg.write_text(config)
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "--qemu-args", "-D", f"O={hvtest.build_dir()}", "--disk-dir", str(tmp_path / "disks")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split(), r.stderr


def boot(qemu_factory, tmp_path, config, name, cpu=None, qemu=None):
    args, logdir = hv_args(make_bundle(config, "byok"), cpu=cpu, qemu=qemu)
    disks, made = disk_args(config, tmp_path)
    q = qemu_factory(args + disks, name=name, timeout=BOOT_TIMEOUT)
    q.expect_exact("vm1: mit1 started (1 vCPU, 128 MiB, entry 0x80100000")
    q.expect_exact("vm2: mit2 started (1 vCPU, 128 MiB, entry 0x80100000")
    return q, logdir, made


def both_at_prompt(q, logdir):
    for i in (2, 1):
        focus(q, str(i))
        q.expect(PROMPT, BOOT_TIMEOUT)
    for i in (1, 2):
        log = vm_log(logdir, i, f"mit{i}")
        assert "init: starting sh" in log and "panic" not in log, log


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_own_kernel_two_vms_usertests(qemu_factory, tmp_path):
    user = user_files(tmp_path)
    before = digest(user / "fs.img")
    q, logdir, made = boot(qemu_factory, tmp_path, byok_config(user), "byok-usertests")
    for vm in ("mit1", "mit2"):
        assert f"created {tmp_path / 'disks' / ('byok-' + vm + '.img')} from {user / 'fs.img'}" in made
    both_at_prompt(q, logdir)
    usertests_in_vms_1_and_2(q)
    for i in (1, 2):
        log = vm_log(logdir, i, f"mit{i}")
        assert "ALL TESTS PASSED" in log and "FAILED" not in log, (i, log[-2000:])
    assert digest(user / "fs.img") == before, "the user's fs.img was written to"


def test_own_kernel_disk_copies_persist_per_vm(qemu_factory, qemu_version, qemu_bin, tmp_path):
    """Each VM's copy of the one fs.img is its own and survives a restart."""
    user = user_files(tmp_path)
    before = digest(user / "fs.img")
    q, logdir, made = boot(qemu_factory, tmp_path, byok_config(user), f"byok-copy-{qemu_version}",
                           qemu=qemu_bin)
    assert made.count("created ") == 2
    both_at_prompt(q, logdir)
    focus(q, "1")
    run(q, "echo mine-only > vm1file")
    q.close()
    q, logdir, made = boot(qemu_factory, tmp_path, byok_config(user), f"byok-copy2-{qemu_version}",
                           qemu=qemu_bin)
    assert "created " not in made, "the copies are made once"
    both_at_prompt(q, logdir)
    focus(q, "1")
    assert run(q, "cat vm1file").strip() == "mine-only"
    focus(q, "2")
    assert "cannot open" in run(q, "cat vm1file")
    assert digest(user / "fs.img") == before


def test_own_kernel_without_hardware_ad(qemu_factory, tmp_path):
    """-cpu rv64,svadu=off: no Svadu, so A/D bits are emulated for the VMs."""
    user = user_files(tmp_path)
    q, logdir, _ = boot(qemu_factory, tmp_path, byok_config(user), "byok-svadu-off", cpu="rv64,svadu=off")
    both_at_prompt(q, logdir)
    assert re.search(r"henvcfg can enable: STCE=1 PBMTE=\d ADUE=0", q.output)
    assert "vm2: mit2 started (1 vCPU, 128 MiB, entry 0x80100000, ADUE off, A/D emulation on)" in q.output
    focus(q, "2")
    assert run(q, "echo fine").strip() == "fine"
    focus(q, "h")
    q.sendline("stats 2")
    fixups = int(q.expect(r"vm2 \(mit2\): \d+ exits, (\d+) A/D fix-ups").group(1))
    assert fixups > 0
