#!/usr/bin/env python3
"""Generate hvconst.py, the facts the Python side shares with the C side, from
the C headers (the idea of Linux's scripts/gdb/linux/constants.py.in).

Nothing here knows a value.  The host C compiler reads the headers below:
  - every object-like macro whose name starts with one of PREFIXES becomes a
    module constant of the same name, with the value the compiler computes;
  - the enumerators of ENUMS and the field layout (offset, size, element
    size) of STRUCTS, as the compiler lays them out;
  - the names the C decoders print (DECODER_SOURCES, linked into a small
    host program): cause and interrupt names, SBI extension, function and
    error names, PTE bits, and every CSR field the console decodes, found by
    feeding the decoder one bit at a time.

Usage: genconst.py -o OUT.py [--cc CC] [--depfile OUT.d]
       genconst.py --csr-oracle        (read "NAME VALUE" lines, print C's decode)
Run from the repository root (the Makefile does).  tests/gdb/test_constants.py
regenerates the module and compares it, and checks the Python decoders
against the C ones through --csr-oracle.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Where the facts live (paths from the repository root).
# Every header of the spec layer (so a fact moved or added there is followed
# without an edit here; the directory is a make prerequisite too), and the two
# outside it that Python needs.
SPEC_DIR = "hypervisor/spec"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = tuple(sorted(f"{SPEC_DIR}/{n}" for n in os.listdir(os.path.join(ROOT, SPEC_DIR)) if n.endswith(".h"))) \
    + ("hypervisor/arch/sbi_call.h", "hypervisor/core/bundle.h")
DECODER_SOURCES = ("hypervisor/spec/decode.c",)
CPPFLAGS = ("-iquote", "hypervisor", "-iquote", ".", "-DHV_HOST_TEST")
PREFIXES = ("CSR_", "CAUSE_", "IRQ_", "MIP_", "SSTATUS_", "HSTATUS_", "ENVCFG_", "ATP_", "SATP_",
            "HGATP_", "PTE_", "SBI_EXT_", "SBI_ERR_", "SBI_SUCCESS", "BUNDLE_", "VM_", "HV_MAX_",
            "TRACE_")
ENUMS = ("trace_kind",)
STRUCTS = ("bundle_header", "bundle_vm", "trace_record")
# CSRs the console decodes that have no CSR_ number in the hypervisor (M-mode).
EXTRA_CSRS = ("mstatus", "mcause", "medeleg", "mideleg", "mip", "mie", "menvcfg")

PROGRAM = r"""
#include <stddef.h>
#include <stdio.h>
%(includes)s

static void emit_signed(const char *name, long long v) { printf("num %%s %%lld\n", name, v); }
static void emit_unsigned(const char *name, unsigned long long v) { printf("num %%s %%llu\n", name, v); }
static void emit_text(const char *kind, long long key, const char *s)
{
	if (!s)
		return;
	printf("str %%s %%lld ", kind, key);
	for (; *s; s++)
		printf(*s == '"' || *s == '\\' ? "\\%%c" : "%%c", *s);
	printf("\n");
}
static void emit_str(const char *name, const char *s) { emit_text(name, 0, s); }
#define EMIT(x) _Generic((x), char *: emit_str, const char *: emit_str, \
	int: emit_signed, long: emit_signed, long long: emit_signed, \
	default: emit_unsigned)(#x, (x))
/* e: "[0]" for an array field (its element size), empty otherwise */
#define FIELD(s, f, e, n) printf("field %%s %%s %%zu %%zu %%zu %%s\n", #s, #f, offsetof(struct s, f), \
	sizeof(((struct s *)0)->f), sizeof(((struct s *)0)->f e), n)

static void names(void)
{
	for (unsigned i = 0; i < 64; i++) {
		emit_text("cause", i, decode_cause_name(i));
		emit_text("irq", i, decode_cause_name((1ULL << 63) | i));
		emit_text("cause_short", i, decode_cause_short(i));
		emit_text("sbi_legacy", i, i < 0x10 ? decode_sbi_fn_name(i, 0) : 0);
		emit_text("sbi_error", i, decode_sbi_error(-(long long)i));
	}
}

static void sbi(unsigned long long eid)
{
	emit_text("sbi_ext", (long long)eid, decode_sbi_ext_name(eid));
	for (unsigned fid = 0; fid < 64; fid++)
		if (decode_sbi_fn_name(eid, fid))
			printf("sbi_fn %%llu %%u %%s\n", eid, fid, decode_sbi_fn_name(eid, fid));
}

