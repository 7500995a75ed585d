"""The `hv` commands against a live hvscope under QEMU's gdbstub: the
console's answers and gdb's must agree for the same machine state."""

import json
import re
import subprocess
import sys
import time

import pytest

import gdbrun
from hvgdb import trace
import hvrun
import hvtest

BUILD = hvtest.build_dir()
ELF = gdbrun.hv_elf(BUILD)

pytestmark = [
    pytest.mark.skipif(not gdbrun.have_gdb(), reason="gdb-multiarch not installed"),
    pytest.mark.skipif(not ELF.exists(), reason=f"{ELF} missing: run make"),
]

TEST_SET = """
[vm escape]
image = ${O}/guests/tests/escape.elf
ram = 16M
bootargs = escape=ram nohandler
[vm echo]
image = ${O}/guests/tests/echo.elf
ram = 16M
[vm smp]
image = ${O}/guests/tests/smp.elf
ram = 16M
vcpus = 2
[vm timer]
image = ${O}/guests/tests/timer.elf
ram = 16M
"""


def xv6_kernel():
    for name in ("kernel.elf", "kernel-0x80200000.elf"):
        path = BUILD / "guests" / "xv6" / name
        if path.exists():
            return path
    return None


XV6_SET = """
[vm xv6a]
image = %(k)s
ram = 128M
disk = auto
[vm xv6b]
image = %(k)s
ram = 128M
adue = off
ad_emulation = off
"""


def disk_args(config, tmp_path):
    """QEMU options for the config's `disk = auto` disks: temporary copies
    of xv6's fs.img in tmp_path (as `make run` computes them)."""
    cfg = tmp_path / "disks.cfg"
    cfg.write_text(config)
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "--qemu-args", "-D", f"O={BUILD}", "--disk-dir", str(tmp_path / "disks"),
                        "--disk-template", str(BUILD / "guests" / "xv6" / "fs.img")],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def boot(name, config, expect, settle=1.0, mem="1G", extra=(), timeout=30):
    """Boots hvscope with `config`, waits for `expect` (hypervisor lines:
    only the focused VM's output reaches the terminal), then lets the
    VMs run for `settle` seconds."""
    args, _ = hvrun.hv_args(hvrun.make_bundle(config, name), mem=mem)
    q = hvtest.Qemu(args + list(extra), name=f"gdb-{name}", gdb=True, timeout=timeout)
    try:
        for pattern in expect:
            q.expect(pattern)
        time.sleep(settle)
    except BaseException:
        q.close()
        raise
    return q


def console(q, command, timeout=10):
    """Runs one command at the hv> prompt (the console has focus) and
    returns its output lines; the prompt is back afterwards."""
    q.sendline(command)
    q.expect_exact(command + "\r\n", timeout)   # the echo, not a notice naming `hv> dump N`
    q.expect(r"\nhv> ", timeout)     # at a line start: a report names `hv> dump N`
    return [ln for ln in q.child.before.replace("\r", "").split("\n") if ln.strip()]


def console_vms(q):
    """The console's `vms` table (the VMs keep running meanwhile)."""
    hvrun.focus(q, "h")
    q.sendline("vms")
    q.expect(r"id name[^\n]*\n((?:[^\n]*\n)*?)hv> ")
    return [ln.rstrip("\r") for ln in q.child.match.group(0).splitlines()[:-1]]


def hv_gdb(q, commands, timeout=60):
    setup = [f"file {ELF}", f"target remote {q.gdb_path}"]
    log = BUILD / "tests" / "logs" / f"{hvtest.log_name(q.log_path.stem)}-gdb.log"
    return gdbrun.run(commands, setup=setup, timeout=timeout, log=log)


def report_of(text, vm):
    m = re.search(r"(=== hvscope post-mortem: vm%d .*?=== end of report[^\n]*)" % vm, text, re.S)
    assert m, text[-3000:]
    return [ln.rstrip("\r") for ln in m.group(1).splitlines()]


def columns(line):
    """A `vms` row without the harts and exits (they move while VMs run)."""
    f = line.split()
    if len(f) > 6 and f[0].isdigit():
        return f[:3] + [f[3].split("@")[0], f[4]] + f[6:]
    return f


def same_report(gdb_text, printed):
    """gdb's report equals the hypervisor's, line for line.  The hypervisor
    formats a line into a fixed buffer, so a long line (hedeleg with many
    causes) may be cut there: then it must be the start of gdb's."""
    mine = gdb_text.strip().splitlines()
    assert len(mine) == len(printed), "\n".join(mine)
    for a, b in zip(mine, printed):
        assert a == b or (len(b) >= 150 and a.startswith(b)), f"gdb: {a}\nhv:  {b}"


