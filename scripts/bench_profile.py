#!/usr/bin/env python3
"""make bench, profile part: where QEMU's CPU time goes, native vs hvscope.

Boots the same guest natively (QEMU + OpenSBI) and as the only VM under
hvscope, each under `perf record` of the QEMU process (all its threads),
until the guest's prompt, and sorts the samples into groups by host symbol
(QEMU's TLB flushes and refills, its page-table walker, code translation,
the host kernel zeroing QEMU's RAM on first touch, the scheduler, the
translated guest code itself...).  Every figure is in points of the native
run's total samples, so a row's native and hvscope columns compare directly
and the hvscope column sums to its run's ratio.

Without perf (Debian's linux-perf) or when perf may not record
(kernel.perf_event_paranoid), the section says so and counts as not
measured.  perf data and the full `perf report` go to <build>/bench/.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_boot  # noqa: E402

# (group, what it is, symbol patterns).  First match wins; the order matters
# where patterns overlap (clear_page before the rest of the host kernel).
GROUPS = [
    ("zeroing", "host kernel zeroing QEMU's guest RAM on first touch",
     [r"^clear_page", r"^clear_user", r"^__clear_user"]),
    ("tlb", "QEMU TLB flush and refill, translation-block lookup after a flush",
     [r"^tlb_", r"flush_jmp_cache", r"^qht_", r"^tb_htable_lookup", r"^tb_lookup", r"riscv_cpu_tlb_fill",
      r"^get_physical_address", r"^pmp_", r"^riscv_cpu_get_tb_cpu_state", r"^cpu_get_tb_cpu_state",
      r"^probe_access", r"^victim_tlb", r"^tlb_fill", r"^helper_lookup_tb_ptr"]),
    ("walk", "page-table reads by QEMU's walker (both stages)",
     [r"^address_space_ld", r"^address_space_translate", r"^flatview_", r"^address_space_to_flatview",
      r"^qemu_map_ram_ptr", r"^ldq_", r"^ldl_", r"^glue"]),
    ("translate", "translating guest code (TCG front end and back end)",
     [r"^tcg_", r"^tb_gen_code", r"^gen_", r"^translator_", r"^decode_", r"^riscv_tr_", r"^trans_",
      r"^la_", r"^liveness_", r"^temp_", r"^reg_", r"^tb_link_page", r"^tb_page_", r"^page_collection"]),
    ("invalidate", "translation-block invalidation (writes to pages holding translated code)",
     [r"^tb_invalidate", r"^tb_phys_invalidate", r"^page_flush", r"^tb_flush", r"^do_tb_flush",
      r"^notdirty", r"^cpu_physical_memory_set_dirty"]),
    ("mmio", "device emulation and memory-region dispatch (MMIO, virtio, serial, PLIC)",
     [r"^memory_region_", r"^serial_", r"^virtio_", r"^virtqueue_", r"^sifive_plic", r"^riscv_aplic",
      r"^io_(read|write)", r"^do_ld_mmio", r"^do_st_mmio", r"^int_ld_mmio", r"^int_st_mmio",
      r"^blk_", r"^bdrv_", r"^qemu_chr", r"^mux_chr", r"^fd_chr", r"^char_"]),
    ("csr", "CSR instructions, traps and mode switches in QEMU's helpers",
     [r"^riscv_csr", r"^helper_csr", r"^riscv_cpu_do_interrupt", r"^riscv_cpu_set_", r"^helper_sret",
      r"^helper_mret", r"^helper_wfi", r"^helper_hyp", r"^helper_tlb_flush", r"^riscv_cpu_exec_interrupt",
      r"^riscv_cpu_local_irq", r"^riscv_cpu_update_mip", r"^cpu_loop_exit", r"^cpu_exec", r"^cpu_handle",
      r"^write_", r"^read_", r"^rmw_", r"^riscv_timer", r"^riscv_cpu_swap"]),
    ("ldst", "guest loads and stores through QEMU's slow path",
     [r"^helper_(le|be)?_?(ld|st)", r"^do_ld", r"^do_st", r"^mmu_lookup", r"^cpu_ld", r"^cpu_st",
      r"^helper_atomic", r"^helper_ret_", r"^full_"]),
]


def classify(sym, dso):
    if dso.startswith("[JIT]") or dso in ("[unknown]", ""):
        return "jit"
    if sym.startswith("0x"):            # no symbol in a known object
        return "kernel" if "kernel" in dso else "other"
    for name, _, pats in GROUPS:
        if any(re.search(p, sym) for p in pats):
            return name
    if "kernel" in dso:
        return "kernel"
    return "other"


GROUP_TEXT = dict((g[0], g[1]) for g in GROUPS)
GROUP_TEXT.update({
    "jit": "translated guest code (hvscope's and the guest's), no symbol",
    "kernel": "host kernel: scheduling, wake-ups, futexes, timers, page faults",
    "other": "everything else in QEMU and its libraries",
})
ORDER = ["zeroing", "tlb", "walk", "translate", "invalidate", "ldst", "csr", "mmio", "jit", "kernel", "other"]


def perf_samples(data):
    """{(symbol, dso): samples} of one perf.data file."""
    r = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children", "-n",
                        "--sort", "sym,dso", "-F", "sample,sym,dso", "--percent-limit", "0"],
                       capture_output=True, text=True, timeout=600)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\d+)\s+\[[.kgHu]\]\s+(.*?)\s{2,}(\S.*?)\s*$", line)
        if m:
            out[(m.group(2).strip(), m.group(3).strip())] = out.get((m.group(2).strip(), m.group(3).strip()), 0) \
                + int(m.group(1))
    return out, r.stdout


class Profiler(bench_boot.Bench):
    def perf_qemu(self, args, name, ready, hv):
        """Run QEMU under perf record until `ready`; returns the perf.data path."""
        data = self.logdir / f"profile-{name}.data"
        cmd = ["perf", "record", "-q", "-F", str(self.a.freq), "-o", str(data), "--"] + args
        q = bench_boot.Qemu(cmd, self.logdir / f"profile-{name}.log")
        try:
            if hv:
                self.hv_started(q, name)
            q.expect(ready[0], self.a.linux_timeout)
            if len(ready) > 1:
                q.expect(ready[1], 60)
            if hv:
                self.stats.append((f"{name} under hvscope: hv> stats 1", self.hv_console(q, "stats 1")))
        finally:
            # perf's child is QEMU: kill QEMU, perf then writes its file and exits
            kids = subprocess.run(["pgrep", "-P", str(q.pid)], capture_output=True, text=True).stdout.split()
            for k in kids:
                try:
                    os.kill(int(k), signal.SIGTERM)
                except (ProcessLookupError, ValueError):
                    pass
            deadline = time.monotonic() + 60
            while q.child.isalive() and time.monotonic() < deadline:
                try:
                    q.child.read_nonblocking(size=1 << 16, timeout=0.2)
                except (bench_boot.pexpect.TIMEOUT, bench_boot.pexpect.EOF, OSError):
                    pass
            q.close()
        return data

    def linux_args(self, hv):
        bootargs = "console=ttyS0 earlycon"
        if hv:
            return self.hv_args(2, f"""[vm linux]
