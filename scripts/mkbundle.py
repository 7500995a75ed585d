#!/usr/bin/env python3
"""Turn a VM config (configs/NAME.cfg) into the bundle hvscope boots from.

Config format (INI-like; '#' starts a comment):

    [vm hello]                 # one section per VM, in console order (vm1, vm2, ...)
    image   = ${O}/guests/tests/hello.elf   # ELF or raw binary; ${O} = build dir
    entry   = 0x80200000       # raw images: load and entry address (default 0x80200000)
    load    = 0x80000000       # raw images: load address when it is not the entry
    ram     = 64M              # guest RAM at 0x80000000 (K/M/G suffixes)
    vcpus   = 1
    bootargs = escape=ram      # /chosen/bootargs in the VM's device tree
    initrd  = ${O}/guests/linux/initramfs.cpio   # loaded at the top of RAM, below the
                               # device tree; /chosen/linux,initrd-start/-end say where
    adue    = on               # off: never enable henvcfg.ADUE for this VM
    disk    = auto             # a virtio-blk disk at the VM's 0x10001000: `auto` is
                               # <disk-dir>/<config>-<vm>.img (made from --disk-template
                               # on first use); `copy:PATH` is the same file made from
                               # PATH instead (so VMs can start from one image, each
                               # keeping its own copy); or a raw image PATH used as is,
                               # which must exist (only auto and copy: create an image)
    ad_emulation = on          # default: on when ADUE is off or the hart lacks it
    virtio  = strict           # default `qemu`: the disk answers as QEMU's does; `strict`
                               # as hvscope did before (VendorID "hvsc", FEATURES_OK only
                               # with VERSION_1), to replay drivers that reject it
    gdb     = wait             # hold the VM at its first instruction until gdb attaches
                               # (make gdb-vm VM=N; docs/gdb.md "Debugging a guest")

ELF images are loaded by their PT_LOAD segments (physical addresses) and
entered at e_entry unless `entry` is given.  Relative paths (image, initrd,
disk) are relative to the directory mkbundle runs in: the repository root
under `make run`.  At most 32 VMs, 1..8 vCPUs each, RAM a multiple of 2M and
at least 8M; the last 2 MiB of a VM's RAM hold its device tree.  Every
problem is reported as one line `mkbundle: CONFIG:LINE: message` and exit
status 1.
The binary layout, flags, limits and addresses come from hypervisor/core/bundle.h
and hypervisor/spec/board.h through the module make generates from them
(gdbscripts/hvgdb/const.py finds it in the build directory -D O= names).

`--qemu-args` prints, instead of writing a bundle, the QEMU options that attach
the config's disks (one -drive/-device pair per VM with a disk, serial
vmN-NAME, which the bundle entry's disk_serial names).  The first seven disks
are virtio-blk-device on QEMU virt's virtio-mmio slots (the eighth slot is the
gdbstub's virtio-serial), the others virtio-blk-pci on its PCIe bus.
"""
import argparse
import os
import re
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gdbscripts"))
from hvgdb import const  # noqa: E402  (the generated C constants)

_consts = None


def hv(build=None):
    """The constants generated from the C headers (loaded on first use, from
    the build directory `build`, the -D O= of the command line)."""
    global _consts
    if _consts is None:
        _consts = const.load(build)
    return _consts


KEYS = {"image", "entry", "load", "ram", "vcpus", "bootargs", "adue", "ad_emulation", "initrd", "disk", "virtio", "gdb"}


class ConfigError(Exception):
    pass


def parse_size(text, where):
    m = re.fullmatch(r"(0x[0-9a-fA-F]+|\d+)\s*([KMG]?)i?B?", text.strip())
    if not m:
        raise ConfigError(f"{where}: bad size '{text}' (examples: 64M, 0x4000000)")
    value = int(m.group(1), 0)
    return value << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]


def parse_int(text, where):
    try:
        return int(text.strip(), 0)
    except ValueError:
        raise ConfigError(f"{where}: bad number '{text}'") from None


def parse_bool(text, where):
    t = text.strip().lower()
    if t in ("on", "yes", "true", "1"):
        return True
    if t in ("off", "no", "false", "0"):
        return False
    raise ConfigError(f"{where}: expected on/off, got '{text}'")