@pytest.fixture(scope="module")
def test_machine():
    q = boot("tests", TEST_SET, [r"vm4: timer started", r"vm1: escape dead"])
    try:
        console = console_vms(q)
        out = hv_gdb(q, ["hv vms", "hv trace 10", "hv trace 100000", "hv csr hgatp",
                         "hv csr henvcfg", "hv csr all", "hv walk --gstage 0x80000000",
                         "hv xlate 2 0x80200000", "p/x $hv_hpa(2, 0x80200000)",
                         "p/x $hv_gpa(2, 0x80200000)", "hv stats 1", "hv vcpu 3.1",
                         "hv report 1", "hv report 2", "hv trace 5 --vm 3 --cause ecall-vs",
                         f"hv trace --json {BUILD}/tests/gdb-trace.json",
                         f"hv trace --save {BUILD}/tests/gdb-trace.hvt",
                         "maintenance packet qqemu.PhyMemMode",
                         "hv walk --gstage --root 0x1000 0x0",
                         "maintenance packet qqemu.PhyMemMode"])
        yield q, console, out
    finally:
        q.close()


def test_vms_agree_with_the_console(test_machine):
    _, console, out = test_machine
    gdb_lines = out["hv vms"].strip().splitlines()
    assert gdb_lines[0] == console[0]
    assert [columns(ln) for ln in gdb_lines] == [columns(ln) for ln in console]
    assert re.search(r"^1 +escape +dead +1@\d", out["hv vms"], re.M)
    assert "   why: fault loop: instruction guest-page fault 64 times at sepc 0x0" in out["hv vms"]
    # a dead VM's exit count does not move: identical to the console's
    assert [ln for ln in gdb_lines if ln.startswith("1 ")] == [ln for ln in console if ln.startswith("1 ")]


def test_trace_merged_by_seq(test_machine):
    _, _, out = test_machine
    lines = out["hv trace 10"].strip().splitlines()
    assert lines[0].startswith("trace: hart0 ")
    seqs = [int(re.match(r"#(\d+) t=\d+ h\d vm\d\.\d ", ln).group(1)) for ln in lines[1:]]
    assert len(seqs) == 10 and seqs == sorted(seqs) and seqs[-1] - seqs[0] == 9
    picked = out["hv trace 5 --vm 3 --cause ecall-vs"].strip().splitlines()[1:]
    assert picked and all(" vm3." in ln and "environment call from VS-mode" in ln for ln in picked)


def test_json_export_is_the_timeline(test_machine):
    """hv trace --json: the timeline scripts/hvtrace.py makes (one converter):
    an "in hypervisor" slice per exit record, VMs as processes, harts as
    tracks; the structure passes the checker the trace-file tests use."""
    _, _, out = test_machine
    wrote = int(re.search(r"wrote (\d+) records", out[f"hv trace --json {BUILD}/tests/gdb-trace.json"]).group(1))
    data = json.loads((BUILD / "tests" / "gdb-trace.json").read_text())
    assert trace.check_chrome_trace(data) == []
    records = out["hv trace 100000"].strip().splitlines()[1:]
    assert wrote == len(records)
    exits = [ln for ln in records if " cost " in ln]
    slices = [e for e in data["traceEvents"] if e["ph"] == "B" and e["name"].startswith("in hypervisor: ")]
    assert len(slices) == len(exits)
    assert all({"seq", "hart", "cause", "sepc"} <= set(e["args"]) for e in slices)
    procs = {e["args"]["name"] for e in data["traceEvents"] if e["name"] == "process_name"}
    assert "harts" in procs and any(p.startswith("vm1 ") for p in procs)


def test_saved_ring_is_a_trace_file(test_machine):
    """hv trace --save: scripts/hvtrace.py reads the rings as a trace file."""
    _, _, out = test_machine
    saved = int(re.search(r"saved (\d+) records", out[f"hv trace --save {BUILD}/tests/gdb-trace.hvt"]).group(1))
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "hvtrace.py"), "report",
                        str(BUILD / "tests" / "gdb-trace.hvt")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and not r.stderr, r.stderr
    assert re.search(rf"format 2, \d+ harts, timebase 10000000 Hz, {saved} records", r.stdout), r.stdout[:300]
    assert re.search(r"^vm1 escape \(1 vCPU\): \d+ exits", r.stdout, re.M), r.stdout[:600]


