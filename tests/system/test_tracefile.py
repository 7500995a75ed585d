"""The trace file (docs/tracing.md) the way a user records one: `make run
TRACE=on` with the default VM set (two xv6 VMs), `usertests -q` in both,
the counts checked against `hv> stats`, then `make trace-report`."""

import json
import os
import re
import signal
import subprocess
import sys

import hvtest
from hvrun import focus
from test_xv6_vms import BOOT_TIMEOUT, PROMPT, usertests_in_vms_1_and_2

sys.path.insert(0, str(hvtest.REPO_ROOT / "gdbscripts"))
from hvgdb import trace  # noqa: E402  pylint: disable=wrong-import-position


def make_run(qemu_factory, tmp_path, name):
    """`make run TRACE=on` with logs and disks in tmp_path (pexpect's child is
    make, in its own session: the whole group goes at the end)."""
    args = ["make", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), f"O={hvtest.build_dir()}", "run",
            "CONFIG=default", "TRACE=on", f"RUN_LOGDIR={tmp_path / 'logs'}", f"DISK_DIR={tmp_path / 'disks'}",
            f"GDBSTUB_DIR={tmp_path / 'gdb'}"]
    q = qemu_factory(args, name=name, timeout=BOOT_TIMEOUT)
    return q


def kill_group(q):
    try:
        os.killpg(q.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


def console(q, line):
    q.sendline(line)
    q.expect_exact(line + "\r\n")
    q.expect_exact("hv> ")
    return q.child.before.replace("\r", "")


def stats_totals(text):
    """{vm: (exits, SBI calls, MMIO accesses)} from `hv> stats`."""
    out = {}
    for block in re.split(r"\n(?=vm\d+ \()", "\n" + text):
        m = re.match(r"\s*vm(\d+) \(\w+\): (\d+) exits", block)
        if m:
            sbi = re.search(r"SBI calls (\d+)", block)
            mmio = re.search(r"MMIO accesses (\d+)", block)
            out[int(m.group(1))] = (int(m.group(2)), int(sbi.group(1)), int(mmio.group(1)))
    return out


def report_totals(text):
    out = {}
    for m in re.finditer(r"^vm(\d+) \w+ \(\d+ vCPUs?\): (\d+) exits; SBI calls (\d+).*; MMIO accesses (\d+)",
                         text, re.M):
        out[int(m.group(1))] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    return out


def test_trace_file_of_two_xv6_usertests(qemu_factory, tmp_path):
    q = make_run(qemu_factory, tmp_path, "tracefile-usertests")
    try:
        trace_path = tmp_path / "logs" / "trace.hvt"
        q.expect_exact(f"hvscope: trace file {trace_path}")
        q.expect_exact("vm2: xv6b started")
        for i in ("2", "1"):
            focus(q, i)
            q.expect(PROMPT, BOOT_TIMEOUT)
        usertests_in_vms_1_and_2(q)
        focus(q, "h")
        console(q, "pause 1")
        console(q, "pause 2")
        stats = console(q, "stats")
        assert stats_totals(console(q, "stats")) == stats_totals(stats), "paused VMs still exit"
        status = console(q, "trace file off")
        m = re.search(r"trace file: off, (\S+); (\d+) bytes written, (\d+) records dropped", status)
        assert m, status
        assert m.group(1) == str(trace_path) and m.group(3) == "0"
        assert int(m.group(2)) == trace_path.stat().st_size, "the file holds what the console says"
        q.sendline("quit")
        q.expect_exact("hvscope: shutting down")
    finally:
        kill_group(q)
    want = stats_totals(stats)
    # xv6 takes its timer from Sstc: no SBI calls, thousands of MMIO accesses
    assert set(want) == {1, 2} and all(mmio > 1000 for _, _, mmio in want.values()), stats

    r = subprocess.run(["make", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), f"O={hvtest.build_dir()}",
                        "trace-report", f"TRACE_FILE={trace_path}"], capture_output=True, text=True, timeout=900,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    text = (tmp_path / "logs" / "trace.txt").read_text()
    assert " 0 records dropped" in text.splitlines()[0], text[:300]
    got = report_totals(text)
    # SBI and MMIO exactly as the hypervisor counted them; exits too (the
    # trace has every exit of the run, from boot)
    assert got == want, f"report {got} != stats {want}"
    data = json.loads((tmp_path / "logs" / "trace.json").read_text())
    assert trace.check_chrome_trace(data) == []
    procs = {e["args"]["name"] for e in data["traceEvents"] if e["name"] == "process_name"}
    assert {"vm1 xv6a", "vm2 xv6b", "harts"} <= procs
    png = (tmp_path / "logs" / "trace.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    bytes_per_exit = trace_path.stat().st_size / sum(e for e, _, _ in want.values())
    print(f"trace file: {trace_path.stat().st_size} bytes, {bytes_per_exit:.1f} bytes per exit")