def read_config(path, variables):
    max_vms = hv(variables.get("O")).VM_MAX
    vms = []
    current = None
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r"\[vm\s+([A-Za-z0-9_.-]{1,31})\]", line)
            if m:
                current = {"name": m.group(1), "where": where}
                vms.append(current)
                continue
            if line.startswith("["):
                raise ConfigError(f"{where}: expected a section '[vm NAME]' (name: 1-31 of A-Z a-z 0-9 _ . -)")
            if current is None:
                raise ConfigError(f"{where}: setting outside a [vm NAME] section")
            if "=" not in line:
                raise ConfigError(f"{where}: expected 'key = value'")
            key, value = (s.strip() for s in line.split("=", 1))
            if key not in KEYS:
                raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(KEYS))})")
            for var, val in variables.items():
                value = value.replace("${%s}" % var, val)
            current[key] = (value, where)
    if not vms:
        raise ConfigError(f"{path}: no [vm NAME] section")
    if len(vms) > max_vms:
        raise ConfigError(f"{path}: {len(vms)} VMs, at most {max_vms}")
    return vms


def load_elf(data, where):
    """Return (segments [(paddr, bytes, memsz)], entry)."""
    if data[4] != 2 or data[5] != 1 or struct.unpack_from("<H", data, 18)[0] != 243:
        raise ConfigError(f"{where}: ELF image is not 64-bit little-endian RISC-V")
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(phnum):
        p_type, _flags, off, _vaddr, paddr, filesz, memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and memsz:
            segs.append((paddr, data[off:off + filesz], memsz))
    if not segs:
        raise ConfigError(f"{where}: ELF image has no loadable segment")
    return segs, entry


def build_vm(vm, path):
    C = hv()
    max_vcpus, ram_base, fdt_reserve = C.VM_MAX_VCPUS, C.VM_RAM_BASE, C.VM_FDT_OFFSET_FROM_END
    where = vm["where"]
    name = vm["name"]
    if "image" not in vm:
        raise ConfigError(f"{where}: vm {name}: no 'image ='")
    image_path, iwhere = vm["image"]
    if not os.path.isfile(image_path):
        raise ConfigError(f"{iwhere}: vm {name}: image '{image_path}' does not exist "
                          "(build it first, or fix the path)")
    data = open(image_path, "rb").read()
    ram = parse_size(vm["ram"][0], vm["ram"][1]) if "ram" in vm else 64 << 20
    vcpus = parse_int(*vm["vcpus"]) if "vcpus" in vm else 1
    if not 1 <= vcpus <= max_vcpus:
        raise ConfigError(f"{vm['vcpus'][1]}: vm {name}: vcpus must be 1..{max_vcpus}")
    if ram % (2 << 20) or ram < (8 << 20):
        raise ConfigError(f"{where}: vm {name}: ram must be a multiple of 2M and at least 8M")
    if data[:4] == b"\x7fELF":
        segs, entry = load_elf(data, iwhere)
        load = min(s[0] for s in segs)
        end = max(s[0] + s[2] for s in segs)
        blob = bytearray(end - load)
        for paddr, body, _memsz in segs:
            blob[paddr - load:paddr - load + len(body)] = body
        blob = bytes(blob)
        if "entry" in vm:
            entry = parse_int(*vm["entry"])
    else:
        entry = parse_int(*vm["entry"]) if "entry" in vm else 0x80200000
        load = parse_int(*vm["load"]) if "load" in vm else entry
        blob = data
    top = ram_base + ram - fdt_reserve
    if load < ram_base or load + len(blob) > top:
        raise ConfigError(f"{iwhere}: vm {name}: image [{load:#x}, {load + len(blob):#x}) does not fit "
                          f"its RAM [{ram_base:#x}, {top:#x}) (the last 2 MiB hold the device tree)")
    if not load <= entry < load + len(blob):
        raise ConfigError(f"{where}: vm {name}: entry {entry:#x} is outside the image")
    initrd = b""
    if "initrd" in vm:
        initrd_path, rwhere = vm["initrd"]
        if not os.path.isfile(initrd_path):
            raise ConfigError(f"{rwhere}: vm {name}: initrd '{initrd_path}' does not exist "
                              "(build it first, or fix the path)")
        initrd = open(initrd_path, "rb").read()
        # Same placement as hypervisor/core/vm.c: page-aligned, ending at the device tree.
        start = (top - len(initrd)) & ~4095
        # A RISC-V Linux Image header says how much memory the kernel really
        # occupies (with its bss), which is more than the file.
        end = load + len(blob)
        if blob[0x30:0x38] == b"RISCV\0\0\0" and blob[0x38:0x3c] == b"RSC\x05":
            end = max(end, load + struct.unpack_from("<Q", blob, 0x10)[0])
        if not initrd or start < end:
            raise ConfigError(f"{rwhere}: vm {name}: initrd of {len(initrd)} bytes does not fit between "
                              f"the image (ends {end:#x}) and the device tree ({top:#x}): give the VM more ram")
    bootargs = vm.get("bootargs", ("", ""))[0].encode()
    if len(bootargs) > 127:
        raise ConfigError(f"{vm['bootargs'][1]}: bootargs longer than 127 bytes")
    flags = 0
    if "adue" in vm and not parse_bool(*vm["adue"]):
        flags |= C.BUNDLE_VM_NO_ADUE
    if "ad_emulation" in vm:
        flags |= C.BUNDLE_VM_AD_EMUL if parse_bool(*vm["ad_emulation"]) else C.BUNDLE_VM_NO_AD_EMUL
    if "virtio" in vm:
        value, vwhere = vm["virtio"]
        if value not in ("qemu", "strict"):
            raise ConfigError(f"{vwhere}: vm {name}: virtio must be qemu or strict, got '{value}'")
        if value == "strict":
            flags |= C.BUNDLE_VM_VIRTIO_STRICT
    if "gdb" in vm:
        if vm["gdb"][0] != "wait":
            raise ConfigError(f"{vm['gdb'][1]}: vm {name}: gdb must be 'wait' (or leave it out)")
        flags |= C.BUNDLE_VM_GDB_WAIT
    return dict(name=name, ram=ram, entry=entry, load=load, blob=blob, vcpus=vcpus,
                flags=flags, bootargs=bootargs, initrd=initrd)


