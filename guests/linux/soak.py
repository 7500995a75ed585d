#!/usr/bin/env python3
"""Boot configs/linux.cfg under hvscope N times; count the boots where Linux
reached the initramfs shell with both vCPUs online.  Part of `make soak`
(never of `make test`).  Prints one line per boot and a final

    linux soak: K/N boots brought both harts online

and exits 1 unless K == N.  Environment as for the system tests (HV_BUILD,
HV_QEMU, HV_OPENSBI, ...); each boot's console is logged under
<build>/tests/logs/linux-soak-I.log.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "system"))

from hvrun import config_bundle, hv_args  # noqa: E402
from hvtest import Qemu  # noqa: E402

READY = r"hvscope-initramfs: ready \((\S+), (\d+) CPUs online: ([0-9,-]+)\)"


def one_boot(bundle, i, timeout):
    args, _ = hv_args(bundle)
    start = time.monotonic()
    with Qemu(args, name=f"linux-soak-{i}", timeout=timeout) as q:
        try:
            m = q.expect(READY)
            q.sendline("cat /sys/devices/system/cpu/online")
            q.expect(r"\n(0-1)\r?\n", timeout=30)
        except AssertionError as e:
            return False, f"no shell with 2 harts ({str(e).splitlines()[0]})"
        return m.group(2) == "2", f"{m.group(2)} CPUs online ({m.group(3)}) after {time.monotonic() - start:.1f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--boots", type=int, default=10)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per boot")
    args = ap.parse_args()
    bundle = config_bundle("linux")
    good = 0
    for i in range(1, args.boots + 1):
        ok, what = one_boot(bundle, i, args.timeout)
        good += ok
        print(f"linux soak: boot {i}/{args.boots}: {'ok' if ok else 'FAIL'}: {what}", flush=True)
    print(f"linux soak: {good}/{args.boots} boots brought both harts online")
    sys.exit(0 if good == args.boots else 1)


if __name__ == "__main__":
    main()
