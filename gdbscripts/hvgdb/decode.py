"""Names and bit fields from the RISC-V privileged specification, spelled
exactly as the hv> console and the post-mortem reports spell them
(hypervisor/spec/decode.c): cause names, `V=1 R=1 W=0 ...` PTE bits, CSR fields."""

IRQ_FLAG = 1 << 63
MASK64 = (1 << 64) - 1

CAUSE_NAMES = {
    0: "instruction address misaligned", 1: "instruction access fault",
    2: "illegal instruction", 3: "breakpoint", 4: "load address misaligned",
    5: "load access fault", 6: "store/AMO address misaligned",
    7: "store/AMO access fault", 8: "environment call from U-mode or VU-mode",
    9: "environment call from HS-mode", 10: "environment call from VS-mode",
    11: "environment call from M-mode", 12: "instruction page fault",
    13: "load page fault", 15: "store/AMO page fault",
    20: "instruction guest-page fault", 21: "load guest-page fault",
    22: "virtual instruction", 23: "store/AMO guest-page fault",
}

# The console's short spellings (`trace --cause`, `hedeleg` fields).
CAUSE_SHORT = {
    0: "misaligned-fetch", 1: "fetch-access", 2: "illegal-insn", 3: "breakpoint",
    4: "misaligned-load", 5: "load-access", 6: "misaligned-store", 7: "store-access",
    8: "ecall-u", 9: "ecall-hs", 10: "ecall-vs", 11: "ecall-m", 12: "fetch-page-fault",
    13: "load-page-fault", 15: "store-page-fault", 20: "fetch-guest-page-fault",
    21: "load-guest-page-fault", 22: "virtual-insn", 23: "store-guest-page-fault",
}

IRQ_NAMES = {
    1: "supervisor software interrupt", 2: "virtual supervisor software interrupt",
    3: "machine software interrupt", 5: "supervisor timer interrupt",
    6: "virtual supervisor timer interrupt", 7: "machine timer interrupt",
    9: "supervisor external interrupt", 10: "virtual supervisor external interrupt",
    11: "machine external interrupt", 12: "supervisor guest external interrupt",
}

# Short names of interrupts for `--cause` (the mip bit names, lower case).
IRQ_SHORT = {1: "ssip", 2: "vssip", 3: "msip", 5: "stip", 6: "vstip", 7: "mtip",
             9: "seip", 10: "vseip", 11: "meip", 12: "sgeip"}

IRQ_BITS = {1: "SSIP", 2: "VSSIP", 3: "MSIP", 5: "STIP", 6: "VSTIP", 7: "MTIP",
            9: "SEIP", 10: "VSEIP", 11: "MEIP", 12: "SGEIP"}

GUEST_PAGE_FAULTS = (20, 21, 23)
PAGE_FAULTS = (12, 13, 15)


class DecodeError(ValueError):
    """A value or name the decoders cannot make sense of (a user mistake)."""


def irq_name(irq):
    return IRQ_NAMES.get(irq, "reserved interrupt")


def cause_name(scause):
    """The spec's name of an xcause value (interrupt bit included)."""
    scause &= MASK64
    code = scause & ~IRQ_FLAG
    if scause & IRQ_FLAG:
        return irq_name(code if code < 16 else 0)
    return CAUSE_NAMES.get(code, "reserved exception")


def cause_short(scause):
    """Short name (`fetch-page-fault`, `vstip`) or None."""
    code = scause & ~IRQ_FLAG & MASK64
    return IRQ_SHORT.get(code) if scause & IRQ_FLAG else CAUSE_SHORT.get(code)


def cause_by_name(name):
    """An xcause value from a short name, a spec name, `irq:N`, or a number."""
    text = name.strip().lower()
    for code, short in CAUSE_SHORT.items():
        if text in (short, CAUSE_NAMES[code]):
            return code
    for code, short in IRQ_SHORT.items():
        if text in (short, IRQ_NAMES[code]):
            return IRQ_FLAG | code
    if text.startswith("irq:"):
        return IRQ_FLAG | parse_number(text[4:], "interrupt number", limit=64)
    try:
        return parse_number(text, "cause")
    except DecodeError:
        raise DecodeError(f"unknown cause '{name}' (a number, or one of: "
                          + ", ".join(CAUSE_SHORT.values()) + ", "
                          + ", ".join(IRQ_SHORT.values()) + ", irq:N)") from None


def parse_number(text, what="value", limit=1 << 64):
    """A non-negative integer in C syntax (0x.., 0b.., 0o.., decimal)."""
    t = text.strip().replace("_", "")
    if t.startswith("-"):
        raise DecodeError(f"{what} must not be negative: {text}")
    try:
        value = int(t, 0)
    except ValueError:
        raise DecodeError(f"{what} is not a number: '{text}'") from None
    if value >= limit:
        raise DecodeError(f"{what} too large: {text}")
    return value


