"""The `hv` commands against a live hvscope under QEMU's gdbstub: the
console's answers and gdb's must agree for the same machine state."""

import json
import re
import time

import pytest

import gdbrun
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
bootargs = escape=ram
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
[vm xv6b]
image = %(k)s
ram = 128M
adue = off
ad_emulation = off
"""


def boot(name, config, expect, settle=1.0):
    """Boots hvscope with `config`, waits for `expect` (hypervisor lines:
    only the focused VM's output reaches the terminal), then lets the
    VMs run for `settle` seconds."""
    args, _ = hvrun.hv_args(hvrun.make_bundle(config, name))
    q = hvtest.Qemu(args, name=f"gdb-{name}", gdb=True, timeout=30)
    try:
        for pattern in expect:
            q.expect(pattern)
        time.sleep(settle)
    except BaseException:
        q.close()
        raise
    return q


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
    assert "   why: load at guest-physical 0x81001000" in out["hv vms"]
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


def test_json_export_has_one_slice_per_record(test_machine):
    _, _, out = test_machine
    wrote = int(re.search(r"wrote (\d+) records", out[f"hv trace --json {BUILD}/tests/gdb-trace.json"]).group(1))
    data = json.loads((BUILD / "tests" / "gdb-trace.json").read_text())
    slices = [e for e in data["traceEvents"] if e["ph"] == "X"]
    assert len(slices) == wrote == len(out["hv trace 100000"].strip().splitlines()) - 1
    assert {e["tid"] for e in slices} <= {0, 1}
    assert all({"VM", "vCPU", "cause"} <= set(e["args"]) for e in slices)


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
                         "p ((struct vcpu *)$a0)->vm->id", "delete", "detach"], timeout=60)
    finally:
        q.close()
    assert "hv break-trap: breakpoint 1 at trap_handle" in out["hv break-trap virtual-insn --vm 4"]
    assert "trap_handle" in out["continue"]
    assert out["p/x $scause"].strip().endswith("0x16")
    assert out["p ((struct vcpu *)$a0)->vm->id"].strip().endswith("= 4")


@pytest.mark.skipif(xv6_kernel() is None, reason="xv6 kernel not built")
def test_adue_story_on_xv6():
    """xv6b runs with ADUE off and no A/D emulation: the fault loop report's
    first fault is the A=0 leaf; gdb prints the same report and translates
    the xv6 kernel's addresses through both stages of the live vm1."""
    q = boot("xv6", XV6_SET % {"k": xv6_kernel()}, [r"vm2: xv6b dead: fault loop"])
    try:
        out = hv_gdb(q, ["hv report 2", "hv xlate 1 0x80201000", "hv xlate 2 0x0 --access fetch",
                         "hv trace 3 --vm 2 --cause fetch-page-fault"])
        printed = report_of(q.output, 2)
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
