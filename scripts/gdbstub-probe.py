#!/usr/bin/env python3
"""Is QEMU's gdbstub on SOCK free for a client?  One line and a status for
`make gdb` / `make dump` to act on before gdb itself would hang:

    0  a gdbstub answered (the machine is now paused: the next client, gdb,
       resumes it when it detaches); prints `pc=0x...` of the first hart
    2  nothing listens: no `make debug` running (or it ended)
    3  it accepts but does not answer: a gdb is attached already (QEMU's
       gdbstub serves one client at a time)

The remote protocol: a packet is `$DATA#CS` with CS the sum of DATA's bytes
modulo 256 in two hex digits; `?` asks why the target stopped and `p20`
reads register 0x20, which is pc in QEMU's RISC-V register numbering.
"""
import argparse
import socket
import sys
import time


def packet(data):
    return f"${data}#{sum(data.encode()) % 256:02x}".encode()


def reply(sock, deadline):
    """The next packet's data (acks skipped), or None at the deadline."""
    buf = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return None
        if not chunk:
            return None
        buf += chunk
        start = buf.find(b"$")
        end = buf.find(b"#", start + 1) if start >= 0 else -1
        if start >= 0 and end >= 0 and len(buf) >= end + 3:
            sock.sendall(b"+")
            return buf[start + 1:end].decode(errors="replace")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sock")
    ap.add_argument("--who", default="gdbstub-probe", help="name for the message (make gdb, make dump)")
    ap.add_argument("--timeout", type=float, default=2.0)
    a = ap.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(a.sock)
    except OSError:
        print(f"{a.who}: nothing listens on {a.sock}: start `make debug` first (in another terminal)")
        return 2
    with s:
        s.sendall(packet("?"))
        if reply(s, time.monotonic() + a.timeout) is None:
            hint = "; or type monitor dump-guest-memory FILE in that gdb" if "dump" in a.who else ""
            print(f"{a.who}: {a.sock} does not answer: a gdb is attached already (QEMU serves one client): "
                  f"quit that gdb first{hint}")
            return 3
        s.sendall(packet("p20"))
        pc = reply(s, time.monotonic() + a.timeout) or ""
    try:
        print(f"pc=0x{int.from_bytes(bytes.fromhex(pc), 'little'):x}")
    except ValueError:
        print("pc=unknown")
    return 0


if __name__ == "__main__":
    sys.exit(main())
