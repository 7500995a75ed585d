"""Reading the target from gdb: physical memory (QEMU's PhyMemMode), live
CSRs per hart, and hvscope's structures by symbol and type.  Nothing here
knows a field offset: layouts come from the debug information of
hvscope.elf, so a changed struct is followed, not misread."""

import contextlib

import gdb  # pylint: disable=import-error

from .decode import MASK64, C, DecodeError
from .walk import ReadError


class TargetError(Exception):
    """The target cannot answer (no symbol, no register, unreadable memory)."""


# ---- physical memory ------------------------------------------------------

def _packet(text):
    """Sends a raw remote packet; returns the reply, or None when the target
    is not a remote stub (a core file, no target)."""
    try:
        out = gdb.execute(f"maintenance packet {text}", to_string=True)
    except gdb.error:
        return None
    for line in out.splitlines():
        if line.startswith("received:"):
            return line.split(":", 1)[1].strip().strip('"')
    return None


def _flush_cache():
    # gdb keeps a small cache of stack and code reads; its contents depend
    # on the memory mode, so drop it whenever the mode changes.
    for cmd in ("maintenance flush dcache", "maintenance flush-dcache"):
        try:
            gdb.execute(cmd, to_string=True)
            return
        except gdb.error:
            continue


@contextlib.contextmanager
def physical_memory():
    """Memory reads inside the block see physical memory: QEMU's gdbstub reads
    through the selected hart's MMU otherwise, and a hart stopped in a guest
    would show guest memory at the hypervisor's addresses.  The previous mode
    is restored on the way out, error or not.  On a core file (already
    physical) this does nothing."""
    old = _packet("qqemu.PhyMemMode")
    if old not in ("0", "1"):
        yield
        return
    if old != "1":
        _packet("Qqemu.PhyMemMode:1")
        _flush_cache()
    try:
        yield
    finally:
        if old != "1":
            _packet(f"Qqemu.PhyMemMode:{old}")
            _flush_cache()


def read_bytes(addr, size):
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, size))
    except gdb.MemoryError:
        raise ReadError(addr) from None


def read_u64(addr):
    return int.from_bytes(read_bytes(addr, 8), "little")


# ---- registers ------------------------------------------------------------

def has_registers():
    try:
        gdb.selected_frame()
        return True
    except gdb.error:
        return False


def read_reg(name):
    """A register of the selected hart as an unsigned int."""
    try:
        value = gdb.parse_and_eval(f"${name}")
    except gdb.error as e:
        raise TargetError(f"cannot read register {name}: {e}") from None
    if value.type.code == gdb.TYPE_CODE_VOID:
        raise TargetError(f"register {name} is not available here (a live QEMU gdbstub "
                          "shows the CSRs; a core file has none)")
    try:
        return int(value) & MASK64
    except gdb.error as e:
        raise TargetError(f"cannot read register {name}: {e}") from None


def hart_threads():
    """{hartid: gdb thread} of the inferior (QEMU: one thread per hart)."""
    out = {}
    inf = gdb.selected_inferior()
    if not inf.pid and not inf.threads():
        return out
    for th in inf.threads():
        with on_thread(th):
            try:
                hartid = read_reg("mhartid")
            except TargetError:
                hartid = th.num - 1
        out[hartid] = th
    return out


@contextlib.contextmanager
def on_thread(th):
    """Selects thread `th` (and its innermost frame) for the block."""
    old = gdb.selected_thread()
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    if th is not None and th != old:
        th.switch()
    try:
        yield
    finally:
        if old is not None and old.is_valid() and old != gdb.selected_thread():
            old.switch()
            if frame is not None and frame.is_valid():
                frame.select()


def hart_in_guest():
    """True when the selected hart is in VS/VU-mode (QEMU's virtual `priv`
    register carries V in bit 2, as the debug specification's dcsr.v)."""
    try:
        return bool(read_reg("priv") & 4)
    except TargetError:
        return False


# ---- hvscope's structures -------------------------------------------------

def symbol(name):
    try:
        return gdb.parse_and_eval(name)
    except gdb.error:
        raise TargetError(f"no symbol '{name}': load the hypervisor's symbols "
                          "(file build/hypervisor/hvscope.elf)") from None


def to_py(value, skip=()):
    """A gdb.Value as plain Python: struct -> dict, array -> list (char
    arrays -> str), enum -> its C name, pointer -> int, bool -> bool."""
    t = value.type.strip_typedefs()
    code = t.code
    if code == gdb.TYPE_CODE_STRUCT:
        return {f.name: to_py(value[f.name], skip) for f in t.fields()
                if f.name and f.name not in skip and not f.artificial}
    if code == gdb.TYPE_CODE_ARRAY:
        target = t.target().strip_typedefs()
        lo, hi = t.range()
        if target.code == gdb.TYPE_CODE_INT and target.sizeof == 1 and "char" in str(target):
            raw = read_value_bytes(value)
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        return [to_py(value[i], skip) for i in range(lo, hi + 1)]
    if code == gdb.TYPE_CODE_ENUM:
        return str(value)
    if code == gdb.TYPE_CODE_BOOL:
        return bool(value)
    if code == gdb.TYPE_CODE_PTR:
        return int(value.cast(gdb.lookup_type("unsigned long")))
    if code == gdb.TYPE_CODE_INT:
        return int(value)
    return str(value)


