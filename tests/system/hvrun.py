"""Starting hvscope itself under QEMU for system tests: a VM config becomes a
bundle (scripts/mkbundle.py, as `make run` does), QEMU loads hypervisor and
bundle, and every VM's console log goes to a private temporary directory."""

import subprocess
import sys
import tempfile
from pathlib import Path

from hvtest import REPO_ROOT, build_dir, opensbi, qemu_cpu, qemu_new

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import gdbvm  # noqa: E402  pylint: disable=wrong-import-position

BUNDLE_ADDR = "0x84000000"
CTRL_T = "\x14"


def hypervisor_bin():
    path = build_dir() / "hypervisor" / "hvscope.bin"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make`")
    return path


def make_bundle(config_text, name="test"):
    """Write config_text to a temporary .cfg and build its bundle; returns the bundle path."""
    tmp = Path(tempfile.mkdtemp(prefix="hvbundle-"))
    cfg = tmp / f"{name}.cfg"
    cfg.write_text(config_text)
    out = tmp / f"{name}.bundle"
    r = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "-o", str(out), "-D", f"O={build_dir()}"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return out


def config_bundle(name):
    """Bundle of configs/NAME.cfg, built fresh."""
    return make_bundle((REPO_ROOT / "configs" / f"{name}.cfg").read_text(), name)


def hv_args(bundle, smp=2, mem="1G", cpu=None, qemu=None, logdir=None, gdbstub_dir=None, gdbstub_vms=8):
    """QEMU command line for hvscope with `bundle` (same shape as `make run`):
    with the gdbstub's virtio-serial device, port N = VM N on the unix
    socket gdbstub_dir/vmN.sock (a private temporary directory unless
    given; gdbstub_vms=0 leaves the device out)."""
    logdir = logdir or tempfile.mkdtemp(prefix="hvlogs-")
    args = [qemu or qemu_new(), "-M", "virt", "-cpu", cpu or qemu_cpu(), "-smp", str(smp),
            "-m", mem, "-nographic", "-bios", opensbi(), "-kernel", str(hypervisor_bin()),
            "-device", f"loader,file={bundle},addr={BUNDLE_ADDR},force-raw=on",
            "-semihosting-config", "enable=on,target=native",
            "-append", f"hvscope.bundle={BUNDLE_ADDR} hvscope.logdir={logdir}"]
    if gdbstub_vms:
        args += gdbvm.qemu_args(gdbstub_vms, gdbstub_dir or tempfile.mkdtemp(prefix="hvgdb-"))
    return args, logdir


def focus(q, key):
    """Ctrl-T KEY: switch the terminal to VM KEY (1..9; 10 and up as
    Ctrl-T v NN) or the console (h/0)."""
    q.send(CTRL_T + (key if len(key) == 1 else "v" + key))
    if key in "0h":
        # not just "hv> ": a death notice names `hv> dump N` too
        q.expect_exact("[hvscope: console -> hypervisor")
        q.expect_exact("hv> ")
    else:
        q.expect(r"\[hvscope: console -> vm%s " % key)


def vm_log(logdir, vm_id, name):
    path = Path(logdir) / f"vm{vm_id}-{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""
