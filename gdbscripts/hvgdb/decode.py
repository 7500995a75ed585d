"""Names and bit fields from the RISC-V privileged specification, spelled
exactly as the hv> console and the post-mortem reports spell them
(hypervisor/spec/decode.c): cause names, `V=1 R=1 W=0 ...` PTE bits, CSR fields."""

from .const import load

C = load()      # generated from the C headers and decoders (scripts/genconst.py)

IRQ_FLAG = C.CAUSE_IRQ_FLAG
MASK64 = (1 << 64) - 1

CAUSE_NAMES = C.CAUSE_NAMES
# The console's short spellings (`trace --cause`, `hedeleg` fields).
CAUSE_SHORT = C.CAUSE_SHORT
IRQ_NAMES = C.IRQ_NAMES
# The mip bit names the console prints (SSIP, ...), by interrupt number, and
# in lower case the short names of interrupts for `--cause`.
IRQ_BITS = {lo: name for name, lo, _w, _f, _v in C.CSR_FIELDS["mip"]}
IRQ_SHORT = {irq: name.lower() for irq, name in IRQ_BITS.items()}

GUEST_PAGE_FAULTS = (C.CAUSE_FETCH_GUEST_PAGE_FAULT, C.CAUSE_LOAD_GUEST_PAGE_FAULT,
                     C.CAUSE_STORE_GUEST_PAGE_FAULT)
PAGE_FAULTS = (C.CAUSE_FETCH_PAGE_FAULT, C.CAUSE_LOAD_PAGE_FAULT, C.CAUSE_STORE_PAGE_FAULT)


class DecodeError(ValueError):
    """A value or name the decoders cannot make sense of (a user mistake)."""


def irq_name(irq):
    return IRQ_NAMES.get(irq, C.RESERVED_INTERRUPT)


def cause_name(scause):
    """The spec's name of an xcause value (interrupt bit included)."""
    scause &= MASK64
    code = scause & ~IRQ_FLAG
    if scause & IRQ_FLAG:
        return irq_name(code if code < 16 else 0)
    return CAUSE_NAMES.get(code, C.RESERVED_EXCEPTION)


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

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (C.PTE_V, C.PTE_R, C.PTE_W, C.PTE_X, C.PTE_U,
                                                          C.PTE_G, C.PTE_A, C.PTE_D)
PTE_N = C.PTE_N
PTE_RESERVED = C.PTE_RESERVED_MASK
PBMT_NAMES = {0: "PMA", 1: "NC", 2: "IO", 3: "reserved"}


def bit(v, n):
    return (v >> n) & 1


def field(v, lo, width):
    return (v >> lo) & ((1 << width) - 1)


def pte_bits(pte):
    """`V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0`, as the console prints them."""
    return " ".join(f"{n}={bit(pte, i)}" for i, n in sorted(C.PTE_BIT_NAMES.items()))


def pte_pa(pte):
    return ((pte >> C.PTE_PPN_SHIFT) & C.PTE_PPN_MASK) << 12


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
    if field(pte, C.PTE_PBMT_SHIFT, 2) == 3:
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
    pbmt = field(pte, C.PTE_PBMT_SHIFT, 2)
    stage = "G-stage (Sv39x4/Sv48x4)" if gstage else "VS/S-stage (Sv39/Sv48/Sv57)"
    lines = [f"pte 0x{pte:016x}  {pte_bits(pte)}",
             f"  RSW={field(pte, C.PTE_RSW_SHIFT, 2)} PBMT={pbmt} ({PBMT_NAMES[pbmt]})"
             f" N={int(bool(pte & PTE_N))} PPN=0x{field(pte, C.PTE_PPN_SHIFT, 44):x}"
             f" -> physical address 0x{pte_pa(pte):x}"]
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

ATP_MODES = {C.ATP_MODE_BARE: "Bare", C.ATP_MODE_SV39: "Sv39", C.ATP_MODE_SV48: "Sv48",
             C.ATP_MODE_SV57: "Sv57"}


