"""Helpers shared by every hvscope system test: where things are, how QEMU is
started, and a pexpect wrapper that logs everything and always cleans up.

Configuration comes from the environment (defaults in brackets):
  HV_BUILD      build directory [build, relative to the repository root]
  HV_QEMU       new QEMU [qemu-system-riscv64 from PATH]
  HV_QEMU_OLD   QEMU 7.2 [<build>/cache/qemu-old/usr/bin/qemu-system-riscv64]
  HV_OPENSBI    OpenSBI fw_dynamic.bin [from `dpkg -L opensbi`]
  HV_QEMU_CPU   -cpu value [rv64]
"""

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import time
from pathlib import Path

import pexpect

REPO_ROOT = Path(__file__).resolve().parents[2]

# Labels of the QEMU version matrix: the new QEMU first, then the old one.
QEMU_NEW = "10"
QEMU_OLD = "7.2"
QEMU_VERSIONS = (QEMU_NEW, QEMU_OLD)
QEMU_OLD_MISSING = "QEMU 7.2 not available on this machine (only Debian 12 packages it)"

DEFAULT_TIMEOUT = 30


def build_dir():
    path = Path(os.environ.get("HV_BUILD", "build"))
    return path if path.is_absolute() else REPO_ROOT / path


def qemu_new():
    return os.environ.get("HV_QEMU", "qemu-system-riscv64")


def qemu_old():
    default = build_dir() / "cache" / "qemu-old" / "usr" / "bin" / "qemu-system-riscv64"
    return os.environ.get("HV_QEMU_OLD", str(default))


def qemu_cpu():
    return os.environ.get("HV_QEMU_CPU", "rv64")


@functools.lru_cache(maxsize=None)
def opensbi():
    """Path of OpenSBI's generic fw_dynamic.bin (riscv64)."""
    if os.environ.get("HV_OPENSBI"):
        return os.environ["HV_OPENSBI"]
    try:
        files = subprocess.run(["dpkg", "-L", "opensbi"], capture_output=True,
                               text=True, check=False).stdout.split()
    except FileNotFoundError:
        files = []
    for name in files:
        if re.search(r"riscv64.*/generic/fw_dynamic\.bin$", name):
            return name
    raise RuntimeError("OpenSBI fw_dynamic.bin not found: install Debian's opensbi "
                       "package (make deps) or set HV_OPENSBI")


def qemu_versions():
    """The QEMU versions that can run here: always the new one, 7.2 when its
    unpacked binary exists."""
    return list(QEMU_VERSIONS) if os.access(qemu_old(), os.X_OK) else [QEMU_NEW]


def qemu_binary(version):
    """The QEMU executable for a label of QEMU_VERSIONS."""
    if version == QEMU_NEW:
        return qemu_new()
    if version == QEMU_OLD:
        return qemu_old()
    raise ValueError(f"unknown QEMU version label {version!r}")


def guest_image(name, kind="bin"):
    """A test guest built by `make test-guests` (guests/tests/NAME.c)."""
    path = build_dir() / "guests" / "tests" / f"{name}.{kind}"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build it with `make test-guests`")
    return path


def native_args(image, smp=2, mem="256M", cpu=None, qemu=None, extra=()):
    """Command line booting `image` as OpenSBI's payload, no hypervisor.
    QEMU 7.2 has no default firmware for -kernel alone, so -bios is always given."""
    return [qemu or qemu_new(), "-M", "virt", "-cpu", cpu or qemu_cpu(),
            "-smp", str(smp), "-m", mem, "-nographic",
            "-bios", opensbi(), "-kernel", str(image), *extra]


def log_name(text):
    """A file name from a test id such as test_hello[7.2]."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "qemu"


class _Transcript:
    """pexpect's logfile_read: writes through to the log and keeps a copy."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8", errors="replace")
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        self.file.write(text)

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()

    def text(self):
        return "".join(self.parts)