def test_csrs(test_machine):
    _, _, out = test_machine
    assert re.match(r"  hgatp     0x8000[0-9a-f]{12}  MODE=Sv39x4 VMID=\d+ PPN=0x[0-9a-f]+\n$", out["hv csr hgatp"])
    assert re.match(r"  henvcfg   0x[0-9a-f]{16}  STCE=1 PBMTE=\d ADUE=\d CBZE=\d CBCFE=\d CBIE=\d FIOM=\d\n$",
                    out["hv csr henvcfg"])
    assert "  hstatus   0x" in out["hv csr all"] and "(not available)" not in out["hv csr all"]


def test_gstage_walk_and_xlate_of_guest_ram(test_machine):
    _, _, out = test_machine
    walk = out["hv walk --gstage 0x80000000"]
    assert "G-stage walk of GPA 0x80000000 (Sv39x4" in walk and "-> hpa 0x" in walk
    x = out["hv xlate 2 0x80200000"]
    m = re.search(r"=> VA 0x80200000 -> GPA 0x80200000 -> HPA (0x[0-9a-f]+)", x)
    assert m, x
    assert out["p/x $hv_hpa(2, 0x80200000)"].strip().endswith(m.group(1))
    assert out["p/x $hv_gpa(2, 0x80200000)"].strip().endswith("0x80200000")


def test_physical_mode_restored_even_after_an_error(test_machine):
    _, _, out = test_machine
    assert 'received: "0"' in out["maintenance packet qqemu.PhyMemMode"]
    assert "-> stops:" in out["hv walk --gstage --root 0x1000 0x0"] or \
        "hv walk:" in out["hv walk --gstage --root 0x1000 0x0"]


def test_report_of_the_escape_vm_matches_the_hypervisors(test_machine):
    q, _, out = test_machine
    printed = report_of(q.output, 1)
    same_report(out["hv report 1"], printed)
    assert "vm2: no post-mortem report (the VM has not died)" in out["hv report 2"]


def test_stats_and_vcpu(test_machine):
    _, _, out = test_machine
    assert re.search(r"^  load guest-page fault +\d+$", out["hv stats 1"], re.M)
    assert out["hv vcpu 3.1"].startswith("vm3.1 (smp): ")
    assert "  vsatp     0x" in out["hv vcpu 3.1"]


def test_break_trap_stops_on_the_cause_and_vm():
    q = boot("break", TEST_SET, [r"vm4: timer started"])
    try:
        out = hv_gdb(q, ["hv break-trap virtual-insn --vm 4", "continue", "p/x $scause",
                         "p ((struct vcpu *)$a0)->vm->id", "delete",
                         # a quick exit: the timer guest's UART output, about once a second
                         "hv break-trap store-guest-page-fault --vm 4", "continue 1", "print/x $scause",
                         "print ((struct vcpu *)$a0)->vm->id", "delete", "detach"], timeout=60)
    finally:
        q.close()
    assert "hv break-trap: breakpoint 1 at trap_quick" in out["hv break-trap virtual-insn --vm 4"]
    assert "trap_quick" in out["continue"]
    assert out["p/x $scause"].strip().endswith("0x16")
    assert out["p ((struct vcpu *)$a0)->vm->id"].strip().endswith("= 4")
    assert "hv break-trap: breakpoint 2 at trap_quick" in out["hv break-trap store-guest-page-fault --vm 4"]
    assert "trap_quick" in out["continue 1"]
    assert out["print/x $scause"].strip().endswith("0x17")
    assert out["print ((struct vcpu *)$a0)->vm->id"].strip().endswith("= 4")


