#!/usr/bin/env python3
"""make check-layers must fail on what it exists to catch.

Copies hypervisor/ and console/ to a temporary tree, checks that the copy
passes, then plants one mistake at a time (an upward include, a sideways
one, a console include of arch/, inline asm in core/) and runs
scripts/check_layers.py on the copy as `make check-layers` does: it must
exit 1 and name the planted file and line.  Also compiles console/*.c with
only spec/, lib/ and console/ on the include path (HOSTCC, default cc).
Prints "ok NAME" / "FAIL NAME".
"""
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(REPO, "scripts", "check_layers.py")

# name, file to plant in, line to add, what the report must say about it
PLANTS = [
    ("upward_include_fails", "hypervisor/lib/string.c", '#include "core/vm.h"\n', "upward: core is above lib"),
    ("sideways_include_fails", "hypervisor/mem/page.c", '#include "trace/trace.h"\n', "sideways"),
    ("console_sees_only_spec_lib", "console/parse.c", '#include "arch/csr.h"\n', "console sees only spec, lib"),
    ("spec_includes_nothing_above", "hypervisor/spec/insn.c", '#include "lib/string.h"\n', "upward: lib is above spec"),
    ("asm_outside_arch_fails", "hypervisor/core/sched.c", 'static void f(void) { __asm__ volatile("nop"); }\n',
     "inline asm outside arch/"),
]


def run(root):
    p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def copy_tree(dst):
    for d in ("hypervisor", "console"):
        shutil.copytree(os.path.join(REPO, d), os.path.join(dst, d))


def plant(root, rel, text):
    """Append text at the end of rel; returns the line number it lands on."""
    path = os.path.join(root, rel)
    with open(path) as f:
        lines = f.readlines()
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines.append(text)
    with open(path, "w") as f:
        f.writelines(lines)
    return len(lines)


def console_builds_alone(tmp):
    """console/*.c compile (syntax and types) seeing only spec/, lib/ and console/: (ok, output)."""
    inc = os.path.join(tmp, "console-only")
    for d in ("hypervisor/spec", "hypervisor/lib", "console"):
        shutil.copytree(os.path.join(REPO, d), os.path.join(inc, os.path.basename(d)))
    cc = os.environ.get("HOSTCC", "cc")
    out = ""
    for name in sorted(os.listdir(os.path.join(inc, "console"))):
        if name.endswith(".c"):
            p = subprocess.run([cc, "-std=c11", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-iquote", inc,
                                os.path.join(inc, "console", name)], capture_output=True, text=True)
            if p.returncode:
                out += p.stdout + p.stderr
    return out == "", out


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean")
        copy_tree(clean)
        rc, out = run(clean)
        if rc == 0:
            print("ok check_layers.copy_of_tree_passes")
        else:
            print("FAIL check_layers.copy_of_tree_passes: exit %d\n%s" % (rc, out))
            failed += 1
        for name, rel, text, says in PLANTS:
            root = os.path.join(tmp, name)
            shutil.copytree(clean, root)
            line = plant(root, rel, text)
            rc, out = run(root)
            where = "%s:%d:" % (rel, line)
            if rc == 1 and any(l.startswith(where) and says in l for l in out.splitlines()):
                print("ok check_layers.%s" % name)
            else:
                print("FAIL check_layers.%s: exit %d, wanted a line starting %r saying %r\n%s"
                      % (name, rc, where, says, out))
                failed += 1
        ok, out = console_builds_alone(tmp)
        if ok:
            print("ok check_layers.console_compiles_with_only_spec_and_lib")
        else:
            print("FAIL check_layers.console_compiles_with_only_spec_and_lib:\n%s" % out)
            failed += 1
        # An upward include also closes a folder cycle: the report names it.
        root = os.path.join(tmp, "cycle")
        shutil.copytree(clean, root)
        plant(root, "hypervisor/arch/timer.c", '#include "core/vm.h"\n')
        rc, out = run(root)
        if rc == 1 and "folder cycle" in out and "arch -> core" in out:
            print("ok check_layers.folder_cycle_named")
        else:
            print("FAIL check_layers.folder_cycle_named: exit %d\n%s" % (rc, out))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
