"""Page-table walks as the hardware does them (privileged spec, "Sv39",
"Sv48", "Sv57" and "Two-Stage Address Translation"), on any memory reader:
`read(address) -> 64-bit int`, raising ReadError when the address cannot be
read.  Pure Python: the gdb glue passes a physical-memory reader, the unit
tests a dictionary."""

from dataclasses import dataclass, field as dc_field
from typing import Callable, List, Optional

from .decode import (ATP_MODES, C, PTE_A, PTE_D, PTE_R, PTE_RESERVED, PTE_U, PTE_V, PTE_W, PTE_X,
                     cause_name, pte_bits, pte_is_leaf, pte_pa)

LEVELS = {C.ATP_MODE_SV39: 3, C.ATP_MODE_SV48: 4, C.ATP_MODE_SV57: 5}
MODE_NAMES = ATP_MODES
MODE_BY_NAME = {**{name.lower(): mode for mode, name in ATP_MODES.items()},
                **{name.lower() + "x4": mode for mode, name in ATP_MODES.items() if mode in LEVELS}}
ACCESSES = ("fetch", "load", "store")
PAGE_FAULT = {"fetch": C.CAUSE_FETCH_PAGE_FAULT, "load": C.CAUSE_LOAD_PAGE_FAULT,
              "store": C.CAUSE_STORE_PAGE_FAULT}
GUEST_PAGE_FAULT = {"fetch": C.CAUSE_FETCH_GUEST_PAGE_FAULT, "load": C.CAUSE_LOAD_GUEST_PAGE_FAULT,
                    "store": C.CAUSE_STORE_GUEST_PAGE_FAULT}


class ReadError(Exception):
    """Memory the walk needs cannot be read (address in args[0])."""


def mode_name(mode, gstage=False):
    name = MODE_NAMES.get(mode, "reserved")
    return name + "x4" if gstage and mode in LEVELS else name


def atp_split(atp):
    """(MODE, root table address) of a satp/vsatp/hgatp value."""
    return atp >> C.ATP_MODE_SHIFT, (atp & C.ATP_PPN_MASK) << 12


@dataclass
class Step:
    level: int
    table: int          # table address in the walk's own address space
    index: int
    pte_addr: int       # in the walk's own space (GPA for a VS-stage walk)
    pte: int = 0
    pte_hpa: Optional[int] = None        # two-stage: where the G-stage put the PTE
    gwalk: Optional["Walk"] = None       # two-stage: that G-stage walk


@dataclass
class Walk:
    gstage: bool
    mode: int
    root: int
    va: int
    access: Optional[str] = None
    steps: List[Step] = dc_field(default_factory=list)
    ok: bool = False
    bare: bool = False
    pa: Optional[int] = None     # translated address (GPA or HPA) when a leaf was found
    leaf: int = -1
    why: str = ""
    cause: Optional[int] = None  # exception the hardware raises, when the access is known
    ad_only: bool = False        # the only reason to fault is A=0 (or D=0 on a store)

    @property
    def mode_text(self):
        return mode_name(self.mode, self.gstage)


@dataclass
class Env:
    """The privilege facts a VS/S-stage permission check needs."""
    priv_u: bool = False
    sum: bool = False
    mxr: bool = False
    hw_ad: bool = True       # hardware A/D updating (Svadu with ADUE on)


def _fail(w, why, cause=None):
    w.ok = False
    w.why = why
    w.cause = cause
    return w


def _leaf_permitted(pte, access, env, gstage):
    """None if permitted, else why not."""
    r, x = bool(pte & PTE_R), bool(pte & PTE_X)
    if gstage:
        if not pte & PTE_U:
            return "G-stage leaf without U"
    elif env.priv_u and not pte & PTE_U:
        return "U=0 page accessed from VU-mode"
    elif not env.priv_u and pte & PTE_U and (access == "fetch" or not env.sum):
        return "U=1 page fetched in VS-mode" if access == "fetch" else \
            "U=1 page accessed in VS-mode with SUM=0"
    if access == "fetch" and not x:
        return "no X permission"
    if access == "load" and not r and not (env.mxr and x):
        return "no R permission"
    if access == "store" and not pte & PTE_W:
        return "no W permission"
    return None


