"""The trap-trace records of hypervisor/spec/trace_record.h (format version 2),
however they were read: from the rings in memory by gdb, or from a trace file
(`make run TRACE=on`, `hv trace --save`).  Merging the per-hart rings by
sequence number, filters, one-line text as the console prints it, the trace
file's header and records, and the one converter to Chrome trace-event JSON
(Perfetto) that both `hv trace --json` and scripts/hvtrace.py use."""

import json
import struct
from dataclasses import dataclass
from typing import Dict, List, Optional

from .decode import IRQ_FLAG, C, cause_name

FORMAT_VERSION = C.TRACE_FORMAT_VERSION
MAGIC = "HVTRACE"


def _enum_names(enum, prefix):
    """An enum's enumerators as names by value: TRACE_AD_FIXUP -> ad-fixup."""
    names = {}
    for name, value in enum:
        if not name.endswith("_COUNT"):
            names[value] = name.removeprefix(prefix).lower().replace("_", "-")
    return tuple(names.get(i, f"kind{i}") for i in range(max(names) + 1))


# enum trace_kind and enum trace_vm_event, in order (generated from
# hypervisor/spec/trace_record.h; a trace file's header carries its own list).
KINDS = _enum_names(C.ENUM_TRACE_KIND, "TRACE_")
VM_EVENTS = _enum_names(C.ENUM_TRACE_VM_EVENT, "TRACE_VM_")
EXIT_KINDS = KINDS[:KINDS.index("stop") + 1]      # exit .. stop are exits; the rest are instants
CAUSE_IRQ = C.TRACE_CAUSE_IRQ

FIELDS = ("seq", "time", "dur", "hart", "vm", "vcpu", "kind", "cause", "info", "htinst",
          "sepc", "stval", "payload")


@dataclass
class Record:
    seq: int
    time: int
    dur: int
    hart: int
    vm: int
    vcpu: int
    kind: int
    cause: int
    info: int
    htinst: int
    sepc: int
    stval: int
    payload: tuple

    @property
    def kind_name(self):
        return KINDS[self.kind] if self.kind < len(KINDS) else f"kind{self.kind}"

    @property
    def is_exit(self):
        return self.kind_name in EXIT_KINDS

    @property
    def scause(self):
        """The full xcause value (interrupt bit 63)."""
        return (self.cause & ~CAUSE_IRQ) | (IRQ_FLAG if self.cause & CAUSE_IRQ else 0)


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
    """`cause` is an xcause value; IRQ_FLAG alone matches every interrupt.
    Instants (vCPU load/put, VM events) have no cause."""
    if vm is not None and r.vm != vm:
        return False
    if cause is not None:
        if not r.is_exit:
            return False
        if cause == IRQ_FLAG:
            return bool(r.cause & CAUSE_IRQ)
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


def sbi_text(eid, fid, result):
    ext, fn = sbi_ext_name(eid), sbi_fn_name(eid, fid)
    err = result >> 32 & 0xffffffff
    if err >= 1 << 31:
        err -= 1 << 32
    value = result & 0xffffffff
    if ext and fn:
        text = f"sbi {ext} {fn} -> {err}"
    elif ext:
        text = f"sbi {ext} fid {fid} -> {err}"
    else:
        text = f"sbi eid 0x{eid:x} fid {fid} -> {err}"
    if eid < C.SBI_EXT_BASE:     # legacy calls return one value, in a0: no error names
        return text
    if err and -err < len(SBI_ERRORS) and err <= 0:
        return text + f" ({SBI_ERRORS[-err]})"
    if not err and value:
        return text + f", value 0x{value:x}"
    return text


