"""Page-table walks and trace decoding on fake memory (no gdb, no QEMU)."""

import json

import pytest

from hvgdb import show, trace, walk
from hvgdb.decode import IRQ_FLAG


class Memory(dict):
    """Physical memory as {address: 64-bit word}; unset words read as 0
    inside `valid` ranges and fail elsewhere."""

    def __init__(self, ranges):
        super().__init__()
        self.ranges = ranges

    def read(self, addr):
        if not any(lo <= addr < hi for lo, hi in self.ranges):
            raise walk.ReadError(addr)
        return self.get(addr, 0)


def pte(pa, flags):
    return (pa >> 12) << 10 | flags


V, R, W, X, U, A, D = 1, 2, 4, 8, 16, 64, 128
GROOT = 0x9000_0000            # G-stage root (16 KiB), then its level-1 table
GRAM_HPA = 0x8400_0000         # guest RAM 0x80000000.. at this HPA, one 1 GiB... 2 MiB pages


def build_vm(mem, leaf_flags=V | R | X | A):
    """G-stage: GPA 0x80000000-0x80400000 -> HPA 0x84000000 (2 MiB leaves, U set).
    VS-stage (Sv39) at GPA 0x80300000: VA 0x80201000 -> GPA 0x80201000 (4 KiB leaf)."""
    mem[GROOT + 8 * 2] = pte(GROOT + 0x4000, V)
    for i in range(2):
        mem[GROOT + 0x4000 + 8 * i] = pte(GRAM_HPA + i * 0x200000, V | R | W | X | U | A | D)
    hpa = lambda gpa: GRAM_HPA + gpa - 0x8000_0000      # noqa: E731
    l2, l1, l0 = 0x8030_0000, 0x8030_1000, 0x8030_2000
    mem[hpa(l2) + 8 * 2] = pte(l1, V)
    mem[hpa(l1) + 8 * 1] = pte(l0, V)
    mem[hpa(l0) + 8 * 1] = pte(0x8020_1000, leaf_flags)
    vsatp = 8 << 60 | l2 >> 12
    hgatp = 8 << 60 | 1 << 44 | GROOT >> 12
    return vsatp, hgatp


@pytest.fixture
def mem():
    return Memory([(GROOT, GROOT + 0x5000), (GRAM_HPA, GRAM_HPA + 0x400000)])


def test_gstage_walk_of_guest_ram(mem):
    _, hgatp = build_vm(mem)
    mode, root = walk.atp_split(hgatp)
    w = walk.walk(mem.read, root, mode, 0x8020_0123, gstage=True)
    assert w.ok and w.pa == 0x8420_0123
    assert [s.index for s in w.steps] == [2, 1]
    text = "\n".join(walk.format_gwalk(w))
    assert "G-stage walk of GPA 0x80200123 (Sv39x4, root 0x90000000):" in text
    assert "level 1: table 0x90004000 index 1 pte 0x00000000210800df V=1 R=1 W=1 X=1 U=1 G=0 A=1 D=1" in text
    assert text.endswith("-> hpa 0x84200123")


def test_gstage_root_index_uses_two_extra_bits(mem):
    _, hgatp = build_vm(mem)
    mode, root = walk.atp_split(hgatp)
    w = walk.walk(mem.read, root, mode, 0x1_0000_0000 << 8, gstage=True)   # GPA bit 40
    assert w.steps[0].index == 1024 and not w.ok and "invalid PTE" in w.why
    w = walk.walk(mem.read, root, mode, 1 << 41, gstage=True)
    assert not w.ok and "wider than 41 bits" in w.why


def test_gstage_unmapped_device_page(mem):
    _, hgatp = build_vm(mem)
    mode, root = walk.atp_split(hgatp)
    w = walk.walk(mem.read, root, mode, 0x1000_0000, gstage=True, access="store")
    assert not w.ok and w.why == "invalid PTE (V=0)" and w.cause == 23


