"""Several VMs with their own disks under hvscope: the emulated virtio-blk
(vdev/vvirtio_blk.c) in front of the host's virtio-blk devices
(drivers/virtio_blk.c).

- vblk: the test guest's good I/O, its interrupt, and requests pointing
  outside its RAM failing with IOERR, next to other guests.
- xv6: 2 and 4 xv6 VMs on 2 harts reach the shell; a command typed in a VM
  answers there only; a file written in VM 1 survives a restart and never
  shows up in VM 2; `usertests -q` passes in two VMs at once.

Every test works on temporary copies of the disk images; the QEMU disk
options come from `mkbundle.py --qemu-args`, as `make run` gets them.
"""

import re
import subprocess
import sys
import time

import pytest

import hvtest
from hvrun import focus, hv_args, make_bundle, vm_log

PROMPT = r"(?:^|\n)\$ "
BOOT_TIMEOUT = 120
USERTESTS_TIMEOUT = 900


def disk_args(config_text, tmp_path, template=None, stem="disks"):
    """QEMU options for the config's disks, as `make run` computes them
    (images tmp_path/disks/STEM-VM.img)."""
    cfg = tmp_path / f"{stem}.cfg"
    cfg.write_text(config_text)
    cmd = [sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg), "--qemu-args",
           "-D", f"O={hvtest.build_dir()}", "--disk-dir", str(tmp_path / "disks")]
    if template:
        cmd += ["--disk-template", str(template)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def boot(qemu_factory, config_text, tmp_path, name, template=None, timeout=BOOT_TIMEOUT, smp=2):
    bundle = make_bundle(config_text, name)
    args, logdir = hv_args(bundle, smp=smp)
    q = qemu_factory(args + disk_args(config_text, tmp_path, template), name=name, timeout=timeout)
    return q, logdir


# ---------------------------------------------------------------- vblk guest

def blank_disk(path, sectors=2048):
    path.write_bytes(bytes(512 * sectors))
    return path


def test_vblk_guest_next_to_others(qemu_factory, tmp_path):
    """Good I/O works, every bad descriptor gets IOERR and a report, the other
    guests keep running, and nothing is written outside the VM."""
    disk = blank_disk(tmp_path / "vblk.img")
    config = f"""
[vm hello]
image = ${{O}}/guests/tests/hello.elf
ram = 16M
[vm vblk]
image = ${{O}}/guests/tests/vblk.elf
ram = 16M
disk = {disk}
[vm echo]
image = ${{O}}/guests/tests/echo.elf
ram = 16M
"""
    q, logdir = boot(qemu_factory, config, tmp_path, "vblk-next-to-others", timeout=60)
    q.expect(r'virtio-blk: 0x[0-9a-f]+ serial "vm2-vblk", 2048 sectors')
    q.expect_exact("vm2: vblk started")
    q.expect_exact("hello: done vcpu=0")
    # the hypervisor's reports reach the terminal whatever has focus (on 2
    # harts some may come before hello's last line: counted in all the output)
    q.expect(r"vm2: virtio-blk: queue rings [^\n]* not aligned inside the VM's RAM")
    reports = re.findall(r"vm2: virtio-blk: request at descriptor 0 failed with IOERR: [^\n]*outside the VM's RAM",
                         q.output)
    assert len(reports) == 7, reports
    focus(q, "2")
    q.expect_exact("vblk: done failures=0")
    log = vm_log(logdir, 2, "vblk")
    for marker in ("vblk: device ok capacity=2048", "vblk: serial vm2-vblk", "vblk: rw ok",
                   "vblk: irq ok", "vblk: bad rings needs-reset", "vblk: still ok"):
        assert marker in log, log
    for name in ("past-end", "straddle", "low", "uart", "wrap", "huge", "header"):
        assert f"vblk: bad {name} ioerr" in log, log
    assert "FAIL" not in log, log
    # the others are alive and undisturbed
    focus(q, "3")
    q.expect_exact("echo: ready")
    q.sendline("still here")
    q.expect_exact("echo: line still here")
    assert "vblk" not in vm_log(logdir, 1, "hello")
    # what the guest wrote went to its own disk image, sector 1
    q.close()
    data = disk.read_bytes()
    assert data[512:1024] == bytes((i * 13 + ord("s")) & 0xff for i in range(512))
    assert data[:512] == bytes(512) and data[1024:] == bytes(len(data) - 1024)


def test_missing_disk_is_reported(qemu_factory, tmp_path):
    """A VM whose disk QEMU was not given is not created; the others run."""
    config = """
[vm hello]
image = ${O}/guests/tests/hello.elf
ram = 16M
[vm vblk]
image = ${O}/guests/tests/vblk.elf
ram = 16M
disk = auto
"""
    bundle = make_bundle(config, "missing-disk")
    args, _ = hv_args(bundle)
    q = qemu_factory(args, name="missing-disk", timeout=30)
    q.expect_exact('vm2 (vblk): no free host virtio-blk device with serial "vm2-vblk"')
    q.expect_exact("vm2 not created")
    q.expect_exact("hello: done vcpu=0")


# ---------------------------------------------------------------- xv6

def xv6_file(name):
    path = hvtest.build_dir() / "guests" / "xv6" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `make xv6`")
    return path


def xv6_config(count, vcpus=None):
    vcpus = vcpus or {}
    return "".join(f"""
[vm xv6{chr(ord('a') + i)}]
image = ${{O}}/guests/xv6/kernel.elf
ram = 128M
vcpus = {vcpus.get(i + 1, 1)}
disk = auto
""" for i in range(count))


def run(q, command, timeout=30):
    """Type a shell command into the focused VM; return its output."""
    q.sendline(command)
    q.expect_exact(command + "\n", timeout)
    q.expect(PROMPT, timeout)
    return q.child.before.replace("\r", "")


def boot_xv6(qemu_factory, tmp_path, count, name, vcpus=None):
    config = xv6_config(count, vcpus)
    q, logdir = boot(qemu_factory, config, tmp_path, name, template=xv6_file("fs.img"))
    for i in range(1, count + 1):
        q.expect_exact(f"vm{i}: xv6{chr(ord('a') + i - 1)} started")
    return q, logdir, config


def wait_prompts(q, logdir, count):
    """Every VM reaches `$ ` (focus on each, which replays its buffered output)."""
    for i in range(count, 0, -1):
        focus(q, str(i))
        q.expect(PROMPT, BOOT_TIMEOUT)
    for i in range(1, count + 1):
        log = vm_log(logdir, i, f"xv6{chr(ord('a') + i - 1)}")
        assert "init: starting sh" in log, (i, log)


def test_two_xv6_vms_reach_the_shell_and_answer_separately(qemu_factory, tmp_path):
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 2, "xv6x2")
    wait_prompts(q, logdir, 2)
    focus(q, "1")
    assert run(q, "echo only-in-one").strip() == "only-in-one"
    focus(q, "2")
    assert run(q, "echo only-in-two").strip() == "only-in-two"
    assert "only-in-two" not in vm_log(logdir, 1, "xv6a")
    assert "only-in-one" not in vm_log(logdir, 2, "xv6b")


