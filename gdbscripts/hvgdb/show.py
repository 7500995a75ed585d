"""Text for `hv vms`, `hv vcpu`, `hv stats` and `hv report`, from plain
dictionaries the gdb glue fills in from hvscope's own structures (field
names as in hypervisor/core/vm.h).  The formats are the console's `vms` and
the post-mortem report's (hypervisor/core/postmortem.c), line for line."""

from .decode import IRQ_FLAG, cause_name, csr_line, irq_name

ABI_NAMES = ("zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
             "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
             "s10", "s11", "t3", "t4", "t5", "t6")


def vm_exits(vm):
    return sum(v["stats"]["exits"] for v in vm["vcpus"][:vm["vcpu_count"]])


def format_vms(vms):
    """The console's `vms` table."""
    lines = ["id name             state    vcpus@harts     ram     exits       ADUE A/D-emul"]
    for vm in vms:
        harts = ",".join(str(v["hart"]) if v["hart"] >= 0 else "-"
                         for v in vm["vcpus"][:min(vm["vcpu_count"], 8)])
        ram = f"{vm['ram_size'] >> 20}M"
        lines.append(f"{vm['id']:<2} {vm['name']:<16} {vm['state']:<8} {vm['vcpu_count']}@{harts:<13} "
                     f"{ram:<7} {vm_exits(vm):<11} {'on' if vm['adue'] else 'off':<4} "
                     f"{'on' if vm['ad_emulation'] else 'off'}")
        if vm["stop_reason"]:
            lines.append(f"   why: {vm['stop_reason']}")
    return lines


def format_stats(vm):
    """Exit statistics of one VM by cause, as the console's `stats N`
    (console/cmd_trace.c), then the same per vCPU."""
    def counts(st):
        out = [f"  {cause_name(c):<40} {n}" for c, n in enumerate(st["by_cause"]) if n]
        out += [f"  {irq_name(i):<40} {n}" for i, n in enumerate(st["by_irq"]) if n]
        out.append(f"  SBI calls {st['sbi_calls']}")
        out.append(f"  MMIO accesses {st['mmio']}")
        return out

    vcpus = vm["vcpus"][:vm["vcpu_count"]]
    total = {k: sum(v["stats"][k] for v in vcpus) for k in ("exits", "sbi_calls", "mmio", "ad_fixups",
                                                          "pf_reflected")}
    total["by_cause"] = [sum(v["stats"]["by_cause"][c] for v in vcpus) for c in range(len(vcpus[0]["stats"]["by_cause"]))]
    total["by_irq"] = [sum(v["stats"]["by_irq"][i] for v in vcpus) for i in range(len(vcpus[0]["stats"]["by_irq"]))]
    lines = [f"vm{vm['id']} ({vm['name']}): {total['exits']} exits, {total['ad_fixups']} A/D fix-ups, "
             f"{total['pf_reflected']} page faults reflected"] + counts(total)
    if len(vcpus) > 1:
        for v in vcpus:
            lines.append(f" vcpu {v['id']}: {v['stats']['exits']} exits")
            lines += ["  " + ln for ln in counts(v["stats"])]
    return lines


def format_vcpu(vm, v, live=None):
    """One vCPU: scheduling state, guest pc and registers, VS CSRs.  `live`
    holds the CSRs read from the hart it is loaded on (then authoritative)."""
    where = f"loaded on hart {v['hart']}" if v["running"] else \
        (f"last ran on hart {v['hart']}" if v["hart"] >= 0 else "never ran")
    lines = [f"vm{vm['id']}.{v['id']} ({vm['name']}): {v['state']}, {where}",
             f"  pc 0x{v['regs']['sepc']:x}  (sepc as saved at its last exit)"]
    x = v["regs"]["x"]
    for i in range(0, 32, 4):
        lines.append("  " + " ".join(f"{ABI_NAMES[i + k]:<4} 0x{x[i + k]:016x}" for k in range(4)))
    src = "live, from its hart" if live else "saved"
    lines.append(f"  VS CSRs ({src}):")
    for name in ("vsstatus", "vsepc", "vscause", "vstval", "vstvec", "vsatp", "hvip"):
        value = live[name] if live and name in live else v[name]
        lines.append(csr_line(name, value))
    loop = v.get("loop")
    if isinstance(loop, dict):
        lines.append(f"  exits {v['stats']['exits']}; fault-loop detector: {loop['count']} x "
                     f"{cause_name(loop['scause'])} at sepc 0x{loop['sepc']:x}")
    else:
        lines.append(f"  exits {v['stats']['exits']}")
    return lines


def format_report(vm, walks, trace_lines):
    """The post-mortem report of vm['pm'], as the hypervisor printed it.
    walks(scause, stval, gpa) -> lines of the two-stage walk of the fault."""
    pm = vm["pm"]
    if not pm["valid"]:
        return [f"vm{vm['id']}: no post-mortem report (the VM has not died)"]
    gpa = (pm["htval"] << 2) | (pm["stval"] & 3)
    kind = "interrupt" if pm["scause"] & IRQ_FLAG else "exception"
    lines = [f"=== hvscope post-mortem: vm{vm['id']} ({vm['name']}) vCPU {pm['vcpu']}: {pm['why']}",
             f"  scause 0x{pm['scause']:x}: {kind} {pm['scause'] & ~IRQ_FLAG}: {cause_name(pm['scause'])}"
             + (" (repeating: fault loop)" if pm["loop"] else ""),
             f"  sepc 0x{pm['sepc']:x} stval 0x{pm['stval']:x} htval 0x{pm['htval']:x} (GPA 0x{gpa:x}) "
             f"htinst 0x{pm['htinst']:x}, in {'VU' if pm['priv_u'] else 'VS'}-mode"]
    r = pm["regs"]
    for i in range(0, 32, 4):
        lines.append("  " + " ".join(f"{ABI_NAMES[i + k]:<4} 0x{r[i + k]:016x}" for k in range(4)))
    for name in ("vsstatus", "vsepc", "vscause", "vstval", "vstvec", "vsatp", "hstatus", "henvcfg",
                 "hgatp", "hedeleg"):
        lines.append(csr_line(name, pm[name]))
    lines.append("  faulting access:")
    lines += walks(pm["scause"], pm["stval"], gpa)
    if pm["has_first"]:
        lines.append(f"  first fault of the chain: scause 0x{pm['first_scause']:x} "
                     f"{cause_name(pm['first_scause'])}, sepc 0x{pm['first_sepc']:x} "
                     f"stval 0x{pm['first_stval']:x}")
        lines += walks(pm["first_scause"], pm["first_stval"], pm["first_gpa"])
    lines += trace_lines
    lines.append(f"diagnosis: {pm['diagnosis']}")
    lines.append(f"=== end of report (vm{vm['id']} stopped; other VMs keep running; "
                 f"`hv> dump {vm['id']}` shows it again)")
    return lines