def payload_text(r: Record):
    """The payload as hypervisor/spec/decode.c's decode_trace_payload() spells it."""
    p0, p1 = r.payload
    k = r.kind_name
    if k == "sbi":
        return sbi_text(p0, r.info, p1)
    if k == "mmio":
        return (f"mmio {mmio_device(p0)} {'store' if r.info >> 8 & 1 else 'load'} 0x{p0:x} "
                f"w{r.info & 0xff} = 0x{p1:x}")
    if k == "inject":
        return f"injected {cause_name(r.info)} tval 0x{p0:x}"
    if k == "ad-fixup":
        return f"A/D fix-up pte at gpa 0x{p0:x} 0x{p1:x} -> 0x{p1 | r.info:x}"
    if k == "irq":
        return f"hvip 0x{p0:x}"
    if k == "stop":
        return "VM stopped"
    if k == "vcpu-load":
        return f"vcpu load pc 0x{r.sepc:x}"
    if k == "vcpu-put":
        return f"vcpu put pc 0x{r.sepc:x} state {r.info}"
    if k == "vm-event":
        return f"vm {VM_EVENTS[r.info] if r.info < len(VM_EVENTS) else 'event?'}"
    if k == "irq-inject":
        return f"hvip 0x{p1:x} -> 0x{p0:x}"
    if k == "drop":
        return f"{p0} records dropped"
    return ""


def format_record(r: Record):
    """`#seq t=time hH vmN.V cause sepc .. stval ..[ payload] cost N`, as the
    console's `trace` prints a record (an instant: `#seq t=.. hH vmN.V what`)."""
    extra = payload_text(r)
    if not r.is_exit:
        return f"#{r.seq} t={r.time} h{r.hart} vm{r.vm}.{r.vcpu} {extra}"
    if r.kind_name == "mmio":
        # htinst: the transformed instruction, or 0 where the hart gives none
        # (QEMU 7.2) and hvscope read the instruction itself
        extra += f" htinst 0x{r.htinst:x}"
    return (f"#{r.seq} t={r.time} h{r.hart} vm{r.vm}.{r.vcpu} {cause_name(r.scause)} "
            f"sepc 0x{r.sepc:x} stval 0x{r.stval:x}" + (f" {extra}" if extra else "")
            + f" cost {r.dur}")


def same_event(a: Record, b: Record):
    return (a.cause, a.sepc, a.stval, a.kind, a.info, tuple(a.payload)) == \
        (b.cause, b.sepc, b.stval, b.kind, b.info, tuple(b.payload))


def format_postmortem_records(records: List[Record]):
    """The report's trace lines (hypervisor/core/postmortem.c): exits only, and
    a run of records that say the same thing is one `#first..#last  N x ...` line."""
    records = [r for r in records if r.is_exit]
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


# ---- what an exit was about, for reports and timelines -----------------------

def reason(r: Record):
    """`sbi TIME`, `mmio uart`, `supervisor timer interrupt`, ...: the rows of
    the report and the names of the "in hypervisor" slices."""
    k = r.kind_name
    if k == "sbi":
        return f"sbi {sbi_ext_name(r.payload[0]) or 'eid 0x%x' % r.payload[0]}"
    if k == "mmio":
        return f"mmio {mmio_device(r.payload[0])}"
    if k == "ad-fixup":
        return "A/D fix-up"
    if k == "inject":
        return f"{cause_name(r.scause)} (to the guest)"
    if k == "stop":
        return f"{cause_name(r.scause)} (VM stopped)"
    return cause_name(r.scause)


# ---- the trace file ------------------------------------------------------------

class TraceFileError(Exception):
    """A file this reader cannot use at all (one line for the user)."""


@dataclass
class TraceFile:
    version: int
    timebase_hz: int
    harts: int
    vms: Dict[int, tuple]          # id -> (name, vCPUs)
    records: List[Record]          # in seq order, empty slots dropped
    dropped: int                   # what the DROP records say never reached the file
    problems: List[str]            # one line each: what could not be read


def header_text(timebase_hz, harts, vms, layout, ring_records=0):
    """A trace file's header: `layout` is [(name, offset, size, count)] as
    the C definition (TRACE_RECORD_FIELDS) describes it."""
    size = max(off + sz * cnt for _, off, sz, cnt in layout)
    lines = [f"{MAGIC} {FORMAT_VERSION}", f"record_size {size}", f"timebase_hz {timebase_hz}",
             f"ring_records {ring_records}", f"harts {harts}"]
    lines += [f"field {n} {o} {s} {c}" for n, o, s, c in layout]
    lines += [f"kind {i} {k}" for i, k in enumerate(KINDS)]
    lines += [f"vm_event {i} {e}" for i, e in enumerate(VM_EVENTS)]
    lines += [f"vm {i} {name} vcpus {n}" for i, (name, n) in sorted(vms.items())]
    text = "\n".join(lines) + "\n"
    text += "\n" * (-(len(text) + 4) % size)
    return (text + "end\n").encode()


