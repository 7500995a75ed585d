"""The pure decoders (gdbscripts/hvgdb/decode.py) on known values, with the
console's spellings (hypervisor/spec/decode.c)."""

import pytest

from hvgdb import decode
from hvgdb.decode import IRQ_FLAG

EXCEPTIONS = {
    0: "instruction address misaligned", 1: "instruction access fault", 2: "illegal instruction",
    3: "breakpoint", 4: "load address misaligned", 5: "load access fault",
    6: "store/AMO address misaligned", 7: "store/AMO access fault",
    8: "environment call from U-mode or VU-mode", 9: "environment call from HS-mode",
    10: "environment call from VS-mode", 11: "environment call from M-mode",
    12: "instruction page fault", 13: "load page fault", 14: "reserved exception",
    15: "store/AMO page fault", 16: "reserved exception", 17: "reserved exception",
    18: "reserved exception", 19: "reserved exception", 20: "instruction guest-page fault",
    21: "load guest-page fault", 22: "virtual instruction", 23: "store/AMO guest-page fault",
}
INTERRUPTS = {
    1: "supervisor software interrupt", 2: "virtual supervisor software interrupt",
    3: "machine software interrupt", 4: "reserved interrupt", 5: "supervisor timer interrupt",
    6: "virtual supervisor timer interrupt", 7: "machine timer interrupt", 8: "reserved interrupt",
    9: "supervisor external interrupt", 10: "virtual supervisor external interrupt",
    11: "machine external interrupt", 12: "supervisor guest external interrupt",
    13: "reserved interrupt",
}


@pytest.mark.parametrize("code", sorted(EXCEPTIONS))
def test_every_exception_by_name(code):
    assert decode.cause_name(code) == EXCEPTIONS[code]
    assert decode.describe_cause(code)[0] == f"0x{code:x} -> exception {code}: {EXCEPTIONS[code]}"


@pytest.mark.parametrize("irq", sorted(INTERRUPTS))
def test_every_interrupt_by_name(irq):
    assert decode.cause_name(IRQ_FLAG | irq) == INTERRUPTS[irq]
    assert decode.describe_cause(IRQ_FLAG | irq)[0].endswith(f"interrupt {irq}: {INTERRUPTS[irq]}")


def test_cause_with_live_values_says_what_stval_holds():
    lines = decode.describe_cause(0xc, 0x80100f56, 0, 0)
    assert lines[0] == "0xc -> exception 12: instruction page fault"
    assert lines[1] == "  stval  = faulting virtual address 0x80100f56"


def test_guest_page_fault_gives_the_gpa_from_htval():
    lines = decode.describe_cause(21, 0x81001003, 0x20400400, 0x3783)
    assert "  htval  = 0x20400400: guest-physical address 0x81001003" in lines
    assert any(line.startswith("  htinst = 0x3783") for line in lines)


def test_implicit_page_table_access_pseudo_instruction():
    assert "implicit 64-bit page-table read" in decode.htinst_meaning(0x3000)


@pytest.mark.parametrize("name,value", [
    ("fetch-page-fault", 12), ("load-guest-page-fault", 21), ("ecall-vs", 10), ("22", 22),
    ("0x17", 23), ("vstip", IRQ_FLAG | 6), ("irq:9", IRQ_FLAG | 9), ("virtual instruction", 22)])
def test_cause_by_name(name, value):
    assert decode.cause_by_name(name) == value


@pytest.mark.parametrize("text", ["bogus", "-3", "irq:x", ""])
def test_cause_by_name_rejects_garbage(text):
    with pytest.raises(decode.DecodeError):
        decode.cause_by_name(text)


@pytest.mark.parametrize("text,msg", [("foo", "not a number"), ("-1", "negative"),
                                      ("0x10000000000000000", "too large")])
def test_parse_number_errors(text, msg):
    with pytest.raises(decode.DecodeError, match=msg):
        decode.parse_number(text)


@pytest.mark.parametrize("bit,letter", list(enumerate("VRWXUGAD")))
def test_pte_each_bit(bit, letter):
    text = decode.pte_bits(1 << bit)
    assert f"{letter}=1" in text
    assert text.count("=1") == 1


def test_pte_bits_spelling_matches_the_console():
    assert decode.pte_bits(0x200400cb) == "V=1 R=1 W=0 X=1 U=0 G=0 A=1 D=1"
    assert decode.pte_bits(0x4b) == "V=1 R=1 W=0 X=1 U=0 G=0 A=1 D=0"


def test_describe_leaf_pte():
    lines = decode.describe_pte(0x200400cf)
    assert lines[0] == "pte 0x00000000200400cf  V=1 R=1 W=1 X=1 U=0 G=0 A=1 D=1"
    assert "PPN=0x80100 -> physical address 0x80100000" in lines[1]
    assert lines[2].startswith("  leaf (RWX)")
    assert "any access from U/VU-mode (U=0 page)" in lines[3]


