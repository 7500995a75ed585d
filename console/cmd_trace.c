/*
 * Trace and statistics commands: trace (show, on/off/clear, recording
 * filters) and stats (exit counts by cause, SBI by extension, MMIO by device).
 */
#include "console/cmd.h"
#include "spec/decode.h"
#include "lib/printf.h"

#define TRACE_SHOW_MAX	   256
#define TRACE_SHOW_DEFAULT 20

static const char *const class_names[] = { "ecall", "pf", "vinsn", "irq", "mmio", "other", "event" };
#define CLASS_COUNT (sizeof(class_names) / sizeof(class_names[0]))

/* "ecall,pf" or "all" into a TRACE_CLASS_* mask. */
static int parse_classes(const char *tok, uint32_t *mask)
{
	char word[16];

	if (console_str_eq(tok, "all")) {
		*mask = TRACE_CLASS_ALL;
		return 0;
	}
	*mask = 0;
	for (const char *p = tok; *p;) {
		unsigned n = 0, i;
		while (*p && *p != ',' && n + 1 < sizeof(word))
			word[n++] = *p++;
		word[n] = '\0';
		for (i = 0; i < CLASS_COUNT && !console_str_eq(word, class_names[i]); i++)
			;
		if (i == CLASS_COUNT || (*p && *p != ',')) {
			console_error("unknown trace class in '%s' (classes: ecall pf vinsn irq mmio other event, or all)", tok);
			return -1;
		}
		*mask |= 1U << i;
		if (*p == ',' && !*++p) {
			console_error("unknown trace class in '%s' (classes: ecall pf vinsn irq mmio other event, or all)", tok);
			return -1;
		}
	}
	return 0;
}

static void format_classes(uint32_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if ((mask & TRACE_CLASS_ALL) == TRACE_CLASS_ALL) {
		snprintf(buf, size, "all");
		return;
	}
	for (unsigned i = 0; i < CLASS_COUNT && n < size; i++)
		if (mask & (1U << i))
			n += snprintf(buf + n, size - n, "%s%s", n ? "," : "", class_names[i]);
	if (!n)
		snprintf(buf, size, "none");
}

static void print_file_status(const struct console_trace_state *t)
{
	console_printf("trace file: %s, %s; %lu bytes written, %lu records dropped\n", t->file_on ? "on" : "off",
		       t->file_path, (unsigned long)t->file_bytes, (unsigned long)t->file_dropped);
}

/* trace file [on|off]: stream the rings to <logdir>/trace.hvt (docs/tracing.md). */
static int trace_file(int argc, char **argv)
{
	struct console_trace_state t;

	if (argc > 3 || (argc == 3 && !console_str_eq(argv[2], "on") && !console_str_eq(argv[2], "off")))
		return console_usage("trace");
	if (argc == 3 && con->trace_file_set(console_str_eq(argv[2], "on"))) {
		con->trace_get(&t);
		console_error("cannot write a trace file%s%s", t.file_path[0] ? ": the host refused " : ": ",
			      t.file_path[0] ? t.file_path : "hvscope was started without a log directory (use make run)");
		return -1;
	}
	con->trace_get(&t);
	if (argc == 3 && console_str_eq(argv[2], "on") && !t.enabled)
		con->trace_set(true, t.vm_mask, t.class_mask); /* a file of nothing helps no one */
	con->trace_get(&t);
	if (!t.file_open)
		console_printf("trace file: none (trace file on writes %s)\n",
			       t.file_path[0] ? t.file_path : "nothing: no log directory");
	else
		print_file_status(&t);
	return 0;
}