@pytest.mark.skipif(xv6_kernel() is None, reason="xv6 kernel not built")
def test_adue_story_on_xv6(tmp_path):
    """xv6b runs with ADUE off and no A/D emulation: the fault loop report's
    first fault is the A=0 leaf; gdb prints the same report and translates
    the xv6 kernel's addresses through both stages of the live vm1 (which
    has a temporary disk, so it runs on instead of dying at its virtio
    probe while vm2 dies)."""
    config = XV6_SET % {"k": xv6_kernel()}
    q = boot("xv6", config, [r"vm2: xv6b dead: fault loop"], extra=disk_args(config, tmp_path))
    try:
        # The report as printed at the death may have vm1's console output
        # (it has focus) between its lines; `dump 2` prints it again while
        # the console has focus and VM output waits.
        hvrun.focus(q, "h")
        printed = report_of("\n".join(console(q, "dump 2")), 2)
        out = hv_gdb(q, ["hv report 2", "hv xlate 1 0x80201000", "hv xlate 2 0x0 --access fetch",
                         "hv trace 3 --vm 2 --cause fetch-page-fault"])
    finally:
        q.close()
    assert "xv6 kernel is booting" in q.output
    same_report(out["hv report 2"], printed)
    assert "(repeating: fault loop)" in out["hv report 2"]
    assert "-> fault: A=0 and hardware A/D updating is off (hardware raises: instruction page fault)" \
        in out["hv report 2"]
    x = out["hv xlate 1 0x80201000"]
    assert "(Sv39, vsatp 0x8" in x and re.search(r"=> VA 0x80201000 -> GPA 0x80201000 -> HPA 0x", x)
    assert "faults: invalid PTE (V=0) (instruction page fault)" in out["hv xlate 2 0x0 --access fetch"]
    lines = out["hv trace 3 --vm 2 --cause fetch-page-fault"].strip().splitlines()[1:]
    assert len(lines) == 3 and all("instruction page fault sepc 0x0 stval 0x0" in ln for ln in lines)


# ---- two xv6 VMs at `$`, paused from the console: console and gdb agree ----

XV6_DISK_SET = """
[vm xv6a]
image = %(k)s
ram = 128M
disk = auto
[vm xv6b]
image = %(k)s
ram = 128M
disk = auto
"""
PROMPT = r"(?:^|\n)\$ "
XV6_VA = "0x80201000"   # xv6's kernel text, mapped by its kernel page table


@pytest.fixture(scope="module")
def paused_xv6(tmp_path_factory):
    """Both xv6 VMs (temporary disk copies) reach `$`, `pause 1` and
    `pause 2` stop them, the console answers vms/trace/xlate/csr, then gdb
    stops QEMU and asks the same of the same frozen machine."""
    kernel = xv6_kernel()
    if kernel is None:
        pytest.skip("xv6 kernel not built")
    config = XV6_DISK_SET % {"k": kernel}
    disks = disk_args(config, tmp_path_factory.mktemp("xv6-disks"))
    q = boot("xv6-paused", config, [r"vm1: xv6a started", r"vm2: xv6b started"], settle=0,
             extra=disks, timeout=120)
    try:
        for key in ("2", "1"):        # focus replays the VM's buffered output
            hvrun.focus(q, key)
            q.expect(PROMPT)
        hvrun.focus(q, "h")
        con = {}
        for cmd in ("pause 1", "pause 2", "vms", "trace 20", f"xlate 1 {XV6_VA}", "csr 1 henvcfg"):
            con[cmd] = console(q, cmd)
        out = hv_gdb(q, ["hv vms", "hv trace 20", f"hv xlate 1 {XV6_VA}", "p/x vms[0].henvcfg",
                         "thread apply all hv csr henvcfg", "thread apply all p $mhartid",
                         "hv csr henvcfg"])
        yield q, con, out
    finally:
        q.close()


def test_paused_vms_agree_with_the_console(paused_xv6):
    _, con, out = paused_xv6
    assert con["pause 1"] == ["vm1 (xv6a): paused (resume N lets it run), now paused"]
    assert con["pause 2"] == ["vm2 (xv6b): paused (resume N lets it run), now paused"]
    gdb_lines = out["hv vms"].strip().splitlines()
    # paused: nothing moves, so every column (harts and exits too) is equal
    assert gdb_lines == con["vms"]
    rows = [ln.split() for ln in gdb_lines[1:] if ln[0].isdigit()]
    assert [(r[0], r[1], r[2]) for r in rows] == [("1", "xv6a", "paused"), ("2", "xv6b", "paused")]
    assert all(int(r[5]) > 0 for r in rows)


TRACE_LINE = re.compile(r"#(\d+) t=(\d+) h(\d+) vm(\d+)\.(\d+) (.*) sepc (0x[0-9a-f]+) stval (0x[0-9a-f]+)"
                        r"(.*) cost (\d+)$")
INSTANT_LINE = re.compile(r"#\d+ t=\d+ h\d+ vm\d+\.\d+ (vcpu (load|put) pc 0x[0-9a-f]+|vm \S+|hvip .*)")


