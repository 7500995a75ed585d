"""The instrumentation tells the whole truth (issue 13), checked through the
same pty a user has:

- the trap trace records SBI calls and MMIO accesses with their payload,
  decoded by name (`sbi IPI send_ipi -> 0`, `mmio uart store 0x10000000 w1 =
  0x41`): after xv6 boots and after Linux boots;
- every post-mortem report ends with a `diagnosis:` line (one rule per kind of
  death) and collapses repeated trace records; a VM that dies while another
  has focus prints one line there, its report goes to its own console;
- `adue N off` on the console means what `adue = off` means in a config.
"""

import re

from hvrun import config_bundle, focus, hv_args, make_bundle, vm_log
import test_thirdparty
from test_thirdparty import boot as linux_boot, linux_reaches_shell, type_line
from test_xv6_vms import PROMPT, boot, run, xv6_config, xv6_file

guests = test_thirdparty.guests     # a fixture: the tests below take it by name

BOOT = 120
HV_PROMPT = "\r\nhv> "

MMIO_LINE = re.compile(r"^#\d+ t=\d+ h\d vm\d\.\d (?:load|store)/?A?M?O? guest-page fault sepc 0x[0-9a-f]+ "
                       r"stval 0x[0-9a-f]+ mmio (uart|plic|virtio\d) (load|store) (0x[0-9a-f]+) "
                       r"w([1248]) = (0x[0-9a-f]+) htinst 0x[0-9a-f]+ cost \d+$")
SBI_LINE = re.compile(r"^#\d+ t=\d+ h\d vm\d\.\d environment call from VS-mode sepc 0x[0-9a-f]+ "
                      r"stval 0x[0-9a-f]+ sbi (\S+) (\S+) -> (-?\d+)(?:, value 0x[0-9a-f]+| \([a-z ]+\))? "
                      r"cost \d+$")


def hv(q, line, timeout=20):
    """A console line (the console has focus); its answer, lines without CR."""
    q.sendline(line)
    q.expect_exact(line + "\r\n", timeout=timeout)      # the echo
    q.expect_exact(HV_PROMPT, timeout=timeout)
    return q.child.before.replace("\r", "").split("\n")


def records(lines):
    return [ln for ln in lines if ln.startswith("#")]


# ---------------------------------------------------------------- trace payloads

def test_trace_mmio_after_xv6_boots(qemu_factory, tmp_path):
    config = xv6_config(1)
    q, _ = boot(qemu_factory, config, tmp_path, "trace-mmio-xv6", template=xv6_file("fs.img"))
    q.expect(PROMPT, BOOT)
    run(q, "echo traced > tracefile")         # a disk write: xv6 commits its log through virtio-blk
    assert "traced" in run(q, "cat tracefile")
    focus(q, "h")
    out = hv(q, "trace 5 class mmio")
    recs = records(out)
    assert len(recs) == 5, out
    for line in recs:
        m = MMIO_LINE.match(line)
        assert m, line
        dev, _, addr, width, _ = m.groups()
        base = {"uart": 0x10000000, "plic": 0x0c000000}.get(dev, 0x10001000)
        assert int(addr, 16) >= base, line
    # every device xv6 uses shows up with its values
    seen = [MMIO_LINE.match(ln).groups() for ln in records(hv(q, "trace 256 class mmio"))]
    devices = {s[0] for s in seen}
    assert {"uart", "plic", "virtio0"} <= devices, seen
    # the UART transmit register gets the characters xv6 printed
    tx = [int(s[4], 16) for s in seen if s[0] == "uart" and s[1] == "store" and s[2] == "0x10000000"]
    assert tx and all(0 < c < 0x80 for c in tx), seen
    # virtio-blk: the queue notify register (offset 0x50) is written, the interrupt status read
    assert ("virtio0", "store", "0x10001050") in {s[:3] for s in seen}, seen
    # recording only MMIO: what is recorded is MMIO, with its payload
    assert hv(q, "trace filter class mmio")[0].startswith("trace: on; recording VMs all, classes mmio;")
    hv(q, "trace clear")
    focus(q, "1")
    run(q, "echo again > tracefile2")
    focus(q, "h")
    recs = records(hv(q, "trace 20"))
    assert len(recs) == 20 and all(MMIO_LINE.match(ln) for ln in recs), recs


