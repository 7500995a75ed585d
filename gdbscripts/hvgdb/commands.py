"""The `hv` gdb commands and convenience functions: one class per command,
the docstring is its help, all registered by register() under one prefix so
that `help hv` and `apropos hv` list them."""

import functools
import os

import gdb  # pylint: disable=import-error

from . import decode, show, trace, walk
from .decode import C, IRQ_FLAG, DecodeError
from .target import TargetError, physical_memory
from . import target


# ---- shared plumbing ------------------------------------------------------

def guarded(fn):
    """User mistakes and unreadable targets become one gdb error line."""
    @functools.wraps(fn)
    def wrapper(self, *args):
        try:
            return fn(self, *args)
        except (DecodeError, TargetError) as e:
            raise gdb.GdbError(f"{self.cmd}: {e}") from None
        except walk.ReadError as e:
            raise gdb.GdbError(f"{self.cmd}: cannot read memory at 0x{e.args[0]:x}") from None
        except gdb.GdbError:
            raise
        except gdb.error as e:
            raise gdb.GdbError(f"{self.cmd}: {e}") from None
        except OSError as e:
            raise gdb.GdbError(f"{self.cmd}: {e}") from None
    return wrapper


def number(text, what="value"):
    """A non-negative integer: a literal, or any gdb expression ($a0, a symbol)."""
    try:
        return decode.parse_number(text, what)
    except DecodeError as e:
        if text.strip().startswith("-") or "too large" in str(e):
            raise
        try:
            value = int(gdb.parse_and_eval(text))
        except (gdb.error, ValueError):
            raise DecodeError(f"{what} is not a number: '{text}'") from None
        if value < 0:
            raise DecodeError(f"{what} must not be negative: {text}") from None
        return value & decode.MASK64


def parse(argv, options, flags=(), usage=""):
    """(positional args, {option: value}) for `--opt VALUE` and `--flag`."""
    pos, opts = [], {}
    it = iter(argv)
    for a in it:
        if a.startswith("--") and len(a) > 2:
            name = a[2:]
            if name in flags:
                opts[name] = True
            elif name in options:
                try:
                    opts[name] = next(it)
                except StopIteration:
                    raise DecodeError(f"--{name} needs a value ({usage})") from None
            else:
                raise DecodeError(f"unknown option {a} ({usage})")
        else:
            pos.append(a)
    return pos, opts


def out(lines):
    gdb.write("\n".join(lines) + "\n")


def vm_arg(text):
    """VM[.V] -> (vm id, vcpu id or None)."""
    vm_text, _, vcpu_text = text.partition(".")
    vm_id = decode.parse_number(vm_text, "VM number", limit=256)
    vcpu_id = decode.parse_number(vcpu_text, "vCPU number", limit=256) if vcpu_text else None
    return vm_id, vcpu_id


def vm_and_vcpu(text):
    vm_id, vcpu_id = vm_arg(text)
    vm = target.vm_dict(vm_id)
    vcpu_id = 0 if vcpu_id is None else vcpu_id
    if vcpu_id >= vm["vcpu_count"]:
        raise DecodeError(f"vm{vm_id} has no vCPU {vcpu_id} (it has {vm['vcpu_count']})")
    return vm, vm["vcpus"][vcpu_id]


def live_vcpu_csrs(vm, vcpu):
    """The VS CSRs of a vCPU loaded on a hart right now (its saved copies are
    stale then), or None."""
    addr = target.vcpu_address(vm["id"], vcpu["id"])
    hartid = target.current_vcpu_addrs().get(addr)
    if hartid is None:
        return None
    th = target.hart_threads().get(hartid)
    if th is None:
        return None
    with target.on_thread(th):
        try:
            return {n: target.read_reg(n) for n in
                    ("vsstatus", "vsepc", "vscause", "vstval", "vstvec", "vsatp", "hvip")}
        except TargetError:
            return None