def _record_struct(layout, size):
    """A struct.Struct for the record and the field each value belongs to."""
    fmt, pos, names = "<", 0, []
    codes = {1: "B", 2: "H", 4: "I", 8: "Q"}
    for name, off, sz, cnt in sorted(layout, key=lambda f: f[1]):
        if off < pos or sz not in codes:
            raise TraceFileError(f"record layout field {name} at {off} (size {sz}) cannot be read")
        fmt += "x" * (off - pos) + codes[sz] * cnt
        names += [name] * cnt
        pos = off + sz * cnt
    if pos > size:
        raise TraceFileError(f"record layout is {pos} bytes, more than record_size {size}")
    fmt += "x" * (size - pos)
    return struct.Struct(fmt), names


def _parse_header(data):
    end = data.find(b"\nend\n")
    if not data.startswith(MAGIC.encode()) or end < 0:
        raise TraceFileError("not an hvscope trace file (no 'HVTRACE' header)")
    try:
        lines = data[:end].decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise TraceFileError("the header is damaged (bytes that are not text)") from None
    head = lines[0].split()
    if len(head) != 2 or not head[1].isdigit():
        raise TraceFileError(f"the header's first line is not 'HVTRACE VERSION': {lines[0][:40]!r}")
    version = int(head[1])
    if version != FORMAT_VERSION:
        raise TraceFileError(f"trace format version {version}; this reader knows version {FORMAT_VERSION} "
                             f"(use the hvtrace.py of the hvscope that wrote it)")
    info, layout, vms = {}, [], {}
    for ln in lines[1:]:
        w = ln.split()
        try:
            if not w:
                continue
            if w[0] == "field":
                layout.append((w[1], int(w[2]), int(w[3]), int(w[4])))
            elif w[0] == "vm":
                vms[int(w[1])] = (" ".join(w[2:-2]), int(w[-1]))
            elif len(w) == 2 and w[1].isdigit():
                info[w[0]] = int(w[1])
        except (IndexError, ValueError):
            raise TraceFileError(f"the header line {ln[:60]!r} is damaged") from None
    missing = [f for f in FIELDS if f not in {n for n, _, _, _ in layout}]
    if missing or "record_size" not in info:
        raise TraceFileError(f"the header does not describe {', '.join(missing) or 'record_size'}")
    return version, info, layout, vms, end + len(b"\nend\n")


def parse(data: bytes, name="trace") -> TraceFile:
    """A trace file's bytes into records.  What cannot be read becomes a
    line in `problems` (a cut-off tail, records that are not records);
    TraceFileError when nothing can be read at all."""
    try:
        version, info, layout, vms, start = _parse_header(data)
        size = info["record_size"]
        if size <= 0:
            raise TraceFileError(f"record_size {size}")
        st, names = _record_struct(layout, size)
    except TraceFileError as e:
        raise TraceFileError(f"{name}: {e}") from None
    body = data[start:]
    whole = len(body) - len(body) % size
    problems, records, bad, dropped = [], [], 0, 0
    harts = info.get("harts", 0)
    for values in st.iter_unpack(body[:whole]):
        f = {}
        for n, v in zip(names, values):
            if n == "payload":
                f[n] = f.get(n, ()) + (v,)
            elif n in FIELDS:
                f[n] = v
        if not f["seq"]:
            continue                    # a slot that was being written when the file got it
        r = Record(**f)
        if r.kind >= len(KINDS) or (harts and r.hart >= max(harts, 64)):
            bad += 1
            continue
        if r.kind_name == "drop":
            dropped += r.payload[0]
        records.append(r)
    if len(body) % size:
        problems.append(f"{name}: the last {len(body) % size} bytes are not a whole record "
                        f"(the file was cut off mid-write?); read the {whole // size} records before them")
    if bad:
        problems.append(f"{name}: {bad} records are not trace records (damaged file?) and were skipped")
    if not records:
        raise TraceFileError(f"{name}: no trace records after the header"
                             + (f" ({problems[0].split(': ', 1)[1]})" if problems else ""))
    records.sort(key=lambda r: r.seq)
    return TraceFile(version, info.get("timebase_hz", 10_000_000) or 10_000_000, harts, vms, records,
                     dropped, problems)