def read_value_bytes(value):
    try:
        return bytes(value.bytes) if hasattr(value, "bytes") else \
            bytes(gdb.selected_inferior().read_memory(value.address, value.type.sizeof))
    except gdb.MemoryError:
        raise ReadError(int(value.address or 0)) from None


def fetch(value):
    """Reads a whole value in one memory access (instead of field by field)."""
    try:
        value.fetch_lazy()
    except gdb.MemoryError:
        raise ReadError(int(value.address or 0)) from None
    return value


def enum_short(name, prefix):
    """VM_RUNNING -> running (the spelling vm_state_name() prints)."""
    return name[len(prefix):].lower() if name.startswith(prefix) else name.lower()


# Fields of struct vm that no command shows (devices, buffers, locks).
VM_SKIP = ("lock", "uart", "plic", "term", "fp", "image", "alloc", "input", "input_lock")


def vm_count():
    return int(symbol("vm_count"))


# Before hvscope has booted (straight after `make debug`, or in a dump taken then).
NO_VMS_YET = "no VMs yet (continue first: hvscope creates them when it boots)"


def vm_value(vm_id):
    """The gdb.Value of VM `vm_id` (1-based, as on the console)."""
    n = vm_count()
    if n == 0:
        raise DecodeError(NO_VMS_YET)
    if not 1 <= vm_id <= n:
        raise DecodeError(f"no VM {vm_id} (there {'is' if n == 1 else 'are'} {n}: 1..{n})")
    # Field by field (to_py skips the big buffers): one read of the whole
    # struct crosses many pages and came back with a repeated chunk through
    # QEMU's gdbstub in physical-memory mode.
    return symbol("vms")[vm_id - 1]


def vm_dict(vm_id):
    vm = to_py(vm_value(vm_id), VM_SKIP)
    vm["state"] = enum_short(vm["state"], "VM_")
    vm["gstage_root"] = vm["gstage"]["root"]["v"]
    vm["ram_base"] = vm["ram"]["v"]
    for v in vm["vcpus"]:
        v["state"] = enum_short(v["state"], "VCPU_")
    return vm


def vm_hgatp(vm):
    """hgatp as gstage_hgatp() builds it: Sv39x4, the VM's VMID, its root."""
    return (C.HGATP_MODE_SV39X4 << C.ATP_MODE_SHIFT | (vm["vmid"] & C.HGATP_VMID_MASK) << C.HGATP_VMID_SHIFT
            | vm["gstage_root"] >> 12)


def current_vcpu_addrs():
    """{address of a loaded struct vcpu: hartid} from harts[].current."""
    harts = symbol("harts")
    lo, hi = harts.type.strip_typedefs().range()
    out = {}
    for h in range(lo, hi + 1):
        cur = int(harts[h]["current"])
        if cur and bool(harts[h]["online"]):
            out[cur] = int(harts[h]["hartid"])
    return out


def vcpu_address(vm_id, vcpu_id):
    return int(symbol("vms")[vm_id - 1]["vcpus"][vcpu_id].address)


def timebase():
    try:
        return int(symbol("hv_timebase")) or 10000000
    except TargetError:
        return 10000000


# ---- the trace rings ------------------------------------------------------

class RecordLayout:
    """Offsets and sizes of struct trace_record from the debug information."""

    def __init__(self):
        try:
            t = gdb.lookup_type("struct trace_record")
        except gdb.error:
            raise TargetError("no type 'struct trace_record': load hvscope.elf") from None
        self.size = t.sizeof
        self.fields = []
        for f in t.fields():
            ft = f.type.strip_typedefs()
            if ft.code == gdb.TYPE_CODE_ARRAY:
                esz = ft.target().strip_typedefs().sizeof
                lo, hi = ft.range()
                self.fields.append((f.name, f.bitpos // 8, esz, hi - lo + 1))
            else:
                self.fields.append((f.name, f.bitpos // 8, ft.sizeof, 0))

    def unpack(self, raw, base):
        out = {}
        for name, off, size, count in self.fields:
            start = base + off
            if count:
                out[name] = tuple(int.from_bytes(raw[start + i * size:start + (i + 1) * size], "little")
                                  for i in range(count))
            else:
                out[name] = int.from_bytes(raw[start:start + size], "little")
        return out


def read_trace_rings(last=None):
    """Per hart: (records oldest first as dicts, next, lost).  `last` limits
    each ring to its newest `last` records (fewer bytes over the stub)."""
    rings = symbol("trace_rings")
    lo, hi = rings.type.strip_typedefs().range()
    layout = RecordLayout()
    out = []
    for h in range(lo, hi + 1):
        ring = rings[h]
        nxt, lost = int(ring["next"]), int(ring["lost"])
        rlo, rhi = ring["rec"].type.strip_typedefs().range()
        size = rhi - rlo + 1
        count = min(nxt, size) if last is None else min(nxt, size, last)
        base = int(ring["rec"].address)
        recs = []
        first = nxt - count
        # at most two contiguous pieces: up to the end of the array, then from 0
        while count:
            slot = first % size
            n = min(count, size - slot)
            raw = read_bytes(base + slot * layout.size, n * layout.size)
            recs += [layout.unpack(raw, i * layout.size) for i in range(n)]
            first += n
            count -= n
        out.append((h, recs, nxt, lost))
    return out