def test_trace_agrees_with_the_console(paused_xv6):
    _, con, out = paused_xv6
    mine = out["hv trace 20"].strip().splitlines()
    theirs = con["trace 20"]
    assert theirs[0].startswith("trace: on;") and mine[0].startswith("trace: hart0 ")
    written = int(re.search(r"; (\d+) records written", theirs[0]).group(1))
    assert sum(int(n) for n in re.findall(r"hart\d+ (\d+) written", mine[0])) == written
    assert len(mine) == len(theirs) == 21
    for a, b in zip(mine[1:], theirs[1:]):
        ma, mb = TRACE_LINE.match(a), TRACE_LINE.match(b)
        if not ma and not mb:       # an instant (vCPU load/put, VM event): the same words
            assert INSTANT_LINE.match(a) and a == b, f"gdb: {a}\nhv:  {b}"
            continue
        assert ma and mb, (a, b)
        # seq, time, hart, VM.vCPU, cause, sepc, stval, payload, cost
        assert ma.groups() == mb.groups(), f"gdb: {a}\nhv:  {b}"
    assert int(re.match(r"#(\d+) ", mine[-1]).group(1)) == written


def xlate_facts(lines, gdb_side):
    """What both xlate outputs say: VS levels, PTE-address translations,
    G levels, gpa and hpa."""
    text = "\n".join(lines)
    vs = re.findall(r"level (\d): table gpa (0x[0-9a-f]+) index (\d+) pte (0x[0-9a-f]+)", text)
    ptes = re.findall(r"pte at gpa (0x[0-9a-f]+) -> hpa (0x[0-9a-f]+)", text)
    if gdb_side:
        g = re.findall(r"level (\d): table (0x[0-9a-f]+) index (\d+) pte (0x[0-9a-f]+)", text)
        m = re.search(r"=> VA 0x[0-9a-f]+ -> GPA (0x[0-9a-f]+) -> HPA (0x[0-9a-f]+)", text)
        gpa, hpa = m.groups() if m else (None, None)
    else:
        g = re.findall(r"G level (\d): table hpa (0x[0-9a-f]+) index (\d+) pte (0x[0-9a-f]+)", text)
        gpa = re.search(r"^gpa=(0x[0-9a-f]+)$", text, re.M)
        hpa = re.search(r"^hpa=(0x[0-9a-f]+)$", text, re.M)
        gpa, hpa = (gpa and gpa.group(1)), (hpa and hpa.group(1))
    return {"vs": vs, "ptes": ptes, "g": g, "gpa": gpa, "hpa": hpa}


def test_xlate_agrees_with_the_console(paused_xv6):
    _, con, out = paused_xv6
    theirs = con[f"xlate 1 {XV6_VA}"]
    mine = out[f"hv xlate 1 {XV6_VA}"].strip().splitlines()
    assert theirs[0].startswith(f"vm1.0 xlate VA {XV6_VA} (load from VS-mode)")
    assert mine[0].startswith("vm1.0 (xv6a): hgatp 0x8")
    a, b = xlate_facts(mine, True), xlate_facts(theirs, False)
    assert len(a["vs"]) == 3 and len(a["ptes"]) == 3 and a["g"], mine
    assert a == b, f"gdb: {a}\nhv:  {b}"
    assert a["gpa"] == XV6_VA
    # the same roots: vsatp's and hgatp's
    root = re.search(r"hgatp Sv39x4 root hpa (0x[0-9a-f]+)", theirs[0]).group(1)
    assert f"(Sv39x4, root {root})" in out[f"hv xlate 1 {XV6_VA}"]
    vroot = re.search(r"vsatp Sv39 root gpa (0x[0-9a-f]+)", theirs[0]).group(1)
    vsatp = int(re.search(r"\(Sv39, vsatp (0x[0-9a-f]+)\)", out[f"hv xlate 1 {XV6_VA}"]).group(1), 16)
    assert (vsatp & ((1 << 44) - 1)) << 12 == int(vroot, 16)


def fields(text):
    return dict(re.findall(r"\b([A-Z]+)=(\d+)", text))


def test_henvcfg_agrees_with_the_console(paused_xv6):
    _, con, out = paused_xv6
    line = con["csr 1 henvcfg"]
    assert len(line) == 1
    m = re.match(r"henvcfg = (0x[0-9a-f]{16})  (.*)$", line[0])
    assert m, line
    value = int(m.group(1), 16)
    assert fields(m.group(2))["ADUE"] == "1" and fields(m.group(2))["STCE"] == "1"
    # the VM's henvcfg as hvscope keeps it
    assert int(out["p/x vms[0].henvcfg"].split("=")[1], 16) == value
    # live on every hart: both VMs have the same henvcfg, whichever ran last
    harts = re.findall(r"  henvcfg   (0x[0-9a-f]{16})  (.*)", out["thread apply all hv csr henvcfg"])
    assert len(harts) == 2, out["thread apply all hv csr henvcfg"]
    for v, f in harts:
        assert int(v, 16) == value and fields(f) == fields(m.group(2))
    assert fields(out["hv csr henvcfg"]) == fields(m.group(2))