def test_two_stage_translation(mem):
    vsatp, hgatp = build_vm(mem)
    x = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1abc, "fetch")
    assert x.ok and x.vs.pa == 0x8020_1abc and x.hpa == 0x8420_1abc
    assert [s.pte_hpa for s in x.vs.steps] == [0x8430_0010, 0x8430_1008, 0x8430_2008]
    text = "\n".join(walk.format_xlate(x))
    assert "VS-stage walk of VA 0x80201abc (Sv39, vsatp 0x8000000000080300), fetch access:" in text
    assert "pte at gpa 0x80300010 -> hpa 0x84300010" in text
    assert "(leaf)" in text
    assert "=> VA 0x80201abc -> GPA 0x80201abc -> HPA 0x84201abc" in text


def test_two_stage_permission_fault(mem):
    vsatp, hgatp = build_vm(mem)
    x = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "store")
    assert not x.ok and x.cause == 15 and x.why == "no W permission"


def test_adue_story_a_clear_faults_only_without_hardware_ad(mem):
    vsatp, hgatp = build_vm(mem, leaf_flags=V | R | X)       # A=0, as xv6 builds it
    off = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "fetch", walk.Env(hw_ad=False))
    assert not off.ok and off.vs.ad_only and off.cause == 12
    assert off.why == "A=0 and hardware A/D updating is off"
    on = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "fetch", walk.Env(hw_ad=True))
    assert on.ok


def test_page_table_outside_guest_ram_is_a_guest_page_fault(mem):
    _, hgatp = build_vm(mem)
    vsatp = 8 << 60 | 0x9000_0000 >> 12           # table at a GPA the G-stage lacks
    x = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "load")
    assert not x.ok and x.cause == 21 and "G-stage invalid PTE" in x.why


def test_vs_sign_extension_and_unreadable_memory(mem):
    vsatp, hgatp = build_vm(mem)
    x = walk.xlate(mem.read, vsatp, hgatp, 0x40_0000_0000, "load")
    assert not x.ok and "sign-extended" in x.why
    w = walk.walk(mem.read, 0x1000, 8, 0x1000)
    assert not w.ok and w.why == "cannot read the PTE at 0x1000" and w.cause is None


def test_bare_vsatp(mem):
    _, hgatp = build_vm(mem)
    x = walk.xlate(mem.read, 0, hgatp, 0x8000_0040, "load")
    assert x.ok and x.vs.bare and x.hpa == 0x8400_0040
    assert "vsatp is Bare: GPA = VA" in "\n".join(walk.format_xlate(x))


def test_u_page_from_vs_mode(mem):
    vsatp, hgatp = build_vm(mem, leaf_flags=V | R | W | U | A | D)
    x = walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "load")
    assert not x.ok and "SUM=0" in x.why
    assert walk.xlate(mem.read, vsatp, hgatp, 0x8020_1000, "load", walk.Env(sum=True)).ok


def rec(seq, hart, vm=1, scause=10, time=None, cost=5, kind=1, info=0, payload=(0x10, 0)):
    cause = (scause & 0x7fff) | (trace.CAUSE_IRQ if scause & IRQ_FLAG else 0)
    return trace.Record(seq=seq, time=time if time is not None else seq * 100, dur=cost, hart=hart, vm=vm,
                        vcpu=0, kind=kind, cause=cause, info=info, htinst=0, sepc=0x80200000 + seq, stval=0,
                        payload=payload)


def test_ring_order_after_wrap():
    assert trace.ring_order(3, 4) == [0, 1, 2]
    assert trace.ring_order(6, 4) == [2, 3, 0, 1]


