"""scripts/hvtrace.py on synthetic trace files (no QEMU, no gdb): the report's
numbers, the Perfetto JSON and its structural check, the PNG, and what a
cut-off, foreign or damaged file gets (one line, exit status, no traceback).
tests/system/test_tracefile.py does the same on a real run."""

import json
import subprocess
import sys

import pytest

from hvgdb import trace

HVTRACE = [sys.executable, str(trace.__file__).replace("gdbscripts/hvgdb/trace.py", "scripts/hvtrace.py")]
TB = 10_000_000
SBI_TIME, SBI_IPI = 0x54494d45, 0x735049
K = {name: i for i, name in enumerate(trace.KINDS)}


def rec(seq, t, kind, vm=1, vcpu=0, hart=0, dur=0, cause=0, info=0, sepc=0x80200000, stval=0, p=(0, 0)):
    return trace.Record(seq=seq, time=t, dur=dur, hart=hart, vm=vm, vcpu=vcpu, kind=K[kind], cause=cause,
                        info=info, htinst=0, sepc=sepc, stval=stval, payload=p)


def sample():
    """Two VMs on two harts: vm1 makes SBI calls and UART writes, vm2 takes a
    timer interrupt and dies in a fault loop."""
    r, s = [], iter(range(1, 1000))
    r.append(rec(next(s), 0, "vm-event", vm=1, info=0))
    r.append(rec(next(s), 0, "vm-event", vm=2, info=0))
    r.append(rec(next(s), 1000, "vcpu-load", vm=1, hart=0))
    r.append(rec(next(s), 1000, "vcpu-load", vm=2, hart=1))
    t = 2000
    for i in range(10):
        r.append(rec(next(s), t, "sbi", vm=1, dur=30, cause=10, info=0, sepc=0x80201000, p=(SBI_TIME, 0)))
        r.append(rec(next(s), t + 100, "mmio", vm=1, dur=50, cause=23, info=1 | 1 << 8, sepc=0x80202000 + 4 * (i % 2),
                     p=(0x10000000, 0x41)))
        t += 1000
    r.append(rec(next(s), t, "sbi", vm=1, dur=20, cause=10, sepc=0x80201100, p=(SBI_IPI, 0)))
    r.append(rec(next(s), 1500, "irq", vm=2, hart=1, dur=10, cause=trace.CAUSE_IRQ | 5, p=(0, 0)))
    r.append(rec(next(s), 2500, "irq-inject", vm=2, hart=1, p=(0x40, 0)))
    for i in range(4):
        r.append(rec(next(s), 3000 + 100 * i, "inject", vm=2, hart=1, dur=8, cause=12, info=12, sepc=0))
    r.append(rec(next(s), 3500, "vm-event", vm=2, hart=1, info=3))
    r.append(rec(next(s), 3500, "vm-event", vm=2, hart=1, info=2))
    r.append(rec(next(s), 3600, "vcpu-put", vm=2, hart=1, info=0, sepc=0))
    r.append(rec(next(s), t + 500, "vcpu-put", vm=1, hart=0, info=2, sepc=0x80201104))
    r.sort(key=lambda x: x.seq)
    return r


@pytest.fixture
def sample_file(tmp_path):
    path = tmp_path / "trace.hvt"
    trace.write_file(path, sample(), TB, 2, {1: ("alpha", 1), 2: ("beta", 1)})
    return path


def hvtrace(*args):
    return subprocess.run(HVTRACE + [str(a) for a in args], capture_output=True, text=True, timeout=120)


def test_header_describes_the_layout_and_vms(sample_file):
    head = sample_file.read_bytes()[:2048].decode(errors="replace")
    assert head.startswith("HVTRACE 2\nrecord_size 64\ntimebase_hz 10000000\n")
    assert "field payload 48 8 2\n" in head and "field cause 24 2 1\n" in head
    assert "vm 1 alpha vcpus 1\n" in head and "kind 11 drop\n" in head
    start = sample_file.read_bytes().index(b"\nend\n") + 5
    assert start % 64 == 0, "records start 64-byte aligned"
    tf = trace.read(sample_file)
    assert [r.seq for r in tf.records] == [r.seq for r in sample()] and not tf.problems


