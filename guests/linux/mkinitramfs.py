#!/usr/bin/env python3
"""Build hvscope's Linux initramfs: a newc cpio archive written directly, so
no root, fakeroot or cpio tool is needed (device nodes and owners are just
fields of the archive).

    mkinitramfs.py --busybox BUSYBOX --init guests/linux/init -o initramfs.cpio

Contents: /bin/busybox (static), a symlink /bin/APPLET -> busybox for every
applet the binary contains (read from its applet name table; /init also runs
`busybox --install -s` in case that table could not be read), /init, the
usual empty directories, and /dev/console + /dev/null so that the kernel can
give /init a console before devtmpfs is mounted.  All files are owned by
root with mtime 0: the same inputs give the same archive byte for byte.
"""
import argparse
import os
import re
import stat
import sys

DIRS = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "root", "etc",
        "mnt", "run", "var"]
# (path, major, minor): character devices the kernel wants before devtmpfs.
NODES = [("dev/console", 5, 1), ("dev/null", 1, 3)]
# Applets /init itself needs, used if the name table cannot be found.
FALLBACK_APPLETS = ["sh", "mount", "setsid", "cttyhack", "echo", "cat", "uname", "ls", "mkdir",
                    "hostname", "poweroff", "reboot"]


class Cpio:
    """newc ("070701") writer."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def add(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        namez = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(namez), 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % f for f in fields) + namez
        self._pad()
        self.out += data
        self._pad()

    def _pad(self):
        self.out += b"\0" * (-len(self.out) % 4)

    def finish(self):
        self.add("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def applet_names(binary):
    """busybox keeps its applet names as one NUL-separated, sorted table
    starting with "[" and "[["; return it (empty if not found)."""
    start = binary.find(b"[\0[[\0")
    if start < 0:
        return []
    names, pos = [], start
    while True:
        end = binary.index(b"\0", pos)
        name = binary[pos:end]
        if not name:
            break
        if not re.fullmatch(rb"[\[\]A-Za-z0-9_.+-]{1,32}", name):
            return []
        names.append(name.decode())
        pos = end + 1
    return names if "sh" in names else []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    busybox = open(args.busybox, "rb").read()
    if busybox[:4] != b"\x7fELF" or busybox[18:20] != b"\xf3\x00":
        sys.exit(f"mkinitramfs: {args.busybox} is not a RISC-V ELF binary")
    init = open(args.init, "rb").read()
    applets = applet_names(busybox) or FALLBACK_APPLETS

    cpio = Cpio()
    for d in DIRS:
        cpio.add(d, stat.S_IFDIR | 0o755, nlink=2)
    for path, major, minor in NODES:
        cpio.add(path, stat.S_IFCHR | 0o600 if path == "dev/console" else stat.S_IFCHR | 0o666,
                 rdev=(major, minor))
    cpio.add("bin/busybox", stat.S_IFREG | 0o755, busybox)
    for name in applets:
        if name != "busybox":
            cpio.add(f"bin/{name}", stat.S_IFLNK | 0o777, b"busybox")
    cpio.add("init", stat.S_IFREG | 0o755, init)
    cpio.add("etc/hostname", stat.S_IFREG | 0o644, b"hvscope-vm\n")

    tmp = args.output + ".part"
    with open(tmp, "wb") as f:
        f.write(cpio.finish())
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