def test_merge_by_seq_across_harts_and_filters():
    h0 = [rec(1, 0), rec(4, 0, vm=2), rec(0, 0), rec(5, 0, kind=7, scause=0)]
    h1 = [rec(2, 1, scause=IRQ_FLAG | 5, kind=5), rec(3, 1, scause=21, kind=2)]
    merged = trace.merge([h0, h1])
    assert [r.seq for r in merged] == [1, 2, 3, 4, 5]
    assert [r.seq for r in trace.select(merged, 2)] == [4, 5]
    assert [r.seq for r in trace.select(merged, None, vm=2)] == [4]
    assert [r.seq for r in trace.select(merged, None, cause=21)] == [3]
    assert [r.seq for r in trace.select(merged, None, cause=IRQ_FLAG)] == [2]
    assert [r.seq for r in trace.select(merged, None, cause=0)] == []      # a vCPU load has no cause


def test_record_text():
    line = trace.format_record(rec(7, 1, payload=(0x10, (1 << 32) - 2 << 32 | 5)))
    assert line.startswith("#7 t=700 h1 vm1.0 environment call from VS-mode sepc 0x80200007")
    assert line.endswith(" sbi BASE get_spec_version -> -2 (not supported) cost 5"), line
    mmio = trace.format_record(rec(8, 0, scause=23, kind=2, info=1 | 1 << 8, payload=(0x10000000, 0x41)))
    assert mmio.endswith(" mmio uart store 0x10000000 w1 = 0x41 htinst 0x0 cost 5"), mmio
    load = trace.format_record(rec(9, 1, scause=0, kind=7, payload=(0, 0)))
    assert load == "#9 t=900 h1 vm1.0 vcpu load pc 0x80200009"


# The same cases as tests/unit/test_decode.c: console and gdb spell payloads alike.
PAYLOADS = [
    (1, 0, (0x735049, 0), "sbi IPI send_ipi -> 0"),
    (1, 6, (0x52464e43, 0), "sbi RFENCE remote_hfence_vvma -> 0"),
    (1, 3, (0x10, 1), "sbi BASE probe_extension -> 0, value 0x1"),
    (1, 0, (0x48534d, ((1 << 32) - 6) << 32), "sbi HSM hart_start -> -6 (already available)"),
    (1, 7, (0x54494d45, ((1 << 32) - 2) << 32), "sbi TIME fid 7 -> -2 (not supported)"),
    (1, 1, (0x12345678, ((1 << 32) - 2) << 32), "sbi eid 0x12345678 fid 1 -> -2 (not supported)"),
    (1, 0, (1, 0), "sbi legacy console_putchar -> 0"),
    (1, 0, (2, ((1 << 32) - 1) << 32), "sbi legacy console_getchar -> -1"),
    (2, 1, (0x10000005, 0x60), "mmio uart load 0x10000005 w1 = 0x60"),
    (2, 4, (0x0c201004, 10), "mmio plic load 0xc201004 w4 = 0xa"),
    (2, 4 | 1 << 8, (0x10001050, 0), "mmio virtio0 store 0x10001050 w4 = 0x0"),
    (2, 8, (0x20000000, 0), "mmio none load 0x20000000 w8 = 0x0"),
    (3, 12, (0, 0), "injected instruction page fault tval 0x0"),
    (4, 0x40, (0x87ff9028, 0x2008140b), "A/D fix-up pte at gpa 0x87ff9028 0x2008140b -> 0x2008144b"),
    (5, 0, (0x40, 0), "hvip 0x40"),
    (6, 0, (0, 0), "VM stopped"),
    (8, 3, (0, 0), "vcpu put pc 0x80200001 state 3"),
    (9, 0, (0, 0), "vm start"),
    (9, 3, (0, 0), "vm fault-loop"),
    (9, 99, (0, 0), "vm event?"),
    (10, 0, (0x400, 0x4), "hvip 0x4 -> 0x400"),
    (11, 0, (17, 0), "17 records dropped"),
]


@pytest.mark.parametrize("kind,info,payload,text", PAYLOADS)
def test_payload_text_matches_console(kind, info, payload, text):
    assert trace.payload_text(rec(1, 0, kind=kind, info=info, payload=payload)) == text


