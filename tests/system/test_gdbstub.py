"""hvscope's own gdbstub (issue 15): gdb-multiarch on one VM's guest, through
`make gdb-vm VM=N` as a user runs it, while the other VMs keep running.

The machine is the default set (two xv6 VMs on temporary disk copies) with
the gdbstub's virtio-serial device (hvrun.hv_args adds it: port N = VM N on
a unix socket in a private temporary directory, which `make gdb-vm` is
pointed at with GDBSTUB_DIR=).  gdb runs in batch mode; every test kills
QEMU (qemu_factory) and gdb (subprocess timeout) on every path.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import hvtest
from hvrun import focus, hv_args, make_bundle

PROMPT = r"(?:^|\n)\$ "
BOOT_TIMEOUT = 120
GDB_TIMEOUT = 120
XV6_ELF = hvtest.build_dir() / "guests" / "xv6" / "kernel.elf"

DEFAULT_SET = (hvtest.REPO_ROOT / "configs" / "default.cfg").read_text()


def disk_args(config_text, tmp_path):
    """QEMU options for the config's disks (temporary copies), as `make run` gets them."""
    cfg = tmp_path / "disks.cfg"
    cfg.write_text(config_text)
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "--qemu-args", "-D", f"O={hvtest.build_dir()}", "--disk-dir", str(tmp_path / "disks"),
                        "--disk-template", str(hvtest.build_dir() / "guests" / "xv6" / "fs.img")],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def boot(qemu_factory, tmp_path, config_text=DEFAULT_SET, name="gdbstub", shells=(1, 2)):
    """hvscope with config_text and the gdbstub device; returns (qemu, socket dir)."""
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(make_bundle(config_text, name), gdbstub_dir=sockdir)
    q = qemu_factory(args + disk_args(config_text, tmp_path), timeout=BOOT_TIMEOUT)
    q.expect(r"gdbstub: virtio-console at 0x[0-9a-f]+ irq \d+, 32 ports")
    for vm in shells:
        focus(q, str(vm))
        q.sendline("")
        q.expect(PROMPT)
    return q, sockdir


def gdb_vm(sockdir, vm, *commands, timeout=GDB_TIMEOUT, config="default"):
    """`make gdb-vm VM=vm GDBFLAGS='-batch -ex ...'`; returns its output (stdout + stderr)."""
    gdb = start_gdb_vm(sockdir, vm, commands, config)
    try:
        out, _ = gdb.communicate(timeout=timeout)
    finally:
        stop(gdb)
    return out