def write_bundle(vms, out):
    header, entry = const.Layout(hv(), "bundle_header"), const.Layout(hv(), "bundle_vm")
    offset = header.size + entry.size * len(vms)
    entries, blobs = [], []
    for vm in vms:
        offset = (offset + 4095) & ~4095
        initrd_offset = (offset + len(vm["blob"]) + 4095) & ~4095 if vm["initrd"] else 0
        entries.append(entry.pack(name=vm["name"].encode(), ram_size=vm["ram"], entry=vm["entry"],
                                  load=vm["load"], image_offset=offset, image_size=len(vm["blob"]),
                                  vcpus=vm["vcpus"], flags=vm["flags"], bootargs=vm["bootargs"],
                                  initrd_offset=initrd_offset, initrd_size=len(vm["initrd"]),
                                  disk_serial=vm.get("disk_serial", b"")))
        blobs.append((offset, vm["blob"]))
        offset += len(vm["blob"])
        if vm["initrd"]:
            blobs.append((initrd_offset, vm["initrd"]))
            offset = initrd_offset + len(vm["initrd"])
    data = bytearray(offset)
    data[0:header.size] = header.pack(magic=hv().BUNDLE_MAGIC.encode(), vm_count=len(vms),
                                      vm_entry_size=entry.size, total_size=offset)
    for i, e in enumerate(entries):
        start = header.size + i * entry.size
        data[start:start + entry.size] = e
    for off, blob in blobs:
        data[off:off + len(blob)] = blob
    with open(out, "wb") as f:
        f.write(data)