def test_describe_pte_fields_rsw_pbmt_n():
    pte = (1 << 63) | (2 << 61) | (3 << 8) | 0xcf
    text = "\n".join(decode.describe_pte(pte))
    assert "RSW=3 PBMT=2 (IO) N=1" in text


def test_pointer_and_invalid_pte():
    assert "pointer to the next-level table at level 2" in decode.describe_pte(0x21ffe801, 2)[2]
    assert "invalid" in decode.describe_pte(0x21ffe800)[2]
    assert any("V=0" in ln for ln in decode.describe_pte(0))


def test_a_clear_faults_without_hardware_ad():
    text = "\n".join(decode.describe_pte(0x2008140b))     # xv6's R X leaf, A=0
    assert "A=0" in text and "without hardware A/D updating" in text


def test_reserved_encodings():
    assert any("W=1 with R=0" in ln for ln in decode.describe_pte(0x5))
    assert any("misaligned superpage" in ln for ln in decode.describe_pte(0x2008140f, level=1))
    assert any("non-leaf PTE with A, D or U" in ln for ln in decode.describe_pte(0x41))


def test_gstage_leaf_needs_u():
    text = "\n".join(decode.describe_pte(0x2004000f | 0xc0, gstage=True))
    assert "G-stage leaf needs U=1" in text
    ok = "\n".join(decode.describe_pte(0x210800df, level=1, gstage=True))
    assert "would fault: nothing" in ok and "leaf of 2 MiB" in ok


@pytest.mark.parametrize("name,value,fields", [
    ("henvcfg", 0xa0000000000000d1, "STCE=1 PBMTE=0 ADUE=1 CBZE=1 CBCFE=1 CBIE=1 FIOM=1"),
    ("henvcfg", 0x80000000000000d1, "STCE=1 PBMTE=0 ADUE=0 CBZE=1 CBCFE=1 CBIE=1 FIOM=1"),
    ("menvcfg", 0xa0000000000000f0, "STCE=1 PBMTE=0 ADUE=1 CBZE=1 CBCFE=1 CBIE=3 FIOM=0"),
    ("hstatus", 0x2002001c0,
     "VSXL=2 VTSR=0 VTW=1 VTVM=0 VGEIN=0 HU=0 SPVP=1 SPV=1 GVA=1 VSBE=0"),
    ("hgatp", 0x8000100000080554, "MODE=Sv39x4 VMID=1 PPN=0x80554"),
    ("vsatp", 0x8000000000087fff, "MODE=Sv39 ASID=0 PPN=0x87fff"),
    ("satp", 0, "MODE=Bare ASID=0 PPN=0x0"),
    ("vsstatus", 0x200002100, "SD=0 UXL=2 MXR=0 SUM=0 FS=1 SPP=1 SPIE=0 SIE=0"),
    ("hedeleg", 0x1ff, "0:misaligned-fetch 1:fetch-access 2:illegal-insn 3:breakpoint "
                       "4:misaligned-load 5:load-access 6:misaligned-store 7:store-access 8:ecall-u"),
    ("hedeleg", 0, "(none)"),
    ("hideleg", 0x444, "SSIP=0 VSSIP=1 MSIP=0 STIP=0 VSTIP=1 MTIP=0 SEIP=0 VSEIP=1 MEIP=0 SGEIP=0"),
    ("hvip", 0x40, "SSIP=0 VSSIP=0 MSIP=0 STIP=0 VSTIP=1 MTIP=0 SEIP=0 VSEIP=0 MEIP=0 SGEIP=0"),
    ("vscause", 0x8000000000000005, "interrupt 5: supervisor timer interrupt"),
])
def test_csr_fields(name, value, fields):
    assert decode.csr_fields(name, value) == fields
    assert decode.csr_line(name, value) == f"  {name:<9} 0x{value:016x}  {fields}"


@pytest.mark.parametrize("bit_no,name", [(63, "STCE"), (62, "PBMTE"), (61, "ADUE"), (7, "CBZE"),
                                         (6, "CBCFE"), (0, "FIOM")])
def test_henvcfg_each_field(bit_no, name):
    fields = decode.csr_fields("henvcfg", 1 << bit_no)
    assert f"{name}=1" in fields and fields.count("=1") == 1


@pytest.mark.parametrize("bit_no,name", [(22, "VTSR"), (21, "VTW"), (20, "VTVM"), (9, "HU"),
                                         (8, "SPVP"), (7, "SPV"), (6, "GVA"), (5, "VSBE")])
def test_hstatus_each_field(bit_no, name):
    fields = decode.csr_fields("hstatus", 1 << bit_no)
    assert f" {name}=1" in " " + fields and fields.count("=1") == 1


def test_mstatus_fields():
    fields = decode.csr_fields("mstatus", 0xa00004180)
    assert "SXL=2 UXL=2" in fields and "FS=2" in fields and "SPP=1 MPIE=1" in fields


def test_csr_without_fields():
    assert decode.csr_fields("vsepc", 5) is None
    assert decode.csr_line("vsepc", 5) == "  vsepc     0x0000000000000005"