def atp_mode_name(mode, gstage=False):
    name = ATP_MODES.get(mode)
    if name is None:
        return "reserved"
    return name + "x4" if gstage and mode else name


def deleg_bits(v):
    out = [f"{i}:{CAUSE_SHORT.get(i, '?')}" for i in range(C.CAUSE_COUNT) if bit(v, i)]
    return " ".join(out) if out else "(none)"


def _mstatus(v):
    # The one CSR decoded here and not by the console (the hypervisor never
    # sees mstatus; gdb on QEMU does).
    return (f"SD={bit(v, 63)} MPV={bit(v, 39)} GVA={bit(v, 38)} MBE={bit(v, 37)} SBE={bit(v, 36)} "
            f"SXL={field(v, 34, 2)} UXL={field(v, 32, 2)} TSR={bit(v, 22)} TW={bit(v, 21)} "
            f"TVM={bit(v, 20)} MXR={bit(v, 19)} SUM={bit(v, 18)} MPRV={bit(v, 17)} "
            f"XS={field(v, 15, 2)} FS={field(v, 13, 2)} MPP={field(v, 11, 2)} VS={field(v, 9, 2)} "
            f"SPP={bit(v, 8)} MPIE={bit(v, 7)} SPIE={bit(v, 5)} MIE={bit(v, 3)} SIE={bit(v, 1)}")


def _layout_fields(layout, v):
    """`NAME=value ...` from a generated layout, in the console's formats."""
    out = []
    for name, lo, width, fmt, names in layout:
        f = field(v, lo, width)
        if fmt == "s":
            text = names.get(f, "reserved")
        elif fmt == "x":
            text = f"0x{f:x}"
        elif fmt == "X":
            text = f"0x{f << lo:x}"
        else:
            text = str(f)
        out.append(f"{name}={text}")
    return " ".join(out)


def _cause_fields(v):
    return f"{'interrupt' if v >> 63 else 'exception'} {v & ~IRQ_FLAG}: {cause_name(v)}"


# CSRs whose text is not `NAME=value` fields: the rest come from C.CSR_FIELDS.
_CSR_SPECIAL = {"scause": _cause_fields, "vscause": _cause_fields, "mcause": _cause_fields,
                "hedeleg": deleg_bits, "medeleg": deleg_bits, "mstatus": _mstatus}

# `hv csr all`: the CSRs of a hart in the order a hypervisor developer reads them.
CSR_ALL = ("mstatus", "menvcfg", "medeleg", "mideleg", "sstatus", "satp", "scause", "sepc",
           "stval", "hstatus", "henvcfg", "hedeleg", "hideleg", "hvip", "hip", "hie", "hgatp",
           "htval", "htinst", "vsstatus", "vsatp", "vscause", "vsepc", "vstval", "vstvec")

# Every CSR name `hv csr` accepts (the decoded ones and plain values).
CSR_KNOWN = set(CSR_ALL) | set(C.CSR_FIELDS) | set(_CSR_SPECIAL) | {
    "stvec", "sscratch", "scounteren", "htimedelta", "hcounteren", "hgeie", "hgeip",
    "vsscratch", "mtvec", "mepc", "mtval", "mtval2", "mtinst", "mscratch", "misa",
    "mcounteren", "time", "cycle", "instret", "mhartid"}


def csr_fields(name, value):
    """The console's field string for a CSR, or None when it has no fields."""
    key = name.lower()
    if key in _CSR_SPECIAL:
        return _CSR_SPECIAL[key](value & MASK64)
    layout = C.CSR_FIELDS.get(key)
    return _layout_fields(layout, value & MASK64) if layout else None


def csr_line(name, value):
    """`  henvcfg   0x...  STCE=1 ...` as the post-mortem report prints it."""
    fields = csr_fields(name, value)
    text = f"  {name:<9} 0x{value & MASK64:016x}"
    return f"{text}  {fields}" if fields else text