static int oracle(void)
{
	char name[64], buf[512];
	unsigned long long v;

	while (scanf("%%63s %%llx", name, &v) == 2) {
		if (decode_csr_fields(name, v, buf, sizeof(buf)))
			printf("-\n");
		else
			printf("%%s\n", buf);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char pte[128];

	(void)argv;
	if (argc > 1)
		return oracle();
%(body)s
	names();
	for (unsigned i = 0; i < 64; i++) {
		decode_pte_bits(1ULL << i, pte, sizeof(pte));
		printf("pte %%u %%s\n", i, pte);
	}
	return 0;
}
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False, **kw)
    if r.returncode:
        sys.exit(f"genconst: {' '.join(cmd)} failed:\n{r.stderr.strip()}")
    return r.stdout


def macros(cc, umbrella):
    """Object-like macros with our prefixes, as the headers define them."""
    out = run(cc + list(CPPFLAGS) + ["-E", "-dM", umbrella])
    found = []
    for line in out.splitlines():
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*) (.+)", line)
        if m and m.group(1).startswith(PREFIXES):
            found.append(m.group(1))
    return sorted(found)


def declarations(cc, umbrella):
    """(enumerators by enum, [(field, is_array, is_char)] by struct) from the preprocessed headers."""
    text = run(cc + list(CPPFLAGS) + ["-E", "-P", umbrella])
    enums, structs = {}, {}
    for name in ENUMS:
        m = re.search(r"enum\s+%s\s*\{(.*?)\}" % name, text, re.S)
        if not m:
            sys.exit(f"genconst: no 'enum {name}' in {', '.join(HEADERS)}")
        enums[name] = [e.split("=")[0].strip() for e in m.group(1).split(",") if e.strip()]
    for name in STRUCTS:
        m = re.search(r"struct\s+%s\s*\{(.*?)\}\s*;" % name, text, re.S)
        if not m:
            sys.exit(f"genconst: no 'struct {name}' in {', '.join(HEADERS)}")
        fields = []
        for decl in m.group(1).split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            dm = re.match(r"((?:\w+\s+)+?)(\**\w+(?:\[[^\]]*\])?(?:\s*,\s*\**\w+(?:\[[^\]]*\])?)*)$", decl)
            if not dm:
                sys.exit(f"genconst: cannot read the field '{decl}' of struct {name}")
            is_char = "char" in dm.group(1).split()
            for f in dm.group(2).split(","):
                f = f.strip().lstrip("*")
                fields.append((f.split("[")[0], "[" in f, is_char))
        structs[name] = fields
    return enums, structs


def build_program(tmp, macro_names, enums, structs):
    body = [f"\tEMIT({m});" for m in macro_names]
    body += [f"\tsbi({m});" for m in macro_names if m.startswith("SBI_EXT_") and "LEGACY" not in m]
    for name, members in enums.items():
        body += [f'\tprintf("enum {name} %s %lld\\n", "{e}", (long long){e});' for e in members]
    for s, fields in structs.items():
        body.append(f'\tprintf("num SIZEOF_{s.upper()} %zu\\n", sizeof(struct {s}));')
        for f, is_array, is_char in fields:
            body.append(f'\tFIELD({s}, {f}, {"[0]" if is_array else ""}, "{"char" if is_char else "int"}");')
    includes = "\n".join(f'#include "{h}"' for h in HEADERS)
    path = os.path.join(tmp, "hvconst_gen.c")
    with open(path, "w") as f:
        f.write(PROGRAM % {"includes": includes, "body": "\n".join(body)})
    return path


