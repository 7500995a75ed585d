"""The trap-trace records of hypervisor/spec/trace_record.h, once read from memory:
merging the per-hart rings by sequence number, filters, one-line text and
Chrome trace-event JSON (opens in Perfetto or chrome://tracing)."""

import json
from dataclasses import dataclass
from typing import List, Optional

from .decode import IRQ_FLAG, C, cause_name, cause_short


def _kind_names(enum):
    """enum trace_kind's enumerators as names by value: TRACE_AD_FIXUP -> ad-fixup."""
    names = {}
    for name, value in enum:
        if not name.endswith("_COUNT"):
            names[value] = name.removeprefix("TRACE_").lower().replace("_", "-")
    return tuple(names.get(i, f"kind{i}") for i in range(max(names) + 1))


# enum trace_kind, in order (generated from hypervisor/spec/trace_record.h).
KINDS = _kind_names(C.ENUM_TRACE_KIND)


@dataclass
class Record:
    seq: int
    time: int
    scause: int
    sepc: int
    stval: int
    htval: int
    htinst: int
    payload: tuple
    cost: int
    hart: int
    vm: int
    vcpu: int
    kind: int

    @property
    def kind_name(self):
        return KINDS[self.kind] if self.kind < len(KINDS) else f"kind{self.kind}"


def ring_order(next_index, size):
    """Slot indices of a ring holding `next_index` writes, oldest first."""
    count = min(next_index, size)
    return [(next_index - count + i) % size for i in range(count)]


def merge(rings):
    """All records of all rings (lists of Record), empty slots dropped, in
    global order: `seq` is taken from one counter by every hart."""
    out = [r for ring in rings for r in ring if r.seq]
    out.sort(key=lambda r: r.seq)
    return out


def matches(r: Record, vm=None, cause=None):
    """`cause` is an xcause value; IRQ_FLAG alone matches every interrupt."""
    if vm is not None and r.vm != vm:
        return False
    if cause is not None:
        if cause == IRQ_FLAG:
            return bool(r.scause & IRQ_FLAG)
        return r.scause == cause
    return True


def select(records: List[Record], count=None, vm=None, cause=None):
    """The newest `count` matching records, oldest first."""
    picked = [r for r in records if matches(r, vm, cause)]
    return picked[-count:] if count else picked


# SBI names from the SBI specification, as hypervisor/spec/decode.c spells them.
SBI_EXTS = C.SBI_EXTS
SBI_LEGACY = C.SBI_LEGACY
SBI_ERRORS = C.SBI_ERRORS

# A VM's board (hypervisor/spec/board.h): which device a guest-physical address hits.
VM_UART = (C.VM_UART_BASE, C.VM_UART_SIZE)
VM_PLIC = (C.VM_PLIC_BASE, C.VM_PLIC_SIZE)
VM_VIRTIO_BASE, VM_VIRTIO_STRIDE, VM_VIRTIO_SLOTS = C.VM_VIRTIO_BASE, C.VM_VIRTIO_STRIDE, C.VM_VIRTIO_SLOTS


def sbi_ext_name(eid):
    if eid in SBI_EXTS:
        return SBI_EXTS[eid][0]
    return "legacy" if eid < C.SBI_EXT_BASE else None


def sbi_fn_name(eid, fid):
    if eid < len(SBI_LEGACY):
        return SBI_LEGACY[eid]
    fns = SBI_EXTS.get(eid, (None, ()))[1]
    return fns[fid] if fid < len(fns) else None


def mmio_device(gpa):
    if VM_UART[0] <= gpa < VM_UART[0] + VM_UART[1]:
        return "uart"
    if VM_PLIC[0] <= gpa < VM_PLIC[0] + VM_PLIC[1]:
        return "plic"
    if VM_VIRTIO_BASE <= gpa < VM_VIRTIO_BASE + VM_VIRTIO_SLOTS * VM_VIRTIO_STRIDE:
        return f"virtio{(gpa - VM_VIRTIO_BASE) // VM_VIRTIO_STRIDE}"
    return "none"


def sbi_text(p0, p1, p2):
    ext, fn = sbi_ext_name(p0), sbi_fn_name(p0, p1)
    err = p2 >> 32 & 0xffffffff
    if err >= 1 << 31:
        err -= 1 << 32
    value = p2 & 0xffffffff
    if ext and fn:
        text = f"sbi {ext} {fn} -> {err}"
    elif ext:
        text = f"sbi {ext} fid {p1} -> {err}"
    else:
        text = f"sbi eid 0x{p0:x} fid {p1} -> {err}"
    if p0 < C.SBI_EXT_BASE:     # legacy calls return one value, in a0: no error names
        return text
    if err and -err < len(SBI_ERRORS) and err <= 0:
        return text + f" ({SBI_ERRORS[-err]})"
    if not err and value:
        return text + f", value 0x{value:x}"
    return text


