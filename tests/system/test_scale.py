"""More VMs than QEMU virt has virtio-mmio slots, and big VMs.

- make test: 10 xv6 VMs on 2 harts, each with its own disk image: the first
  seven on virtio-mmio, the last three as virtio-blk-pci on the PCIe bus
  (hvscope enumerates ECAM, assigns BARs, drives virtio-pci).  A file
  written in each VM lands in that VM's image file only.  VMs past 9 are
  reached with Ctrl-T v NN, as docs/console.md says; gdb attaches to VM 10
  (`make gdb-vm VM=10`); `hv> mem` lists every VM.  The VM set is
  configs/xv6x10.cfg, as `make run CONFIG=xv6x10` runs it.
- make soak (HV_SOAK=1, marker `soak`): 16 xv6 VMs with their own disks on
  `-smp 8`, a command run in each; a Linux VM with 8 vCPUs (`nproc` = 8).
"""

import os
import re

import pytest

import hvtest
from hvrun import CTRL_T, config_bundle, focus, hv_args, make_bundle, vm_log
from test_gdbstub import gdb_vm
import test_thirdparty
from test_thirdparty import linux_reaches_shell, shell
from test_xv6_vms import PROMPT, boot, disk_args, run, xv6_file

MMIO_DISKS = 7                  # scripts/mkbundle.py: the eighth slot is the gdbstub's
SOAK_SMP = int(os.environ.get("HV_SOAK_SMP", "8"))


def many_xv6(count, ram="32M"):
    return "".join(f"""
[vm x{i}]
image = ${{O}}/guests/xv6/kernel.elf
ram = {ram}
disk = auto
""" for i in range(1, count + 1))


def boot_many(qemu_factory, tmp_path, count, name, smp=2, timeout=120):
    config = many_xv6(count)
    q, logdir = boot(qemu_factory, config, tmp_path, name, template=xv6_file("fs.img"), smp=smp,
                     timeout=timeout)
    for i in range(1, count + 1):
        q.expect_exact(f"vm{i}: x{i} started")
    return q, logdir


def boot_xv6x10(qemu_factory, tmp_path, gdbdir):
    """configs/xv6x10.cfg as `make run CONFIG=xv6x10` starts it, disks on fresh copies."""
    config = (hvtest.REPO_ROOT / "configs" / "xv6x10.cfg").read_text()
    args, logdir = hv_args(config_bundle("xv6x10"), gdbstub_dir=str(gdbdir), gdbstub_vms=10)
    disks = disk_args(config, tmp_path, xv6_file("fs.img"), stem="xv6x10")
    q = qemu_factory(args + disks, name="xv6x10", timeout=120)
    for i in range(1, 11):
        q.expect_exact(f"vm{i}: x{i} started")
    return q, logdir


def host_disks(q):
    """virtio-blk lines of the boot banner: {serial: where}."""
    text = q.output
    return dict((serial, where) for where, serial in
                re.findall(r"virtio-blk: (0x[0-9a-f]+|pci [0-9a-f:.]+) serial \"([^\"]+)\"", text))


def write_in_each(q, count, order):
    """Focus each VM (keys as given), wait for its shell, write a file of its own."""
    for i in order:
        focus(q, str(i))
        q.expect(PROMPT, 120)
        assert run(q, f"echo disk-of-vm{i}-ok > mine").strip() == ""
        assert run(q, "cat mine").strip() == f"disk-of-vm{i}-ok"


def check_images(tmp_path, count, stem="disks"):
    for i in range(1, count + 1):
        data = (tmp_path / "disks" / f"{stem}-x{i}.img").read_bytes()
        for j in range(1, count + 1):
            assert (f"disk-of-vm{j}-ok".encode() in data) == (i == j), (i, j)