static void print_status(void)
{
	struct console_trace_state t;
	char classes[64], vms[128];

	con->trace_get(&t);
	format_classes(t.class_mask, classes, sizeof(classes));
	vms[0] = '\0';
	if (t.vm_mask == ~0ULL) {
		snprintf(vms, sizeof(vms), "all");
	} else {
		size_t n = 0;

		for (unsigned v = 1; v < 64 && n < sizeof(vms); v++)
			if (t.vm_mask & (1ULL << v))
				n += snprintf(vms + n, sizeof(vms) - n, "%s%u", n ? "," : "", v);
	}
	console_printf("trace: %s; recording VMs %s, classes %s; %lu records written, %lu overwritten\n",
		       t.enabled ? "on" : "off", vms[0] ? vms : "none", classes, (unsigned long)t.recorded,
		       (unsigned long)t.lost);
	if (t.file_open)
		print_file_status(&t);
}

static void print_record(const struct trace_record *r)
{
	char payload[160], htinst[32] = "";

	decode_trace_payload(r, payload, sizeof(payload));
	if (!trace_is_exit(r->kind)) { /* an instant: no cause, no cost */
		console_printf("#%lu t=%lu h%u vm%u.%u %s\n", (unsigned long)r->seq, (unsigned long)r->time, r->hart,
			       r->vm, r->vcpu, payload);
		return;
	}
	/* htinst: the transformed instruction, or 0 where the hart gives none
	 * (QEMU 7.2) and hvscope read the instruction itself */
	if (r->kind == TRACE_MMIO)
		snprintf(htinst, sizeof(htinst), " htinst 0x%lx", (unsigned long)r->htinst);
	console_printf("#%lu t=%lu h%u vm%u.%u %s sepc 0x%lx stval 0x%lx%s%s%s cost %u\n", (unsigned long)r->seq,
		       (unsigned long)r->time, r->hart, r->vm, r->vcpu, decode_cause_name(trace_scause(r)),
		       (unsigned long)r->sepc, (unsigned long)r->stval, payload[0] ? " " : "", payload, htinst, r->dur);
}

static int trace_filter(int argc, char **argv)
{
	struct console_trace_state t;
	uint32_t mask;
	int vm;

	con->trace_get(&t);
	if (argc == 2) {
		print_status();
		return 0;
	}
	if (argc != 4)
		return console_usage("trace");
	if (console_str_eq(argv[2], "vm")) {
		if (console_str_eq(argv[3], "all"))
			t.vm_mask = ~0ULL;
		else if (console_parse_vm(argv[3], &vm))
			return -1;
		else
			t.vm_mask = 1ULL << vm;
	} else if (console_str_eq(argv[2], "class")) {
		if (parse_classes(argv[3], &mask))
			return -1;
		t.class_mask = mask;
	} else {
		console_error("trace filter takes 'vm N|all' or 'class C[,C...]|all', not '%s'", argv[2]);
		return -1;
	}
	con->trace_set(t.enabled, t.vm_mask, t.class_mask);
	print_status();
	return 0;
}

static int trace_control(const char *word)
{
	struct console_trace_state t;

	con->trace_get(&t);
	if (console_str_eq(word, "clear"))
		con->trace_clear();
	else
		con->trace_set(console_str_eq(word, "on"), t.vm_mask, t.class_mask);
	print_status();
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	static struct trace_record recs[TRACE_SHOW_MAX];
	uint64_t count = TRACE_SHOW_DEFAULT;
	uint32_t classes = TRACE_CLASS_ALL;
	unsigned shown;
	int vm = -1;

	if (argc == 2 && (console_str_eq(argv[1], "on") || console_str_eq(argv[1], "off") ||
			  console_str_eq(argv[1], "clear")))
		return trace_control(argv[1]);
	if (argc >= 2 && console_str_eq(argv[1], "filter"))
		return trace_filter(argc, argv);
	if (argc >= 2 && console_str_eq(argv[1], "file"))
		return trace_file(argc, argv);
	for (int i = 1; i < argc; i++) {
		if (console_str_eq(argv[i], "vm") && i + 1 < argc) {
			if (console_parse_vm(argv[++i], &vm))
				return -1;
		} else if (console_str_eq(argv[i], "class") && i + 1 < argc) {
			if (parse_classes(argv[++i], &classes))
				return -1;
		} else if (console_is_vm_token(argv[i])) {
			if (console_parse_u64(argv[i], &count))
				return -1;
			if (count == 0 || count > TRACE_SHOW_MAX) {
				console_error("COUNT '%s' must be 1..%d", argv[i], TRACE_SHOW_MAX);
				return -1;
			}
		} else {
			console_error("trace does not take '%s' (help trace)", argv[i]);
			return -1;
		}
	}
	print_status();
	shown = con->trace_collect(vm, -1, classes, recs, (unsigned)count);
	for (unsigned i = 0; i < shown; i++)
		print_record(&recs[i]);
	if (!shown)
		console_printf("(no matching records)\n");
	return 0;
}

