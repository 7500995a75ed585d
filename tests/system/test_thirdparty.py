"""Third-party guests nobody here wrote boot unmodified under hvscope:
Debian's riscv64 Linux (with the project's busybox initramfs) and U-Boot
S-mode (u-boot-qemu), alone and side by side with an xv6 VM.

The guests come from `make fetch-guests` (scripts/fetch-guests.py, cached
under <build>/cache/guests).  When they are not cached yet the tests fetch
them first; a failed fetch FAILS the tests with the reason, never skips them.
"""

import re
import subprocess
import sys
import tempfile
import time

import pytest

from hvrun import config_bundle, focus, hv_args, make_bundle, vm_log
from hvtest import REPO_ROOT, build_dir

LINUX_BOOT_TIMEOUT = 300       # TCG on a loaded 2-core machine; typically ~20 s
UBOOT_TIMEOUT = 60
SHELL_PROMPT = r"[#$] "


def guest_files():
    b = build_dir()
    return {
        "linux": b / "cache" / "guests" / "linux" / "Image",
        "busybox": b / "cache" / "guests" / "busybox" / "busybox",
        "uboot": b / "cache" / "guests" / "uboot" / "u-boot.bin",
        "initrd": b / "guests" / "linux" / "initramfs.cpio",
    }


@pytest.fixture(scope="module")
def guests():
    """Make sure the guests are cached and the initramfs is built (through
    make, as a user would); fail with make's own words otherwise."""
    files = guest_files()
    if not all(p.exists() for p in files.values()):
        r = subprocess.run(["make", "--no-print-directory", f"O={build_dir()}", "fetch-guests",
                            str(files["initrd"])],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
        missing = [str(p) for p in files.values() if not p.exists()]
        if r.returncode != 0 or missing:
            pytest.fail("`make fetch-guests` could not provide the third-party guests "
                        f"(exit {r.returncode}, missing: {', '.join(missing) or 'none'}):\n"
                        + (r.stdout + r.stderr)[-3000:], pytrace=False)
    return files


def boot(qemu_factory, bundle, name, timeout=60, extra=()):
    args, logdir = hv_args(bundle)
    return qemu_factory(args + list(extra), name=name, timeout=timeout), logdir


def disk_args(config):
    """QEMU options for the `disk =` lines of configs/CONFIG.cfg, on fresh
    copies in a temporary directory (never the user's disks)."""
    r = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "mkbundle.py"),
                        str(REPO_ROOT / "configs" / f"{config}.cfg"), "--qemu-args",
                        "-D", f"O={build_dir()}", "--disk-dir", tempfile.mkdtemp(prefix="hvdisks-"),
                        "--disk-template", str(build_dir() / "guests" / "xv6" / "fs.img")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return r.stdout.split()


def type_line(q, line):
    """Send a line in pieces a guest can take: the VM's UART receive FIFO holds
    64 bytes and the console multiplexer does not hold back what does not fit
    (a paste longer than that loses characters, as on a real 16550)."""
    for i in range(0, len(line), 32):
        q.send(line[i:i + 32])
        time.sleep(0.2)
    q.sendline("")


def shell(q, command, expect, timeout=30):
    """Run a command at the busybox prompt; return the match of `expect`."""
    type_line(q, command)
    m = q.expect(expect, timeout=timeout)
    q.expect(SHELL_PROMPT, timeout=timeout)
    return m


def linux_reaches_shell(q):
    m = q.expect(r"hvscope-initramfs: ready \((\S+), (\d+) CPUs online: ([0-9,-]+)\)",
                 timeout=LINUX_BOOT_TIMEOUT)
    q.expect(SHELL_PROMPT, timeout=60)
    return m


def check_linux_shell(q):
    shell(q, "echo hv-$((6 * 7))", r"\nhv-42\r?\n")
    shell(q, "uname -a", r"\nLinux hvscope-vm 6\.\S+ .*riscv64")
    shell(q, "echo CPUS=$(grep -c ^processor /proc/cpuinfo) ONLINE=$(cat /sys/devices/system/cpu/online)",
          r"CPUS=2 ONLINE=0-1")
    q.sendline("cat /proc/cpuinfo")
    for hart in (0, 1):
        q.expect(r"processor\s*: %d" % hart)
        isa = q.expect(r"isa\s*: rv64([a-z]+)(_\S+)?\r?\n").group(1)
        assert "h" not in isa, f"the guest was told it has the H extension: rv64{isa}"
        q.expect(r"mmu\s*: sv\d+")
    q.expect(SHELL_PROMPT)


def test_linux_boots_to_busybox_shell(qemu_factory, guests):
    q, _ = boot(qemu_factory, config_bundle("linux"), "linux", timeout=60)
    q.expect_exact("vm1: linux started (2 vCPUs")
    m = linux_reaches_shell(q)
    assert m.group(2) == "2" and m.group(3) == "0-1", m.group(0)
    check_linux_shell(q)