image = {self.a.linux_image}
entry = 0x80200000
initrd = {self.a.initrd}
ram = 256M
vcpus = 2
bootargs = {bootargs}
""", "linux-prof")
        return self.native_args(2, "256M", self.a.linux_image, ["-initrd", self.a.initrd, "-append", bootargs])

    def xv6_args(self, hv):
        disk = self.fresh_disk("xv6-prof-hv" if hv else "xv6-prof-native")
        if hv:
            return self.hv_args(1, f"[vm xv6]\nimage = {self.a.xv6_kernel}\nram = 128M\nvcpus = 1\ndisk = {disk}\n",
                                "xv6-prof")
        return self.native_args(1, "128M", self.a.xv6_kernel, [
            "-global", "virtio-mmio.force-legacy=false", "-drive", f"file={disk},if=none,format=raw,id=x0",
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"])

    def profile(self, row, args_fn, ready):
        groups = {}
        tops = {}
        for hv in (False, True):
            name = f"{row}-{'hv' if hv else 'native'}"
            print(f"bench: profile {row} {'under hvscope' if hv else 'native'} ...", flush=True)
            data = self.perf_qemu(args_fn(hv), name, ready, hv)
            samples, text = perf_samples(data)
            (self.logdir / f"profile-{name}.txt").write_text(text)
            g = {}
            for (sym, dso), n in samples.items():
                c = classify(sym, dso)
                g[c] = g.get(c, 0) + n
            groups[hv] = g
            tops[hv] = sorted(samples.items(), key=lambda kv: -kv[1])[:self.a.top]
        return groups, tops

    def report_profile(self, row, groups, tops):
        total_native = sum(groups[False].values()) or 1
        total_hv = sum(groups[True].values())
        print(f"profile of one {row} (perf record of QEMU, all threads, {self.a.freq} Hz), in points of the "
              f"native run's samples ({total_native} native, {total_hv} under hvscope):")
        print(f"  {'group':11} {'native':>7} {'hvscope':>8} {'extra':>7}   what it is")
        for c in ORDER:
            n = 100.0 * groups[False].get(c, 0) / total_native
            h = 100.0 * groups[True].get(c, 0) / total_native
            if n < 0.05 and h < 0.05:
                continue
            print(f"  {c:11} {n:6.1f}% {h:7.1f}% {h - n:+6.1f}   {GROUP_TEXT[c]}")
        print(f"  {'total':11} {100.0:6.1f}% {100.0 * total_hv / total_native:7.1f}% "
              f"{100.0 * (total_hv - total_native) / total_native:+6.1f}")
        print("  top symbols under hvscope (points of native):")
        for (sym, dso), n in tops[True]:
            print(f"    {100.0 * n / total_native:5.1f}  {sym[:48]:48} {dso[:24]}")
        return total_hv / total_native

    def run(self):
        if not shutil.which("perf"):
            print("profile: not measured: no perf on PATH (apt install linux-perf)")
            return 1
        only = set(self.a.only.split(",")) if self.a.only else {"linux", "xv6"}
        self.snapshot("hv", "xv6_kernel", "fs_img")
        results = {}
        if "linux" in only:
            err = self.linux_files()
            if err:
                print(f"profile: linux boot not measured: {err}")
            else:
                self.snapshot("linux_image", "initrd")
                results["linux boot"] = self.profile("linux boot", self.linux_args,
                                                     [bench_boot.LINUX_READY, bench_boot.LINUX_PROMPT])
        if "xv6" in only:
            results["xv6 boot"] = self.profile("xv6 boot", self.xv6_args, [bench_boot.XV6_PROMPT])
        for title, text in self.stats:
            print(f"{title}\n" + "\n".join("  " + line for line in text.splitlines()))
        for row, (groups, tops) in results.items():
            self.report_profile(row, groups, tops)
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_boot.add_machine_args(ap)
    ap.add_argument("--only", help="comma-separated subset: linux,xv6")
    ap.add_argument("--freq", type=int, default=999, help="perf sampling frequency")
    ap.add_argument("--top", type=int, default=12, help="top symbols listed")
    ap.add_argument("--linux-timeout", type=float, default=300)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench_boot.absolute_paths(a)
    p = Profiler(a)
    try:
        return p.run()
    finally:
        p.cleanup()


if __name__ == "__main__":
    sys.exit(main())
