"""The Python side and the C side cannot drift: hvgdb and mkbundle.py read
their constants from the module generated from the C headers
(scripts/genconst.py), and these tests fail when that module is stale, when
a Python decoder prints a CSR differently from hypervisor/spec/decode.c, or when a
bundle field of hypervisor/core/bundle.h is one mkbundle.py does not fill."""

import os
import random
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from hvgdb import const, decode
from hvgdb.decode import C

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import mkbundle  # noqa: E402

GENCONST = [sys.executable, str(REPO_ROOT / "scripts" / "genconst.py")]


def test_generated_module_matches_the_headers_now(tmp_path):
    """Regenerated from today's headers, the module is the one hvgdb loaded."""
    out = tmp_path / "hvconst.py"
    subprocess.run(GENCONST + ["-o", str(out)], cwd=REPO_ROOT, check=True)
    loaded = C.__file__
    assert out.read_text() == open(loaded, encoding="utf-8").read(), \
        f"{loaded} is stale: `make` regenerates it from the C headers"


def csr_values():
    rng = random.Random(14)
    values = [0, (1 << 64) - 1] + [1 << b for b in range(64)]
    return values + [rng.getrandbits(64) for _ in range(40)]


def c_decode(queries):
    text = "".join(f"{name} {value:x}\n" for name, value in queries)
    r = subprocess.run(GENCONST + ["--csr-oracle"], input=text, cwd=REPO_ROOT, text=True,
                       stdout=subprocess.PIPE, check=True)
    return r.stdout.splitlines()


# Decoded by Python only: the hypervisor never reads mstatus (gdb on QEMU does).
PYTHON_ONLY = {"mstatus"}


def test_every_csr_decodes_as_the_console_decodes_it():
    names = sorted((set(C.CSR_FIELDS) | {"scause", "vscause", "mcause", "hedeleg", "medeleg",
                                          "sepc", "htval"}) - PYTHON_ONLY)
    queries = [(n, v) for n in names for v in csr_values()]
    expected = c_decode(queries)
    assert len(expected) == len(queries)
    wrong = []
    for (name, value), want in zip(queries, expected):
        got = decode.csr_fields(name, value)
        if (got or "-") != want:
            wrong.append(f"{name} 0x{value:x}: python {got!r}, C {want!r}")
    assert not wrong, "\n".join(wrong[:20])


def test_cause_and_interrupt_names_are_the_consoles():
    for code in range(64):
        assert decode.cause_name(code) == C.CAUSE_NAMES.get(code, C.RESERVED_EXCEPTION)
    assert decode.cause_name(decode.IRQ_FLAG | C.IRQ_VS_TIMER) == "virtual supervisor timer interrupt"
    assert decode.cause_by_name("virtual-insn") == C.CAUSE_VIRTUAL_INSTRUCTION


def test_bundle_fields_are_all_filled_by_mkbundle(tmp_path):
    """write_bundle() packs each field of struct bundle_vm by name: a field
    added in C and not here fails (Layout.pack), and what it writes reads back."""
    mkbundle.hv(str(REPO_ROOT / "build"))
    vm = dict(name="t", ram=64 << 20, entry=0x80200000, load=0x80200000, blob=b"\x13\0\0\0",
              vcpus=2, flags=C.BUNDLE_VM_GDB_WAIT, bootargs=b"x=1", initrd=b"", disk_serial=b"vm1-t")
    path = tmp_path / "t.bundle"
    mkbundle.write_bundle([vm], str(path))
    data = path.read_bytes()
    header = const.Layout(C, "bundle_header").unpack(data)
    assert header["magic"] == C.BUNDLE_MAGIC.encode()
    assert header["vm_entry_size"] == C.SIZEOF_BUNDLE_VM and header["total_size"] == len(data)
    entry = const.Layout(C, "bundle_vm").unpack(data[C.SIZEOF_BUNDLE_HEADER:])
    assert entry["vcpus"] == 2 and entry["flags"] == C.BUNDLE_VM_GDB_WAIT
    assert entry["disk_serial"].rstrip(b"\0") == b"vm1-t"
    assert data[entry["image_offset"]:entry["image_offset"] + entry["image_size"]] == vm["blob"]
    with pytest.raises(KeyError, match="no value for field 'ram_size'"):
        const.Layout(C, "bundle_vm").pack(name=b"t")


def test_trace_kinds_follow_enum_trace_kind():
    from hvgdb import trace
    kinds = [(n, v) for n, v in C.ENUM_TRACE_KIND if not n.endswith("_COUNT")]
    assert [trace.KINDS[v] for _n, v in kinds] == \
        [n[len("TRACE_"):].lower().replace("_", "-") for n, _v in kinds]
    assert "sbi" in trace.KINDS and "mmio" in trace.KINDS


def test_module_is_found_from_the_build_directory():
    build = os.environ.get("HV_BUILD")
    if build:
        assert os.path.samefile(C.__file__, os.path.join(build, "python", "hvconst.py"))
    else:
        assert C.__file__.endswith(os.path.join("build", "python", "hvconst.py"))


def gdb_scause(tmp_path, env, setup=()):
    import gdbrun
    if not gdbrun.have_gdb():
        pytest.skip("gdb-multiarch not installed")
    args = [gdbrun.gdb_binary(), "-nx", "-batch"]
    for cmd in list(setup) + [f"source {REPO_ROOT / 'gdbscripts' / 'hv.py'}", "hv scause 14"]:
        args += ["-ex", cmd]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                       cwd=tmp_path, env=env, check=False)
    return r.stdout


def test_hv_py_finds_the_module_next_to_the_loaded_elf(tmp_path):
    """No HV_BUILD: the build directory is the one of the hvscope.elf gdb has
    loaded (a copy of the module there, marked, proves which one was read)."""
    build = tmp_path / "otherbuild"
    (build / "hypervisor").mkdir(parents=True)
    (build / "python").mkdir()
    elf = REPO_ROOT / "build" / "hypervisor" / "hvscope.elf"
    if not elf.is_file():
        pytest.skip("no build/hypervisor/hvscope.elf (make)")
    (build / "hypervisor" / "hvscope.elf").write_bytes(elf.read_bytes())
    text = open(C.__file__, encoding="utf-8").read()
    (build / "python" / "hvconst.py").write_text(
        text.replace(f"RESERVED_EXCEPTION = {C.RESERVED_EXCEPTION!r}", "RESERVED_EXCEPTION = 'marked'"))
    env = {k: v for k, v in os.environ.items() if k != "HV_BUILD"}
    out = gdb_scause(tmp_path, env, [f"file {build / 'hypervisor' / 'hvscope.elf'}"])
    assert "exception 14: marked" in out, out


def test_hv_py_generates_the_module_when_no_build_made_it(tmp_path):
    env = dict(os.environ, HV_BUILD=str(tmp_path / "fresh"))
    out = gdb_scause(tmp_path, env)
    assert "exception 14: reserved exception" in out, out
    assert (tmp_path / "fresh" / "python" / "hvconst.py").is_file()


def test_trace_record_fields_are_the_c_structs():
    """hvgdb builds a Record from struct trace_record's fields by name (from
    the ELF's debug information): a field added or renamed in C must be one
    here too."""
    import dataclasses
    from hvgdb import trace
    assert {f.name for f in dataclasses.fields(trace.Record)} == {f[0] for f in C.STRUCT_TRACE_RECORD}
