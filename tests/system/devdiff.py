"""The devprobe comparison: QEMU's transcript against hvscope's, and the
short list of differences that are the point of a hypervisor.

Used by tests/system/test_devprobe.py and, as a program, by `make devdiff`:

    python3 tests/system/devdiff.py [--qemu PATH]

runs guests/tests/devprobe natively and under hvscope on that QEMU, prints
both transcripts' differences and exits 1 when one is not on the allow-list.
"""

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RAM = "128M"
SERIAL = "vm1-devprobe"     # what mkbundle.py names the disk of VM 1 "devprobe"

# --- the allow-list: every entry with its reason ------------------------------

# Devices QEMU's virt board has that a VM does not get: none is in the VM's
# device tree, so no driver looks for them (the VM contract: a device behaves
# as QEMU's or is absent from the VM's device tree).
QEMU_ONLY_DEVICES = {
    "syscon-poweroff": "power off is SBI SRST in a VM",
    "syscon-reboot": "reboot is SBI SRST in a VM",
    "sifive,test1": "the test/syscon device behind poweroff and reboot",
    "google,goldfish-rtc": "no RTC: the time comes from the timer CSRs",
    "qemu,fw-cfg-mmio": "QEMU's firmware configuration interface is the host's",
    "cfi-flash": "no flash: images come from the VM set",
    "pci-host-ecam-generic": "no PCI: disks are virtio-mmio",
    "qemu,platform": "QEMU's dynamic sysbus, empty",
    "riscv,pmu": "no SBI PMU (see SBI below)",
    "sifive,clint0": "no CLINT: timer via Sstc and SBI TIME, IPIs via SBI IPI",
}

# SBI extensions and legacy calls OpenSBI has and hvscope does not offer;
# hvscope must answer "not present" (0) for them.
SBI_NOT_OFFERED = {
    "PMU": "performance counters are the host's",
    "SUSP": "no system suspend for a VM",
    "CPPC": "no performance control for a VM",
    "NACL": "no nested acceleration",
    "STA": "no steal-time accounting yet",
    "SSE": "no supervisor software events",
    "FWFT": "no firmware features to set",
    "DBTR": "debug triggers stay with the host (the gdbstub uses them)",
    "MPXY": "no message proxy",
    "legacy-send-ipi": "legacy IPIs: use the IPI extension",
    "legacy-fence-i": "legacy remote fences: use RFENCE",
    "legacy-sfence-vma": "legacy remote fences: use RFENCE",
    "legacy-sfence-vma-asid": "legacy remote fences: use RFENCE",
}

# Lines that differ by design.
SKIPPED = {
    r"dp: sbi impl-id .*": "hvscope is its own SBI implementation (ID 0x7676)",
    r"dp: sbi impl-version .*": "hvscope's own version",
    r"dp: plic m-.*": "a hart's M-mode PLIC context belongs to the firmware natively; "
                      "a VM has no M-mode",
}

# virtio-blk features hvscope offers: the rest of QEMU's are not emulated
# (SEG_MAX, GEOMETRY, TOPOLOGY, CONFIG_WCE, DISCARD, WRITE_ZEROES,
# INDIRECT_DESC, EVENT_IDX, RING_RESET; vdev/vvirtio_blk.c).
VIRTIO_OFFERED = (1 << 32) | (1 << 6) | (1 << 9)     # VERSION_1, BLK_SIZE, FLUSH

# Per QEMU version: bugs of that QEMU hvscope does not copy.
VERSION_QUIRKS = {
    "7.2": {
        r"dp: plic priority96-written-0x2 r4 .*":
            "QEMU 7.2's PLIC stores a priority for source 96, one past riscv,ndev = 95 "
            "(fixed in later QEMU)",
    },
}


def probe_lines(text):
    """The transcript: every "dp: " line, without carriage returns."""
    return [m.group(0) for m in re.finditer(r"dp: [^\r\n]*", text)]


def _features(lines):
    words = {}
    for line in lines:
        m = re.fullmatch(r"dp: virtio device-features-(\d) (0x[0-9a-f]+)", line)
        if m:
            words[int(m.group(1))] = int(m.group(2), 16)
    return words.get(0, 0) | words.get(1, 0) << 32


