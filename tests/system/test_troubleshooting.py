"""docs/troubleshooting.md's catalogue, replayed as a user would: each entry's
config (or command) is run and the output the document quotes must be what
hvscope prints today (numbers that change from run to run, such as times,
costs, trace sequence numbers, pcs and table addresses, are masked).

Entry 1, the ADUE story, is replayed by tests/system/test_adue.py.
"""

import re
import subprocess
import tempfile

import pytest

import hvtest
from devdiff import hv_disk_args
from hvrun import config_bundle, focus, hv_args, make_bundle

DOC = hvtest.REPO_ROOT / "docs" / "troubleshooting.md"
PROMPT = r"(?:^|\n)\$ "

MASKS = [(re.compile(p), r) for p, r in (
    (r"^#\d+ ", "#N "), (r"t=\d+", "t=N"), (r"cost \d+", "cost N"), (r" h\d+ vm", " hN vm"),
    (r"\b(pc|sepc|root|table|pte|ppn) 0x[0-9a-f]+", r"\1 0xN"),
)]


def mask(line):
    line = line.strip()
    for pattern, repl in MASKS:
        line = pattern.sub(repl, line)
    return line


def doc_quotes(line):
    """The document quotes this line of real output (masked)."""
    return mask(line) in {mask(ln) for ln in DOC.read_text().splitlines()}


def boot_config(qemu_factory, name, qemu=None, text=None):
    text = text or (hvtest.REPO_ROOT / "configs" / f"{name}.cfg").read_text()
    bundle = make_bundle(text, name) if text else config_bundle(name)
    args, logdir = hv_args(bundle, qemu=qemu)
    disks = hv_disk_args(text, tempfile.mkdtemp(prefix="hvdisks-"), hvtest.build_dir())
    return qemu_factory(args + disks, timeout=60), logdir


def console_lines(q, command):
    q.sendline(command)
    q.expect_exact(command + "\r\n")
    q.expect_exact("hv> ")
    return q.child.before.replace("\r", "").splitlines()


def test_2_virtio_driver_rejects_device(qemu_factory, qemu_version, qemu_bin):
    """Entry 2 (and 4: htinst on each QEMU): `virtio = strict` makes the
    QEMU-style driver give up at the VendorID read; VM 2 boots."""
    q, _ = boot_config(qemu_factory, "virtio-strict", qemu=qemu_bin)
    q.expect_exact("panic: could not find virtio disk")
    focus(q, "2")
    q.expect(PROMPT)
    focus(q, "h")
    lines = [ln for ln in console_lines(q, "trace 256 vm 1 class mmio") if "mmio virtio0 load 0x10001" in ln]
    assert [re.search(r"mmio virtio0 load (0x[0-9a-f]+)", ln).group(1) for ln in lines] == \
        ["0x10001000", "0x10001004", "0x10001008", "0x1000100c"], lines
    vendor = lines[-1]
    assert "w4 = 0x68767363" in vendor
    htinst = int(re.search(r"htinst (0x[0-9a-f]+)", vendor).group(1), 16)
    assert (htinst == 0) == (qemu_version == hvtest.QEMU_OLD), vendor
    assert doc_quotes(vendor), f"docs/troubleshooting.md does not quote:\n{vendor}"
    if qemu_version == hvtest.QEMU_NEW:
        for ln in lines:
            assert doc_quotes(ln), f"docs/troubleshooting.md does not quote:\n{ln}"


def test_2_strict_device_refuses_low_word_negotiation(qemu_factory):
    """Entry 2: what the probe guest sees of the old answers."""
    config = (hvtest.REPO_ROOT / "configs" / "devprobe.cfg").read_text() + "virtio = strict\n"
    q, _ = boot_config(qemu_factory, "devprobe-strict", text=config)
    q.expect_exact("dp: done")
    assert "dp: virtio negotiate low-word-only status 0x3" in q.output
    assert "dp: virtio vendor-id 0x68767363" in q.output
    assert "`dp: virtio negotiate low-word-only status 0x3`" in DOC.read_text()


def test_3_phystop_beyond_ram(qemu_factory):
    q, _ = boot_config(qemu_factory, "phystop")
    first = q.expect(r"vm1: store at guest-physical 0x84000000 \(pc 0x[0-9a-f]+\): [^\r\n]*as on QEMU").group(0)
    q.expect_exact("=== end of report")
    chain = re.search(r"first fault of the chain: [^\r\n]*", q.output).group(0)
    walk = re.search(r"G-stage walk of GPA 0x84000000 [^\r\n]*", q.output).group(0)
    header = re.search(r"=== hvscope post-mortem: vm1 \(small\)[^\r\n]*", q.output).group(0)
    for line in (first, chain, walk, header):
        assert doc_quotes(line), f"docs/troubleshooting.md does not quote:\n{line}"
    assert "stval 0x84000000" in chain and "store/AMO guest-page fault" in chain
    q.expect_exact("vm1: small dead: fault loop")


def test_5_unsupported_sbi_extension_counted(qemu_factory):
    q, _ = boot_config(qemu_factory, "devprobe")
    q.expect_exact("dp: done")
    focus(q, "h")
    sbi = [ln for ln in console_lines(q, "stats 1") if "SBI calls" in ln][0]
    assert sbi.endswith(" unsupported 1"), sbi
    assert doc_quotes(sbi), f"docs/troubleshooting.md does not quote:\n{sbi}"
    # which one: record only SBI calls, run the probe again, read the trace
    console_lines(q, "trace filter class ecall")
    console_lines(q, "trace clear")
    console_lines(q, "reset 1")
    focus(q, "1")
    q.expect_exact("dp: done")
    focus(q, "h")
    calls = [ln for ln in console_lines(q, "trace 256 vm 1") if "eid 0xa5a5a5a " in ln]
    assert len(calls) == 1 and "sbi eid 0xa5a5a5a fid 0 -> -2 (not supported)" in calls[0], calls


def test_6_toolchain_found_by_prefix():
    make = ["make", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), f"O={hvtest.build_dir()}"]
    help_text = subprocess.run(make + ["help"], capture_output=True, text=True, check=True).stdout
    line = [ln for ln in help_text.splitlines() if "CROSS_COMPILE=" in ln][0]
    assert doc_quotes(line), line
    cmds = subprocess.run(make + ["-n", "-B", "V=1", f"{hvtest.build_dir()}/hypervisor/vdev/mmio.o"],
                          capture_output=True, text=True, check=True).stdout
    march = re.findall(r"-march=(\S+)", cmds)
    assert march and all(m == "rv64imac_zicsr_zifencei" for m in march), march
    assert not re.search(r"(^|\s)/\S*gcc\s", cmds), "the compiler is named by an absolute path"


@pytest.mark.parametrize("entry", range(1, 7))
def test_every_entry_has_symptom_cause_output_fix_replay(entry):
    text = DOC.read_text()
    body = re.search(rf"^## {entry}\. .*?(?=^## )", text, re.M | re.S).group(0)
    for part in ("Symptom", "Cause" if entry != 1 else "What changed",
                 "What hvscope shows" if entry != 1 else "A real report",
                 "Fix" if entry != 1 else "The fix", "Replay"):
        assert re.search(rf"^### {part}", body, re.M), (entry, part)
    assert "```" in body
