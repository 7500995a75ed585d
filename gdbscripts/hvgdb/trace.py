"""The trap-trace records of hypervisor/trace/trace.h, once read from memory:
merging the per-hart rings by sequence number, filters, one-line text and
Chrome trace-event JSON (opens in Perfetto or chrome://tracing)."""

import json
from dataclasses import dataclass
from typing import List, Optional

from .decode import IRQ_FLAG, cause_name, cause_short

# enum trace_kind, in order.
KINDS = ("exit", "sbi", "mmio", "inject", "ad-fixup", "irq", "stop")


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


SBI_EXT_NAMES = {0x10: "BASE", 0x54494d45: "TIME", 0x735049: "IPI", 0x52464e43: "RFENCE",
                 0x48534d: "HSM", 0x53525354: "SRST", 0x4442434e: "DBCN"}


def sbi_ext_name(eid):
    return SBI_EXT_NAMES.get(eid, "legacy" if eid < 0x10 else "?")


def payload_text(r: Record):
    """The payload as the console's `trace` prints it (console/cmd_trace.c)."""
    p0, p1, p2 = r.payload
    k = r.kind_name
    if k == "sbi":
        err = p2 >> 32 & 0xffffffff
        if err >= 1 << 31:
            err -= 1 << 32
        return f"sbi {sbi_ext_name(p0)} eid 0x{p0:x} fid {p1} -> error {err} value 0x{p2 & 0xffffffff:x}"
    if k == "mmio":
        return (f"mmio {'store' if p1 >> 8 & 1 else 'load'} gpa 0x{p0:x} width {p1 & 0xff} "
                f"value 0x{p2:x} htinst 0x{r.htinst:x}")
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
    return (f"#{r.seq} t={r.time} h{r.hart} vm{r.vm}.{r.vcpu} {cause_name(r.scause)} "
            f"sepc 0x{r.sepc:x} stval 0x{r.stval:x}" + (f" {extra}" if extra else "")
            + f" cost {r.cost}")


def format_postmortem_record(r: Record):
    """The line the post-mortem report prints for a record."""
    return (f"    #{r.seq} t={r.time} h{r.hart} {cause_name(r.scause)} sepc 0x{r.sepc:x} "
            f"stval 0x{r.stval:x} p 0x{r.payload[0]:x} 0x{r.payload[1]:x}")


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