def test_trace_sbi_calls_after_linux_boots(qemu_factory, guests):
    q, _ = linux_boot(qemu_factory, config_bundle("linux"), "trace-sbi-linux", timeout=60)
    linux_reaches_shell(q)
    type_line(q, "for i in 1 2 3 4 5 6 7 8; do echo x > /dev/null & done; wait; echo done-$((40+2))")
    q.expect_exact("done-42", timeout=60)
    focus(q, "h")
    out = hv(q, "trace 20 class ecall")
    recs = records(out)
    assert len(recs) == 20, out
    calls = []
    for line in recs:
        m = SBI_LINE.match(line)
        assert m, line
        calls.append(m.groups())
    # Linux on two vCPUs: IPIs and remote fences, by name, with their results
    # (the last 20 calls may all be IPIs; the fences are a little further back)
    calls += [SBI_LINE.match(ln).groups() for ln in records(hv(q, "trace 256 class ecall"))]
    names = {(ext, fn) for ext, fn, _ in calls}
    assert ("IPI", "send_ipi") in names, names
    assert any(ext == "RFENCE" and fn.startswith("remote_") for ext, fn in names), names
    assert all(ret == "0" for ext, _, ret in calls if ext in ("IPI", "RFENCE")), calls


# ---------------------------------------------------------------- deaths and their diagnosis

T0, A0, A1, A6, A7 = 5, 10, 11, 16, 17


def lui(rd, imm20):
    return (imm20 & 0xfffff) << 12 | rd << 7 | 0x37