UBOOT_AND_ECHO = """
[vm uboot]
image = ${O}/cache/guests/uboot/u-boot.bin
entry = 0x80200000
ram = 64M
[vm echo]
image = ${O}/guests/tests/echo.elf
ram = 16M
"""


def uboot_prompt(q):
    """Stop autoboot and wait for the prompt."""
    q.expect_exact("Hit any key to stop autoboot", timeout=UBOOT_TIMEOUT)
    q.send(" ")
    q.expect_exact("=> ", timeout=UBOOT_TIMEOUT)


def test_uboot_prompt_commands_and_reset_only_itself(qemu_factory, guests):
    q, logdir = boot(qemu_factory, make_bundle(UBOOT_AND_ECHO, "uboot-echo"), "uboot")
    q.expect_exact("vm1: uboot started")
    q.expect_exact("vm2: echo started")
    q.expect(r"U-Boot 20\d\d\.\d\d", timeout=UBOOT_TIMEOUT)
    uboot_prompt(q)
    q.sendline("version")
    q.expect(r"\nU-Boot 20\d\d\.\d\d")
    q.expect_exact("=> ")
    q.sendline("bdinfo")
    q.expect(r"-> start\s*= 0x0*80000000")
    q.expect(r"-> size\s*= 0x0*4000000")
    q.expect_exact("=> ")
    q.sendline("fdt addr $fdtcontroladdr")
    q.expect_exact("=> ")
    q.sendline("fdt print /cpus")
    q.expect(r"cpu@0 \{")
    q.expect(r'riscv,isa = "rv64[a-gi-z]+')
    q.expect(r'mmu-type = "riscv,sv\d+"')
    q.expect_exact("=> ")
    q.sendline("reset")
    q.expect_exact("vm1: uboot rebooting (SBI SRST)")
    q.expect(r"U-Boot 20\d\d\.\d\d", timeout=UBOOT_TIMEOUT)
    uboot_prompt(q)
    q.sendline("version")
    q.expect(r"\nU-Boot 20\d\d\.\d\d")
    # only U-Boot rebooted: the echo VM kept running and still answers
    focus(q, "2")
    q.expect_exact("echo: ready")
    q.sendline("after uboot reset")
    q.expect_exact("echo: line after uboot reset")
    assert vm_log(logdir, 2, "echo").count("echo: ready") == 1
    focus(q, "h")
    q.sendline("vms")
    q.expect(r"\n1 +uboot +running")
    q.expect(r"\n2 +echo +running")


def test_mixed_all_answer_at_once(qemu_factory, guests):
    """configs/mixed.cfg: xv6 (or a test guest), Linux and U-Boot on 2 harts."""
    cfg = (REPO_ROOT / "configs" / "mixed.cfg").read_text()
    names = re.findall(r"^\[vm\s+(\S+)\]", cfg, re.M)
    assert names[1:] == ["linux", "uboot"], names
    extra = disk_args("mixed") if re.search(r"^disk\s*=", cfg, re.M) else []
    q, logdir = boot(qemu_factory, config_bundle("mixed"), "mixed", extra=extra)
    for i, name in enumerate(names, 1):
        q.expect_exact(f"vm{i}: {name} started")
    if names[0].startswith("xv6"):
        # vm1 has focus at boot: its banner comes to the terminal first, in
        # one piece only if focus moves on after it (VMs start quickly now)
        q.expect_exact("xv6 kernel is booting", timeout=60)
    # Linux (vm2) first: it takes longest.
    focus(q, "2")
    linux_reaches_shell(q)
    shell(q, "echo CPUS=$(grep -c ^processor /proc/cpuinfo)", r"CPUS=2")
    focus(q, "3")
    uboot_prompt(q)
    q.sendline("version")
    q.expect(r"\nU-Boot 20\d\d\.\d\d")
    q.expect_exact("=> ")
    focus(q, "1")
    if names[0].startswith("xv6"):
        q.expect_exact("$ ", timeout=60)      # vm1 had focus at boot: its banner came first
        assert "xv6 kernel is booting" in q.output
        q.sendline("echo side by side")
        q.expect_exact("side by side", timeout=30)
    else:
        q.expect_exact("echo: ready")
        q.sendline("side by side")
        q.expect_exact("echo: line side by side")
    # and Linux still answers after the others did
    focus(q, "2")
    shell(q, "uname -m", r"\nriscv64")
    focus(q, "h")
    q.sendline("vms")
    for i, name in enumerate(names, 1):
        q.expect(r"\n%d +%s +running" % (i, re.escape(name)))