def test_postmortem_records_collapse_repeats():
    loop = [rec(s, 1, scause=12, kind=3, info=12, payload=(0, 0)) for s in range(154, 186)]
    for r in loop:
        r.sepc = 0
    first = rec(150, 0, scause=12, kind=3, info=12, payload=(0x802059f2, 0))
    put = rec(153, 1, scause=0, kind=8, payload=(0, 0))      # instants are not in the report
    lines = trace.format_postmortem_records([first, put] + loop)
    assert lines == [
        "    #150 t=15000 h0 instruction page fault sepc 0x80200096 stval 0x0 "
        "injected instruction page fault tval 0x802059f2",
        "    #154..#185  32 x instruction page fault sepc 0x0 stval 0x0 injected instruction page fault tval 0x0",
    ], lines


def test_ring_json_is_the_timeline_converter(tmp_path):
    """hv trace --json: the converter scripts/hvtrace.py uses, on the records
    of a ring (which may start mid-slice, with no vCPU load before them)."""
    recs = [rec(1, 0, time=1000, cost=20), rec(2, 1, time=1500, cost=10, vm=2),
            rec(3, 0, time=2000, cost=5)]
    path = tmp_path / "t.json"
    trace.write_chrome_trace(path, recs, 10_000_000, {1: "a", 2: "b"}, harts=[0, 1])
    data = json.loads(path.read_text())
    assert trace.check_chrome_trace(data) == []
    hv = [e for e in data["traceEvents"] if e["ph"] == "B" and e["name"].startswith("in hypervisor")]
    assert len(hv) == 3 and {e["pid"] for e in hv} == {1, 2}
    assert hv[0]["ts"] == pytest.approx(0.0) and hv[1]["ts"] == pytest.approx(50.0)
    assert hv[1]["args"]["cause"] == "environment call from VS-mode"
    guest = [e for e in data["traceEvents"] if e["ph"] == "B" and e["name"] == "in guest" and e["pid"] == 1]
    assert [g["ts"] for g in guest] == [pytest.approx(2.0)]      # nothing after the last exit ends the trace
    names = {e["args"]["name"] for e in data["traceEvents"] if e["name"] == "thread_name"}
    assert names == {"hart 0", "hart 1", "vCPU 0"}


def vm_dict(**kw):
    st = {"exits": 5, "by_cause": [0] * 24, "by_irq": [0] * 16, "sbi_calls": 1, "mmio": 2,
          "ad_fixups": 0, "pf_reflected": 0}
    st["by_cause"][10] = 3
    vm = {"id": 1, "name": "hello", "state": "running", "vcpu_count": 2, "ram_size": 32 << 20,
          "adue": True, "ad_emulation": False, "stop_reason": "",
          "vcpus": [{"id": i, "hart": i, "stats": st} for i in range(4)]}
    vm.update(kw)
    return vm


def test_vms_table_matches_the_console_format():
    lines = show.format_vms([vm_dict(), vm_dict(id=2, name="escape", state="dead", vcpu_count=1,
                                                 stop_reason="boom", adue=False)])
    assert lines[0] == "id name             state    vcpus@harts     ram     exits       ADUE A/D-emul"
    assert lines[1] == "1  hello            running  2@0,1           32M     10          on   off"
    assert lines[2] == "2  escape           dead     1@0             32M     5           off  off"
    assert lines[3] == "   why: boom"
    never = vm_dict(vcpus=[{"id": i, "hart": h, "stats": vm_dict()["vcpus"][0]["stats"]}
                           for i, h in enumerate((1, -1, -1, -1))])
    assert show.format_vms([never])[1] == "1  hello            running  2@1,-           32M     10          on   off"


def test_stats_by_cause():
    text = "\n".join(show.format_stats(vm_dict()))
    assert text.startswith("vm1 (hello): 10 exits, 0 A/D fix-ups, 0 page faults reflected\n")
    assert f"  {'environment call from VS-mode':<40} 6\n" in text
    assert "  SBI calls 2\n  MMIO accesses 4" in text