# ---- post-mortem: a memory dump of the ADUE story, read without QEMU ----

XV6_ADUE_SET = """
[vm xv6-noadue]
image = %(k)s
ram = 128M
adue = off
ad_emulation = off
"""
LOOP_RECORD = "instruction page fault sepc 0x0 stval 0x0 injected instruction page fault tval 0x0"


@pytest.mark.skipif(xv6_kernel() is None, reason="xv6 kernel not built")
def test_post_mortem_dump_of_the_adue_story(tmp_path):
    """xv6 with ADUE and A/D emulation off dies in a fault loop at pc 0;
    `monitor dump-guest-memory` saves the machine (512 MiB), QEMU goes away,
    and gdb reads the trace and the report from the dump alone."""
    dump = tmp_path / "hv.core"
    q = boot("dump", XV6_ADUE_SET % {"k": xv6_kernel()}, [r"vm1: xv6-noadue dead: fault loop"],
             settle=0.2, mem="512M")
    try:
        printed = report_of(q.output, 1)
        live = hv_gdb(q, ["hv trace 100 --vm 1", f"monitor dump-guest-memory {dump}"], timeout=120)
    finally:
        q.close()
    assert dump.exists() and dump.stat().st_size >= 512 << 20, live[f"monitor dump-guest-memory {dump}"]
    log = BUILD / "tests" / "logs" / "gdb-dump-offline.log"
    log.unlink(missing_ok=True)
    try:
        out = gdbrun.run(["hv vms", "hv trace 100 --vm 1",
                          "hv trace 8 --vm 1 --cause fetch-page-fault", "hv report 1", "hv csr henvcfg"],
                         setup=[f"file {ELF}", f"core-file {dump}"], timeout=120, log=log)
    finally:
        dump.unlink()       # 512 MiB: not kept with pytest's last temporary directories
    assert "Python Exception" not in out["__all__"] and "Error occurred in Python" not in out["__all__"]
    # the same records as QEMU's memory held when it was alive
    assert out["hv trace 100 --vm 1"] == live["hv trace 100 --vm 1"]
    assert re.search(r"^1 +xv6-noadue +dead +1@\d +128M +\d+ +off +off$", out["hv vms"], re.M)
    assert "   why: fault loop: instruction page fault 64 times at sepc 0x0 stval 0x0" in out["hv vms"]
    # the fault loop: instruction page faults at pc 0, each injected back
    loop = out["hv trace 8 --vm 1 --cause fetch-page-fault"].strip().splitlines()[1:]
    assert len(loop) == 8 and all(f" vm1.0 {LOOP_RECORD} cost " in ln for ln in loop), loop
    # ... and the fault that started it, on xv6's kernel text right after csrw satp
    recs = out["hv trace 100 --vm 1"].strip().splitlines()[1:]
    first = [i for i, ln in enumerate(recs) if re.search(r" instruction page fault sepc 0x8020[0-9a-f]+ ", ln)]
    # after it only the loop, interrupts and instants (the vCPU put off and loaded on its hart)
    assert first and all(LOOP_RECORD in ln for ln in recs[first[-1] + 1:]
                         if "interrupt" not in ln and " cost " in ln), recs
    # the report from the dump is the one the hypervisor printed: A=0 leaf
    same_report(out["hv report 1"], printed)
    report = out["hv report 1"]
    assert "(repeating: fault loop)" in report
    assert re.search(r"first fault of the chain: scause 0xc instruction page fault, sepc (0x8020[0-9a-f]+) "
                     r"stval \1$", report, re.M), report
    assert re.search(r"level 0: table gpa 0x[0-9a-f]+ index \d+ pte 0x[0-9a-f]{16} V=1 R=1 W=0 X=1 U=0 G=0 "
                     r"A=0 D=0 ppn 0x[0-9a-f]+ \(leaf\)", report), report
    assert "-> fault: A=0 and hardware A/D updating is off (hardware raises: instruction page fault)" in report
    # a dump holds memory, not CSRs: one clean error line
    assert out["hv csr henvcfg"].strip().startswith("hv csr: ") and \
        len(out["hv csr henvcfg"].strip().splitlines()) == 1