def compare(native, hv, version):
    """Problems (empty when hvscope behaves as QEMU up to the allow-list)."""
    problems = []
    skip = dict(SKIPPED, **VERSION_QUIRKS.get(version, {}))

    dev_native = sorted(l for l in native if l.startswith("dp: dt device "))
    dev_hv = sorted(l for l in hv if l.startswith("dp: dt device "))
    for line in dev_hv:
        if line in dev_native:
            dev_native.remove(line)
        else:
            problems.append(f"device tree lists a device QEMU does not: {line}")
    for line in dev_native:
        if line.split(" ", 3)[3] not in QEMU_ONLY_DEVICES:
            problems.append(f"device missing from the VM's device tree: {line}")

    f_native, f_hv = _features(native), _features(hv)
    if f_hv != f_native & VIRTIO_OFFERED:
        problems.append(f"virtio-blk features: hvscope offers {f_hv:#x}, expected QEMU's {f_native:#x} "
                        f"& {VIRTIO_OFFERED:#x} = {f_native & VIRTIO_OFFERED:#x}")

    for line in hv:
        m = re.fullmatch(r"dp: sbi probe (\S+) (.*)", line)
        if m and m.group(1) in SBI_NOT_OFFERED and m.group(2) != "error 0 value 0x0":
            problems.append(f"hvscope claims an SBI extension it does not offer: {line}")

    def keep(line):
        if line.startswith("dp: dt device ") or line.startswith("dp: virtio device-features-"):
            return False
        m = re.match(r"dp: sbi probe (\S+) ", line)
        if m and m.group(1) in SBI_NOT_OFFERED:
            return False
        m = re.match(r"dp: virtio config f(\d+) ", line)
        if m and int(m.group(1)) and not f_hv >> int(m.group(1)) & 1:
            return False
        return not any(re.fullmatch(p, line) for p in skip)

    a = [l for l in native if keep(l)]
    b = [l for l in hv if keep(l)]
    for d in difflib.unified_diff(a, b, "qemu", "hvscope", n=0, lineterm=""):
        if d.startswith(("+", "-")) and not d.startswith(("+++", "---")):
            problems.append(d)
    return problems


def disk_image(path):
    """1 MiB: a recognisable sector 0 the probe checksums, zeros after."""
    data = bytearray(1 << 20)
    data[0:32] = b"devprobe sector 0 " + b"." * 14
    for i in range(32, 512):
        data[i] = i & 0xFF
    path.write_bytes(bytes(data))
    return path


def hv_disk_args(config, tmpdir, build):
    """QEMU's disk options for a VM config, as `make run` computes them."""
    cfg = Path(tmpdir) / "devprobe.cfg"
    cfg.write_text(config)
    repo = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, str(repo / "scripts" / "mkbundle.py"), str(cfg), "--qemu-args",
                        "-D", f"O={build}", "--disk-dir", str(Path(tmpdir) / "disks")],
                       capture_output=True, text=True, check=False)
    if r.returncode:
        raise RuntimeError(r.stderr.strip())
    return r.stdout.split()


def version_label(qemu):
    """The version-matrix label for a QEMU binary: "7.2" or the new one's."""
    out = subprocess.run([qemu, "-version"], capture_output=True, text=True, check=False).stdout
    return "7.2" if re.search(r"version 7\.2\b", out) else "10"


def native_disk_args(disk):
    return ["-global", "virtio-mmio.force-legacy=false",
            "-drive", f"file={disk},if=none,format=raw,id=dp0",
            "-device", f"virtio-blk-device,drive=dp0,serial={SERIAL},bus=virtio-mmio-bus.0"]


def vm_config(image, disk):
    return f"[vm devprobe]\nimage = {image}\nram = {RAM}\nvcpus = 1\ndisk = {disk}\n"


def main():
    import hvtest
    from hvrun import hv_args, make_bundle

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qemu", default=hvtest.qemu_new())
    args = ap.parse_args()
    label = version_label(args.qemu)
    tmp = Path(tempfile.mkdtemp(prefix="devdiff-"))
    try:
        native_disk = disk_image(tmp / "native.img")
        hv_disk = tmp / "hv.img"
        shutil.copyfile(native_disk, hv_disk)
        with hvtest.Qemu(hvtest.native_args(hvtest.guest_image("devprobe"), smp=1, mem=RAM, qemu=args.qemu,
                                            extra=native_disk_args(native_disk)), name="devdiff-native") as q:
            q.expect_exact("dp: done", timeout=60)
            native = probe_lines(q.output)
        config = vm_config(hvtest.build_dir() / "guests" / "tests" / "devprobe.elf", hv_disk)
        hv_cmd, _ = hv_args(make_bundle(config, "devprobe"), qemu=args.qemu)
        with hvtest.Qemu(hv_cmd + hv_disk_args(config, tmp, hvtest.build_dir()), name="devdiff-hvscope") as q:
            q.expect_exact("dp: done", timeout=60)
            hv = probe_lines(q.output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"devdiff: {args.qemu} (QEMU {label} rules): {len(native)} lines natively, {len(hv)} under hvscope")
    for d in difflib.unified_diff(native, hv, "qemu", "hvscope", n=0, lineterm=""):
        print(d)
    problems = compare(native, hv, label)
    for p in problems:
        print(f"devdiff: NOT ALLOWED: {p}")
    print(f"devdiff: {len(problems)} difference(s) outside the allow-list")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
