"""The `hv` commands inside gdb-multiarch, without a target: decoders on
known values, help, and wrong input giving one clean gdb error line."""

import pytest

import gdbrun
from test_decode import EXCEPTIONS, INTERRUPTS

pytestmark = pytest.mark.skipif(not gdbrun.have_gdb(), reason="gdb-multiarch not installed")


@pytest.fixture(scope="module")
def decoded():
    cmds = [f"hv scause {c}" for c in EXCEPTIONS] + \
           [f"hv cause 0x{(1 << 63) | i:x}" for i in INTERRUPTS] + \
           ["hv scause 0xc", "hv pte 0x200400cf", "hv pte 0x2008140b --level 0",
            "hv pte 0x210800df --gstage --level 1", "hv pte 0x200400cf --gstage",
            "p $hv_cause_name(21)", "p $hv_cause_name(0x8000000000000006)", "help hv",
            "apropos hv break", "help hv xlate"]
    return gdbrun.run(cmds)


def test_every_exception_cause(decoded):
    for code, name in EXCEPTIONS.items():
        assert decoded[f"hv scause {code}"].startswith(f"0x{code:x} -> exception {code}: {name}\n")


def test_every_interrupt_cause(decoded):
    for irq, name in INTERRUPTS.items():
        assert f"-> interrupt {irq}: {name}\n" in decoded[f"hv cause 0x{(1 << 63) | irq:x}"]


def test_scause_says_what_the_trap_values_hold(decoded):
    assert "stval  = faulting virtual address" in decoded["hv scause 0xc"]


def test_pte_decoding(decoded):
    assert "V=1 R=1 W=1 X=1 U=0 G=0 A=1 D=1" in decoded["hv pte 0x200400cf"]
    assert "physical address 0x80100000" in decoded["hv pte 0x200400cf"]
    xv6 = decoded["hv pte 0x2008140b --level 0"]
    assert "V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0" in xv6 and "A=0" in xv6
    assert "leaf of 4 KiB" in xv6
    assert "would fault: nothing" in decoded["hv pte 0x210800df --gstage --level 1"]
    assert "G-stage leaf needs U=1" in decoded["hv pte 0x200400cf --gstage"]


def test_convenience_function(decoded):
    assert decoded["p $hv_cause_name(21)"].strip() == '$1 = "load guest-page fault"'
    assert "virtual supervisor timer interrupt" in decoded["p $hv_cause_name(0x8000000000000006)"]


def test_help_lists_every_command(decoded):
    text = decoded["help hv"]
    for cmd in ("scause", "cause", "pte", "csr", "walk", "xlate", "vms", "vcpu", "stats",
                "report", "trace", "break-trap"):
        assert f"hv {cmd} -- " in text
    assert "hv break-trap" in decoded["apropos hv break"]
    assert "Every VS-stage table access" in decoded["help hv xlate"]


BAD = {
    "hv scause foo": "hv scause: scause is not a number: 'foo'",
    "hv scause -5": "hv scause: scause must not be negative: -5",
    "hv pte": "hv pte: usage: hv pte VALUE [--level N] [--gstage]",
    "hv pte 0x1 --level": "hv pte: --level needs a value",
    "hv pte 0x1 --level x": "hv pte: level is not a number: 'x'",
    "hv pte 0x1 --frob": "hv pte: unknown option --frob",
    "hv pte 0x10000000000000000": "hv pte: PTE too large",
    "hv cause nonsense": "hv cause: cause is not a number: 'nonsense'",
    "hv csr bogus": "hv csr: unknown CSR 'bogus'",
    "hv csr": "hv csr: usage: hv csr NAME|all",
    "hv csr hstatus": "hv csr: register hstatus is not available here",
    "hv walk": "hv walk: usage:",
    "hv walk 0x1000 --access jump": "hv walk: --access must be fetch, load or store",
    "hv xlate 1 2 3": "hv xlate: usage:",
    "hv vms": "hv vms: no symbol 'vm_count'",
    "hv vcpu x": "hv vcpu: VM number is not a number: 'x'",
    "hv trace -3": "hv trace: COUNT must not be negative",
    "hv trace 5 --cause nope": "hv trace: unknown cause 'nope'",
    "hv break-trap": "hv break-trap: usage:",
    "hv break-trap weird": "hv break-trap: unknown cause 'weird'",
    "hv report": "hv report: usage: hv report N",
    "p $hv_gpa(1, 0x80000000)": "$hv_gpa: no symbol 'vm_count'",
}


@pytest.fixture(scope="module")
def bad():
    return gdbrun.run(list(BAD))


@pytest.mark.parametrize("cmd", list(BAD))
def test_wrong_input_gives_one_clean_error_line(bad, cmd):
    text = bad[cmd]
    assert "Python Exception" not in text and "Error occurred in Python" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith(BAD[cmd]), text
