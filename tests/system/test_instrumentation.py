"""The instrumentation tells the whole truth (issue 13), checked through the
same pty a user has:

- the trap trace records SBI calls and MMIO accesses with their payload,
  decoded by name (`sbi IPI send_ipi -> 0`, `mmio uart store 0x10000000 w1 =
  0x41`): after xv6 boots and after Linux boots;
- every post-mortem report ends with a `diagnosis:` line (one rule per kind of
  death) and collapses repeated trace records; a VM that dies while another
  has focus prints one line there, its report goes to its own console;
- `adue N off` on the console means what `adue = off` means in a config.
"""

import re

import pytest

from hvrun import config_bundle, focus, hv_args, make_bundle, vm_log
from test_thirdparty import boot as linux_boot, guests, linux_reaches_shell, type_line  # noqa: F401 (fixture)
from test_xv6_vms import PROMPT, boot, run, xv6_config, xv6_file

BOOT = 120
HV_PROMPT = "\r\nhv> "

MMIO_LINE = re.compile(r"^#\d+ t=\d+ h\d vm\d\.\d (?:load|store)/?A?M?O? guest-page fault sepc 0x[0-9a-f]+ "
                       r"stval 0x[0-9a-f]+ mmio (uart|plic|virtio\d) (load|store) (0x[0-9a-f]+) "
                       r"w([1248]) = (0x[0-9a-f]+) cost \d+$")
SBI_LINE = re.compile(r"^#\d+ t=\d+ h\d vm\d\.\d environment call from VS-mode sepc 0x[0-9a-f]+ "
                      r"stval 0x[0-9a-f]+ sbi (\S+) (\S+) -> (-?\d+)(?:, value 0x[0-9a-f]+| \([a-z ]+\))? "
                      r"cost \d+$")


def hv(q, line, timeout=20):
    """A console line (the console has focus); its answer, lines without CR."""
    q.sendline(line)
    q.expect_exact(HV_PROMPT, timeout=timeout)
    text = q.child.before.replace("\r", "")
    return text.split("\n")[1:]


def records(lines):
    return [ln for ln in lines if ln.startswith("#")]


# ---------------------------------------------------------------- trace payloads

def test_trace_mmio_after_xv6_boots(qemu_factory, tmp_path):
    config = xv6_config(1)
    q, _ = boot(qemu_factory, config, tmp_path, "trace-mmio-xv6", template=xv6_file("fs.img"))
    q.expect(PROMPT, BOOT)
    run(q, "echo traced > tracefile")         # a disk write: xv6 commits its log through virtio-blk
    assert "traced" in run(q, "cat tracefile")
    focus(q, "h")
    out = hv(q, "trace 5 class mmio")
    recs = records(out)
    assert len(recs) == 5, out
    for line in recs:
        m = MMIO_LINE.match(line)
        assert m, line
        dev, _, addr, width, _ = m.groups()
        base = {"uart": 0x10000000, "plic": 0x0c000000}.get(dev, 0x10001000)
        assert int(addr, 16) >= base, line
    # every device xv6 uses shows up with its values
    seen = [MMIO_LINE.match(ln).groups() for ln in records(hv(q, "trace 256 class mmio"))]
    devices = {s[0] for s in seen}
    assert {"uart", "plic", "virtio0"} <= devices, seen
    # the UART transmit register gets the characters xv6 printed
    tx = [int(s[4], 16) for s in seen if s[0] == "uart" and s[1] == "store" and s[2] == "0x10000000"]
    assert tx and all(0 < c < 0x80 for c in tx), seen
    # virtio-blk: the queue notify register (offset 0x50) is written, the interrupt status read
    assert ("virtio0", "store", "0x10001050") in {s[:3] for s in seen}, seen


def test_trace_sbi_calls_after_linux_boots(qemu_factory, guests):
    q, _ = linux_boot(qemu_factory, config_bundle("linux"), "trace-sbi-linux", timeout=60)
    linux_reaches_shell(q)
    type_line(q, "for i in 1 2 3 4 5 6 7 8; do echo x > /dev/null & done; wait; echo done-$((40+2))")
    q.expect_exact("done-42", timeout=60)
    focus(q, "h")
    out = hv(q, "trace 20 class ecall")
    recs = records(out)
    assert len(recs) == 20, out
    calls = []
    for line in recs:
        m = SBI_LINE.match(line)
        assert m, line
        calls.append(m.groups())
    names = {(ext, fn) for ext, fn, _ in calls}
    # Linux on two vCPUs: IPIs and remote fences, by name, with their results
    assert ("IPI", "send_ipi") in names, calls
    assert any(ext == "RFENCE" and fn.startswith("remote_") for ext, fn, _ in calls), calls
    assert all(ret == "0" for ext, _, ret in calls if ext in ("IPI", "RFENCE")), calls