def vcpu_xlate_env(vm, vcpu):
    """(vsatp, walk.Env) of a vCPU: live CSRs when loaded, else its saved ones."""
    live = live_vcpu_csrs(vm, vcpu)
    vsatp = live["vsatp"] if live else vcpu["vsatp"]
    vsstatus = live["vsstatus"] if live else vcpu["vsstatus"]
    env = walk.Env(priv_u=False, sum=bool(vsstatus & C.SSTATUS_SUM), mxr=bool(vsstatus & C.SSTATUS_MXR),
                   hw_ad=bool(vm["henvcfg"] & C.ENVCFG_ADUE))
    return vsatp, env


def access_opt(opts, default="load"):
    acc = opts.get("access", default)
    if acc not in walk.ACCESSES:
        raise DecodeError(f"--access must be fetch, load or store, not '{acc}'")
    return acc


class HvCommand(gdb.Command):
    """Base: the command's name is `cmd`, its help the subclass docstring."""
    cmd = ""

    def __init__(self):
        super().__init__(self.cmd, gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        self.dont_repeat()
        self.run(gdb.string_to_argv(arg))

    def run(self, argv):
        raise NotImplementedError


# ---- commands -------------------------------------------------------------

class Hv(gdb.Command):
    """hvscope: decode traps, PTEs and CSRs, walk both translation stages, and
read the hypervisor's VMs, statistics, post-mortem reports and trap trace.

Decoders (no target needed): hv scause, hv cause, hv pte.
Live registers: hv csr, hv walk, hv xlate (read physical memory through QEMU).
hvscope's own state (by symbol): hv vms, hv vcpu, hv stats, hv report, hv trace.
Breakpoints: hv break-trap.  Functions: $hv_cause_name, $hv_gpa, $hv_hpa."""

    def __init__(self):
        super().__init__("hv", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


class HvScause(HvCommand):
    """Decode a trap cause: hv scause [VALUE]
Interrupt or exception, its number and the spec's name, and what stval,
htval and htinst hold for it.  Without VALUE the live scause, stval, htval
and htinst of the selected hart are decoded.
Example: hv scause 0xc"""
    cmd = "hv scause"

    def run(self, argv):
        if len(argv) > 1:
            raise DecodeError("usage: hv scause [VALUE]")
        if argv:
            out(decode.describe_cause(number(argv[0], "scause")))
            return
        regs = {n: target.read_reg(n) for n in ("scause", "stval", "htval", "htinst")}
        out(decode.describe_cause(regs["scause"], regs["stval"], regs["htval"], regs["htinst"]))


class HvCause(HvCommand):
    """Decode a cause register or value: hv cause mcause|scause|vscause|VALUE
A register name reads it (and its trap-value registers) from the selected
hart; a number is decoded as an xcause value."""
    cmd = "hv cause"
    TVALS = {"mcause": ("mtval", "mtval2", "mtinst"), "scause": ("stval", "htval", "htinst"),
             "vscause": ("vstval", None, None)}

    def run(self, argv):
        if len(argv) != 1:
            raise DecodeError("usage: hv cause mcause|scause|vscause|VALUE")
        name = argv[0].lower()
        if name not in self.TVALS:
            out(decode.describe_cause(number(argv[0], "cause")))
            return
        tv, hv, hi = self.TVALS[name]
        value = target.read_reg(name)
        lines = decode.describe_cause(value, target.read_reg(tv),
                                      target.read_reg(hv) if hv else None,
                                      target.read_reg(hi) if hi else None, names=(tv, hv, hi))
        out([f"{name}:"] + lines)


class HvPte(HvCommand):
    """Decode a page-table entry: hv pte VALUE [--level N] [--gstage]
Prints V R W X U G A D, RSW, PBMT, N, the PPN and physical address, whether
it is a leaf or points to a table, and which accesses would fault.  --level
gives the level it was read at (0 = last; superpage alignment is checked);
--gstage decodes it as a G-stage (Sv39x4) entry, where U must be set."""
    cmd = "hv pte"
    USAGE = "usage: hv pte VALUE [--level N] [--gstage]"

    def run(self, argv):
        pos, opts = parse(argv, ("level",), ("gstage",), self.USAGE)
        if len(pos) != 1:
            raise DecodeError(self.USAGE)
        pte = number(pos[0], "PTE")
        level = decode.parse_number(opts["level"], "level", limit=5) if "level" in opts else None
        out(decode.describe_pte(pte, level, bool(opts.get("gstage"))))


class HvCsr(HvCommand):
    """Decode live CSRs: hv csr NAME|all
Reads the CSR from the selected hart through QEMU's gdbstub and decodes its
fields with the console's names (hstatus, henvcfg, menvcfg, hgatp, vsatp,
satp, mstatus, vsstatus, hedeleg, hideleg, hvip, hip, hie, ...).  `all`
prints the H, VS and S CSRs a hypervisor developer looks at first."""
    cmd = "hv csr"

    def run(self, argv):
        if len(argv) != 1:
            raise DecodeError("usage: hv csr NAME|all")
        name = argv[0].lower()
        if name == "all":
            lines = []
            for n in decode.CSR_ALL:
                try:
                    lines.append(decode.csr_line(n, target.read_reg(n)))
                except TargetError:
                    lines.append(f"  {n:<9} (not available)")
            out(lines)
            return
        if name not in decode.CSR_KNOWN:
            raise DecodeError(f"unknown CSR '{argv[0]}' (try: hv csr all; decoded: "
                              "hstatus henvcfg menvcfg senvcfg hgatp vsatp satp mstatus sstatus "
                              "vsstatus scause vscause mcause hedeleg medeleg hideleg mideleg "
                              "hvip hip hie sip sie vsip vsie mip mie)")
        out([decode.csr_line(name, target.read_reg(name))])


class HvWalk(HvCommand):
    """Walk one translation stage: hv walk [--gstage] [--root PA] [--mode M] [--access A] VA
Without --gstage: the VS-stage (or S-stage) table of vsatp (satp when vsatp
is Bare) for VA, Sv39/Sv48/Sv57; a VS-stage table is reached through hgatp
as the hardware does.  With --gstage: the G-stage table of hgatp
(Sv39x4/Sv48x4) for the guest-physical address VA.  --root PA walks the
table at physical address PA instead (with --mode, default Sv39 / Sv39x4).
--access fetch|load|store adds the permission check of that access.
Physical memory is read with QEMU's `Qqemu.PhyMemMode:1`, restored after.
Each level prints like the console's pt/gpt and the post-mortem report."""
    cmd = "hv walk"
    USAGE = "usage: hv walk [--gstage] [--root PA] [--mode M] [--access A] VA"

    def run(self, argv):
        pos, opts = parse(argv, ("root", "mode", "access"), ("gstage",), self.USAGE)
        if len(pos) != 1:
            raise DecodeError(self.USAGE)
        va = number(pos[0], "address")
        gstage = bool(opts.get("gstage"))
        acc = access_opt(opts, None) if "access" in opts else None
        mode = None
        if "mode" in opts:
            mode = walk.MODE_BY_NAME.get(opts["mode"].lower())
            if mode is None:
                raise DecodeError(f"unknown --mode '{opts['mode']}' (Sv39 Sv48 Sv57 Sv39x4 Sv48x4)")
        with physical_memory():
            if gstage:
                if "root" in opts:
                    root, mode = number(opts["root"], "root"), 8 if mode is None else mode
                else:
                    mode, root = walk.atp_split(target.read_reg("hgatp"))
                    if mode == 0:
                        raise DecodeError("hgatp is Bare on this hart: give --root PA "
                                          "or use hv xlate VM GPA")
                w = walk.walk(target.read_u64, root, mode, va, gstage=True, access=acc)
                out(walk.format_gwalk(w))
                return
            if "root" in opts:
                root, mode = number(opts["root"], "root"), 8 if mode is None else mode
                w = walk.walk(target.read_u64, root, mode, va, access=acc)
                out(walk.format_vswalk(w, label="S-stage", atp="root"))
                return
            vsatp = target.read_reg("vsatp")
            if vsatp >> 60:
                gmode, groot = walk.atp_split(target.read_reg("hgatp"))
                translate = None
                if gmode:
                    def translate(gpa):
                        gw = walk.walk(target.read_u64, groot, gmode, gpa, gstage=True, access="load")
                        return (gw.pa if gw.ok else None), gw
                vmode, vroot = walk.atp_split(vsatp)
                w = walk.walk(target.read_u64, vroot, vmode, va, access=acc, translate=translate)
                out(walk.format_vswalk(w, nested=True))
                return
            satp = target.read_reg("satp")
            smode, sroot = walk.atp_split(satp)
            w = walk.walk(target.read_u64, sroot, smode, va, access=acc)
            out(walk.format_vswalk(w, label="S-stage", atp="satp"))


class HvXlate(HvCommand):
    """Translate a guest VA through both stages: hv xlate [VM[.V]] VA [--access A]
Every VS-stage table access is itself translated through the G-stage, as the
hardware does, then the final GPA; prints each level and the host-physical
address, or where and why the access faults (--access fetch|load|store,
default load, made in VS-mode).  With VM (1-based, as on the console) the
vCPU's vsatp (live when it is loaded on a hart) and the VM's G-stage are
used; without, the selected hart's vsatp and hgatp."""
    cmd = "hv xlate"
    USAGE = "usage: hv xlate [VM[.V]] VA [--access fetch|load|store]"

    def run(self, argv):
        pos, opts = parse(argv, ("access",), (), self.USAGE)
        if len(pos) not in (1, 2):
            raise DecodeError(self.USAGE)
        acc = access_opt(opts)
        va = number(pos[-1], "address")
        with physical_memory():
            if len(pos) == 2:
                vm, vcpu = vm_and_vcpu(pos[0])
                vsatp, env = vcpu_xlate_env(vm, vcpu)
                hgatp = target.vm_hgatp(vm)
                head = f"vm{vm['id']}.{vcpu['id']} ({vm['name']}): hgatp 0x{hgatp:x}"
            else:
                if not target.hart_in_guest():
                    hs = target.read_reg("hstatus")
                    if not hs & C.HSTATUS_SPV:
                        raise DecodeError("the selected hart is not in a guest (and did not trap "
                                          "from one): give a VM, e.g. hv xlate 1 " + pos[-1])
                vsatp, hgatp = target.read_reg("vsatp"), target.read_reg("hgatp")
                vss = target.read_reg("vsstatus")
                env = walk.Env(sum=bool(vss & C.SSTATUS_SUM), mxr=bool(vss & C.SSTATUS_MXR),
                               hw_ad=bool(target.read_reg("henvcfg") & C.ENVCFG_ADUE))
                head = f"selected hart: hgatp 0x{hgatp:x}"
            x = walk.xlate(target.read_u64, vsatp, hgatp, va, acc, env)
        out([head] + walk.format_xlate(x))


class HvVms(HvCommand):
    """List the VMs: hv vms
One line per VM read from hvscope's `vms` array (id, name, state,
vCPUs@harts, RAM, exits, ADUE, A/D emulation), as the console's `vms`."""
    cmd = "hv vms"

    def run(self, argv):
        if argv:
            raise DecodeError("usage: hv vms")
        with physical_memory():
            if target.vm_count() == 0:
                raise DecodeError(target.NO_VMS_YET)
            vms = [target.vm_dict(i) for i in range(1, target.vm_count() + 1)]
        out(show.format_vms(vms))


class HvVcpu(HvCommand):
    """Show one vCPU: hv vcpu N[.V]
Its scheduling state, hart, guest pc and registers (as saved at its last
exit), the VS CSRs (live from its hart when it is loaded), exit count and
fault-loop detector.  N is the VM (1-based), V the vCPU (default 0)."""
    cmd = "hv vcpu"

    def run(self, argv):
        if len(argv) != 1:
            raise DecodeError("usage: hv vcpu N[.V]")
        with physical_memory():
            vm, vcpu = vm_and_vcpu(argv[0])
            live = live_vcpu_csrs(vm, vcpu)
        out(show.format_vcpu(vm, vcpu, live))


class HvStats(HvCommand):
    """Exit statistics: hv stats [N]
Per vCPU: exits, SBI calls, MMIO, A/D fix-ups, reflected page faults, and
exits by exception cause and interrupt (non-zero ones).  Every VM without N."""
    cmd = "hv stats"

    def run(self, argv):
        if len(argv) > 1:
            raise DecodeError("usage: hv stats [N]")
        with physical_memory():
            ids = [vm_arg(argv[0])[0]] if argv else range(1, target.vm_count() + 1)
            lines = []
            for i in ids:
                lines += show.format_stats(target.vm_dict(i))
        out(lines)


def report_walks(vm):
    """walks(scause, stval, gpa) for show.format_report: the walks the
    post-mortem report prints, redone on the memory as it is now."""
    pm = vm["pm"]
    hgatp = target.vm_hgatp(vm)
    gmode, groot = walk.atp_split(hgatp)

    def walks(scause, stval, gpa):
        if scause & IRQ_FLAG:
            return []
        code = scause & 0xff
        if code in decode.PAGE_FAULTS:
            acc = {v: k for k, v in walk.PAGE_FAULT.items()}[code]
            env = walk.Env(priv_u=bool(pm["priv_u"]), sum=bool(pm["vsstatus"] & C.SSTATUS_SUM),
                           mxr=bool(pm["vsstatus"] & C.SSTATUS_MXR), hw_ad=bool(pm["henvcfg"] & C.ENVCFG_ADUE))
            x = walk.xlate(target.read_u64, pm["vsatp"], hgatp, stval, acc, env)
            lines = walk.format_vswalk(x.vs)
            if x.vs.ok or x.vs.ad_only or x.vs.bare:
                lines += walk.format_gwalk(walk.walk(target.read_u64, groot, gmode, x.vs.pa,
                                                     gstage=True))
            return lines
        if code >= C.CAUSE_FETCH_GUEST_PAGE_FAULT:     # as postmortem.c: 20 and up
            return walk.format_gwalk(walk.walk(target.read_u64, groot, gmode, gpa, gstage=True))
        return []
    return walks


def vm_trace_lines(vm_id, vcpu_id, count):
    rings = target.read_trace_rings()
    recs = trace.merge([[trace.Record(**r) for r in recs] for _, recs, _, _ in rings])
    # exits only, as the hypervisor's report (postmortem.c) collects them
    picked = [r for r in recs if r.vm == vm_id and r.vcpu == vcpu_id and r.is_exit][-count:]
    return ([f"  last {len(picked)} trace records of vm{vm_id}.{vcpu_id} (oldest first):"]
            + trace.format_postmortem_records(picked))


class HvReport(HvCommand):
    """Show a dead VM's post-mortem report: hv report N
Reads the facts the hypervisor captured when VM N died (`vms[N-1].pm`) and
prints the report as the hypervisor did: cause, GPRs, VS/H CSRs, the
two-stage walk of the faulting address (redone on memory as it is now) and
the VM's last trace records."""
    cmd = "hv report"

    def run(self, argv):
        if len(argv) != 1:
            raise DecodeError("usage: hv report N")
        vm_id = vm_arg(argv[0])[0]
        with physical_memory():
            vm = target.vm_dict(vm_id)
            lines = show.format_report(vm, report_walks(vm),
                                       vm_trace_lines(vm_id, vm["pm"]["vcpu"], 32)
                                       if vm["pm"]["valid"] else [])
        out(lines)


class HvTrace(HvCommand):
    """Decode the trap trace: hv trace [COUNT] [--vm N] [--cause NAME] [--json FILE] [--save FILE]
Reads every hart's ring (`trace_rings`) and merges the records by their
global sequence number; prints the newest COUNT (default 20) matching ones,
oldest first.  --cause takes a number, a short name (fetch-page-fault,
ecall-vs, virtual-insn, ...), an interrupt (vstip, seip, irq:N) or `irq`
for every interrupt.  --json FILE writes the matching records as Chrome
trace-event JSON for Perfetto (VMs as processes, vCPUs as threads with
"in guest" / "in hypervisor" slices, one track per hart), the converter
scripts/hvtrace.py uses.  --save FILE writes them as a trace file
(docs/tracing.md) that scripts/hvtrace.py reads."""
    cmd = "hv trace"
    USAGE = "usage: hv trace [COUNT] [--vm N] [--cause NAME] [--json FILE] [--save FILE]"

    def run(self, argv):
        pos, opts = parse(argv, ("vm", "cause", "json", "save"), (), self.USAGE)
        if len(pos) > 1:
            raise DecodeError(self.USAGE)
        whole = "json" in opts or "save" in opts
        count = decode.parse_number(pos[0], "COUNT") if pos else (None if whole else 20)
        vm = decode.parse_number(opts["vm"], "VM number", limit=256) if "vm" in opts else None
        cause = None
        if "cause" in opts:
            cause = IRQ_FLAG if opts["cause"].lower() == "irq" else decode.cause_by_name(opts["cause"])
        filtered = vm is not None or cause is not None
        with physical_memory():
            rings = target.read_trace_rings(None if filtered or count is None else count)
            tb = target.timebase()
            vms = [target.vm_dict(i) for i in range(1, target.vm_count() + 1)] if whole else []
            names = {v["id"]: v["name"] for v in vms}
            layout = target.RecordLayout().layout() if "save" in opts else None
        recs = trace.merge([[trace.Record(**r) for r in recs] for _, recs, _, _ in rings])
        picked = trace.select(recs, count, vm, cause)
        harts = [h for h, _, n, _ in rings if n]
        lines = []
        if "json" in opts:
            path = os.path.expanduser(opts["json"])
            trace.write_chrome_trace(path, picked, tb, names, harts, source="hvscope trace rings (gdb)")
            lines.append(f"hv trace: wrote {len(picked)} records to {path}")
        if "save" in opts:
            path = os.path.expanduser(opts["save"])
            trace.write_file(path, picked, tb, len(rings), {v["id"]: (v["name"], v["vcpu_count"]) for v in vms},
                             layout)
            lines.append(f"hv trace: saved {len(picked)} records to {path} (scripts/hvtrace.py report {path})")
        if lines:
            out(lines)
            return
        active = [(h, n, lost) for h, _, n, lost in rings if n]
        head = "trace: " + (", ".join(f"hart{h} {n} written {lost} lost" for h, n, lost in active)
                            or "empty")
        out([head] + [trace.format_record(r) for r in picked])


# ---- breakpoints ----------------------------------------------------------

class TrapBreakpoint(gdb.Breakpoint):
    """Stops at the entry of trap_quick(struct vcpu *v), the first C code of
    every exit, when the hart's scause (still the guest's trap there)
    matches, and optionally the VM."""

    def __init__(self, spec, cause, vm):
        super().__init__(spec, gdb.BP_BREAKPOINT, internal=False)
        self.cause = cause
        self.vm = vm

    def stop(self):
        try:
            scause = target.read_reg("scause")
            if self.cause == IRQ_FLAG:
                if not scause & IRQ_FLAG:
                    return False
            elif scause != self.cause:
                return False
            if self.vm is None:
                return True
            vcpu = gdb.parse_and_eval("(struct vcpu *)$a0")
            return int(vcpu["vm"]["id"]) == self.vm
        except (gdb.error, TargetError) as e:
            gdb.write(f"hv break-trap: cannot check the condition ({e}); stopping\n")
            return True


class HvBreakTrap(HvCommand):
    """Stop when hvscope starts handling a trap: hv break-trap CAUSE [--vm N]
Sets a breakpoint at the entry of trap_quick(), the first C code of every
guest exit (the quick ones never reach trap_handle), whose condition reads the
hart's scause (still the guest's trap at that point) and, with --vm, the VM
of the vCPU argument (a0).  CAUSE as for hv trace --cause (a number, a short
name such as ecall-vs or load-guest-page-fault, an interrupt such as vstip,
or `irq`).  Delete it with gdb's `delete`."""
    cmd = "hv break-trap"
    USAGE = "usage: hv break-trap CAUSE [--vm N]"

    def run(self, argv):
        pos, opts = parse(argv, ("vm",), (), self.USAGE)
        if len(pos) != 1:
            raise DecodeError(self.USAGE)
        cause = IRQ_FLAG if pos[0].lower() == "irq" else decode.cause_by_name(pos[0])
        vm = decode.parse_number(opts["vm"], "VM number", limit=256) if "vm" in opts else None
        fn = target.symbol("trap_quick")
        addr = int(fn.address) if fn.address is not None else int(fn)
        bp = TrapBreakpoint(f"*0x{addr:x}", cause, vm)
        what = "any interrupt" if cause == IRQ_FLAG else decode.cause_name(cause)
        out([f"hv break-trap: breakpoint {bp.number} at trap_quick (0x{addr:x}) on {what}"
             + (f" from vm{vm}" if vm is not None else "")])


# ---- convenience functions ------------------------------------------------

class FunctionBase(gdb.Function):
    name = ""

    def __init__(self):
        super().__init__(self.name)
        self.cmd = "$" + self.name

    def invoke(self, *args):
        return self._invoke(*args)


class HvCauseName(FunctionBase):
    """$hv_cause_name(VALUE): the spec's name of an xcause value, as a string."""
    name = "hv_cause_name"

    @guarded
    def _invoke(self, value):
        return decode.cause_name(int(value) & decode.MASK64)


class HvGpa(FunctionBase):
    """$hv_gpa(VM, VA): the guest-physical address VA maps to in VM's vCPU 0
(VS-stage walk, table accesses through the G-stage); an error if it faults."""
    name = "hv_gpa"

    @guarded
    def _invoke(self, vm_id, va):
        with physical_memory():
            vm, vcpu = vm_and_vcpu(str(int(vm_id)))
            vsatp, env = vcpu_xlate_env(vm, vcpu)
            x = walk.xlate(target.read_u64, vsatp, target.vm_hgatp(vm), int(va) & decode.MASK64,
                           "load", env)
        if x.vs.pa is None or not (x.vs.ok or x.vs.ad_only):
            raise DecodeError(f"VA 0x{int(va) & decode.MASK64:x} does not map: {x.vs.why}")
        return x.vs.pa


class HvHpa(FunctionBase):
    """$hv_hpa(VM, GPA): the host-physical address of VM's guest-physical GPA
(G-stage walk); an error if the G-stage does not map it."""
    name = "hv_hpa"

    @guarded
    def _invoke(self, vm_id, gpa):
        with physical_memory():
            vm = target.vm_dict(int(vm_id))
            mode, root = walk.atp_split(target.vm_hgatp(vm))
            w = walk.walk(target.read_u64, root, mode, int(gpa) & decode.MASK64, gstage=True)
        if not w.ok:
            raise DecodeError(f"GPA 0x{int(gpa) & decode.MASK64:x} is not mapped: {w.why}")
        return w.pa


COMMANDS = (HvScause, HvCause, HvPte, HvCsr, HvWalk, HvXlate, HvVms, HvVcpu, HvStats,
            HvReport, HvTrace, HvBreakTrap)
FUNCTIONS = (HvCauseName, HvGpa, HvHpa)


def register():
    Hv()
    for cls in COMMANDS + FUNCTIONS:
        cls()
