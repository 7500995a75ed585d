#!/usr/bin/env python3
"""make check-layers: the hypervisor's folders depend on each other one way.

Reads every `#include "..."` line of hypervisor/ and console/ and fails,
naming the file and line, on any include that runs upward (or sideways,
between two folders of the same level, which is how a cycle starts), and on
any cycle between folders.  The order below is the one docs/architecture.md
draws; it is written only here.

    python3 scripts/check_layers.py [ROOT]     (ROOT: the repository, default .)
"""
import os
import re
import sys

# Bottom up.  A folder may include its own headers and those of any folder
# on a lower level, nothing else.
LEVELS = [
    ("spec",),                      # what the specs say: no state, no asm, no includes
    ("lib",),                       # printf, strings, FDT, locks: no hypervisor knowledge
    ("arch",),                      # CSR accessors, trap entry, fences, the hart timer
    ("mem", "trace", "drivers", "devmodel"),
    ("core",),                      # VMs, vCPUs, scheduler, run loop, trap dispatch
    ("console",),                   # the hv> shell: wired from above through console_ops
    ("vdev", "sbi", "gdbstub"),     # what guests and debuggers see
    ("top",),                       # boot and the console's glue
]
# Narrower than its level: the console sees only these (and its ops struct).
ONLY = {"console": ("spec", "lib")}
# Generated headers, by the folder whose source they come from.
GENERATED = {"asm_offsets.h": "arch"}
SOURCE_DIRS = ("hypervisor", "console")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# Inline assembly lives only in arch/ (behind functions a host fake can stand in for).
INLINE_ASM = re.compile(r'\b(__asm__|asm)\s*(volatile\s*|__volatile__\s*)?\(')

LEVEL_OF = {f: i for i, group in enumerate(LEVELS) for f in group}


def folder_of(rel):
    """'hypervisor/core/vm.c' -> 'core', 'console/cmd.h' -> 'console'."""
    parts = rel.split("/")
    if parts[0] == "console":
        return "console"
    return parts[1] if len(parts) > 2 else None


def resolve(root, src_rel, target):
    """The folder an include names, or None if it is no file of ours."""
    if target in GENERATED:
        return GENERATED[target]
    for base in (os.path.dirname(src_rel), "hypervisor", "."):
        rel = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(os.path.join(root, rel)):
            return folder_of(rel)
    return None


def sources(root):
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if name.endswith((".c", ".h", ".S")):
                    yield os.path.relpath(os.path.join(dirpath, name), root)


def includes(root):
    """(file, line number, including folder, included folder, text) for each cross-folder include."""
    for rel in sorted(sources(root)):
        src = folder_of(rel)
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                dst = resolve(root, rel, m.group(1))
                if dst is not None and dst != src:
                    yield rel, n, src, dst, m.group(1)


def asm_outside_arch(root):
    """Error lines for inline asm in C outside arch/."""
    errors = []
    for rel in sorted(sources(root)):
        if folder_of(rel) == "arch" or rel.endswith(".S"):
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if INLINE_ASM.search(line.split("//")[0]):
                    errors.append("%s:%d: inline asm outside arch/ (give arch/ a function for it)" % (rel, n))
    return errors


def order_text():
    return " <- ".join(", ".join(g) for g in LEVELS)


def why_not(src, dst):
    """None if src may include dst, else the reason."""
    if src is None:
        return "a file outside the folders (hypervisor/*.c|h) may not include folders"
    if src not in LEVEL_OF:
        return "folder %s is not in the layer order (add it to scripts/check_layers.py)" % src
    if dst not in LEVEL_OF:
        return "folder %s is not in the layer order (add it to scripts/check_layers.py)" % dst
    if src in ONLY and dst not in ONLY[src]:
        return "%s sees only %s" % (src, ", ".join(ONLY[src]))
    if LEVEL_OF[dst] > LEVEL_OF[src]:
        return "upward: %s is above %s" % (dst, src)
    if LEVEL_OF[dst] == LEVEL_OF[src]:
        return "sideways: %s and %s are on one level" % (src, dst)
    return None


def find_cycle(edges):
    """A folder cycle in {folder: set(folders)} as a list, or None."""
    state = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def check(root):
    """The error lines for the tree at root (empty: the layers hold)."""
    errors, edges, where = [], {}, {}
    for rel, n, src, dst, text in includes(root):
        edges.setdefault(src, set()).add(dst)
        where.setdefault((src, dst), "%s:%d" % (rel, n))
        reason = why_not(src, dst)
        if reason:
            errors.append('%s:%d: #include "%s": %s' % (rel, n, text, reason))
    cycle = find_cycle(edges)
    if cycle:
        steps = ", ".join("%s -> %s at %s" % (a, b, where[(a, b)]) for a, b in zip(cycle, cycle[1:]))
        errors.append("folder cycle %s: %s" % (" -> ".join(cycle), steps))
    return errors + asm_outside_arch(root)


def main(argv):
    root = argv[1] if len(argv) > 1 else "."
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print("check-layers: %d violation(s); the order, bottom up: %s; console sees only spec, lib"
              % (len(errors), order_text()))
        return 1
    print("check-layers: ok (%s; console sees only spec, lib)" % order_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