def test_ten_xv6_vms_with_disks_on_mmio_and_pci(qemu_factory, tmp_path):
    count = 10
    gdbdir = tmp_path / "gdb"
    gdbdir.mkdir()
    q, logdir = boot_xv6x10(qemu_factory, tmp_path, gdbdir)
    disks = host_disks(q)
    for i in range(1, count + 1):
        where = disks.get(f"vm{i}-x{i}")
        assert where, (i, disks)
        assert where.startswith("pci ") == (i > MMIO_DISKS), (i, where)
    assert re.search(r"PCI: ECAM 0x30000000 \(buses 0-255\)", q.output)

    # VM 10 only through Ctrl-T v NN; 5 as one digit and Enter, 7 as 07
    write_in_each(q, count, (10, 9, 8, 6, 4, 3, 2, 1))
    q.send(CTRL_T + "v5\r")
    q.expect_exact("[hvscope: console -> vm5 (x5)]")
    q.expect(PROMPT, 120)
    assert run(q, "echo disk-of-vm5-ok > mine").strip() == ""
    q.send(CTRL_T + "v07")
    q.expect_exact("[hvscope: console -> vm7 (x7)]")
    q.expect(PROMPT, 120)
    assert run(q, "echo disk-of-vm7-ok > mine").strip() == ""
    check_images(tmp_path, count, stem="xv6x10")
    for i in (1, 10):
        assert f"disk-of-vm{i}-ok" in vm_log(logdir, i, f"x{i}")

    # wrong keys after Ctrl-T v say how it works and change nothing
    q.send(CTRL_T + "vx")
    q.expect_exact("hvscope: Ctrl-T v takes a VM number 1..32: two digits, or one digit and Enter")
    q.send(CTRL_T + "v11")
    q.expect_exact("hvscope: no VM 11")
    q.send(CTRL_T + "?")
    q.expect_exact("v NN   focus VM NN, 1..32")
    assert run(q, "echo still-vm7").strip() == "still-vm7"

    # VM 10's gdbstub port (ports past 8 need a control queue that holds a message per port)
    out = gdb_vm(gdbdir, 10, "info threads", config="xv6x10")
    assert re.search(r"Thread 1 \(vCPU 0, \w+", out), out
    q.expect_exact("vm10: x10: debugger connected")

    focus(q, "h")
    q.sendline("mem")
    q.expect(r"VMs: 10 of 32")
    for i in range(1, count + 1):
        q.expect(r"\n *%d +x%d +32M +\d+K +\d+K" % (i, i))
    q.expect_exact("hv> ")


# ---------------------------------------------------------------- make soak

@pytest.mark.soak
def test_soak_sixteen_xv6_vms_on_smp8(qemu_factory, tmp_path):
    count = 16
    q, logdir = boot_many(qemu_factory, tmp_path, count, "soak-xv6x16", smp=SOAK_SMP, timeout=600)
    assert len(host_disks(q)) == count
    write_in_each(q, count, range(count, 0, -1))
    check_images(tmp_path, count)
    for i in range(1, count + 1):
        assert "init: starting sh" in vm_log(logdir, i, f"x{i}")


guests = test_thirdparty.guests     # the fixture that fetches Linux and builds the initramfs


@pytest.mark.soak
@pytest.mark.usefixtures("guests")
def test_soak_linux_vm_with_eight_vcpus(qemu_factory):
    cfg = (hvtest.REPO_ROOT / "configs" / "linux.cfg").read_text()
    assert "vcpus = 2" in cfg
    bundle = make_bundle(cfg.replace("vcpus = 2", "vcpus = 8"), "linux8")
    args, _ = hv_args(bundle, smp=SOAK_SMP)
    q = qemu_factory(args, name="soak-linux8", timeout=600)
    q.expect_exact("vm1: linux started (8 vCPUs")
    m = linux_reaches_shell(q)
    assert m.group(2) == "8" and m.group(3) == "0-7", m.group(0)
    shell(q, "echo NPROC=$(nproc)", r"NPROC=8\r?\n", timeout=120)