def read(path) -> TraceFile:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise TraceFileError(f"{path}: {e.strerror}") from None
    return parse(data, str(path))


def pack_records(records: List[Record]):
    """Records in the C layout (for `hv trace --save` and tests)."""
    st = struct.Struct("<QQIBBBBHHIQQQQ")
    return b"".join(st.pack(r.seq, r.time, r.dur, r.hart, r.vm, r.vcpu, r.kind, r.cause, r.info,
                            r.htinst, r.sepc, r.stval, r.payload[0], r.payload[1]) for r in records)


# The C layout (spec/trace_record.h), for writers that have no header from hvscope.
LAYOUT_V2 = [("seq", 0, 8, 1), ("time", 8, 8, 1), ("dur", 16, 4, 1), ("hart", 20, 1, 1),
             ("vm", 21, 1, 1), ("vcpu", 22, 1, 1), ("kind", 23, 1, 1), ("cause", 24, 2, 1),
             ("info", 26, 2, 1), ("htinst", 28, 4, 1), ("sepc", 32, 8, 1), ("stval", 40, 8, 1),
             ("payload", 48, 8, 2)]


def write_file(path, records, timebase_hz, harts, vms, layout=None):
    with open(path, "wb") as f:
        f.write(header_text(timebase_hz, harts, vms, layout or LAYOUT_V2))
        f.write(pack_records(records))


# ---- Chrome trace-event JSON (Perfetto) --------------------------------------

HARTS_PID = 0          # the process whose threads are the physical harts


def _tid(vm, vcpu):
    return vm * 1000 + vcpu + 1


def _us(ticks, t0, tb):
    return round((ticks - t0) * 1e6 / tb, 3)


def _vcpu_events(recs, t0, tb, end):
    """B/E slices of one vCPU: "in guest" between resume and exit, "in
    hypervisor: REASON" for each exit's duration; nothing while it is off
    its hart (between a put and the next load)."""
    ev, guest_open, last = [], None, None
    for r in recs:
        k = r.kind_name
        if k == "vcpu-load":
            if guest_open is None:
                guest_open = r.time
            continue
        if k == "vcpu-put":
            if guest_open is not None:
                ev.append(("in guest", guest_open, max(r.time, guest_open), None))
                guest_open = None
            continue
        if not r.is_exit:
            continue
        t = r.time if last is None else max(r.time, last)
        if guest_open is not None:
            ev.append(("in guest", guest_open, t, None))
        stop = t + r.dur
        ev.append((f"in hypervisor: {reason(r)}", t, stop, r))
        last = stop
        guest_open = None if k == "stop" else stop
    if guest_open is not None and end > guest_open:
        ev.append(("in guest", guest_open, end, None))
    out = []
    for name, b, e, r in ev:
        args = {}
        if r is not None:
            args = {"seq": r.seq, "hart": r.hart, "cause": cause_name(r.scause), "sepc": f"0x{r.sepc:x}",
                    "stval": f"0x{r.stval:x}"}
            extra = payload_text(r)
            if extra:
                args["detail"] = extra
        out.append({"name": name, "ph": "B", "ts": _us(b, t0, tb), "args": args})
        out.append({"name": name, "ph": "E", "ts": _us(e, t0, tb)})
    return out