def test_four_xv6_vms_on_two_harts(qemu_factory, tmp_path):
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 4, "xv6x4", vcpus={4: 2})
    wait_prompts(q, logdir, 4)
    for i in range(1, 5):
        focus(q, str(i))
        assert run(q, f"echo vm-{i}-here").strip() == f"vm-{i}-here"
    for i in range(1, 5):
        log = vm_log(logdir, i, f"xv6{chr(ord('a') + i - 1)}")
        for j in range(1, 5):
            assert (f"vm-{j}-here" in log) == (i == j), (i, j)


def stats_line(q, vm):
    """`hv> stats VM` from the console (focus goes back to VM 1)."""
    focus(q, "h")
    q.sendline(f"stats {vm}")
    q.expect_exact("hv> ", timeout=10)
    out = q.child.before.replace("\r", "")
    focus(q, "1")
    return out


def idle_harts(q, seconds):
    """`hv> stats reset`, the guests left alone for `seconds`, then `hv> stats`'s
    hart lines: {hart: (idle rounds, rounds woken with nothing pending)}."""
    focus(q, "h")
    q.sendline("stats reset")
    q.expect_exact("harts: statistics reset", timeout=10)
    q.expect_exact("hv> ", timeout=10)
    time.sleep(seconds)
    q.sendline("stats")
    q.expect_exact("hv> ", timeout=10)
    out = q.child.before.replace("\r", "")
    focus(q, "1")
    return {int(h): (int(n), int(e)) for h, n, e in
            re.findall(r"hart (\d+): idle (\d+) rounds, (\d+) woken with nothing pending", out)}