def test_report_counts_and_times(sample_file):
    r = hvtrace("report", sample_file)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "format 2, 2 harts, timebase 10000000 Hz" in out
    assert "vm1 alpha (1 vCPU): 21 exits; SBI calls 11 (IPI 1, TIME 10); MMIO accesses 10 (uart 10)" in out
    assert "vm2 beta (1 vCPU): 5 exits; SBI calls 0; MMIO accesses 0" in out
    # the reason column is 44 wide, then count, share, exits/s, total ms, mean, min, max, PCs
    rows = {ln[2:46].strip(): ln[46:].split() for ln in out.splitlines()
            if ln.startswith("  ") and not ln.startswith("  reason")}
    # 10 TIME calls of 30 ticks: 3 us each, 0.030 ms in all, 10 of vm1's 21 exits; top PC first
    assert rows["sbi TIME"][:2] == ["10", "47.6%"]
    assert rows["sbi TIME"][3:] == ["0.030", "3.00", "3.00", "3.00", "0x80201000", "(10)"]
    assert rows["mmio uart"][-4:] == ["0x80202000", "(5),", "0x80202004", "(5)"]
    assert rows["instruction page fault (to the guest)"][0] == "4"
    assert rows["supervisor timer interrupt"][0] == "1"


def test_report_csv(sample_file):
    r = hvtrace("report", sample_file, "--csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "vm,vm_name,vcpu,reason,count,share,exits_per_s,total_us,mean_us,min_us,max_us,top_pcs"
    row = next(ln for ln in lines if ",sbi TIME," in ln).split(",")
    assert row[:5] == ["1", "alpha", "0", "sbi TIME", "10"] and row[7:11] == ["30.0", "3.00", "3.00", "3.00"]


def test_perfetto_json_structure(sample_file, tmp_path):
    out = tmp_path / "t.json"
    r = hvtrace("perfetto", sample_file, out)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert trace.check_chrome_trace(data) == []
    ev = data["traceEvents"]
    procs = {e["pid"]: e["args"]["name"] for e in ev if e["name"] == "process_name"}
    assert procs == {0: "harts", 1: "vm1 alpha", 2: "vm2 beta"}
    threads = {(e["pid"], e["args"]["name"]) for e in ev if e["name"] == "thread_name"}
    assert {(1, "vCPU 0"), (2, "vCPU 0"), (0, "hart 0"), (0, "hart 1")} <= threads
    begins = [e for e in ev if e["ph"] == "B" and e["pid"] == 1]
    assert sum(e["name"] == "in hypervisor: sbi TIME" for e in begins) == 10
    assert sum(e["name"] == "in guest" for e in begins) == 22      # load..exit, then after each exit
    first = next(e for e in begins if e["name"] == "in hypervisor: sbi TIME")
    # ticks of 0.1 us from the first record: the exit at 2000, 30 ticks long
    assert first["ts"] == pytest.approx(200.0) and first["args"]["detail"] == "sbi TIME set_timer -> 0"
    ends = [e for e in ev if e["ph"] == "E" and e["pid"] == 1 and e["name"] == "in hypervisor: sbi TIME"]
    assert ends[0]["ts"] == pytest.approx(203.0)
    harts = [e for e in ev if e["ph"] == "B" and e["pid"] == 0]
    assert [(e["tid"], e["name"]) for e in harts] == [(0, "vm1.0 alpha"), (1, "vm2.0 beta")]
    assert {e["name"] for e in ev if e["ph"] == "i"} >= {"vm fault-loop", "vm death", "vm start"}
    counters = [e for e in ev if e["ph"] == "C" and e["pid"] == 1]
    assert counters and max(e["args"]["exits/s"] for e in counters) > 0
    # vm2 died: no "in guest" after its last exit
    vm2 = [e for e in ev if e.get("pid") == 2 and e["ph"] in "BE"]
    assert vm2[-1]["name"].startswith("in hypervisor") or vm2[-1]["name"] == "in guest"


def test_the_checker_can_fail():
    good = {"traceEvents": [
        {"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "vm1"}},
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 2, "args": {"name": "vCPU 0"}},
        {"name": "a", "ph": "B", "pid": 1, "tid": 2, "ts": 1},
        {"name": "a", "ph": "E", "pid": 1, "tid": 2, "ts": 2}]}
    assert trace.check_chrome_trace(good) == []
    unclosed = {"traceEvents": good["traceEvents"][:3]}
    assert any("B without E" in p for p in trace.check_chrome_trace(unclosed))
    back = json.loads(json.dumps(good))
    back["traceEvents"][3]["ts"] = 0.5
    assert any("goes back" in p for p in trace.check_chrome_trace(back))
    other = json.loads(json.dumps(good))
    other["traceEvents"][3]["tid"] = 3
    problems = trace.check_chrome_trace(other)
    assert any("no open B" in p for p in problems) and any("no thread_name" in p for p in problems)
    crossed = json.loads(json.dumps(good))
    crossed["traceEvents"][3]["name"] = "b"
    assert any("closes B 'a'" in p for p in trace.check_chrome_trace(crossed))
    nameless = json.loads(json.dumps(good))
    del nameless["traceEvents"][2]["name"]
    assert any("has no name" in p for p in trace.check_chrome_trace(nameless))


def test_check_command(tmp_path, sample_file):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    assert hvtrace("perfetto", sample_file, good).returncode == 0
    r = hvtrace("check", good)
    assert r.returncode == 0 and " 0 problems" in r.stdout
    data = json.loads(good.read_text())
    data["traceEvents"] = [e for e in data["traceEvents"] if e["ph"] != "E"]
    bad.write_text(json.dumps(data))
    r = hvtrace("check", bad)
    assert r.returncode == 1 and "B without E" in r.stderr


def test_plot_writes_a_png(sample_file, tmp_path):
    out = tmp_path / "t.png"
    r = hvtrace("plot", sample_file, out)
    assert "matplotlib" not in r.stderr, "python3-matplotlib is missing: make deps"
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def no_traceback(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


def test_truncated_file_reports_what_it_read(sample_file, tmp_path):
    data = sample_file.read_bytes()
    cut = tmp_path / "cut.hvt"
    cut.write_bytes(data[:-64 * 5 - 17])        # QEMU killed in the middle of a record
    r = hvtrace("report", cut)
    no_traceback(r)
    assert r.returncode == 0
    assert r.stderr.count("\n") == 1
    assert "the last 47 bytes are not a whole record (the file was cut off mid-write?)" in r.stderr
    total = len(sample()) - 6
    assert f" {total} records " in r.stdout


@pytest.mark.parametrize("cut", [5, 300])
def test_file_cut_inside_its_header_is_unusable(sample_file, tmp_path, cut):
    bad = tmp_path / "head.hvt"
    bad.write_bytes(sample_file.read_bytes()[:cut])
    for cmd in (["report", bad], ["perfetto", bad, tmp_path / "x.json"], ["plot", bad, tmp_path / "x.png"]):
        r = hvtrace(*cmd)
        no_traceback(r)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
        assert "not an hvscope trace file" in r.stderr
    assert not (tmp_path / "x.json").exists()


def test_header_with_no_records_is_unusable(sample_file, tmp_path):
    data = sample_file.read_bytes()
    bad = tmp_path / "empty.hvt"
    bad.write_bytes(data[:data.index(b"\nend\n") + 5])
    r = hvtrace("report", bad)
    no_traceback(r)
    assert r.returncode == 1 and "no trace records after the header" in r.stderr


def test_wrong_version(sample_file, tmp_path):
    other = tmp_path / "v3.hvt"
    other.write_bytes(sample_file.read_bytes().replace(b"HVTRACE 2\n", b"HVTRACE 3\n", 1))
    r = hvtrace("report", other)
    no_traceback(r)
    assert r.returncode == 1
    assert r.stderr == (f"hvtrace: {other}: trace format version 3; this reader knows version 2 "
                        "(use the hvtrace.py of the hvscope that wrote it)\n")


def test_garbage(tmp_path):
    junk = tmp_path / "junk.hvt"
    junk.write_bytes(bytes(range(256)) * 40)
    r = hvtrace("report", junk)
    no_traceback(r)
    assert r.returncode == 1 and r.stderr == f"hvtrace: {junk}: not an hvscope trace file (no 'HVTRACE' header)\n"
    r = hvtrace("report", tmp_path / "missing.hvt")
    no_traceback(r)
    assert r.returncode == 1 and "No such file or directory" in r.stderr


def test_damaged_records_are_skipped(sample_file, tmp_path):
    data = bytearray(sample_file.read_bytes())
    start = data.index(b"\nend\n") + 5
    data[start + 23] = 200                     # record 1's kind: no such kind
    bad = tmp_path / "damaged.hvt"
    bad.write_bytes(bytes(data))
    r = hvtrace("report", bad)
    no_traceback(r)
    assert r.returncode == 0
    assert "1 records are not trace records (damaged file?) and were skipped" in r.stderr
