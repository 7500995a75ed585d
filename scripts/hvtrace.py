#!/usr/bin/env python3
"""Read an hvscope trace file (`make run TRACE=on` writes build/logs/trace.hvt;
`hv trace --save FILE` in gdb writes one from the rings) and turn it into
something to look at (docs/tracing.md):

  hvtrace.py report TRACE [--csv]     exits by reason per VM and vCPU, like
                                      xenalyze or `perf kvm stat`
  hvtrace.py perfetto TRACE OUT.json  Chrome trace-event JSON for Perfetto
  hvtrace.py plot TRACE OUT.png       harts x time by VM, exits/s per VM
  hvtrace.py check OUT.json           the JSON's structure (B/E pairs, ts order)

A file that is cut off or damaged is read as far as it goes, with one line
about the rest on stderr; exit status 1 when nothing in it can be used.
"""
import argparse
import csv
import io
import json
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gdbscripts"))
from hvgdb import trace  # noqa: E402  (pure Python: no gdb needed)


def load(path):
    tf = trace.read(path)
    for line in tf.problems:
        print(f"hvtrace: {line}", file=sys.stderr)
    return tf


def span_ticks(tf):
    recs = tf.records
    return max(max(r.time + (r.dur if r.is_exit else 0) for r in recs) - recs[0].time, 1)


class Row:
    """One reason's exits of one vCPU."""

    def __init__(self):
        self.count = 0
        self.total = 0
        self.min = None
        self.max = 0
        self.pcs = Counter()

    def add(self, r):
        self.count += 1
        self.total += r.dur
        self.min = r.dur if self.min is None else min(self.min, r.dur)
        self.max = max(self.max, r.dur)
        self.pcs[r.sepc] += 1


def tables(tf):
    """{(vm, vcpu): {reason: Row}} over the exit records."""
    out = defaultdict(lambda: defaultdict(Row))
    for r in tf.records:
        if r.is_exit:
            out[(r.vm, r.vcpu)][trace.reason(r)].add(r)
    return out


def vm_totals(tf):
    """Per VM: exits, SBI calls, MMIO accesses (as `hv> stats` counts them)."""
    tot = defaultdict(Counter)
    for r in tf.records:
        if r.is_exit:
            tot[r.vm]["exits"] += 1
            if r.kind_name == "sbi":
                tot[r.vm]["sbi"] += 1
                tot[r.vm]["sbi " + (trace.sbi_ext_name(r.payload[0]) or "unknown")] += 1
            elif r.kind_name == "mmio":
                tot[r.vm]["mmio"] += 1
                tot[r.vm]["mmio " + trace.mmio_device(r.payload[0])] += 1
    return tot


def us(ticks, tb):
    return ticks * 1e6 / tb


def report_rows(tf):
    """(vm, name, vcpu, reason, Row, share, exits/s) sorted for printing."""
    secs = span_ticks(tf) / tf.timebase_hz
    rows = []
    for (vm, vcpu), by_reason in sorted(tables(tf).items()):
        total = sum(row.count for row in by_reason.values())
        name = tf.vms.get(vm, ("?", 0))[0]
        for why, row in sorted(by_reason.items(), key=lambda kv: (-kv[1].count, kv[0])):
            rows.append((vm, name, vcpu, why, row, row.count / total, row.count / secs))
    return rows


def top_pcs(row, n=3):
    return ", ".join(f"0x{pc:x} ({c})" for pc, c in row.pcs.most_common(n))


