"""The differential device test: QEMU is the oracle for hvscope's devices.

The devprobe guest (guests/tests/devprobe.c) reads and exercises every
register a driver of QEMU's `virt` board can see (virtio-mmio with a
virtio-blk disk in slot 0 and an empty slot, the ns16550a UART, the PLIC,
SBI, addresses with no device, wrong-width accesses, the device tree's
devices) and prints one line per fact.  The same image runs natively
(QEMU + OpenSBI, 1 hart, 128 MiB, a disk in slot 0) and as a VM under
hvscope (1 vCPU, 128 MiB, the same disk contents), on each QEMU of the
version matrix, and the two transcripts must be equal except for ALLOWED.

`make devdiff` runs the same comparison on the user's QEMU and prints it
(scripts/devdiff.py shares this file's rules).
"""

import re
import shutil
import subprocess

import pytest

import hvtest
from hvrun import hv_args, make_bundle
import devdiff
from devdiff import disk_image

BOOT_TIMEOUT = 60


def transcript(q):
    q.expect_exact("dp: done", timeout=BOOT_TIMEOUT)
    return devdiff.probe_lines(q.output)


def run_native(qemu_factory, qemu_bin, disk, name):
    extra = devdiff.native_disk_args(disk)
    q = qemu_factory(hvtest.native_args(hvtest.guest_image("devprobe"), smp=1, mem=devdiff.RAM,
                                        qemu=qemu_bin, extra=extra),
                     name=f"{name}-native", timeout=BOOT_TIMEOUT)
    return transcript(q)


def run_hvscope(qemu_factory, qemu_bin, disk, tmp_path, name):
    config = devdiff.vm_config(hvtest.build_dir() / "guests" / "tests" / "devprobe.elf", disk)
    args, _logdir = hv_args(make_bundle(config, "devprobe"), qemu=qemu_bin)
    q = qemu_factory(args + devdiff.hv_disk_args(config, tmp_path, hvtest.build_dir()), name=f"{name}-hvscope",
                     timeout=BOOT_TIMEOUT)
    lines = transcript(q)
    return lines, q


@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    base = tmp_path_factory.mktemp("devprobe")
    native = disk_image(base / "native.img")
    hv = base / "hv.img"
    shutil.copyfile(native, hv)
    return native, hv


def test_devprobe_matches_qemu(qemu_factory, qemu_version, qemu_bin, disks, tmp_path):
    native_disk, hv_disk = disks
    native = run_native(qemu_factory, qemu_bin, native_disk, f"devprobe-{qemu_version}")
    hv, q = run_hvscope(qemu_factory, qemu_bin, hv_disk, tmp_path, f"devprobe-{qemu_version}")
    # The probe really ran and covered every section on both sides.
    for lines in (native, hv):
        sections = {line.split()[1] for line in lines}
        assert {"dt", "sbi", "virtio", "vslot", "width", "uart", "plic", "hole"} <= sections
        assert "dp: virtio vendor-id 0x554d4551" in lines
        assert any(re.fullmatch(r"dp: virtio read used-idx 1 id 0 len \d+ status 0", l) for l in lines)
    problems = devdiff.compare(native, hv, qemu_version)
    assert not problems, "hvscope differs from QEMU %s:\n%s" % (qemu_version, "\n".join(problems))
    # Holes were injected as access faults, told on the console and the VM lives on.
    assert re.search(r"vm1: load at guest-physical 0xc000004 \(pc 0x[0-9a-f]+\): 1-byte plic register "
                     r"access at offset 0x4 refused; RAM is \[0x80000000, 0x88000000\): access fault "
                     r"injected, as on QEMU", q.output)
    assert re.search(r"vm1: load at guest-physical 0xffff000 \(pc 0x[0-9a-f]+\): not RAM and no device "
                     r"the VM was given", q.output)
    assert "post-mortem" not in q.output


def test_devdiff_catches_a_difference():
    """The comparison is not vacuous: a changed VendorID, a refused
    FEATURES_OK and an extra SBI extension are all reported."""
    native = ["dp: virtio vendor-id 0x554d4551", "dp: virtio negotiate low-word-only status 0xb",
              "dp: sbi probe PMU error 0 value 0x1", "dp: sbi probe HSM error 0 value 0x1"]
    hv = ["dp: virtio vendor-id 0x68767363", "dp: virtio negotiate low-word-only status 0x3",
          "dp: sbi probe PMU error 0 value 0x0", "dp: sbi probe HSM error 0 value 0x0"]
    problems = devdiff.compare(native, hv, hvtest.QEMU_NEW)
    text = "\n".join(problems)
    assert "vendor-id" in text and "low-word-only" in text and "probe HSM" in text
    assert "probe PMU" not in text, "PMU is on the allow-list"


def test_make_devdiff_prints_the_comparison():
    """`make devdiff` runs the same comparison on the given QEMU and prints it."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(hvtest.REPO_ROOT),
                        f"O={hvtest.build_dir()}", f"QEMU={hvtest.qemu_new()}", f"OPENSBI={hvtest.opensbi()}",
                        "devdiff"], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"devdiff: \S+ \(QEMU 10 rules\): \d+ lines natively, \d+ under hvscope", r.stdout)
    assert "+dp: sbi impl-id error 0 value 0x7676" in r.stdout      # the diff itself is shown
    assert r.stdout.rstrip().endswith("devdiff: 0 difference(s) outside the allow-list")
