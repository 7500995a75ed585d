"""Running gdb-multiarch in batch mode for the tests: each command's output
is captured separately (markers between them), stdout and stderr together,
as a user would see them on the terminal."""

import os
import shutil
import subprocess

from conftest import REPO_ROOT

MARK = "@@hvtest@@"


def gdb_binary():
    return os.environ.get("HV_GDB", "gdb-multiarch")


def have_gdb():
    return shutil.which(gdb_binary()) is not None


def hv_elf(build):
    return build / "hypervisor" / "hvscope.elf"


def run(commands, setup=(), timeout=60, log=None):
    """Runs `setup` then each command of `commands`; returns {command: output}
    (output of a command repeated in the list: the last one).  gdb is killed
    if it overruns `timeout`."""
    args = [gdb_binary(), "-nx", "-batch", "-ex", "set pagination off", "-ex", "set width 0",
            "-ex", "set confirm off", "-ex", f"source {REPO_ROOT / 'gdbscripts' / 'hv.py'}"]
    for cmd in setup:
        args += ["-ex", cmd]
    for i, cmd in enumerate(commands):
        args += ["-ex", f"echo {MARK}{i}\\n", "-ex", cmd]
    args += ["-ex", f"echo {MARK}end\\n"]
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, cwd=REPO_ROOT, check=False)
    text = proc.stdout
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(" ".join(args) + "\n" + text + "\n")
    out = {}
    for i, cmd in enumerate(commands):
        start = text.find(f"{MARK}{i}\n")
        assert start >= 0, f"gdb did not reach command {cmd!r}:\n{text[-3000:]}"
        start += len(f"{MARK}{i}\n")
        nxt = f"{MARK}{i + 1}\n" if i + 1 < len(commands) else f"{MARK}end\n"
        end = text.find(nxt, start)
        out[cmd] = text[start:end if end >= 0 else len(text)]
    out["__all__"] = text
    return out