def start_gdb_vm(sockdir, vm, commands, config="default"):
    """`make gdb-vm` in its own session (stop() kills make and gdb together)."""
    flags = "-batch " + " ".join("-ex '%s'" % c.replace("'", "'\\''") for c in commands)
    return subprocess.Popen(["make", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), "gdb-vm",
                             f"O={hvtest.build_dir()}", f"CONFIG={config}", f"VM={vm}",
                             f"GDBSTUB_DIR={sockdir}", f"GDBFLAGS={flags}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop(proc):
    """Kill a start_gdb_vm() process group if it still runs."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def test_gdbstub_attach_regs_detach(qemu_factory, tmp_path):
    """Attach to VM 1: threads, pc in xv6's kernel, the guest's satp, detach; VM 1 runs on."""
    q, sockdir = boot(qemu_factory, tmp_path)
    out = gdb_vm(sockdir, 1, "info threads", "p/x $pc", "p/x $satp", "p $priv", "info symbol $pc",
                 "x/2i $pc", "detach")
    print(out)
    assert re.search(r"\* 1\s+Thread 1", out), out
    m = re.search(r"\$1 = (0x[0-9a-f]+)", out)
    assert m and int(m.group(1), 16) >= 0x80000000, out
    assert re.search(r"\$2 = 0x8[0-9a-f]{15}", out), out      # Sv39 vsatp, as xv6 set it
    assert "Detaching from program" in out or "detached" in out.lower(), out
    focus(q, "1")
    q.sendline("echo back")
    q.expect("back")


def disassembly():
    """{address: instruction text} of xv6's kernel, from objdump (the oracle for stepi)."""
    objdump = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(hvtest.REPO_ROOT),
                              "-p", "-n"], capture_output=True, text=True, check=False).stdout
    tool = re.search(r"^OBJDUMP := (\S+)", objdump, re.M)
    r = subprocess.run([tool.group(1) if tool else "riscv64-unknown-elf-objdump", "-d", str(XV6_ELF)],
                       capture_output=True, text=True, check=True)
    insns = {}
    for m in re.finditer(r"^[ \t]*([0-9a-f]+):[ \t]+([0-9a-f]+)[ \t]+(\S+)[ \t]*(.*)$", r.stdout, re.M):
        insns[int(m.group(1), 16)] = (len(m.group(2)) // 2, m.group(3), m.group(4))
    return insns


def expected_next(insns, pc, regs):
    """Where the instruction at pc goes, from the disassembly and the registers gdb showed."""
    size, op, args = insns[pc]
    target = re.search(r"\b([0-9a-f]{8,})\b", args)
    ops = [a.strip() for a in args.split(",")]
    if op in ("j", "jal", "c.j", "c.jal") or (op == "jal" and target):
        return int(target.group(1), 16)
    if op in ("ret", "jr", "jalr", "c.jr", "c.jalr"):
        reg = "ra" if op == "ret" else re.match(r"(?:\d+\()?([a-z0-9]+)\)?", ops[-1] if op == "jalr" else ops[0]).group(1)
        off = 0
        m = re.match(r"(-?\d+)\(([a-z0-9]+)\)", ops[-1]) if op == "jalr" else None
        if m:
            off, reg = int(m.group(1)), m.group(2)
        return (regs[reg] + off) & ~1
    branches = {"beqz": lambda a: a == 0, "bnez": lambda a: a != 0, "blez": lambda a: s64(a) <= 0,
                "bgez": lambda a: s64(a) >= 0, "bltz": lambda a: s64(a) < 0, "bgtz": lambda a: s64(a) > 0}
    if op in branches:
        return int(target.group(1), 16) if branches[op](regs[ops[0]]) else pc + size
    two = {"beq": lambda a, b: a == b, "bne": lambda a, b: a != b, "blt": lambda a, b: s64(a) < s64(b),
           "bge": lambda a, b: s64(a) >= s64(b), "bltu": lambda a, b: a < b, "bgeu": lambda a, b: a >= b,
           "bgt": lambda a, b: s64(a) > s64(b), "ble": lambda a, b: s64(a) <= s64(b),
           "bgtu": lambda a, b: a > b, "bleu": lambda a, b: a <= b}
    if op in two:
        return int(target.group(1), 16) if two[op](regs[ops[0]], regs[ops[1]]) else pc + size
    return pc + size


def s64(v):
    return v - (1 << 64) if v >> 63 else v


def test_gdbstub_break_step_other_vm_runs(qemu_factory, tmp_path):
    """Break at xv6's syscall entry, type a command in VM 1: the breakpoint hits.
    bt, info threads, p/x $satp, x/4i $pc, 20 x stepi (each pc checked against
    the disassembly), next, finish, continue (the breakpoint hits again);
    while VM 1 is stopped VM 2 answers a shell command; detach, and VM 1
    finishes its command."""
    q, sockdir = boot(qemu_factory, tmp_path)
    focus(q, "1")
    flag = tmp_path / "stopped"
    resume = tmp_path / "resume"
    steps = []
    for _ in range(20):
        steps += ["stepi", "info registers pc ra sp a0 a1 a2 a3 a4 a5 s0 s1 t0 t1"]
    commands = (["break syscall", "continue", "bt", "info threads", "p/x $satp", "x/4i $pc",
                 "info registers pc ra sp a0 a1 a2 a3 a4 a5 s0 s1 t0 t1"] + steps +
                ["next", "echo before-finish\\n", "bt 2", "finish", "echo after-finish\\n", "bt 1",
                 "echo continuing\\n", "continue", f"shell touch {flag}",
                 f'python import os, time; any(time.sleep(0.2) for _ in iter(lambda: os.path.exists("{resume}"), True))',
                 "delete", "detach"])
    gdb = start_gdb_vm(sockdir, 1, commands)
    try:
        # Type into VM 1 until the breakpoint hits (gdb may still be starting:
        # until its breakpoint is in, the command just runs).
        deadline = time.time() + GDB_TIMEOUT
        while not flag.exists():
            assert gdb.poll() is None, gdb.stdout.read()
            assert time.time() < deadline, "the breakpoint never hit"
            q.sendline("echo hello-from-vm1")
            for _ in range(15):
                if flag.exists():
                    break
                time.sleep(0.2)
        # VM 1 is stopped in gdb; VM 2 answers.
        focus(q, "2")
        q.sendline("echo vm2-still-runs")
        q.expect("vm2-still-runs", timeout=20)
        q.expect(PROMPT, timeout=20)
        resume.touch()
        out, _ = gdb.communicate(timeout=GDB_TIMEOUT)
    finally:
        stop(gdb)
    print(out)
    assert re.search(r"Breakpoint 1, syscall \(\) at .*syscall\.c", out), out
    assert re.search(r"#0\s+syscall \(\).*\n#1\s+0x[0-9a-f]+ in usertrap", out), out
    assert re.search(r"\* 1\s+Thread 1 \(vCPU 0", out), out
    assert re.search(r"\$1 = 0x8[0-9a-f]{15}", out), out
    assert re.search(r"=> 0x[0-9a-f]+ <syscall(\+\d+)?>:", out), out
    # Every stepi lands where the disassembly and the registers before it say.
    insns = disassembly()
    dumps = re.findall(r"((?:^\w+\s+0x[0-9a-f]+\s+.*\n)+)", out, re.M)
    states = [dict((m.group(1), int(m.group(2), 16)) for m in re.finditer(r"^(\w+)\s+(0x[0-9a-f]+)", d, re.M))
              for d in dumps]
    states = [s for s in states if "pc" in s and "t1" in s]
    assert len(states) == 21, (len(states), out)
    for before, after in zip(states, states[1:]):
        assert after["pc"] == expected_next(insns, before["pc"], before), (hex(before["pc"]), insns.get(before["pc"]), hex(after["pc"]))
    # finish returns to the caller that bt showed before it.
    before = out.split("before-finish", 1)[1]
    caller = re.search(r"^#1\s+(?:0x[0-9a-f]+ in )?(\w+) \(", before, re.M)
    after = out.split("after-finish", 1)[1]
    assert caller and re.search(r"^#0\s+(?:0x[0-9a-f]+ in )?%s \(" % caller.group(1), after, re.M), out
    # continue: the shell's next system call hits the breakpoint again
    assert re.search(r"^continuing\n\s*Breakpoint 1, syscall \(\)", out, re.M), out
    assert "[Inferior 1 (Remote target) detached]" in out, out
    focus(q, "1")
    q.expect("hello-from-vm1", timeout=30)


def test_gdbstub_wait_boot_code(qemu_factory, tmp_path):
    """`gdb = wait`: VM 1 is held at its first instruction while VM 2 boots;
    gdb attaches there, steps through xv6's boot code (each pc checked),
    runs to main, detaches, and VM 1 boots to its shell."""
    config = DEFAULT_SET.replace("[vm xv6a]\n", "[vm xv6a]\ngdb = wait\n")
    q, sockdir = boot(qemu_factory, tmp_path, config, name="gdbwait", shells=())
    q.expect(r"vm1: xv6a waits for gdb at its first instruction \(make gdb-vm VM=1\)")
    focus(q, "2")
    q.sendline("")
    q.expect(PROMPT)
    regs = "info registers pc ra sp t0 t1"
    commands = ["p/x $pc", regs] + ["stepi", regs] * 8 + ["break main", "continue", "bt 1", "detach"]
    out = gdb_vm(sockdir, 1, *commands)
    print(out)
    assert re.search(r"\$1 = 0x80200000\b", out), out
    insns = disassembly()
    states = [dict((m.group(1), int(m.group(2), 16)) for m in re.finditer(r"^(\w+)\s+(0x[0-9a-f]+)", d, re.M))
              for d in re.findall(r"((?:^\w+\s+0x[0-9a-f]+\s+.*\n)+)", out, re.M)]
    states = [s for s in states if "pc" in s and "t1" in s]
    assert len(states) == 9, out
    for before, after in zip(states, states[1:]):
        assert after["pc"] == expected_next(insns, before["pc"], before), (hex(before["pc"]), hex(after["pc"]))
    assert [s["pc"] for s in states[:5]] == [0x80200000, 0x80200004, 0x80200008, 0x8020000c, 0x80200010], out
    assert re.search(r"Breakpoint 1, main \(", out), out
    assert "[Inferior 1 (Remote target) detached]" in out, out
    focus(q, "1")
    q.sendline("")
    q.expect(PROMPT, timeout=60)


class Rsp:
    """A bare GDB remote-protocol client on a gdbstub port (what gdb would send, and worse)."""

    def __init__(self, path, timeout=20):
        import socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.buf = b""

    def raw(self, data):
        self.sock.sendall(data)

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self.raw(b"$%s#%02x" % (payload, sum(payload) % 256))

    def _fill(self):
        chunk = self.sock.recv(65536)
        assert chunk, "the stub closed the connection"
        self.buf += chunk

    def ack(self):
        """The next acknowledgement byte (+ or -)."""
        while not self.buf:
            self._fill()
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def reply(self):
        """The next packet's payload (checksum verified); acknowledgements are skipped."""
        while True:
            self.buf = self.buf.lstrip(b"+")
            m = re.match(rb"\$([^#]*)#([0-9a-f]{2})", self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                assert sum(m.group(1)) % 256 == int(m.group(2), 16), m.group(0)
                self.raw(b"+")
                return m.group(1).decode(errors="replace")
            self._fill()

    def ask(self, payload):
        self.send(payload)
        return self.reply()

    def monitor(self, command):
        """`monitor COMMAND`: its output (O packets) until OK."""
        self.send("qRcmd," + command.encode().hex())
        text = ""
        while True:
            r = self.reply()
            if r.startswith("O") and r != "OK":
                text += bytes.fromhex(r[1:]).decode(errors="replace")
            else:
                assert r == "OK", r
                return text

    def close(self):
        self.sock.close()


def test_gdbstub_bad_input_ctrl_c_monitor_drop(qemu_factory, tmp_path):
    """Malformed, oversized and bad-checksum packets, bad thread ids, memory
    that does not translate or is not RAM, breakpoints on MMIO: each gets an
    error reply and the connection stays usable.  Ctrl-C stops the VM (SIGINT),
    monitor runs the console's commands for this VM and refuses the others,
    a dropped connection lets the VM run again, kill stops only it; VM 2
    answers throughout."""
    q, sockdir = boot(qemu_factory, tmp_path)
    c = Rsp(f"{sockdir}/vm1.sock")
    try:
        assert "PacketSize=1000" in c.ask("qSupported:swbreak+")
        assert c.ask("?") == "T05thread:1;"
        c.raw(b"$g#00")
        assert c.ack() == b"-"                       # bad checksum
        assert c.ask("m" * 5000) == "E16"            # oversized
        assert c.ask("") == ""                       # empty packet: unsupported
        assert c.ask("Hg5") == "E16"                 # no such thread
        assert c.ask("T9") == "E16"
        assert c.ask("mzz,4") == "E16"
        assert c.ask("m0,4") == "E14"                # VA 0: not mapped in xv6's kernel table
        assert re.fullmatch(r"[0-9a-f]{16}", c.ask("m80200ffc,8"))   # across a page boundary
        assert c.ask("Z0,0,4") == "E14"
        assert "guest-physical" in c.monitor("phys on")
        assert c.ask("m10000000,4") == "E14"         # the UART: MMIO, not RAM
        assert c.ask("Z0,10000000,4") == "E14"
        assert c.ask("M90000000,4:00000000") == "E14"     # beyond the VM's 128 MiB
        assert c.ask("X7ffffffe,4:abcd") == "E14"   # straddles the start of RAM
        assert "guest-virtual" in c.monitor("phys off")
        assert "bitsize" in c.ask("qXfer:features:read:target.xml:0,400")
        assert re.fullmatch(r"[0-9a-f]{16}", c.ask("p21"))    # f0: the guest has D
        assert re.fullmatch(r"[0-9a-f]{8}", c.ask("p43"))     # fcsr
        assert c.ask("P4b=0000000000000000") == "E16"         # sip is read-only
        assert c.ask("p4e") == "E16"                          # past the last register
        # monitor: the console's commands, limited to this VM
        out = c.monitor("xlate 0x80200000")
        assert re.search(r"vm1\.0 xlate VA 0x80200000", out), out
        assert re.search(r"vm1\s+xv6a|1\s+xv6a", c.monitor("vms")), "vms"
        assert "refused" in c.monitor("quit") or "error" in c.monitor("quit")
        assert "error" in c.monitor("kill 2")
        assert "error" in c.monitor("nosuchcommand")
        # Ctrl-C while it runs
        c.send("c")
        assert c.ack() == b"+"
        focus(q, "2")
        q.sendline("echo vm2-while-vm1-runs")
        q.expect("vm2-while-vm1-runs")
        c.raw(b"\x03")
        assert c.reply() == "T02thread:1;"
        q.sendline("echo vm2-while-vm1-stopped")
        q.expect("vm2-while-vm1-stopped")
    finally:
        c.close()                                    # dropped, not detached
    q.expect(r"vm1: xv6a: debugger disconnected")
    focus(q, "1")
    q.sendline("echo vm1-runs-again")
    q.expect("vm1-runs-again")
    c = Rsp(f"{sockdir}/vm1.sock")
    try:
        assert c.ask("?") == "T05thread:1;"
        c.send("k")
        q.expect(r"vm1: xv6a stopped: killed from gdb")
    finally:
        c.close()
    focus(q, "2")
    q.sendline("echo vm2-after-kill")
    q.expect("vm2-after-kill")


def test_gdbstub_two_debuggers_at_once(qemu_factory, tmp_path):
    """gdb on VM 1 and gdb on VM 2 at the same time, each sees its own VM."""
    import concurrent.futures
    q, sockdir = boot(qemu_factory, tmp_path)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(gdb_vm, sockdir, vm, "info threads", "p/x $satp", "x/i $pc", "detach") for vm in (1, 2)]
        outs = [r.result() for r in runs]
    for out in outs:
        print(out)
        assert re.search(r"\* 1\s+Thread 1 \(vCPU 0", out), out
        assert re.search(r"\$1 = 0x8[0-9a-f]{15}", out), out
        assert "[Inferior 1 (Remote target) detached]" in out, out
    for vm in ("1", "2"):
        focus(q, vm)
        q.sendline(f"echo vm{vm}-after")
        q.expect(f"vm{vm}-after")


def test_gdbstub_device_absent(qemu_factory, tmp_path):
    """Without the virtio-serial device: one boot line says so, a `gdb = wait`
    VM starts anyway (with a line saying so), and the VMs run as before."""
    config = DEFAULT_SET.replace("[vm xv6a]\n", "[vm xv6a]\ngdb = wait\n")
    args, _ = hv_args(make_bundle(config, "nogdb"), gdbstub_vms=0)
    q = qemu_factory(args + disk_args(config, tmp_path), timeout=BOOT_TIMEOUT)
    q.expect(r"gdbstub: off \(no virtio-serial-device; make run adds one\)")
    q.expect(r"vm1: xv6a: gdb = wait, but there is no gdbstub device: not waiting")
    for vm in ("1", "2"):
        focus(q, vm)
        q.sendline("")
        q.expect(PROMPT)


def test_gdbstub_config_key_checked(tmp_path):
    """`gdb =` takes only `wait`: anything else stops the build with one line."""
    cfg = tmp_path / "bad.cfg"
    cfg.write_text(f"[vm a]\nimage = {XV6_ELF}\nram = 128M\ngdb = now\n")
    r = subprocess.run([sys.executable, str(hvtest.REPO_ROOT / "scripts" / "mkbundle.py"), str(cfg),
                        "-o", str(tmp_path / "bad.bundle")], capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert r.stderr.strip() == f"mkbundle: {cfg}:4: vm a: gdb must be 'wait' (or leave it out)", r.stderr


def symbol(elf, name):
    """Address of a symbol, from the cross toolchain's nm."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(hvtest.REPO_ROOT), "-p", "-n"],
                       capture_output=True, text=True, check=False).stdout
    tool = re.search(r"^OBJDUMP := (\S+)objdump", r, re.M)
    nm = (tool.group(1) if tool else "riscv64-unknown-elf-") + "nm"
    out = subprocess.run([nm, str(elf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^([0-9a-f]+) [tTbBdD] %s$" % name, out, re.M).group(1), 16)


# What the stub holds in the VM while the guest runs its own ebreaks: a
# breakpoint (Z0), or a hardware watchpoint (Z2: a debug trigger on QEMU 10
# and on QEMU 7.2, whose trigger exceptions leave stval 0) on a variable the
# ebreak mode never writes.  Either way hedeleg bit 3 is clear for the VM and
# every breakpoint exception reaches the stub first (Linux's BUG/WARN are
# such ebreaks).
EBREAK_VARIANTS = ["z0-qemu10", "z2-qemu10", "z2-qemu7.2"]


@pytest.mark.parametrize("variant", EBREAK_VARIANTS)
def test_gdbstub_guest_ebreak_delivered(qemu_factory, tmp_path, variant):
    """While the stub has a breakpoint or a hardware watchpoint in the VM,
    the guest's own 300 ebreaks still reach its own trap handler, and gdb
    never stops for them; Ctrl-C is the first stop it sees."""
    kind_z, machine = variant.split("-", 1)
    qemu = hvtest.qemu_new()
    if machine == "qemu7.2":
        if not os.access(hvtest.qemu_old(), os.X_OK):
            pytest.skip(hvtest.QEMU_OLD_MISSING)
        qemu = hvtest.qemu_old()
    elf = hvtest.build_dir() / "guests" / "tests" / "hostile.elf"
    config = f"[vm hostile]\nimage = {elf}\nram = 16M\nbootargs = hostile=ebreak\ngdb = wait\n"
    sockdir = tempfile.mkdtemp(prefix="hvgdb-")
    args, _ = hv_args(make_bundle(config, "ebreak"), qemu=qemu, gdbstub_dir=sockdir)
    q = qemu_factory(args, timeout=60)
    q.expect(r"debug triggers: SBI DBTR, \d+ triggers, \d+ mcontrol6")   # a trigger on both QEMUs
    q.expect(r"vm1: hostile waits for gdb at its first instruction")
    c = Rsp(f"{sockdir}/vm1.sock")
    try:
        assert c.ask("?") == "T05thread:1;"
        if kind_z == "z0":
            addr = symbol(elf, "mode_srst2")
            size = 4 if int(c.ask(f"m{addr:x},1"), 16) & 3 == 3 else 2
        else:
            # the guest's start-up clears .bss (seen_satp too): set the watchpoint
            # once it is in its ebreak mode, from a breakpoint there
            start = symbol(elf, "mode_ebreak")
            size = 4 if int(c.ask(f"m{start:x},1"), 16) & 3 == 3 else 2
            assert c.ask(f"Z0,{start:x},{size}") == "OK"
            assert c.ask("c") == "T05thread:1;"
            assert c.ask(f"z0,{start:x},{size}") == "OK"
            addr, size = symbol(elf, "seen_satp"), 8
        assert c.ask(f"Z{kind_z[1]},{addr:x},{size}") == "OK"
        c.send("c")
        assert c.ack() == b"+"
        q.expect(r"hostile: ebreak 300 of 300 delivered")
        q.expect("hostile: done")
        c.raw(b"\x03")
        assert c.reply() == "T02thread:1;"
        assert c.ask(f"z{kind_z[1]},{addr:x},{size}") == "OK"
        assert c.ask("D") == "OK"
    finally:
        c.close()


def test_gdbstub_two_vcpus_are_two_threads(qemu_factory, tmp_path):
    """A 2-vCPU xv6 VM: two threads, each with its own registers; stepi on
    thread 2 lands where the disassembly says (the other vCPU runs meanwhile,
    as gdb expects without scheduler-locking); after detach the shell answers."""
    config = DEFAULT_SET.replace("[vm xv6a]\n", "[vm xv6a]\nvcpus = 2\n")
    q, sockdir = boot(qemu_factory, tmp_path, config, name="smp")
    regs = "info registers pc ra sp a0 a1 a2 a3 a4 a5 s0 s1 t0 t1"
    out = gdb_vm(sockdir, 1, "info threads", "thread 2", "p/x $tp", regs, "echo stepping\\n", "stepi",
                 "echo stepped\\n", regs, "detach")
    print(out)
    assert re.search(r"1\s+Thread 1 \(vCPU 0[^\n]*\n[^\n]*2\s+Thread 2 \(vCPU 1", out), out
    assert re.search(r"^\$1 = 0x1$", out, re.M), out      # xv6 keeps the hart id in tp
    before, step, after = re.split(r"^stepping$|^stepped$", out, flags=re.M)
    assert "Switching to Thread 1" not in step, out      # the stop is thread 2's
    states = [dict((m.group(1), int(m.group(2), 16)) for m in re.finditer(r"^(\w+)\s+(0x[0-9a-f]+)", part, re.M))
              for part in (before, after)]
    assert states[1]["pc"] == expected_next(disassembly(), states[0]["pc"], states[0]), out
    focus(q, "1")
    q.sendline("echo smp-after")
    q.expect("smp-after")