def tval_meaning(scause):
    """What stval, htval and htinst hold for a cause (spec, "Trap value")."""
    if scause & IRQ_FLAG:
        return ("0 (interrupts set no trap value)", "0", "0")
    code = scause & MASK64
    if code in (0, 1, 4, 5, 6, 7, 3):
        stval = "faulting virtual address"
        if code == 3:
            stval = "virtual address of the ebreak (or 0)"
    elif code in PAGE_FAULTS:
        stval = "faulting virtual address"
    elif code in GUEST_PAGE_FAULTS:
        stval = "faulting guest virtual address (hstatus.GVA=1) or 0"
    elif code in (2, 22):
        stval = "faulting instruction bits (or 0)"
    elif code in (8, 9, 10, 11):
        stval = "0"
    else:
        stval = "0"
    if code in GUEST_PAGE_FAULTS:
        htval = "faulting guest-physical address >> 2"
    else:
        htval = "0"
    if code in GUEST_PAGE_FAULTS or code in PAGE_FAULTS or code in (0, 1, 4, 5, 6, 7):
        htinst = "transformed instruction, pseudo-instruction for implicit page-table access, or 0"
    else:
        htinst = "0"
    return (stval, htval, htinst)


def describe_cause(scause, stval=None, htval=None, htinst=None, names=("stval", "htval", "htinst")):
    """Lines describing a cause, with the live trap values when known, e.g.
    `0xc -> exception 12: instruction page fault` and
    `  stval  = faulting virtual address 0x80100f56`.  `names` are the trap
    value registers (mtval, mtval2, mtinst for mcause)."""
    scause &= MASK64
    code = scause & ~IRQ_FLAG
    is_irq = bool(scause & IRQ_FLAG)
    kind = "interrupt" if is_irq else "exception"
    lines = [f"0x{scause:x} -> {kind} {code}: {cause_name(scause)}"]
    s_m, h_m, i_m = tval_meaning(scause)
    n_s, n_h, n_i = (f"{n:<6}" if n else None for n in names)
    if stval is None:
        lines.append(f"  {n_s} = {s_m}")
        if h_m != "0" and n_h:
            lines.append(f"  {n_h} = {h_m}")
        if i_m != "0" and n_i:
            lines.append(f"  {n_i} = {i_m}")
        return lines
    lines.append(f"  {n_s} = {s_m} 0x{stval:x}" if s_m != "0" else f"  {n_s} = 0x{stval:x}")
    if htval is not None and n_h:
        if code in GUEST_PAGE_FAULTS and not is_irq:
            gpa = (htval << 2) | (stval & 3)
            lines.append(f"  {n_h} = 0x{htval:x}: guest-physical address 0x{gpa:x}")
        else:
            lines.append(f"  {n_h} = 0x{htval:x}")
    if htinst is not None and n_i:
        lines.append(f"  {n_i} = 0x{htinst:x}" + (f": {htinst_meaning(htinst)}" if htinst else ""))
    return lines


def htinst_meaning(htinst):
    """The pseudo-instructions of implicit VS-stage page-table accesses."""
    pseudo = {0x2000: "implicit 32-bit page-table read", 0x3000: "implicit 64-bit page-table read",
              0x2020: "implicit 32-bit page-table write", 0x3020: "implicit 64-bit page-table write"}
    if htinst in pseudo:
        return pseudo[htinst] + " (pseudo-instruction)"
    if htinst & 1 == 0:
        return "transformed compressed instruction" if htinst & 2 == 0 else "custom value"
    return "transformed instruction"


# ---- page-table entries ---------------------------------------------------

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
PTE_N = 1 << 63
PTE_RESERVED = 0x7f << 54
PBMT_NAMES = {0: "PMA", 1: "NC", 2: "IO", 3: "reserved"}


def bit(v, n):
    return (v >> n) & 1


def field(v, lo, width):
    return (v >> lo) & ((1 << width) - 1)


def pte_bits(pte):
    """`V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0`, as the console prints them."""
    return " ".join(f"{n}={bit(pte, i)}" for i, n in enumerate("VRWXUGAD"))


def pte_pa(pte):
    return field(pte, 10, 44) << 12


def pte_is_leaf(pte):
    return pte & (PTE_R | PTE_W | PTE_X) != 0


PAGE_SIZES = {0: "4 KiB", 1: "2 MiB", 2: "1 GiB", 3: "512 GiB", 4: "256 TiB"}