def walk(read: Callable[[int], int], root: int, mode: int, va: int, gstage=False,
         access=None, env=None, translate=None) -> Walk:
    """Walks one stage.  `translate(addr) -> (hpa or None, Walk)` turns the
    address of each PTE into a physical one (a VS-stage walk under a G-stage);
    without it PTE addresses are read as they are."""
    env = env or Env()
    w = Walk(gstage=gstage, mode=mode, root=root, va=va, access=access)
    fault = (GUEST_PAGE_FAULT if gstage else PAGE_FAULT).get(access)
    if mode == 0:
        w.ok = w.bare = True
        w.pa = va
        return w
    levels = LEVELS.get(mode)
    if not levels:
        return _fail(w, f"reserved {'hgatp' if gstage else 'satp'} MODE {mode}", fault)
    va_bits = 12 + 9 * levels + (2 if gstage else 0)
    if gstage:
        if va >> va_bits:
            return _fail(w, f"GPA wider than {va_bits} bits ({w.mode_text})", fault)
    elif (va >> (va_bits - 1)) not in (0, (1 << (65 - va_bits)) - 1):
        # bits 63..va_bits-1 must all equal the top VA bit
        return _fail(w, "VA not sign-extended for this mode", fault)
    table = root
    for level in range(levels - 1, -1, -1):
        width = 11 if gstage and level == levels - 1 else 9
        index = (va >> (12 + 9 * level)) & ((1 << width) - 1)
        s = Step(level=level, table=table, index=index, pte_addr=table + 8 * index)
        w.steps.append(s)
        addr = s.pte_addr
        if translate:
            hpa, gw = translate(addr)
            s.gwalk = gw
            if hpa is None:
                return _fail(w, f"page-table access at GPA 0x{addr:x}: G-stage {gw.why} "
                                f"(guest-page fault)", GUEST_PAGE_FAULT.get(access))
            s.pte_hpa = addr = hpa
        try:
            s.pte = read(addr)
        except ReadError as e:
            return _fail(w, f"cannot read the PTE at 0x{e.args[0]:x}")
        pte = s.pte
        if not pte & PTE_V:
            return _fail(w, "invalid PTE (V=0)", fault)
        if pte & (PTE_R | PTE_W) == PTE_W or pte & PTE_RESERVED:
            return _fail(w, "reserved PTE encoding", fault)
        if not pte_is_leaf(pte):
            if not gstage and pte & (PTE_A | PTE_D | PTE_U):
                return _fail(w, "non-leaf PTE with A, D or U set", fault)
            table = pte_pa(pte)
            continue
        span = 1 << (12 + 9 * level)
        w.leaf = len(w.steps) - 1
        if pte_pa(pte) & (span - 1):
            return _fail(w, "misaligned superpage", fault)
        w.pa = pte_pa(pte) | (va & (span - 1))
        why = _leaf_permitted(pte, access, env, gstage) if access else \
            ("G-stage leaf without U" if gstage and not pte & PTE_U else None)
        if why:
            return _fail(w, why, fault)
        if access and not env.hw_ad and (not pte & PTE_A or (access == "store" and not pte & PTE_D)):
            w.ad_only = True
            return _fail(w, "A=0 and hardware A/D updating is off" if not pte & PTE_A else
                         "D=0 on a store and hardware A/D updating is off", fault)
        w.ok = True
        return w
    return _fail(w, "no leaf PTE at level 0", fault)


@dataclass
class Xlate:
    vs: Walk
    g: Optional[Walk]
    ok: bool
    hpa: Optional[int]
    why: str
    cause: Optional[int]


