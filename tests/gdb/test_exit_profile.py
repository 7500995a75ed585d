"""scripts/exit_profile.py on a synthetic QEMU exec log (no QEMU): exits are
the HS-mode runs between guest runs, named by the ELF's symbols, and the
most frequent kind of exit comes first with its count per function."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = [sys.executable, str(ROOT / "scripts" / "exit_profile.py")]
HV = "02424011"     # TB flags: MMU index 1, S-mode without virtualization
GUEST = "0262400d"  # MMU index 5: a guest


def line(pc, flags):
    return f"Trace 0: 0x7f0000000000 [00000000/{pc:016x}/{flags}/ff022201] \n"


@pytest.fixture
def fake_nm(tmp_path):
    """An nm stand-in that lists three functions, as `nm -n` does."""
    nm = tmp_path / "nm"
    nm.write_text("#!/bin/sh\ncat <<'X'\n"
                  "0000000080200000 T trap_vector\n0000000080200100 T trap_quick\n"
                  "0000000080200200 t sbi_quick\n0000000080300000 D data\nX\n")
    nm.chmod(0o755)
    return str(nm)


def test_exits_counted_per_function(tmp_path, fake_nm):
    log = tmp_path / "exec.log"
    text = []
    for _ in range(3):  # three identical SBI exits
        text.append(line(0x80001000, GUEST))
        text += [line(0x80200000 + 2 * i, HV) for i in range(4)]
        text += [line(0x80200100 + 2 * i, HV) for i in range(2)]
        text += [line(0x80200200 + 2 * i, HV) for i in range(5)]
    text.append(line(0x80001004, GUEST))
    text += [line(0x80200000, HV)] * 7  # one different exit
    text.append(line(0x80001008, GUEST))
    text.append("Stopped execution of TB chain before 0x7f0000000000\n")
    log.write_text("".join(text))
    out = subprocess.run(SCRIPT + ["--elf", "hv.elf", "--nm", fake_nm, "--log", str(log)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "exit x3: 11 instructions"
    assert out[1:4] == ["       5 sbi_quick", "       4 trap_vector", "       2 trap_quick"]
    assert out[4] == "exit x1: 7 instructions"


def test_log_without_exits_is_one_line(tmp_path, fake_nm):
    log = tmp_path / "exec.log"
    log.write_text(line(0x80001000, GUEST))
    r = subprocess.run(SCRIPT + ["--elf", "hv.elf", "--nm", fake_nm, "--log", str(log)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "no exits in the log" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(SCRIPT + ["--elf", "hv.elf", "--nm", fake_nm, "--log", str(tmp_path / "none")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "exit_profile:" in r.stderr and "Traceback" not in r.stderr