def addi(rd, rs1, imm):
    return (imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13


def slli(rd, rs1, shamt):
    return shamt << 20 | rs1 << 15 | 1 << 12 | rd << 7 | 0x13


def sd(rs2, rs1):
    return rs2 << 20 | rs1 << 15 | 3 << 12 | 0x23


def lw(rd, rs1):
    return rs1 << 15 | 2 << 12 | rd << 7 | 0x03


ECALL = 0x00000073
SPIN = 0x0000006f           # j .


def raw_guest(path, words):
    """A raw image of RV64 instructions, loaded at 0x80200000 (VS-mode, vsatp Bare)."""
    path.write_bytes(b"".join(w.to_bytes(4, "little") for w in words))
    return path


def csrw(csr, rs1):
    return csr << 20 | rs1 << 15 | 1 << 12 | 0x73


AUIPC_T0 = 0x00000297       # auipc t0, 0
STVEC = 0x105


def dying_guests(tmp_path):
    """One guest per kind of death that needs no page tables (A/D is the xv6 story)."""
    return {
        # its trap vector is an illegal (all-zero) word, which it then runs: a
        # loop inside the guest while hedeleg gives it its illegal instructions
        "illegal": raw_guest(tmp_path / "illegal.bin", [AUIPC_T0, addi(T0, T0, 12), csrw(STVEC, T0), 0]),
        # a store past the end of its 16 MiB of RAM: an access fault, and no handler for it
        "outside": raw_guest(tmp_path / "outside.bin", [lui(T0, 0x48000), slli(T0, T0, 1), sd(0, T0), SPIN]),
        # a load from where QEMU's virt board has its CLINT, which a VM does not have
        "nodev": raw_guest(tmp_path / "nodev.bin", [lui(T0, 0x02000), lw(A0, T0), SPIN]),
        # SBI SRST: shut down, reason "system failure"
        "srst": raw_guest(tmp_path / "srst.bin", [lui(A7, 0x53525), addi(A7, A7, 0x354), addi(A6, 0, 0),
                                                  addi(A0, 0, 0), addi(A1, 0, 1), ECALL, SPIN]),
    }


DIAGNOSES = {
    2: ("illegal", "fault loop, illegal instruction",
        r"diagnosis: illegal instruction 0x0 at pc 0x8020000c, again and again -> .*x 2 v:0x8020000c"),
    3: ("outside", "fault loop, outside RAM",
        r"diagnosis: store at gpa 0x90000000 \(pc 0x80200008\) is outside vm3's RAM "
        r"0x80000000\.\.0x80ffffff \(an access fault, as on QEMU\) -> .*xlate 3"),
    4: ("nodev", "fault loop, MMIO to no device",
        r"diagnosis: load at gpa 0x2000000 \(pc 0x80200004\) hits no device of vm4 .*-> give it the device"),
    5: ("srst", "SRST system failure",
        r"diagnosis: the guest asked SBI SRST to shut down for a system failure at pc 0x80200014 "
        r"-> .*hv> log 5"),
}


def test_each_death_ends_with_its_diagnosis_and_a_one_line_notice(qemu_factory, tmp_path):
    images = dying_guests(tmp_path)
    config = "[vm echo]\nimage = ${O}/guests/tests/echo.elf\nram = 16M\nvcpus = 2\n" + "".join(
        f"[vm {name}]\nimage = {path}\nram = 16M\n" for name, path in images.items())
    args, logdir = hv_args(make_bundle(config, "deaths"))
    q = qemu_factory(args, name="deaths", timeout=60)
    # VM 1 has focus: each death elsewhere is one line there, not a report
    notices = [f"vm{vm}: {name} dead: {tag} (hv> dump {vm})" for vm, (name, tag, _) in DIAGNOSES.items()
               if vm != 2]
    seen = set()
    while len(seen) < len(notices):        # the VMs die on two harts, in any order
        seen.add(q.child.expect_exact(notices))
    q.sendline("still here")
    q.expect_exact("echo: line still here")
    assert "=== hvscope post-mortem" not in q.output
    # vm2 loops inside itself, where the hypervisor sees nothing, until the
    # console takes its illegal instructions back: then it dies with a report
    focus(q, "h")
    q.sendline("deleg 2 -illegal-insn")
    q.expect_exact("=== hvscope post-mortem: vm2 (illegal)")
    q.expect_exact("vm2: illegal dead: fault loop, illegal instruction (hv> dump 2)")
    for vm, (name, _, diagnosis) in DIAGNOSES.items():
        lines = [ln for ln in hv(q, f"dump {vm}") if ln]
        assert lines[0].startswith(f"=== hvscope post-mortem: vm{vm} ({name})"), lines
        assert lines[-1].startswith("=== end of report"), lines
        assert re.match(diagnosis, lines[-2]), lines[-2]
        assert len(lines) <= 45, "\n".join(lines)
        # the full report is in the VM's own log and console
        assert lines[-2] in vm_log(logdir, vm, name).replace("\r", "")
    out = hv(q, "vms")
    # echo never starts its second vCPU: no hart to show for it
    assert re.search(r"^1 +echo +running +2@[01],- ", "\n".join(out), re.M), out
    assert all(re.search(r"^%d +%s +dead" % (vm, name), "\n".join(out), re.M) for vm, (name, _, _) in DIAGNOSES.items())
    focus(q, "3")                             # its console replays its report
    q.expect_exact("=== hvscope post-mortem: vm3 (outside)")
    q.expect(r"diagnosis: store at gpa 0x90000000")
    q.expect_exact("=== end of report")


# ---------------------------------------------------------------- adue N off means adue = off

def test_console_adue_off_means_what_the_config_means(qemu_factory, tmp_path):
    """`adue = off` in a config boots xv6 with A/D emulation; `adue 1 off` on
    the console does the same (and says so); only `adem 1 off` on top lets
    the guest fault."""
    config = xv6_config(2).replace("[vm xv6b]", "[vm xv6b]\nadue = off", 1)
    q, _ = boot(qemu_factory, config, tmp_path, "adue-console-rule", template=xv6_file("fs.img"))
    q.expect_exact("vm2: xv6b started (1 vCPU, 128 MiB, entry 0x80200000, ADUE off, A/D emulation on)")
    q.expect(PROMPT, BOOT)
    focus(q, "h")
    out = hv(q, "adue 1 off")
    assert out[0] == "vm1 (xv6a): ADUE off; A/D emulation on: hvscope sets A/D on the guest's page faults", out
    vms = "\n".join(hv(q, "vms"))
    assert re.search(r"^1 +xv6a +running .* off +on$", vms, re.M), vms
    assert re.search(r"^2 +xv6b +running .* off +on$", vms, re.M), vms      # the config's VM: the same
    hv(q, "reset 1")
    focus(q, "1")
    q.expect(PROMPT, BOOT)                       # xv6 boots: A/D emulation sets the bits
    assert "console-rule" in run(q, "echo console-rule")
    focus(q, "h")
    stats = "\n".join(hv(q, "stats 1"))
    fixups = int(re.search(r"(\d+) A/D fix-ups", stats).group(1))
    assert fixups > 0, stats
    out = hv(q, "adem 1 off")
    assert out[0] == "vm1 (xv6a): A/D emulation off; ADUE off: a guest that relies on hardware A/D will fault", out


# ---------------------------------------------------------------- mistakes that must be errors

def test_make_run_with_a_config_that_does_not_exist():
    import subprocess
    from hvtest import REPO_ROOT, build_dir
    r = subprocess.run(["make", "--no-print-directory", f"O={build_dir()}", "run", "CONFIG=nonexistent"],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    lines = (r.stdout + r.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "no configs/nonexistent.cfg for CONFIG=nonexistent" in lines[0], lines
    assert "No rule to make target" not in lines[0]
    for name in ("default", "xv6x4", "adue-off", "linux"):
        assert re.search(r"\b%s\b" % re.escape(name), lines[0].split("the VM sets are:")[1]), lines


def test_disk_path_typo_is_an_error_not_a_new_disk(tmp_path):
    """`disk = PATH` must name an existing image (file:line otherwise); only
    `disk = auto` makes one, under the disk directory."""
    import subprocess
    import sys
    from hvtest import REPO_ROOT, build_dir
    typo = tmp_path / "nope.img"
    cfg = tmp_path / "typo.cfg"
    cfg.write_text(f"[vm a]\nimage = ${{O}}/guests/tests/hello.elf\n\n[vm b]\nimage = ${{O}}/guests/tests/hello.elf\n"
                   f"disk = {typo}\n")
    base = [sys.executable, str(REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg), "-D", f"O={build_dir()}"]
    for extra in (["-o", str(tmp_path / "typo.bundle")],
                  ["--qemu-args", "--disk-dir", str(tmp_path / "disks"),
                   "--disk-template", str(xv6_file("fs.img"))]):
        r = subprocess.run(base + extra, capture_output=True, text=True)
        assert r.returncode == 1
        assert r.stderr.strip().splitlines() == [
            f"mkbundle: {cfg}:6: vm b: disk image '{typo}' does not exist (only 'disk = auto' or 'copy:PATH' creates one; "
            "fix the path)"], r.stderr
        assert not typo.exists()
    # auto still makes its image, in the disk directory
    cfg.write_text("[vm b]\nimage = ${O}/guests/tests/hello.elf\ndisk = auto\n")
    r = subprocess.run(base + ["--qemu-args", "--disk-dir", str(tmp_path / "disks"),
                               "--disk-template", str(xv6_file("fs.img"))], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "disks" / "typo-b.img").exists()


# ---------------------------------------------------------------- make debug / gdb / dump / postmortem

def make(*args, timeout=120):
    import subprocess
    from hvtest import REPO_ROOT, build_dir
    return subprocess.run(["make", "--no-print-directory", f"O={build_dir()}", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def our_lines(r, who):
    """What the target itself said (make's own `*** [...] Error 1` aside)."""
    return [ln for ln in (r.stdout + r.stderr).splitlines() if ln.startswith(who)]


def test_make_gdb_and_dump_fail_fast_and_postmortem_runs_clean(tmp_path):
    import os
    import signal
    import time
    import pexpect
    from hvtest import REPO_ROOT, build_dir
    sock = tmp_path / "gdb.sock"
    dump = tmp_path / "hv.core"
    common = [f"GDB_SOCK={sock}", f"DUMP={dump}", "QEMU_MEM=256M", "CONFIG=guests"]
    r = make("gdb", *common)
    assert r.returncode != 0
    assert our_lines(r, "make gdb:") == [f"make gdb: nothing listens on {sock}: start `make debug` first "
                                         "(in another terminal)"], r.stdout + r.stderr
    debug = pexpect.spawn("make", ["--no-print-directory", f"O={build_dir()}", "debug", *common],
                          cwd=str(REPO_ROOT), encoding="utf-8", timeout=60)
    holder = None
    try:
        deadline = time.monotonic() + 60
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sock.exists(), "make debug made no gdb socket"
        # straight after make debug: a dump, with a warning that it holds no VM
        preboot = tmp_path / "preboot.core"
        r = make("dump", *common, f"DUMP={preboot}")
        assert r.returncode == 0, r.stdout + r.stderr
        said = our_lines(r, "make dump:")
        assert said[0].startswith("make dump: warning: hvscope has started no VM yet (pc 0x1000)"), said
        assert preboot.stat().st_size > 0
        debug.expect_exact("hello: done vcpu=0")      # the dump let it run on
        # with a gdb attached: one line, at once (it used to hang ~28 s)
        holder = pexpect.spawn("gdb-multiarch", ["-q", "-nx", "-batch", "-ex", f"target remote {sock}",
                                                 "-ex", "shell sleep 30"], encoding="utf-8", timeout=30)
        holder.expect(r"in \?\? \(\)|0x[0-9a-f]+ in ")
        t0 = time.monotonic()
        r = make("dump", *common, "DUMP=" + str(tmp_path / "other.core"))
        assert time.monotonic() - t0 < 10
        assert r.returncode != 0
        assert our_lines(r, "make dump:") == [
            f"make dump: {sock} does not answer: a gdb is attached already (QEMU serves one client): quit that "
            "gdb first; or type monitor dump-guest-memory FILE in that gdb"], r.stdout + r.stderr
        holder.terminate(force=True)
        holder = None
        time.sleep(0.5)
        r = make("dump", *common)
        assert r.returncode == 0, r.stdout + r.stderr
        assert our_lines(r, "make dump:") == [f"make dump: wrote {dump}; read it with: make postmortem DUMP={dump}"]
    finally:
        if holder is not None:
            holder.terminate(force=True)
        os.killpg(debug.pid, signal.SIGTERM)
        debug.close(force=True)
    # later, without QEMU: clean output, the hv commands work on the dump
    r = make("postmortem", *common, "POSTMORTEM_ARGS=-batch -ex 'hv vms'")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert "warning" not in out.lower() and "auto-load" not in out, out     # it used to print 12 lines of it
    assert re.search(r"^1 +hello +running", out, re.M), out
    # the pre-boot dump: the VM commands say why they have nothing to show
    r = make("postmortem", *common, f"DUMP={preboot}", "POSTMORTEM_ARGS=-batch -ex 'hv vms' -ex 'hv xlate 1 0x80200000'")
    out = r.stdout + r.stderr
    assert "hv vms: no VMs yet (continue first: hvscope creates them when it boots)" in out, out
    assert "hv xlate: no VMs yet (continue first: hvscope creates them when it boots)" in out, out
    r = make("postmortem", f"DUMP={tmp_path / 'none.core'}")
    assert our_lines(r, "make postmortem:") == [
        f"make postmortem: no {tmp_path / 'none.core'}: save one with make dump (while make debug runs)"]