def vm_disks(config, raw_vms, disk_dir):
    """[(vm index from 1, serial, image path, template or None)] for the VMs
    with a `disk =`; template: where a missing image is copied from (None:
    --disk-template)."""
    stem = os.path.splitext(os.path.basename(config))[0]
    disks = []
    for i, vm in enumerate(raw_vms, 1):
        if "disk" not in vm:
            continue
        value, where = vm["disk"]
        template = None
        own = os.path.join(disk_dir, f"{stem}-{vm['name']}.img")
        if value.startswith("copy:"):
            template, path = value[5:].strip(), own
            if not os.path.isfile(template):
                raise ConfigError(f"{where}: vm {vm['name']}: disk = copy:{template}: no such image to copy")
        else:
            path = own if value == "auto" else value
        if not path or any(c.isspace() for c in path):
            raise ConfigError(f"{where}: vm {vm['name']}: disk path '{path}' is empty or has blanks")
        # Only auto and copy: make an image: a PATH that does not exist is a typo, never a new disk.
        if value != "auto" and template is None and not os.path.isfile(path):
            raise ConfigError(f"{where}: vm {vm['name']}: disk image '{path}' does not exist "
                              "(only 'disk = auto' or 'copy:PATH' creates one; fix the path)")
        disks.append((i, f"vm{i}-{vm['name']}"[:20], path, template))
    return disks


# QEMU virt has 8 virtio-mmio slots; one is left for the gdbstub's virtio-serial.
MMIO_DISKS = 7


def qemu_disk_args(disks, default_template):
    """QEMU options for the disks; missing `auto`/`copy:` images are copied from
    their template (vm_disks has refused every other missing path)."""
    args = ["-global", "virtio-mmio.force-legacy=false"] if disks else []
    for n, (i, serial, path, template) in enumerate(disks):
        template = template or default_template
        if not os.path.isfile(path):
            if not template or not os.path.isfile(template):
                raise ConfigError(f"disk image '{path}' does not exist and there is no --disk-template "
                                  f"('{template}') to make it from")
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            shutil.copyfile(template, path)
            print(f"mkbundle: created {path} from {template}", file=sys.stderr)
        quoted = path.replace(",", ",,")
        args += ["-drive", f"file={quoted},if=none,format=raw,id=hvdisk{i}",
                 "-device", f"{'virtio-blk-device' if n < MMIO_DISKS else 'virtio-blk-pci'},"
                 f"drive=hvdisk{i},serial={serial}"]
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config")
    ap.add_argument("-o", "--output")
    ap.add_argument("-D", "--define", action="append", default=[], help="VAR=VALUE for ${VAR}")
    ap.add_argument("--host-ram", default="1G", help="QEMU -m, to check that the VMs fit")
    ap.add_argument("--qemu-args", action="store_true", help="print QEMU's disk options instead")
    ap.add_argument("--disk-dir", help="where `disk = auto` images live [${O}/disks]")
    ap.add_argument("--disk-template", help="image that new `disk = auto` images are copied from")
    args = ap.parse_args()
    variables = dict(d.split("=", 1) for d in args.define)
    disk_dir = args.disk_dir or os.path.join(variables.get("O", "build"), "disks")
    if not args.qemu_args and not args.output:
        ap.error("-o/--output is required (or --qemu-args)")
    try:
        if not os.path.isfile(args.config):
            raise ConfigError(f"{args.config}: no such config (see configs/ for the available ones)")
        raw_vms = read_config(args.config, variables)
        disks = vm_disks(args.config, raw_vms, disk_dir)
        if args.qemu_args:
            print(" ".join(qemu_disk_args(disks, args.disk_template)))
            return
        vms = [build_vm(vm, args.config) for vm in raw_vms]
        for i, serial, _path, _template in disks:
            vms[i - 1]["disk_serial"] = serial.encode()
        host_ram = parse_size(args.host_ram, "--host-ram")
        need = sum(vm["ram"] for vm in vms)
        # hvscope itself, OpenSBI, the bundle and page tables need ~96 MiB of the host's RAM.
        if need + (96 << 20) + sum(len(vm["blob"]) + len(vm["initrd"]) for vm in vms) > host_ram:
            raise ConfigError(f"{args.config}: the VMs need {need >> 20} MiB of RAM; with hvscope's own "
                              f"~96 MiB that does not fit QEMU_MEM={args.host_ram}")
        write_bundle(vms, args.output)
    except ConfigError as e:
        print(f"mkbundle: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