def _hart_events(records, vm_names, t0, tb, end):
    """Per physical hart: which vCPU runs there (load .. put)."""
    out, open_on = [], {}
    for r in records:
        k = r.kind_name
        if k == "vcpu-load":
            if r.hart in open_on:
                out.append((r.hart, open_on.pop(r.hart), r.time))
            open_on[r.hart] = (r.vm, r.vcpu, r.time)
        elif k == "vcpu-put" and r.hart in open_on:
            out.append((r.hart, open_on.pop(r.hart), r.time))
    for h, o in open_on.items():
        out.append((h, o, end))
    ev = []
    for h, (vm, vcpu, b), e in sorted(out, key=lambda x: (x[0], x[1][2])):
        name = f"vm{vm}.{vcpu} {vm_names.get(vm, '')}".rstrip()
        ev.append({"name": name, "ph": "B", "pid": HARTS_PID, "tid": h, "ts": _us(b, t0, tb),
                   "args": {"VM": vm, "vCPU": vcpu}})
        ev.append({"name": name, "ph": "E", "pid": HARTS_PID, "tid": h, "ts": _us(max(e, b), t0, tb)})
    return ev


def _rate_counters(records, vms, t0, tb, end):
    """exits/s per VM, in buckets of about a hundredth of the run (>= 1 ms)."""
    span = max(end - t0, 1)
    bucket = max(span // 100, tb // 1000, 1)
    counts = {vm: {} for vm in vms}
    for r in records:
        if r.is_exit and r.vm in counts:
            b = (r.time - t0) // bucket
            counts[r.vm][b] = counts[r.vm].get(b, 0) + 1
    ev = []
    for vm, per in counts.items():
        for b in range(span // bucket + 1):
            ev.append({"name": "exits/s", "ph": "C", "pid": vm, "ts": _us(t0 + b * bucket, t0, tb),
                       "args": {"exits/s": round(per.get(b, 0) * tb / bucket, 1)}})
    return ev


def chrome_trace(records: List[Record], timebase_hz: int, vm_names: Optional[Dict[int, str]] = None,
                 harts: Optional[List[int]] = None, source="hvscope trap trace"):
    """Chrome trace-event JSON (a dict) that Perfetto opens: each VM a process,
    each vCPU a thread with "in guest" / "in hypervisor: REASON" slices, one
    track per physical hart (process "harts") showing which vCPU runs there,
    an exits/s counter per VM, instants for VM events and dropped records;
    ts in microseconds from the first record."""
    tb = timebase_hz or 10_000_000
    vm_names = dict(vm_names or {})
    if not records:
        return {"traceEvents": [], "displayTimeUnit": "ns", "otherData": {"source": source}}
    t0 = records[0].time
    end = max(r.time + (r.dur if r.is_exit else 0) for r in records)
    vms = sorted({r.vm for r in records if r.vm} | set(vm_names))
    hart_ids = sorted(set(harts or []) | {r.hart for r in records})
    ev = [{"name": "process_name", "ph": "M", "pid": HARTS_PID, "args": {"name": "harts"}},
          {"name": "process_sort_index", "ph": "M", "pid": HARTS_PID, "args": {"sort_index": 0}}]
    for h in hart_ids:
        ev.append({"name": "thread_name", "ph": "M", "pid": HARTS_PID, "tid": h, "args": {"name": f"hart {h}"}})
        ev.append({"name": "thread_sort_index", "ph": "M", "pid": HARTS_PID, "tid": h,
                   "args": {"sort_index": h}})
    for vm in vms:
        ev.append({"name": "process_name", "ph": "M", "pid": vm,
                   "args": {"name": f"vm{vm} {vm_names.get(vm, '')}".rstrip()}})
        ev.append({"name": "process_sort_index", "ph": "M", "pid": vm, "args": {"sort_index": vm}})
    by_vcpu = {}
    for r in records:
        if r.vm and r.kind_name not in ("vm-event", "drop"):
            by_vcpu.setdefault((r.vm, r.vcpu), []).append(r)
    for (vm, vcpu), recs in sorted(by_vcpu.items()):
        tid = _tid(vm, vcpu)
        ev.append({"name": "thread_name", "ph": "M", "pid": vm, "tid": tid, "args": {"name": f"vCPU {vcpu}"}})
        ev.append({"name": "thread_sort_index", "ph": "M", "pid": vm, "tid": tid, "args": {"sort_index": vcpu}})
        for e in _vcpu_events(recs, t0, tb, end):
            e.update(pid=vm, tid=tid)
            ev.append(e)
    ev += _hart_events(records, vm_names, t0, tb, end)
    ev += _rate_counters(records, vms, t0, tb, end)
    for r in records:
        k = r.kind_name
        if k == "vm-event":
            what = VM_EVENTS[r.info] if r.info < len(VM_EVENTS) else "event"
            ev.append({"name": f"vm {what}", "ph": "i", "s": "p", "pid": r.vm, "tid": _tid(r.vm, 0),
                       "ts": _us(r.time, t0, tb), "args": {"seq": r.seq, "hart": r.hart}})
        elif k == "drop":
            ev.append({"name": f"{r.payload[0]} records dropped", "ph": "i", "s": "t", "pid": HARTS_PID,
                       "tid": r.hart, "ts": _us(r.time, t0, tb), "args": {"dropped": r.payload[0]}})
    # metadata first, then everything in time order (stable: a track's own order stays)
    meta = [e for e in ev if e["ph"] == "M"]
    timed = sorted((e for e in ev if e["ph"] != "M"), key=lambda e: e["ts"])
    return {"traceEvents": meta + timed, "displayTimeUnit": "ns",
            "otherData": {"source": source, "timebase_hz": tb, "format_version": FORMAT_VERSION}}


def write_chrome_trace(path, records, timebase_hz, vm_names=None, harts=None, source="hvscope trap trace"):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(chrome_trace(records, timebase_hz, vm_names, harts, source), f, separators=(",", ":"))
        f.write("\n")


def check_chrome_trace(data):
    """The structural check a JSON trace must pass (Perfetto does not run
    here): every B has its E on the same track, in order; ts never goes
    back on a track; every event has a name; every track (pid, tid) with
    slices has a thread name and every pid a process name.  Returns the
    list of problems (empty: fine)."""
    problems = []
    events = data.get("traceEvents") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return ["no traceEvents list"]
    stacks, last_ts, threads, procs = {}, {}, set(), set()
    used_tracks, used_pids = set(), set()
    for i, e in enumerate(events):
        ph, name = e.get("ph"), e.get("name")
        if not name:
            problems.append(f"event {i} has no name")
        if ph == "M":
            if name == "thread_name" and e.get("args", {}).get("name"):
                threads.add((e.get("pid"), e.get("tid")))
            if name == "process_name" and e.get("args", {}).get("name"):
                procs.add(e.get("pid"))
            continue
        if "ts" not in e or not isinstance(e["ts"], (int, float)):
            problems.append(f"event {i} ({name}) has no ts")
            continue
        track = (e.get("pid"), e.get("tid"))
        used_pids.add(e.get("pid"))
        if ph in ("B", "E", "X") or (ph == "i" and e.get("s", "t") == "t"):
            used_tracks.add(track)
            if e["ts"] < last_ts.get(track, float("-inf")):
                problems.append(f"event {i} ({name}): ts {e['ts']} goes back on track {track}")
            last_ts[track] = e["ts"]
        if ph == "B":
            stacks.setdefault(track, []).append(name)
        elif ph == "E":
            st = stacks.get(track)
            if not st:
                problems.append(f"event {i}: E ({name}) with no open B on track {track}")
            else:
                opened = st.pop()
                if e.get("name") and e["name"] != opened:
                    problems.append(f"event {i}: E {name!r} closes B {opened!r} on track {track}")
        elif ph == "X" and e.get("dur", -1) < 0:
            problems.append(f"event {i} ({name}): X without a duration")
    for track, st in stacks.items():
        if st:
            problems.append(f"track {track}: {len(st)} B without E ({st[-1]!r})")
    for track in sorted(used_tracks - threads, key=str):
        problems.append(f"track {track} has no thread_name")
    for pid in sorted(used_pids - procs, key=str):
        problems.append(f"pid {pid} has no process_name")
    return problems
