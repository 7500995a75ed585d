#!/usr/bin/env python3
"""Helpers for the gdbstub's QEMU device and `make gdb-vm` (docs/gdb.md,
"Debugging a guest").

    gdbvm.py qemu-args CONFIG.cfg SOCKDIR   QEMU options: one virtio-serial device
                                            (virtio-mmio), port N = VM N on SOCKDIR/vmN.sock
    gdbvm.py image CONFIG.cfg N [-D O=build] the image of VM N when it is an ELF (for
                                            gdb's symbols), else nothing
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkbundle  # noqa: E402


def qemu_args(vm_count, sockdir):
    """Options for a virtio-serial device with one unix-socket port per VM
    (port N = VM N, so as many ports as hvscope has VMs, VM_MAX)."""
    max_ports = mkbundle.hv().VM_MAX
    args = ["-global", "virtio-mmio.force-legacy=false",
            "-device", f"virtio-serial-device,id=hvgdb,max_ports={max_ports + 1}"]
    for n in range(1, min(vm_count, max_ports) + 1):
        path = os.path.join(sockdir, f"vm{n}.sock").replace(",", ",,")
        args += ["-chardev", f"socket,id=hvgdb{n},path={path},server=on,wait=off",
                 "-device", f"virtserialport,bus=hvgdb.0,nr={n},chardev=hvgdb{n},name=hvscope.gdb.vm{n}"]
    return args


def main():
    argv = sys.argv[1:]
    variables = {}
    while "-D" in argv:
        i = argv.index("-D")
        k, v = argv[i + 1].split("=", 1)
        variables[k] = v
        del argv[i:i + 2]
    if len(argv) != 3 or argv[0] not in ("qemu-args", "image"):
        sys.exit(__doc__)
    try:
        vms = mkbundle.read_config(argv[1], variables)
    except mkbundle.ConfigError as e:
        sys.exit(f"gdbvm: {e}")
    if argv[0] == "qemu-args":
        os.makedirs(argv[2], exist_ok=True)
        print(" ".join(qemu_args(len(vms), argv[2])))
        return
    n = int(argv[2])
    if not 1 <= n <= len(vms):
        sys.exit(f"gdbvm: {argv[1]} has VMs 1..{len(vms)}, not {n}")
    image = vms[n - 1].get("image", ("", ""))[0]
    if image and os.path.isfile(image) and open(image, "rb").read(4) == b"\x7fELF":
        print(image)


if __name__ == "__main__":
    main()
