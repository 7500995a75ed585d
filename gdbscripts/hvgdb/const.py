"""The facts Python shares with the C side (cause and interrupt names and
numbers, CSR field layouts, SBI IDs and names, the bundle and trace-record
layouts), from the module `make` generates from the C headers:
O/python/hvconst.py (scripts/genconst.py).  Nothing to configure: the build
directory is the one the caller names (mkbundle.py's -D O=) or HV_BUILD when
set (the tests, make's gdb targets), else the one of the hvscope.elf gdb has
loaded, else the repository's build/.  When no build has made it yet, it is
generated in the last of these now (it needs only the host C
compiler), so `source gdbscripts/hv.py` works before the first `make`."""

import importlib.util
import os
import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULE = Path("python") / "hvconst.py"


def _build_dirs(build):
    """Where to look, in order; a directory named by the caller or HV_BUILD is the only one."""
    given = build or os.environ.get("HV_BUILD")
    if given:
        return [Path(given)]
    dirs = []
    gdb = sys.modules.get("gdb")
    if gdb is not None and hasattr(gdb, "objfiles"):
        for objfile in gdb.objfiles():
            if objfile.filename and objfile.filename.endswith("hvscope.elf"):
                dirs.append(Path(objfile.filename).resolve().parents[1])
    return dirs + [REPO / "build"]


def _generate(path):
    """Runs scripts/genconst.py in this interpreter (inside gdb, sys.executable
    is gdb), from the repository root as make does."""
    spec = importlib.util.spec_from_file_location("genconst", REPO / "scripts" / "genconst.py")
    genconst = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(genconst)
    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        text = genconst.generate(genconst.shlex.split(os.environ.get("HOSTCC", "cc")))
    except SystemExit as e:
        raise ImportError(f"hvgdb: no {path}, and generating it failed (run make): {e}") from None
    finally:
        os.chdir(cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def load(build=None):
    """The generated module (imported once, as `hvconst`)."""
    if "hvconst" in sys.modules:
        return sys.modules["hvconst"]
    dirs = _build_dirs(build)
    path = next((d / MODULE for d in dirs if (d / MODULE).is_file()), None)
    if path is None:
        path = (dirs[-1] / MODULE).resolve()
        _generate(path)
    spec = importlib.util.spec_from_file_location("hvconst", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.modules["hvconst"] = mod
    return mod



class Layout:
    """A C struct from the generated module (STRUCT_<NAME>, SIZEOF_<NAME>) as a
    little-endian struct.Struct, packed and unpacked by field name."""

    CODES = {1: "B", 2: "H", 4: "I", 8: "Q"}

    def __init__(self, consts, name):
        self.fields = getattr(consts, f"STRUCT_{name.upper()}")
        size = getattr(consts, f"SIZEOF_{name.upper()}")
        fmt, pos = "<", 0
        for _field, off, fsize, esize, ctype in self.fields:
            fmt += f"{off - pos}x" if off > pos else ""
            if ctype == "char":
                fmt += f"{fsize}s"
            else:
                fmt += f"{fsize // esize}{self.CODES[esize]}"
            pos = off + fsize
        fmt += f"{size - pos}x" if size > pos else ""
        self.struct = struct.Struct(fmt)
        self.size = self.struct.size
        self.name = name
        assert self.size == size, f"{name}: {fmt} is {self.size} bytes, C says {size}"

    def pack(self, **values):
        """Every field must be given, except reserved ones (0); arrays as sequences."""
        args = []
        for field, _off, fsize, esize, ctype in self.fields:
            if field not in values and not field.startswith("reserved"):
                raise KeyError(f"struct {self.name}: no value for field '{field}'")
            v = values.get(field, b"" if ctype == "char" else 0)
            args += list(v) if ctype != "char" and fsize > esize else [v]
        return self.struct.pack(*args)

    def unpack(self, data):
        """{field: value}, arrays as tuples."""
        raw, out = list(self.struct.unpack(data[:self.size])), {}
        for field, _off, fsize, esize, ctype in self.fields:
            n = fsize // esize if ctype != "char" and fsize > esize else 1
            out[field] = tuple(raw[:n]) if n > 1 else raw[0]
            del raw[:n]
        return out