def report_text(tf, path):
    tb = tf.timebase_hz
    secs = span_ticks(tf) / tb
    exits = sum(1 for r in tf.records if r.is_exit)
    out = [f"{path}: format {tf.version}, {tf.harts} harts, timebase {tb} Hz, {len(tf.records)} records "
           f"over {secs:.3f} s, {exits} exits, {tf.dropped} records dropped"]
    tot = vm_totals(tf)
    for vm in sorted(set(tot) | set(tf.vms)):
        name, vcpus = tf.vms.get(vm, ("?", 0))
        t = tot[vm]
        sbi = ", ".join(f"{k[4:]} {v}" for k, v in sorted(t.items()) if k.startswith("sbi "))
        mmio = ", ".join(f"{k[5:]} {v}" for k, v in sorted(t.items()) if k.startswith("mmio "))
        out.append(f"vm{vm} {name} ({vcpus} vCPU{'s' if vcpus != 1 else ''}): {t['exits']} exits; "
                   f"SBI calls {t['sbi']}{' (' + sbi + ')' if sbi else ''}; "
                   f"MMIO accesses {t['mmio']}{' (' + mmio + ')' if mmio else ''}")
    head = (f"  {'reason':<44} {'count':>8} {'share':>6} {'exits/s':>9} {'total ms':>9} {'mean us':>8} "
            f"{'min us':>7} {'max us':>8}  top guest PCs")
    last = None
    for vm, name, vcpu, why, row, share, rate in report_rows(tf):
        if (vm, vcpu) != last:
            n = sum(r.count for r in tables_cache(tf)[(vm, vcpu)].values())
            hv = sum(r.total for r in tables_cache(tf)[(vm, vcpu)].values())
            out += ["", f"vm{vm} {name} vCPU {vcpu}: {n} exits, {n / secs:.1f} exits/s, "
                        f"{us(hv, tb) / 1000:.3f} ms in the hypervisor ({100 * hv / (span_ticks(tf)):.2f}% of the run)",
                    head]
            last = (vm, vcpu)
        out.append(f"  {why[:44]:<44} {row.count:>8} {100 * share:>5.1f}% {rate:>9.1f} "
                   f"{us(row.total, tb) / 1000:>9.3f} {us(row.total, tb) / row.count:>8.2f} "
                   f"{us(row.min, tb):>7.2f} {us(row.max, tb):>8.2f}  {top_pcs(row)}")
    return "\n".join(out) + "\n"


_TABLES = {}


def tables_cache(tf):
    if id(tf) not in _TABLES:
        _TABLES[id(tf)] = tables(tf)
    return _TABLES[id(tf)]


def report_csv(tf):
    tb = tf.timebase_hz
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["vm", "vm_name", "vcpu", "reason", "count", "share", "exits_per_s", "total_us", "mean_us",
                "min_us", "max_us", "top_pcs"])
    for vm, name, vcpu, why, row, share, rate in report_rows(tf):
        w.writerow([vm, name, vcpu, why, row.count, f"{share:.4f}", f"{rate:.1f}", f"{us(row.total, tb):.1f}",
                    f"{us(row.total, tb) / row.count:.2f}", f"{us(row.min, tb):.2f}", f"{us(row.max, tb):.2f}",
                    " ".join(f"0x{pc:x}:{c}" for pc, c in row.pcs.most_common(3))])
    return buf.getvalue()


def cmd_report(a):
    tf = load(a.trace)
    text = report_csv(tf) if a.csv else report_text(tf, a.trace)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"hvtrace: wrote {a.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_perfetto(a):
    tf = load(a.trace)
    names = {vm: name for vm, (name, _) in tf.vms.items()}
    trace.write_chrome_trace(a.output, tf.records, tf.timebase_hz, names, list(range(tf.harts)),
                             source=f"hvscope trace file {os.path.basename(a.trace)}")
    print(f"hvtrace: wrote {a.output} ({len(tf.records)} records; open it at ui.perfetto.dev)")
    return 0


def cmd_check(a):
    try:
        with open(a.json, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"hvtrace: {a.json}: not JSON: {e}", file=sys.stderr)
        return 1
    problems = trace.check_chrome_trace(data)
    for p in problems[:20]:
        print(f"hvtrace: {a.json}: {p}", file=sys.stderr)
    events = len(data.get("traceEvents", []))
    print(f"hvtrace: {a.json}: {events} events, {len(problems)} problems")
    return 1 if problems else 0


