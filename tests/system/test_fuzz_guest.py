"""The guest-side fuzzer (guests/tests/fuzz.c, scripts/fuzz_guest.py) for 60
seconds next to xv6, on QEMU 10 and 7.2, exactly as `make fuzz-guest` runs
it: the hypervisor keeps answering, the neighbour answers every probe, and
there are no findings.  (`make soak` runs it for 30 minutes.)"""

import re
import subprocess
import sys

import hvtest

SECONDS = 60


def test_fuzz_guest_next_to_xv6(qemu_bin, qemu_version):
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "fuzz_guest.py"),
                        "--seconds", str(SECONDS), "--seed", "20261201", "--qemu", qemu_bin],
                       capture_output=True, text=True, timeout=SECONDS + 240)
    out = r.stdout + r.stderr
    m = re.search(r"fuzz-guest: (\d+) ops in (\d+) s, seed 20261201; hypervisor alive; "
                  r"neighbour answered (\d+)/(\d+); (\d+) findings", out)
    assert m, out
    ops, _, answered, probes, findings = map(int, m.groups())
    assert findings == 0 and r.returncode == 0, out
    assert probes >= 5 and answered == probes, out
    assert ops >= 100000, out          # the hypervisor's count of the fuzz VM's exits