def payload_text(r: Record):
    """The payload as hypervisor/spec/decode.c's decode_trace_payload() spells it."""
    p0, p1, p2 = r.payload
    k = r.kind_name
    if k == "sbi":
        return sbi_text(p0, p1, p2)
    if k == "mmio":
        return (f"mmio {mmio_device(p0)} {'store' if p1 >> 8 & 1 else 'load'} 0x{p0:x} "
                f"w{p1 & 0xff} = 0x{p2:x}")
    if k == "inject":
        return f"injected {cause_name(p0)} tval 0x{p1:x}"
    if k == "ad-fixup":
        return f"A/D fix-up pte at gpa 0x{p0:x} 0x{p1:x} -> 0x{p2:x}"
    if k == "irq":
        return f"hvip 0x{p0:x}"
    if k == "stop":
        return "VM stopped"
    return ""


def format_record(r: Record):
    """`#seq t=time hH vmN.V cause sepc .. stval ..[ payload] cost N`, as the
    console's `trace` prints a record."""
    extra = payload_text(r)
    if r.kind_name == "mmio":
        # htinst: the transformed instruction, or 0 where the hart gives none
        # (QEMU 7.2) and hvscope read the instruction itself
        extra += f" htinst 0x{r.htinst:x}"
    return (f"#{r.seq} t={r.time} h{r.hart} vm{r.vm}.{r.vcpu} {cause_name(r.scause)} "
            f"sepc 0x{r.sepc:x} stval 0x{r.stval:x}" + (f" {extra}" if extra else "")
            + f" cost {r.cost}")


def same_event(a: Record, b: Record):
    return (a.scause, a.sepc, a.stval, a.kind, tuple(a.payload)) == \
        (b.scause, b.sepc, b.stval, b.kind, tuple(b.payload))


def format_postmortem_records(records: List[Record]):
    """The report's trace lines (hypervisor/core/postmortem.c): a run of
    records that say the same thing is one `#first..#last  N x ...` line."""
    lines, i = [], 0
    while i < len(records):
        r, run = records[i], 1
        while i + run < len(records) and same_event(r, records[i + run]):
            run += 1
        extra = payload_text(r)
        tail = f"{cause_name(r.scause)} sepc 0x{r.sepc:x} stval 0x{r.stval:x}" + (f" {extra}" if extra else "")
        if run > 1:
            lines.append(f"    #{r.seq}..#{records[i + run - 1].seq}  {run} x {tail}")
        else:
            lines.append(f"    #{r.seq} t={r.time} h{r.hart} {tail}")
        i += run
    return lines


def chrome_trace(records: List[Record], timebase_hz: int, harts: Optional[List[int]] = None):
    """Chrome trace-event JSON (a dict): one process, one thread (track) per
    hart, one complete ("X") event per record; ts/dur in microseconds from
    the `time` CSR and the handler cost."""
    per_us = timebase_hz / 1e6
    events = [{"name": "process_name", "ph": "M", "pid": 1, "tid": 0,
               "args": {"name": "hvscope"}}]
    for h in sorted(set(harts or []) | {r.hart for r in records}):
        events.append({"name": "thread_name", "ph": "M", "pid": 1, "tid": h,
                       "args": {"name": f"hart {h}"}})
        events.append({"name": "thread_sort_index", "ph": "M", "pid": 1, "tid": h,
                       "args": {"sort_index": h}})
    for r in records:
        args = {"VM": r.vm, "vCPU": r.vcpu, "cause": cause_name(r.scause),
                "scause": f"0x{r.scause:x}", "sepc": f"0x{r.sepc:x}", "stval": f"0x{r.stval:x}",
                "seq": r.seq, "kind": r.kind_name}
        if r.htval:
            args["htval"] = f"0x{r.htval:x}"
        extra = payload_text(r)
        if extra:
            args["detail"] = extra
        events.append({"name": cause_short(r.scause) or cause_name(r.scause), "cat": r.kind_name,
                       "ph": "X", "pid": 1, "tid": r.hart, "ts": r.time / per_us,
                       "dur": max(r.cost, 1) / per_us, "args": args})
    return {"traceEvents": events, "displayTimeUnit": "ns",
            "otherData": {"source": "hvscope trap trace", "timebase_hz": timebase_hz}}


def write_chrome_trace(path, records, timebase_hz, harts=None):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(chrome_trace(records, timebase_hz, harts), f, indent=0)
        f.write("\n")