def hart_spans(tf):
    """[(hart, vm, start, end)] from vCPU load/put; exits where there are none."""
    spans, open_on, seen = [], {}, set()
    end = tf.records[-1].time
    for r in tf.records:
        if r.kind_name == "vcpu-load":
            if r.hart in open_on:
                h, vm, t = open_on.pop(r.hart)
                spans.append((h, vm, t, r.time))
            open_on[r.hart] = (r.hart, r.vm, r.time)
        elif r.kind_name == "vcpu-put" and r.hart in open_on:
            h, vm, t = open_on.pop(r.hart)
            spans.append((h, vm, t, r.time))
        elif r.is_exit and r.hart not in open_on and r.hart not in seen:
            open_on[r.hart] = (r.hart, r.vm, r.time)     # a ring read mid-slice
        if r.is_exit or r.kind_name in ("vcpu-load", "vcpu-put"):
            seen.add(r.hart)
    for h, vm, t in open_on.values():
        spans.append((h, vm, t, end))
    return spans


def cmd_plot(a):
    tf = load(a.trace)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("hvtrace: plot needs matplotlib (Debian's python3-matplotlib: make deps)", file=sys.stderr)
        return 1
    tb, t0 = tf.timebase_hz, tf.records[0].time
    vms = sorted({r.vm for r in tf.records if r.vm} | set(tf.vms))
    colors = {vm: plt.get_cmap("tab10")(i % 10) for i, vm in enumerate(vms)}
    fig, axes = plt.subplots(1 + len(vms), 1, figsize=(12, 2.6 + 2.4 * len(vms)), squeeze=False, sharex=True,
                             gridspec_kw={"height_ratios": [1.2] + [1] * len(vms)})
    ax = axes[0][0]
    harts = sorted({s[0] for s in hart_spans(tf)} | set(range(tf.harts)))
    bars = defaultdict(list)     # one broken_barh per hart and VM: thousands of slices draw fast
    for h, vm, b, e in hart_spans(tf):
        bars[(h, vm)].append(((b - t0) / tb, max(e - b, 1) / tb))
    for (h, vm), ranges in bars.items():
        ax.broken_barh(ranges, (h - 0.4, 0.8), color=colors.get(vm, "grey"))
    ax.set_yticks(harts, [f"hart {h}" for h in harts])
    ax.set_title("which VM runs on each hart")
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colors[vm]) for vm in vms],
              labels=[f"vm{vm} {tf.vms.get(vm, ('?', 0))[0]}" for vm in vms], loc="upper right", fontsize=8)
    span = span_ticks(tf)
    bucket = max(span // 200, tb // 1000, 1)
    nb = span // bucket + 1
    xs = [(i * bucket) / tb for i in range(nb)]
    for row, vm in enumerate(vms, start=1):
        ax = axes[row][0]
        per = defaultdict(lambda: [0] * nb)
        for r in tf.records:
            if r.is_exit and r.vm == vm:
                per[trace.reason(r)][(r.time - t0) // bucket] += 1
        top = sorted(per, key=lambda k: -sum(per[k]))[:6]
        for why in top:
            ax.plot(xs, [c * tb / bucket for c in per[why]], label=why, linewidth=1)
        ax.set_ylabel("exits/s")
        ax.set_title(f"vm{vm} {tf.vms.get(vm, ('?', 0))[0]}: exits/s by reason")
        if top:
            ax.legend(loc="upper right", fontsize=8)
    axes[-1][0].set_xlabel("seconds")
    axes[0][0].set_xlim(0, span / tb)
    fig.tight_layout()
    fig.savefig(a.output, dpi=100)
    print(f"hvtrace: wrote {a.output}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="hvtrace.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("report", help="exits by reason per VM and vCPU")
    p.add_argument("trace")
    p.add_argument("--csv", action="store_true", help="one CSV row per VM, vCPU and reason")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(fn=cmd_report)
    p = sub.add_parser("perfetto", help="Chrome trace-event JSON for Perfetto")
    p.add_argument("trace")
    p.add_argument("output")
    p.set_defaults(fn=cmd_perfetto)
    p = sub.add_parser("plot", help="a PNG: harts x time by VM, exits/s per VM")
    p.add_argument("trace")
    p.add_argument("output")
    p.set_defaults(fn=cmd_plot)
    p = sub.add_parser("check", help="check a JSON trace's structure")
    p.add_argument("json")
    p.set_defaults(fn=cmd_check)
    a = ap.parse_args(argv)
    try:
        return a.fn(a)
    except trace.TraceFileError as e:
        print(f"hvtrace: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"hvtrace: {e.filename or ''}: {e.strerror}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