def xlate(read, vsatp, hgatp, va, access="load", env=None) -> Xlate:
    """The full two-stage translation of a guest VA: every VS-stage table
    access goes through the G-stage (as an implicit load), then the GPA."""
    gmode, groot = atp_split(hgatp)

    def gstage(gpa, acc):
        gw = walk(read, groot, gmode, gpa, gstage=True, access=acc)
        return (gw.pa if gw.ok else None), gw

    vmode, vroot = atp_split(vsatp)
    vs = walk(read, vroot, vmode, va, access=access, env=env,
              translate=lambda gpa: gstage(gpa, "load"))
    if not vs.ok:
        return Xlate(vs, None, False, None, vs.why, vs.cause)
    hpa, gw = gstage(vs.pa, access)
    if hpa is None:
        return Xlate(vs, gw, False, None, f"G-stage: {gw.why}", gw.cause)
    return Xlate(vs, gw, True, hpa, "", None)


# ---- output, in the post-mortem report's spelling (hypervisor/core/postmortem.c)

def format_gwalk(w: Walk, indent="  "):
    lines = [f"{indent}G-stage walk of GPA 0x{w.va:x} ({w.mode_text}, root 0x{w.root:x}):"]
    if w.bare:
        lines.append(f"{indent}  hgatp is Bare: HPA = GPA")
    for s in w.steps:
        lines.append(f"{indent}  level {s.level}: table 0x{s.table:x} index {s.index} "
                     f"pte 0x{s.pte:016x} {pte_bits(s.pte)} ppn 0x{pte_pa(s.pte) >> 12:x}")
    lines.append(_result(w, "hpa", indent))
    return lines


def format_vswalk(w: Walk, indent="  ", nested=False, label="VS-stage", atp="vsatp"):
    acc = f", {w.access} access" if w.access else ""
    lines = [f"{indent}{label} walk of VA 0x{w.va:x} ({w.mode_text}, {atp} 0x{(w.mode << 60) | w.root >> 12:x}){acc}:"]
    if w.bare:
        lines.append(f"{indent}  {atp} is Bare: GPA = VA")
    for i, s in enumerate(w.steps):
        where = "gpa " if s.gwalk is not None else ""
        lines.append(f"{indent}  level {s.level}: table {where}0x{s.table:x} index {s.index} "
                     f"pte 0x{s.pte:016x} {pte_bits(s.pte)} ppn 0x{pte_pa(s.pte) >> 12:x}"
                     f"{' (leaf)' if i == w.leaf else ''}")
        if nested and s.gwalk is not None:
            gw = s.gwalk
            tail = f"hpa 0x{s.pte_hpa:x}" if s.pte_hpa is not None else f"G-stage stops: {gw.why}"
            lines.append(f"{indent}    pte at gpa 0x{s.pte_addr:x} -> {tail} "
                         f"(G-stage {len(gw.steps)} level{'s' if len(gw.steps) != 1 else ''})")
    space = "gpa" if atp == "vsatp" else "pa"
    if w.ok or w.ad_only:
        lines.append(f"{indent}  -> {space} 0x{w.pa:x}")
    if not w.ok:
        lines.append(_result(w, space, indent))
    return lines


def _result(w, space, indent):
    if w.ok:
        return f"{indent}  -> {space} 0x{w.pa:x}"
    if w.cause is not None:
        return f"{indent}  -> fault: {w.why} (hardware raises: {cause_name(w.cause)})"
    return f"{indent}  -> stops: {w.why}"


def format_xlate(x: Xlate, indent="  "):
    lines = format_vswalk(x.vs, indent, nested=True)
    if x.g is not None:
        lines += format_gwalk(x.g, indent)
    if x.ok:
        lines.append(f"{indent}=> VA 0x{x.vs.va:x} -> GPA 0x{x.vs.pa:x} -> HPA 0x{x.hpa:x}")
    else:
        cause = f" ({cause_name(x.cause)})" if x.cause is not None else ""
        lines.append(f"{indent}=> VA 0x{x.vs.va:x} faults: {x.why}{cause}")
    return lines
