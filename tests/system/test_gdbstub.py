"""hvscope's own gdbstub (issue 15): gdb-multiarch on one VM's guest, through
`make gdb-vm VM=N` as a user runs it, while the other VMs keep running.

The machine is the default set (two xv6 VMs on temporary disk copies) with
the gdbstub's virtio-serial device (hvrun.hv_args adds it: port N = VM N on
a unix socket in a private temporary directory, which `make gdb-vm` is
pointed at with GDBSTUB_DIR=).  gdb runs in batch mode; every test kills
QEMU (qemu_factory) and gdb (subprocess timeout) on every path.
"""

import re
import subprocess
import sys
import tempfile
import time

import hvtest
from hvrun import focus, hv_args, make_bundle

PROMPT = r"(?:^|\n)\$ "
BOOT_TIMEOUT = 120
GDB_TIMEOUT = 120
XV6_ELF = hvtest.build_dir() / "guests" / "xv6" / "kernel.elf"

DEFAULT_SET = (hvtest.REPO_ROOT / "configs" / "default.cfg").read_text()


def disk_args(config_text, tmp_path):
    """QEMU options for the config's disks (temporary copies), as `make run` gets them."""
    cfg = tmp_path / "disks.cfg"
    cfg.write_text(config_text)
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "--qemu-args", "-D", f"O={hvtest.build_dir()}", "--disk-dir", str(tmp_path / "disks"),
                        "--disk-template", str(hvtest.build_dir() / "guests" / "xv6" / "fs.img")],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def boot(qemu_factory, tmp_path, config_text=DEFAULT_SET, name="gdbstub", shells=(1, 2)):
    """hvscope with config_text and the gdbstub device; returns (qemu, socket dir)."""
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(make_bundle(config_text, name), gdbstub_dir=sockdir)
    q = qemu_factory(args + disk_args(config_text, tmp_path), timeout=BOOT_TIMEOUT)
    q.expect(r"gdbstub: virtio-console at 0x[0-9a-f]+ irq \d+, 8 ports")
    for vm in shells:
        focus(q, str(vm))
        q.sendline("")
        q.expect(PROMPT)
    return q, sockdir


def gdb_vm(sockdir, vm, *commands, timeout=GDB_TIMEOUT, config="default"):
    """`make gdb-vm VM=vm GDBFLAGS='-batch -ex ...'`; returns its output (stdout + stderr)."""
    flags = "-batch " + " ".join("-ex '%s'" % c.replace("'", "'\\''") for c in commands)
    r = subprocess.run(["make", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), "gdb-vm",
                        f"O={hvtest.build_dir()}", f"CONFIG={config}", f"VM={vm}",
                        f"GDBSTUB_DIR={sockdir}", f"GDBFLAGS={flags}"],
                       capture_output=True, text=True, timeout=timeout, check=False)
    return r.stdout + r.stderr


def test_gdbstub_attach_regs_detach(qemu_factory, tmp_path):
    """Attach to VM 1: threads, pc in xv6's kernel, the guest's satp, detach; VM 1 runs on."""
    q, sockdir = boot(qemu_factory, tmp_path)
    out = gdb_vm(sockdir, 1, "info threads", "p/x $pc", "p/x $satp", "p $priv", "info symbol $pc",
                 "x/2i $pc", "detach")
    print(out)
    assert re.search(r"\* 1\s+Thread 1", out), out
    m = re.search(r"\$1 = (0x[0-9a-f]+)", out)
    assert m and int(m.group(1), 16) >= 0x80000000, out
    assert re.search(r"\$2 = 0x8[0-9a-f]{15}", out), out      # Sv39 vsatp, as xv6 set it
    assert "Detaching from program" in out or "detached" in out.lower(), out
    focus(q, "1")
    q.sendline("echo back")
    q.expect("back")