class Qemu:
    """One QEMU process driven through its console with pexpect.

    Everything QEMU prints is logged to <build>/tests/logs/<name>.log.  With
    monitor=True and/or gdb=True the HMP monitor and gdbstub listen on unix
    sockets in a private temporary directory (monitor_path, gdb_path), never
    on TCP.  close() is idempotent; use as a context manager or through the
    qemu_factory fixture, which closes on every path.
    """

    def __init__(self, args, name="qemu", timeout=DEFAULT_TIMEOUT, monitor=False,
                 gdb=False, env=None):
        self.args = list(args)
        self.timeout = timeout
        self.sockdir = None
        self.monitor_path = None
        self.gdb_path = None
        if monitor or gdb:
            self.sockdir = tempfile.mkdtemp(prefix="hvtest-")
        if monitor:
            self.monitor_path = os.path.join(self.sockdir, "monitor.sock")
            self.args += ["-monitor", f"unix:{self.monitor_path},server=on,wait=off"]
        if gdb:
            self.gdb_path = os.path.join(self.sockdir, "gdb.sock")
            self.args += ["-chardev", f"socket,id=hvgdb,path={self.gdb_path},server=on,wait=off",
                          "-gdb", "chardev:hvgdb"]
        logdir = build_dir() / "tests" / "logs"
        logdir.mkdir(parents=True, exist_ok=True)
        self.log_path = logdir / f"{log_name(name)}.log"
        self.transcript = _Transcript(self.log_path)
        self.transcript.write("# " + " ".join(self.args) + "\n")
        self.child = pexpect.spawn(self.args[0], self.args[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=timeout, env=env,
                                   dimensions=(50, 200), preexec_fn=_raw_tty_output)
        self.child.logfile_read = self.transcript
        self.pid = self.child.pid
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def output(self):
        """Everything QEMU printed so far (as far as expect has read)."""
        return self.transcript.text()

    def _fail(self, what, pattern):
        tail = self.output[-2000:]
        raise AssertionError(f"{what} waiting for {pattern!r} (log: {self.log_path})\n"
                             f"--- last output ---\n{tail}")

    def expect(self, pattern, timeout=None):
        """Waits for a regular expression; returns the re match object.
        pexpect compiles with re.DOTALL: use [^\r\n]* rather than .* in lines."""
        try:
            self.child.expect(pattern, timeout=self.timeout if timeout is None else timeout)
        except pexpect.TIMEOUT:
            self._fail("timeout", pattern)
        except pexpect.EOF:
            self._fail("QEMU exited", pattern)
        return self.child.match

    def expect_exact(self, text, timeout=None):
        """Waits for a literal string."""
        try:
            self.child.expect_exact(text, timeout=self.timeout if timeout is None else timeout)
        except pexpect.TIMEOUT:
            self._fail("timeout", text)
        except pexpect.EOF:
            self._fail("QEMU exited", text)
        return self.child.match

    def send(self, text):
        self.child.send(text)

    def sendline(self, text=""):
        """Sends text and Enter as a terminal does (CR)."""
        self.child.send(text + "\r")

    def wait_exit(self, timeout=None):
        """Waits for QEMU to exit by itself; returns its exit status."""
        self.expect(pexpect.EOF, timeout)
        self.child.wait()
        return self.child.exitstatus

    def monitor_command(self, command, timeout=5):
        """Runs one HMP command on the monitor socket and returns its output."""
        if not self.monitor_path:
            raise RuntimeError("QEMU was started without monitor=True")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    sock.connect(self.monitor_path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            _read_until(sock, b"(qemu) ")
            sock.sendall(command.encode() + b"\n")
            reply = _read_until(sock, b"(qemu) ").decode("utf-8", "replace")
        lines = reply.replace("\r", "").split("\n")
        # The monitor echoes the command first and ends with the next prompt.
        return "\n".join(line for line in lines[1:-1]).strip()

    def close(self):
        """Stops QEMU: SIGTERM, up to 3 s to exit, then SIGKILL."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.child.isalive():
                _kill(self.pid, signal.SIGTERM)
                deadline = time.monotonic() + 3
                while self.child.isalive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                if self.child.isalive():
                    _kill(self.pid, signal.SIGKILL)
            try:
                # Collect whatever is still buffered into the log.
                self.child.read_nonblocking(size=1 << 20, timeout=0)
            except (pexpect.TIMEOUT, pexpect.EOF, OSError):
                pass
            self.child.close(force=True)
        finally:
            self.transcript.close()
            if self.sockdir:
                shutil.rmtree(self.sockdir, ignore_errors=True)


def _raw_tty_output():
    """Runs in the child before exec: the pty must not turn "\n" into "\r\n"
    (QEMU keeps OPOST on its stdio tty but leaves ONLCR as it finds it), so
    the test sees exactly the bytes the guest wrote."""
    attrs = termios.tcgetattr(0)
    attrs[1] &= ~termios.ONLCR
    termios.tcsetattr(0, termios.TCSANOW, attrs)


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _read_until(sock, marker):
    data = b""
    while not data.endswith(marker):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
