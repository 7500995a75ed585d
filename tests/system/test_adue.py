"""The ADUE story, replayed (docs/troubleshooting.md).

- configs/adue-off.cfg: VM 1 (ADUE off, no A/D emulation) stops after
  "xv6 kernel is booting" with a fault-loop report naming an instruction page
  fault and a leaf PTE with A=0; VM 2 (defaults) reaches the shell.
- -cpu rv64,svadu=off: ADUE cannot be enabled; xv6 VMs reach the shell and pass
  usertests -q thanks to A/D emulation, and the trace shows the fix-ups.
- defaults: ADUE on, no fix-ups; QEMU 7.2 (no Svadu, hardware A/D): no fix-ups.
"""

import re

import pytest

from hvrun import focus
from test_xv6_vms import PROMPT, boot, run, xv6_config, xv6_file
from hvtest import REPO_ROOT

BOOT = 120


def adue_off_config():
    return (REPO_ROOT / "configs" / "adue-off.cfg").read_text()


def stats_line(q, vm):
    focus(q, "h")
    q.sendline(f"stats {vm}")
    m = q.expect(r"vm%d \([^)]*\): (\d+) exits, (\d+) A/D fix-ups, (\d+) page faults reflected" % vm)
    q.expect_exact("hv> ")
    return int(m.group(2)), int(m.group(3))


def test_adue_off_replay(qemu_factory, tmp_path):
    q, logdir = boot(qemu_factory, adue_off_config(), tmp_path, "adue-off", template=xv6_file("fs.img"))
    q.expect_exact("vm1: xv6-noadue started (1 vCPU, 128 MiB, entry 0x80200000, ADUE off, A/D emulation off)")
    q.expect_exact("xv6 kernel is booting", BOOT)
    q.expect(r"=== hvscope post-mortem: vm1 \(xv6-noadue\) vCPU 0: fault loop: instruction page fault", BOOT)
    q.expect_exact("scause 0xc: exception 12: instruction page fault (repeating: fault loop)")
    q.expect(r"henvcfg +0x[0-9a-f]+  STCE=\d PBMTE=\d ADUE=0")
    first = q.expect(r"first fault of the chain: scause 0xc instruction page fault, sepc (0x[0-9a-f]+) stval (0x[0-9a-f]+)\r?\n")
    assert first.group(1) == first.group(2) and first.group(1) != "0x0"
    q.expect(r"level 0: [^\r\n]* V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0 [^\r\n]*\(leaf\)")
    q.expect_exact("-> fault: A=0 and hardware A/D updating is off (hardware raises: instruction page fault)")
    q.expect_exact("=== end of report")
    q.expect_exact("vm1: xv6-noadue dead: fault loop, A/D (hv> dump 1)")
    report = q.output[q.output.rindex("=== hvscope post-mortem"):q.output.rindex("=== end of report")]
    report = report.replace("\r", "").rstrip("\n").split("\n") + ["=== end of report"]
    # diagnosable from the last 5 lines: the first fault, the A=0 leaf, ADUE and the way out
    tail = "\n".join(report[-5:])
    m = re.search(r"^diagnosis: first fault = fetch at (0x[0-9a-f]+); leaf PTE A=0 while henvcfg.ADUE=0 and "
                  r"A/D emulation is off -> hv> adue 1 on \(or adem 1 on\), then reset 1$", tail, re.M)
    assert m and m.group(1) == first.group(1), "\n".join(report)
    # the fault loop's records are one line, decoded
    loop = [ln for ln in report if re.search(r"#\d+\.\.#\d+  \d+ x instruction page fault sepc 0x0 stval 0x0 "
                                             r"injected instruction page fault tval 0x0$", ln)]
    assert len(loop) == 1, "\n".join(report)
    assert len(report) <= 48, "\n".join(report)
    focus(q, "2")
    q.expect(PROMPT, BOOT)
    assert "hello from vm2" in run(q, "echo hello from vm2")
    # the report is also in VM 1's log
    from hvrun import vm_log
    assert "=== hvscope post-mortem: vm1" in vm_log(logdir, 1, "xv6-noadue")


def test_svadu_off_boots_with_ad_emulation(qemu_factory, tmp_path):
    from hvrun import hv_args, make_bundle
    from test_xv6_vms import disk_args
    config = xv6_config(2)
    args, _ = hv_args(make_bundle(config, "svadu-off"), cpu="rv64,svadu=off")
    q = qemu_factory(args + disk_args(config, tmp_path, xv6_file("fs.img")), name="svadu-off-xv6", timeout=BOOT)
    q.expect(r"henvcfg can enable: STCE=1 PBMTE=\d ADUE=0")
    q.expect_exact("vm1: xv6a started (1 vCPU, 128 MiB, entry 0x80200000, ADUE off, A/D emulation on)")
    for vm in ("2", "1"):
        focus(q, vm)
        q.expect(PROMPT, BOOT)
    q.sendline("usertests -q")
    q.expect_exact("ALL TESTS PASSED", 600)
    q.expect(PROMPT, 30)
    fixups, _ = stats_line(q, 1)
    assert fixups > 100, fixups
    q.sendline("trace 256 vm 1 class pf")
    q.expect_exact("A/D fix-up pte at gpa")
    q.expect_exact("hv> ")


@pytest.mark.parametrize("variant", ["qemu10", "qemu7.2"])
def test_defaults_need_no_fixups(qemu_factory, tmp_path, variant):
    from hvrun import hv_args, make_bundle
    from test_xv6_vms import disk_args
    import hvtest
    qemu = hvtest.qemu_new()
    if variant == "qemu7.2":
        qemu = hvtest.qemu_old()
        import os
        if not os.access(qemu, os.X_OK):
            pytest.skip(hvtest.QEMU_OLD_MISSING)
    config = xv6_config(1)
    args, _ = hv_args(make_bundle(config, "defaults"), qemu=qemu)
    q = qemu_factory(args + disk_args(config, tmp_path, xv6_file("fs.img")), name=f"defaults-{variant}", timeout=BOOT)
    started = q.expect(r"vm1: xv6a started \(1 vCPU, 128 MiB, entry 0x80200000, ADUE (on|off), A/D emulation (on|off)\)")
    if variant == "qemu10":
        assert started.group(1) == "on"     # Svadu: ADUE on by default
    else:
        assert started.group(1) == "off"    # QEMU 7.2 has no Svadu
    q.expect(PROMPT, BOOT)
    assert "hello" in run(q, "echo hello")
    fixups, reflected = stats_line(q, 1)
    assert fixups == 0 and reflected == 0, (fixups, reflected)
