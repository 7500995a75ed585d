#!/usr/bin/env python3
"""Regenerate the examples in docs/ from a real run, so they cannot drift.

Each example in docs/*.md that this script owns sits between two markers:

    <!-- doc-examples: NAME -->
    ```
    ... text captured from hvscope ...
    ```
    <!-- /doc-examples -->

The script boots the VM sets itself the way a user does (`make run-now
CONFIG=...` under a pty, disks in a temporary directory), types the keys and
console commands, and writes what came back between the markers.

    scripts/doc-examples.py             # rewrite the examples in docs/
    scripts/doc-examples.py --check     # exit 1 if a doc example no longer has
                                        # the shape of what hvscope prints now
                                        # (numbers may differ, words may not)
    scripts/doc-examples.py --out DIR   # also keep the raw captures in DIR

Needs python3-pexpect and a built tree (make); O=/QEMU=... are passed to make
with --make VAR=VALUE.
"""
import argparse
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
CTRL_T = "\x14"
XV6_PROMPT = r"(?:^|\n)\$ "
BLOCK = re.compile(r"(<!-- doc-examples: (\S+) -->\n```\n)(.*?)(```\n<!-- /doc-examples -->)", re.S)


def start(config, make_args, disk_dir, timeout=120):
    args = ["--no-print-directory", "run-now", f"CONFIG={config}", f"DISK_DIR={disk_dir}", *make_args]
    child = pexpect.spawn("make", args, cwd=str(ROOT), encoding="utf-8", timeout=timeout,
                          dimensions=(24, 200))
    if os.environ.get("DOC_EXAMPLES_LOG"):
        child.logfile_read = open(os.environ["DOC_EXAMPLES_LOG"], "a", encoding="utf-8")
    child.expect_exact("vm1: ")
    return child


def stop(child):
    if child.isalive():
        try:
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    child.close(force=True)


def focus(child, key):
    child.send(CTRL_T + key)
    if key == "h":
        child.expect_exact("[hvscope: console -> hypervisor")
        child.expect_exact("hv> ")
    else:
        child.expect(r"\[hvscope: console -> vm%s " % key)


def console(child, line):
    """`hv> LINE` and its answer, as the terminal shows them."""
    child.sendline(line)
    child.expect(re.escape(line) + r"\r*\n")       # the echo (a pty may add a CR of its own)
    child.expect(r"\r*\nhv> ")
    answer = child.before.replace("\r", "")
    return f"hv> {line}\n{answer}\n"


def xv6x2(make_args, disk_dir):
    """Two xv6 VMs at `$`: stats, trace, kill, vms (docs/console.md)."""
    out = {}
    child = start("xv6x2", make_args, disk_dir)
    try:
        child.expect(XV6_PROMPT)
        focus(child, "2")
        child.expect(XV6_PROMPT)
        focus(child, "1")
        child.sendline("echo doc > docfile")
        child.expect(XV6_PROMPT)
        focus(child, "h")
        out["console-stats"] = console(child, "stats 1")
        out["console-trace"] = console(child, "trace 5 class mmio")
        out["console-kill"] = console(child, "kill 2") + console(child, "vms").rstrip("\n") + "\n"
        # the ADUE story, replayed on VM 1 from the console
        story = console(child, "adue 1 off") + console(child, "adem 1 off")
        # paused first, so no hart has its vCPU loaded and `reset` can wait for
        # the reload (docs/console.md, reset N): the reply is the same every run
        story += console(child, "pause 1")
        child.sendline("reset 1")
        child.expect(r"reset 1\r*\n")
        child.expect(r"\nvm1: xv6a dead: [^\r\n]*\r*\n")
        story += "hv> reset 1\n" + (child.before + child.after).replace("\r", "")
        story += console(child, "adue 1 on") + console(child, "reset 1")
        out["console-adue-story"] = story
    finally:
        stop(child)
    return out


def adue_off(make_args, disk_dir):
    """The ADUE story's report as the terminal shows it (docs/troubleshooting.md)."""
    child = start("adue-off", make_args, disk_dir)
    try:
        child.expect(r"\nvm1: xv6-noadue dead: [^\r\n]*\r*\n")
        text = "vm1: " + child.before + child.after
    finally:
        stop(child)
    text = text.replace("\r", "")
    return {"troubleshooting-report": text.strip("\n") + "\n"}


def shape(line):
    """A line with its numbers and padding taken out: what must not drift.
    `stats` lists the causes a run happened to see, one `  NAME  COUNT` line
    each: any such line has the same shape; so has any single trace record
    in a report."""
    if re.fullmatch(r"  [a-zA-Z/ -]+ +\d+", line):
        return "CAUSE #"
    # a report's single trace records: which exits came between the loop's
    # runs (a timer interrupt, ...) varies by run; their words are the
    # console's, checked there
    if re.fullmatch(r"    #\d+ t=\d+ h\d+ .+ sepc 0x[0-9a-f]+ stval 0x[0-9a-f]+.*", line):
        return "REPORT RECORD"
    line = re.sub(r"0x[0-9a-f]+", "0x#", line)
    line = re.sub(r"\d+", "#", line)
    return re.sub(r"\s+", " ", line).strip()


def check(name, doc, fresh):
    """Problems of one example: doc lines whose shape hvscope no longer prints."""
    fresh_shapes = {shape(ln) for ln in fresh.splitlines()}
    bad = [ln for ln in doc.splitlines()
           if ln.strip() and shape(ln) != "REPORT RECORD" and shape(ln) not in fresh_shapes]
    return [f"{name}: not printed like this any more: {ln}" for ln in bad]


def main():
    # `timeout` or Ctrl-C: still stop the QEMU we started (the finally blocks)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", help="keep the raw captures here")
    ap.add_argument("--make", action="append", default=[], metavar="VAR=VALUE")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="doc-examples-") as disks:
        fresh = {}
        fresh.update(xv6x2(a.make, disks))
        fresh.update(adue_off(a.make, disks))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for name, text in fresh.items():
            Path(a.out, name + ".txt").write_text(text)
    problems, seen = [], set()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text()

        def replace(m):
            name = m.group(2)
            seen.add(name)
            if name not in fresh:
                problems.append(f"{doc.name}: unknown example '{name}'")
                return m.group(0)
            if a.check:
                problems.extend(f"{doc.name}: {p}" for p in check(name, m.group(3), fresh[name]))
                return m.group(0)
            return m.group(1) + fresh[name] + m.group(4)

        new = BLOCK.sub(replace, text)
        if new != text and not a.check:
            doc.write_text(new)
            print(f"doc-examples: rewrote {doc.relative_to(ROOT)}")
    problems += [f"example '{n}' is in no doc" for n in sorted(set(fresh) - seen)]
    for p in problems:
        print(f"doc-examples: {p}")
    if a.check and not problems:
        print(f"doc-examples: {len(seen)} examples in docs/ have the shape of a fresh run")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