def test_wfi_traps_only_when_vcpus_outnumber_harts(qemu_factory, tmp_path):
    """xv6 idles in WFI at its prompt.  Two 1-vCPU VMs on 2 harts: every
    vCPU keeps its hart, the WFI stays in the guest (no virtual-instruction
    exits, docs/performance.md).  Four VMs on 2 harts: the WFI traps and the
    vCPU gives up its hart to the others, and a hart with nothing to run
    sleeps in WFI instead of polling (hv> stats, the hart lines)."""
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 2, "xv6-wfi-2")
    wait_prompts(q, logdir, 2)
    time.sleep(1)
    out = stats_line(q, 1)
    assert "exits" in out and "virtual instruction" not in out, out
    assert run(q, "echo still-here").strip() == "still-here"     # wakes on input
    q.close()
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 4, "xv6-wfi-4")
    wait_prompts(q, logdir, 4)
    time.sleep(1)
    out = stats_line(q, 1)
    assert re.search(r"virtual instruction +\d+", out), out
    # The harts the vCPUs leave sleep in WFI: a hart polling its idle loop
    # (a vCPU's timer left armed on it, docs/performance.md) made tens of
    # thousands of rounds a second that WFI ended with nothing pending.
    harts = idle_harts(q, 3)
    assert sorted(harts) == [0, 1], harts
    assert sum(rounds for rounds, _ in harts.values()) > 0, harts
    assert all(empty <= 20 for _, empty in harts.values()), harts
    assert run(q, "echo still-here").strip() == "still-here"


def test_files_persist_per_vm_across_restart(qemu_factory, tmp_path):
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 2, "xv6-persist-1")
    wait_prompts(q, logdir, 2)
    focus(q, "1")
    run(q, "echo kept-in-vm1 > vm1file")
    assert run(q, "cat vm1file").strip() == "kept-in-vm1"
    q.close()
    # a second run on the same disk images
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 2, "xv6-persist-2")
    wait_prompts(q, logdir, 2)
    focus(q, "1")
    assert run(q, "cat vm1file").strip() == "kept-in-vm1"
    focus(q, "2")
    out = run(q, "cat vm1file")
    assert "kept-in-vm1" not in out and "cannot open" in out, out
    assert "vm1file" not in run(q, "ls")


def usertests_in_vms_1_and_2(q):
    """Start `usertests -q` in VM 1 and then VM 2 (both at `$`), and wait until
    both passed and are back at `$`; VM 1 has focus at the end."""
    for i in ("1", "2"):
        focus(q, i)
        q.sendline("usertests -q")
        q.expect_exact("usertests -q\n")
    # VM 2 has focus; VM 1's output waits in its 16 KiB ring, replayed on focus.
    # Up to the prompt after it: a VM's log gets a line when its newline comes.
    q.expect_exact("ALL TESTS PASSED", USERTESTS_TIMEOUT)
    q.expect(PROMPT, 30)
    focus(q, "1")
    q.expect_exact("ALL TESTS PASSED", USERTESTS_TIMEOUT)
    q.expect(PROMPT, 30)


def test_usertests_in_two_vms_at_once(qemu_factory, tmp_path):
    q, logdir, _ = boot_xv6(qemu_factory, tmp_path, 2, "xv6-usertests")
    wait_prompts(q, logdir, 2)
    usertests_in_vms_1_and_2(q)
    for i, name in ((1, "xv6a"), (2, "xv6b")):
        log = vm_log(logdir, i, name)
        assert "ALL TESTS PASSED" in log and "FAILED" not in log, (i, log[-2000:])


def test_images_at_every_load_address(qemu_factory, tmp_path):
    """Raw xv6 images built for 0x80000000 and 0x80100000 and the ELF at
    0x80200000, each as its own VM with `entry =`, all reach the shell."""
    for addr in ("0x80000000", "0x80100000"):
        xv6_file(f"kernel-{addr}.bin")
    config = "".join(f"""
[vm at{addr[-6:-5]}]
image = ${{O}}/guests/xv6/kernel-{addr}.bin
entry = {addr}
ram = 64M
disk = auto
""" for addr in ("0x80000000", "0x80100000")) + """
[vm at2]
image = ${O}/guests/xv6/kernel.elf
ram = 64M
disk = auto
"""
    q, logdir = boot(qemu_factory, config, tmp_path, "load-addresses", template=xv6_file("fs.img"))
    q.expect_exact("vm1: at0 started (1 vCPU, 64 MiB, entry 0x80000000")
    q.expect_exact("vm2: at1 started (1 vCPU, 64 MiB, entry 0x80100000")
    q.expect_exact("vm3: at2 started (1 vCPU, 64 MiB, entry 0x80200000")
    for i in (3, 2, 1):
        focus(q, str(i))
        q.expect(PROMPT, BOOT_TIMEOUT)
        assert f"vm{i} here" in run(q, f"echo vm{i} here")