static void print_counts(const struct console_stats *s)
{
	char line[400];
	size_t n = 0;

	for (unsigned c = 0; c < CAUSE_COUNT; c++)
		if (s->by_cause[c])
			console_printf("  %-40s %lu\n", decode_cause_name(c), (unsigned long)s->by_cause[c]);
	for (unsigned i = 0; i < 16; i++)
		if (s->by_irq[i])
			console_printf("  %-40s %lu\n", decode_irq_name(i), (unsigned long)s->by_irq[i]);
	line[0] = '\0';
	for (unsigned i = 0; i < CONSOLE_SBI_EXTS && n < sizeof(line); i++)
		if (s->sbi_ext_name[i] && s->sbi_by_ext[i])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu", s->sbi_ext_name[i], (unsigned long)s->sbi_by_ext[i]);
	console_printf("  SBI calls %lu%s%s\n", (unsigned long)s->sbi_calls, n ? ", by extension:" : "", line);
	n = 0;
	line[0] = '\0';
	for (unsigned i = 0; i < CONSOLE_MMIO_DEVS && n < sizeof(line); i++)
		if (s->mmio_dev_name[i] && s->mmio_by_dev[i])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu", s->mmio_dev_name[i], (unsigned long)s->mmio_by_dev[i]);
	console_printf("  MMIO accesses %lu%s%s\n", (unsigned long)s->mmio, n ? ", by device:" : "", line);
}

/*
 * After all VMs: each hart's idle loop.  Rounds whose WFI came back with
 * nothing pending mean the hart polls instead of sleeping (docs/performance.md).
 */
static void hart_stats(bool reset)
{
	struct console_hart_stats h;

	if (!con->hart_stats)
		return;
	if (reset) {
		con->hart_stats_reset();
		console_printf("harts: statistics reset\n");
		return;
	}
	for (unsigned i = 0; con->hart_stats(i, &h); i++)
		console_printf("hart %u: idle %lu rounds, %lu woken with nothing pending\n", h.hartid, (unsigned long)h.idle,
			       (unsigned long)h.idle_empty);
}

int cmd_stats(int argc, char **argv)
{
	struct console_stats s;
	struct console_vm_info vi;
	bool reset = argc >= 2 && console_str_eq(argv[1], "reset");
	int base = reset ? 2 : 1, vm = 0;

	if (argc > base + 1)
		return console_usage("stats");
	if (argc == base + 1 && console_parse_vm(argv[base], &vm))
		return -1;
	for (int id = vm ? vm : 1; id <= (vm ? vm : con->vm_count()); id++) {
		if (!con->vm_info(id, &vi))
			continue;
		if (reset) {
			con->stats_reset(id);
			console_printf("vm%d (%s): statistics reset\n", id, vi.name);
			continue;
		}
		if (!con->stats(id, &s))
			continue;
		console_printf("vm%d (%s): %lu exits, %lu A/D fix-ups, %lu page faults reflected\n", id, vi.name,
			       (unsigned long)s.exits, (unsigned long)s.ad_fixups, (unsigned long)s.pf_reflected);
		print_counts(&s);
	}
	if (!vm)
		hart_stats(reset);
	return 0;
}