def compile_program(cc, tmp, depfile=None, target=None):
    umbrella = os.path.join(tmp, "umbrella.h")
    with open(umbrella, "w") as f:
        f.write("".join(f'#include "{h}"\n' for h in HEADERS))
    macro_names = macros(cc, umbrella)
    enums, structs = declarations(cc, umbrella)
    src = build_program(tmp, macro_names, enums, structs)
    exe = os.path.join(tmp, "hvconst_gen")
    # A macro with one of our prefixes that is not a value (an attribute, a
    # statement) does not compile: leave it out and try again.
    for _ in range(10):
        r = subprocess.run(cc + list(CPPFLAGS) + ["-std=c11", "-O0", "-w", src] + list(DECODER_SOURCES)
                           + ["-o", exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if r.returncode == 0:
            break
        lines = {int(n) for n in re.findall(r"hvconst_gen\.c:(\d+):\d+: (?:error|note)", r.stdout)}
        bad = [m for i, m in enumerate(open(src).read().splitlines(), 1) if i in lines and m.startswith("\tEMIT(")]
        if not bad:
            sys.exit(f"genconst: the generator does not compile:\n{r.stdout.strip()}")
        macro_names = [m for m in macro_names if f"\tEMIT({m});" not in bad]
        src = build_program(tmp, macro_names, enums, structs)
    if depfile:
        write_depfile(cc, umbrella, depfile, target)
    return exe


def write_depfile(cc, umbrella, depfile, target):
    """make's view: the module depends on this script, the headers and the decoders."""
    files = [os.path.relpath(__file__), SPEC_DIR]
    for src in (umbrella,) + DECODER_SOURCES:
        out = run(cc + list(CPPFLAGS) + ["-MM", "-MT", "x", src]).replace("\\\n", " ")
        files += [f for f in out.split(":", 1)[1].split() if f != umbrella]
    files = list(dict.fromkeys(files))
    with open(depfile, "w") as f:
        f.write(f"{target}: {' '.join(files)}\n")
        # a header that disappears must not stop make (as gcc -MP does)
        f.writelines(f"{name}:\n" for name in files[2:] if name.endswith(".h"))


def parse(output):
    nums, strs, enums, fields, sbi_fns, ptes = {}, {}, {}, {}, {}, {}
    for line in output.splitlines():
        kind, rest = line.split(" ", 1)
        if kind == "num":
            name, value = rest.split(" ")
            nums[name] = int(value)
        elif kind == "str":
            what, key, text = (rest.split(" ", 2) + [""])[:3]
            if key == "0" and what.isupper():
                nums[what] = text.replace('\\"', '"').replace("\\\\", "\\")
            else:
                strs.setdefault(what, {})[int(key)] = text.replace('\\"', '"').replace("\\\\", "\\")
        elif kind == "enum":
            enum, name, value = rest.split(" ")
            enums.setdefault(enum, []).append((name, int(value)))
        elif kind == "field":
            struct, name, off, size, esize, ctype = rest.split(" ")
            fields.setdefault(struct, []).append((name, int(off), int(size), int(esize), ctype))
        elif kind == "sbi_fn":
            eid, fid, name = rest.split(" ")
            sbi_fns.setdefault(int(eid), {})[int(fid)] = name
        elif kind == "pte":
            bit, text = rest.split(" ", 1)
            ptes[int(bit)] = text
    return nums, strs, enums, fields, sbi_fns, ptes


class Oracle:
    """The C decoder's decode_csr_fields(), one query per line."""

    def __init__(self, exe):
        self.exe = exe

    def decode(self, queries):
        text = "".join(f"{n} {v:x}\n" for n, v in queries)
        out = run([self.exe, "csr"], input=text).splitlines()
        return [None if line == "-" else line for line in out]


def tokens(text):
    """`A=1 B=0x0 MODE=Bare` -> [(A, 1), ...]; None when not that shape."""
    out = []
    for t in text.split(" "):
        if "=" not in t:
            return None
        k, v = t.split("=", 1)
        out.append((k, v))
    return out


def csr_layout(oracle, name):
    """[(field, lo, width, format, values)] as the C decoder prints `name`:
    format 'u' decimal, 'x' hex, 'X' hex of the unshifted bits, 's' a name
    (values: {field value: text}).  None when the CSR has no NAME=value form."""
    texts = oracle.decode([(name, 0)] + [(name, 1 << b) for b in range(64)])
    if texts[0] is None or tokens(texts[0]) is None:
        return None
    zero = tokens(texts[0])
    bits = {k: [] for k, _v in zero}
    low = {}
    for b, text in enumerate(texts[1:]):
        for (k, v0), (_k, v) in zip(zero, tokens(text)):
            if v != v0:
                bits[k].append(b)
                low.setdefault(k, v)
    layout = []
    for k, v0 in zero:
        if not bits[k]:
            continue
        lo, width = bits[k][0], bits[k][-1] - bits[k][0] + 1
        first = low[k]
        if v0 == "0" and first == "1":
            layout.append((k, lo, width, "u", None))
        elif v0 == "0x0" and first == "0x1":
            layout.append((k, lo, width, "x", None))
        elif v0 == "0x0" and int(first, 16) == 1 << lo:
            layout.append((k, lo, width, "X", None))
        else:
            vals = oracle.decode([(name, j << lo) for j in range(1 << min(width, 4))])
            names = {j: dict(tokens(t))[k] for j, t in enumerate(vals)}
            layout.append((k, lo, width, "s", names))
    return layout


def module(nums, strs, enums, fields, sbi_fns, ptes, csrs):
    lines = ['"""Generated by scripts/genconst.py from the C headers and decoders: do not edit.',
             'Names are the C names; tables are what the C decoders print."""', ""]
    for name in sorted(nums):
        v = nums[name]
        if isinstance(v, str):
            lines.append(f"{name} = {v!r}")
        elif v < 0x100:
            lines.append(f"{name} = {v}")
        else:
            lines.append(f"{name} = {v:#x}")
    lines.append("")
    reserved_exc = strs["cause"][63]
    reserved_irq = strs["irq"][63]
    lines.append(f"RESERVED_EXCEPTION = {reserved_exc!r}")
    lines.append(f"RESERVED_INTERRUPT = {reserved_irq!r}")
    table = {i: s for i, s in strs["cause"].items() if s != reserved_exc}
    lines.append(f"CAUSE_NAMES = {table!r}")
    lines.append(f"CAUSE_SHORT = {strs.get('cause_short', {})!r}")
    table = {i: s for i, s in strs["irq"].items() if s != reserved_irq}
    lines.append(f"IRQ_NAMES = {table!r}")
    for enum, members in enums.items():
        lines.append(f"ENUM_{enum.upper()} = {tuple(members)!r}")
    for struct, fl in fields.items():
        lines.append(f"STRUCT_{struct.upper()} = {tuple(fl)!r}")
    exts = {eid: (strs["sbi_ext"][eid], tuple(fns[i] for i in sorted(fns)))
            for eid, fns in sbi_fns.items() if eid in strs.get("sbi_ext", {}) and eid >= 0x10}
    lines.append(f"SBI_EXTS = {exts!r}")
    legacy = strs.get("sbi_legacy", {})
    lines.append(f"SBI_LEGACY = {tuple(legacy[i] for i in sorted(legacy))!r}")
    errors = strs.get("sbi_error", {})
    lines.append(f"SBI_ERRORS = {tuple(errors[i] for i in sorted(errors))!r}")
    pte_bits = {}
    for bit, text in ptes.items():
        for k, v in tokens(text):
            if v == "1":
                pte_bits[bit] = k
    lines.append(f"PTE_BIT_NAMES = {pte_bits!r}")
    lines.append(f"CSR_FIELDS = {csrs!r}")
    return "\n".join(lines) + "\n"


def generate(cc, depfile=None, target=None):
    with tempfile.TemporaryDirectory(prefix="genconst") as tmp:
        exe = compile_program(cc, tmp, depfile, target)
        parsed = parse(run([exe]))
        oracle = Oracle(exe)
        names = sorted({n[4:].lower() for n in parsed[0] if n.startswith("CSR_")} | set(EXTRA_CSRS))
        csrs = {}
        for n in names:
            layout = csr_layout(oracle, n)
            if layout:
                csrs[n] = tuple(layout)
        return module(*parsed, csrs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output")
    ap.add_argument("--cc", default=os.environ.get("HOSTCC", "cc"), help="host C compiler [cc]")
    ap.add_argument("--depfile", help="write the headers read, for make")
    ap.add_argument("--csr-oracle", action="store_true", help="answer 'NAME VALUE' lines with C's decode")
    args = ap.parse_args()
    cc = shlex.split(args.cc)
    if args.csr_oracle:
        with tempfile.TemporaryDirectory(prefix="genconst") as tmp:
            exe = compile_program(cc, tmp)
            queries = [(n, int(v, 16)) for n, v in (line.split() for line in sys.stdin if line.strip())]
            for text in Oracle(exe).decode(queries):
                print("-" if text is None else text)
        return
    if not args.output:
        ap.error("-o/--output is required")
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    text = generate(cc, args.depfile, args.output)
    with open(args.output + ".tmp", "w") as f:
        f.write(text)
    os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