def pte_problems(pte, level=None, gstage=False):
    """Why this PTE stops any walk that reads it (empty when it does not)."""
    if not pte & PTE_V:
        return ["V=0: invalid, every access faults"]
    out = []
    if pte & (PTE_R | PTE_W) == PTE_W:
        out.append("W=1 with R=0 is reserved")
    if pte & PTE_RESERVED:
        out.append("reserved bits 60:54 are not zero")
    if field(pte, 61, 2) == 3:
        out.append("PBMT=3 is reserved")
    if not pte_is_leaf(pte):
        if pte & (PTE_A | PTE_D | PTE_U):
            out.append("non-leaf PTE with A, D or U set (reserved)")
        if level == 0:
            out.append("pointer at level 0: no leaf")
    elif level:
        span = 1 << (12 + 9 * level)
        if pte_pa(pte) & (span - 1):
            out.append(f"misaligned superpage: PPN not aligned to {PAGE_SIZES.get(level, '?')}")
    return out


def pte_access_faults(pte, gstage=False):
    """For a valid leaf: which accesses fault and why, one string each."""
    out = []
    if gstage:
        if not pte & PTE_U:
            out.append("every access (G-stage leaf needs U=1: all guest accesses count as U-mode)")
        if not pte & PTE_R:
            out.append("load" + (" (unless MXR and X=1)" if pte & PTE_X else ""))
        if not pte & PTE_W:
            out.append("store")
        if not pte & PTE_X:
            out.append("fetch")
        if not pte & PTE_A:
            out.append("any access without hardware A/D updating (A=0)")
        elif not pte & PTE_D:
            out.append("store without hardware A/D updating (D=0)")
        return out
    if not pte & PTE_R:
        out.append("load (unless MXR and X=1)" if pte & PTE_X else "load")
    if not pte & PTE_W:
        out.append("store")
    if not pte & PTE_X:
        out.append("fetch")
    if pte & PTE_U:
        out.append("fetch from S/VS-mode, and load/store from S/VS-mode with SUM=0 (U=1 page)")
    else:
        out.append("any access from U/VU-mode (U=0 page)")
    if not pte & PTE_A:
        out.append("any access without hardware A/D updating (A=0: henvcfg.ADUE / menvcfg.ADUE off)")
    elif not pte & PTE_D:
        out.append("store without hardware A/D updating (D=0)")
    return out


def describe_pte(pte, level=None, gstage=False):
    """Lines describing a PTE: bits, fields, address, kind, what faults."""
    pte &= MASK64
    stage = "G-stage (Sv39x4/Sv48x4)" if gstage else "VS/S-stage (Sv39/Sv48/Sv57)"
    lines = [f"pte 0x{pte:016x}  {pte_bits(pte)}",
             f"  RSW={field(pte, 8, 2)} PBMT={field(pte, 61, 2)} ({PBMT_NAMES[field(pte, 61, 2)]})"
             f" N={bit(pte, 63)} PPN=0x{field(pte, 10, 44):x} -> physical address 0x{pte_pa(pte):x}"]
    if not pte & PTE_V:
        kind = "invalid"
    elif pte_is_leaf(pte):
        size = f" of {PAGE_SIZES.get(level, '?')}" if level is not None else ""
        kind = f"leaf{size} ({'R' if pte & PTE_R else '-'}{'W' if pte & PTE_W else '-'}" \
               f"{'X' if pte & PTE_X else '-'})"
    else:
        kind = "pointer to the next-level table"
    where = f" at level {level}" if level is not None else ""
    lines.append(f"  {kind}{where}, {stage}")
    problems = pte_problems(pte, level, gstage)
    for p in problems:
        lines.append(f"  fault: {p}")
    if not problems and pte_is_leaf(pte):
        faults = pte_access_faults(pte, gstage)
        lines.append("  would fault: " + ("; ".join(faults) if faults else "nothing"))
    return lines


# ---- CSRs -----------------------------------------------------------------

ATP_MODES = {0: "Bare", 8: "Sv39", 9: "Sv48", 10: "Sv57"}


def atp_mode_name(mode, gstage=False):
    name = ATP_MODES.get(mode)
    if name is None:
        return "reserved"
    return name + "x4" if gstage and mode else name


def irq_bits(v):
    return " ".join(f"{IRQ_BITS[i]}={bit(v, i)}" for i in sorted(IRQ_BITS))


def deleg_bits(v):
    out = [f"{i}:{CAUSE_SHORT.get(i, '?')}" for i in range(24) if bit(v, i)]
    return " ".join(out) if out else "(none)"


def _mstatus(v):
    return (f"SD={bit(v, 63)} MPV={bit(v, 39)} GVA={bit(v, 38)} MBE={bit(v, 37)} SBE={bit(v, 36)} "
            f"SXL={field(v, 34, 2)} UXL={field(v, 32, 2)} TSR={bit(v, 22)} TW={bit(v, 21)} "
            f"TVM={bit(v, 20)} MXR={bit(v, 19)} SUM={bit(v, 18)} MPRV={bit(v, 17)} "
            f"XS={field(v, 15, 2)} FS={field(v, 13, 2)} MPP={field(v, 11, 2)} VS={field(v, 9, 2)} "
            f"SPP={bit(v, 8)} MPIE={bit(v, 7)} SPIE={bit(v, 5)} MIE={bit(v, 3)} SIE={bit(v, 1)}")


_CSR_FIELDS = {
    "hstatus": lambda v: (f"VSXL={field(v, 32, 2)} VTSR={bit(v, 22)} VTW={bit(v, 21)} "
                          f"VTVM={bit(v, 20)} VGEIN={field(v, 12, 6)} HU={bit(v, 9)} "
                          f"SPVP={bit(v, 8)} SPV={bit(v, 7)} GVA={bit(v, 6)} VSBE={bit(v, 5)}"),
    "henvcfg": lambda v: (f"STCE={bit(v, 63)} PBMTE={bit(v, 62)} ADUE={bit(v, 61)} "
                          f"CBZE={bit(v, 7)} CBCFE={bit(v, 6)} CBIE={field(v, 4, 2)} FIOM={bit(v, 0)}"),
    "hgatp": lambda v: (f"MODE={atp_mode_name(field(v, 60, 4), True)} VMID={field(v, 44, 14)} "
                        f"PPN=0x{field(v, 0, 44):x}"),
    "satp": lambda v: (f"MODE={atp_mode_name(field(v, 60, 4))} ASID={field(v, 44, 16)} "
                       f"PPN=0x{field(v, 0, 44):x}"),
    "sstatus": lambda v: (f"SD={bit(v, 63)} UXL={field(v, 32, 2)} MXR={bit(v, 19)} SUM={bit(v, 18)} "
                          f"FS={field(v, 13, 2)} SPP={bit(v, 8)} SPIE={bit(v, 5)} SIE={bit(v, 1)}"),
    "scause": lambda v: (f"{'interrupt' if v >> 63 else 'exception'} {v & ~IRQ_FLAG}: "
                         f"{cause_name(v)}"),
    "stvec": lambda v: (f"MODE={'Direct' if v & 3 == 0 else 'Vectored' if v & 3 == 1 else 'reserved'} "
                        f"BASE=0x{v & ~3:x}"),
    "scounteren": lambda v: f"CY={bit(v, 0)} TM={bit(v, 1)} IR={bit(v, 2)} HPM=0x{field(v, 3, 29):x}",
    "vsip": lambda v: f"SSIP={bit(v, 1)} STIP={bit(v, 5)} SEIP={bit(v, 9)}",
    "hedeleg": deleg_bits,
    "hideleg": irq_bits,
    "mstatus": _mstatus,
}
_CSR_ALIASES = {
    "menvcfg": "henvcfg", "senvcfg": "henvcfg", "vsatp": "satp", "vsstatus": "sstatus",
    "vscause": "scause", "mcause": "scause", "medeleg": "hedeleg",
    "hvip": "hideleg", "hip": "hideleg", "hie": "hideleg", "sip": "hideleg", "sie": "hideleg",
    "vstvec": "stvec", "hcounteren": "scounteren", "vsie": "vsip", "mideleg": "hideleg", "mip": "hideleg", "mie": "hideleg",
}

# `hv csr all`: the CSRs of a hart in the order a hypervisor developer reads them.
CSR_ALL = ("mstatus", "menvcfg", "medeleg", "mideleg", "sstatus", "satp", "scause", "sepc",
           "stval", "hstatus", "henvcfg", "hedeleg", "hideleg", "hvip", "hip", "hie", "hgatp",
           "htval", "htinst", "vsstatus", "vsatp", "vscause", "vsepc", "vstval", "vstvec")

# Every CSR name `hv csr` accepts (the decoded ones and plain values).
CSR_KNOWN = set(CSR_ALL) | set(_CSR_FIELDS) | set(_CSR_ALIASES) | {
    "stvec", "sscratch", "scounteren", "htimedelta", "hcounteren", "hgeie", "hgeip",
    "vsscratch", "mtvec", "mepc", "mtval", "mtval2", "mtinst", "mscratch", "misa",
    "mcounteren", "time", "cycle", "instret", "mhartid"}


def csr_fields(name, value):
    """The console's field string for a CSR, or None when it has no fields."""
    key = name.lower()
    fn = _CSR_FIELDS.get(_CSR_ALIASES.get(key, key))
    return fn(value & MASK64) if fn else None


def csr_line(name, value):
    """`  henvcfg   0x...  STCE=1 ...` as the post-mortem report prints it."""
    fields = csr_fields(name, value)
    text = f"  {name:<9} 0x{value & MASK64:016x}"
    return f"{text}  {fields}" if fields else text
