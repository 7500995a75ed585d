/*
 * Translation and memory commands: pt (VS stage), gpt (G stage), xlate
 * (both, as the hardware does it: every VS-stage table access is itself a
 * guest-physical access through the G stage) and x (hex dump).
 *
 * The walks are the hypervisor's own (spec/vswalk.c, spec/gwalk.c): what the
 * console shows is what A/D emulation and the fault reports decide on.
 */
#include "console/cmd.h"
#include "spec/decode.h"
#include "lib/printf.h"
#include "spec/board.h"
#include "spec/pte.h"
#include "spec/vswalk.h"

#define DUMP_MAX     4096
#define DUMP_DEFAULT 64

static const char *const access_names[] = { [VS_FETCH] = "fetch", [VS_LOAD] = "load", [VS_STORE] = "store" };

static int parse_access(int argc, char **argv, int at, enum vs_access *a)
{
	*a = VS_LOAD;
	if (argc <= at)
		return 0;
	for (int i = VS_FETCH; i <= VS_STORE; i++)
		if (console_str_eq(argv[at], access_names[i])) {
			*a = (enum vs_access)i;
			return 0;
		}
	console_error("access must be fetch, load or store, not '%s'", argv[at]);
	return -1;
}

static uint64_t *pte_at(void *ctx, uint64_t gpa)
{
	return con->guest_pte(*(const int *)ctx, gpa);
}

/* The walk environment of a vCPU snapshot: its vsatp, privilege, SUM/MXR and the VM's ADUE. */
static void vs_env(const struct console_vcpu *s, int *vm, struct vs_walk_env *env)
{
	*env = (struct vs_walk_env){
		.vsatp = s->vsatp,
		.priv_u = s->priv_u,
		.sum = (s->vsstatus & SSTATUS_SUM) != 0,
		.mxr = (s->vsstatus & SSTATUS_MXR) != 0,
		.hw_ad = (s->henvcfg & ENVCFG_ADUE) != 0,
		.pte_ptr = pte_at,
		.ctx = vm,
	};
}

static int read_vcpu(int argc, char **argv, int *vm, unsigned *vcpu, struct console_vcpu *s)
{
	const char *why = "failed";

	(void)argc;
	if (console_parse_vcpu(argv[1], vm, vcpu))
		return -1;
	if (con->vcpu_read(*vm, *vcpu, s, &why)) {
		console_error("vm%d.%u: %s", *vm, *vcpu, why);
		return -1;
	}
	return 0;
}

static const char *page_size_name(int level)
{
	static const char *const names[] = { "4 KiB", "2 MiB", "1 GiB", "512 GiB", "256 TiB" };

	return level >= 0 && level < 5 ? names[level] : "?";
}

static void print_vs_step(const struct vs_walk *w, int i, const char *indent)
{
	const struct vs_level *s = &w->step[i];
	char bits[64];

	decode_pte_bits(s->pte, bits, sizeof(bits));
	console_printf("%slevel %d: table gpa 0x%lx index %u pte 0x%016lx %s ppn 0x%lx", indent, s->level,
		       (unsigned long)s->table_gpa, s->index, (unsigned long)s->pte, bits,
		       (unsigned long)(pte_pa(s->pte) >> 12));
	if (i == w->leaf)
		console_printf(" (leaf, %s page)\n", page_size_name(s->level));
	else
		console_printf("\n");
}

/*
 * The GPA the walk reached: also when the access itself is not permitted
 * (the translation exists, the rights do not), but not past a misaligned
 * superpage, where there is no translation.
 */
static bool leaf_gpa(const struct vs_walk *w, uint64_t va, uint64_t *g)
{
	if (w->ok || w->ad_only || w->bare) {
		*g = w->gpa;
		return true;
	}
	if (w->leaf < 0)
		return false;
	uint64_t pte = w->step[w->leaf].pte, span = 1ULL << (12 + 9 * w->step[w->leaf].level);
	if (pte_pa(pte) & (span - 1))
		return false;
	*g = pte_pa(pte) | (va & (span - 1));
	return true;
}

static void print_fault(const struct vs_walk *w, const char *where)
{
	console_printf("  -> %s stops: %s; the hardware raises %s (scause %lu)\n", where, w->why,
		       decode_cause_name(w->cause), (unsigned long)w->cause);
}

/* One line: what each kind of access gets at this VA. */
static void print_verdicts(const struct vs_walk_env *env, uint64_t va)
{
	char line[300];
	size_t n = 0;

	for (int a = VS_FETCH; a <= VS_STORE && n < sizeof(line); a++) {
		struct vs_walk w;
		vswalk(env, va, (enum vs_access)a, &w);
		n += snprintf(line + n, sizeof(line) - n, "%s%s %s", a ? "; " : "", access_names[a],
			      w.ok ? "ok" : decode_cause_name(w.cause));
		if (!w.ok && n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " (%s)", w.why);
	}
	console_printf("  %s\n", line);
}

int cmd_pt(int argc, char **argv)
{
	struct console_vcpu s;
	struct vs_walk_env env;
	struct vs_walk w;
	enum vs_access access;
	unsigned vcpu;
	uint64_t va, g;
	int vm;

	if (argc < 3 || argc > 4)
		return console_usage("pt");
	if (console_parse_u64(argv[2], &va) || parse_access(argc, argv, 3, &access) ||
	    read_vcpu(argc, argv, &vm, &vcpu, &s))
		return -1;
	vs_env(&s, &vm, &env);
	vswalk(&env, va, access, &w);
	console_printf("vm%d.%u VS-stage walk of VA 0x%lx (%s from %s-mode): vsatp 0x%016lx %s root gpa 0x%lx, "
		       "SUM=%d MXR=%d ADUE=%d\n",
		       vm, vcpu, (unsigned long)va, access_names[access],
		       s.priv_u ? "VU" : "VS", (unsigned long)s.vsatp, vswalk_mode_name(s.vsatp),
		       (unsigned long)((s.vsatp & ATP_PPN_MASK) << 12), env.sum, env.mxr, env.hw_ad);
	if (w.bare)
		console_printf("  vsatp is Bare: GPA = VA\n");
	for (int i = 0; i < w.steps; i++)
		print_vs_step(&w, i, "  ");
	bool found = leaf_gpa(&w, va, &g);
	if (found)
		console_printf("gpa=0x%lx\n", (unsigned long)g);
	if (!w.ok)
		print_fault(&w, "walk");
	if (found && !w.bare)
		print_verdicts(&env, va);
	return 0;
}

static void print_g_steps(const struct gstage_walk *w, const char *indent)
{
	char bits[64];

	for (int i = 0; i < w->steps; i++) {
		const struct pt_level *s = &w->step[i];
		decode_pte_bits(s->pte, bits, sizeof(bits));
		console_printf("%slevel %d: table hpa 0x%lx index %u pte 0x%016lx %s ppn 0x%lx", indent, s->level,
			       (unsigned long)s->table, s->index, (unsigned long)s->pte, bits,
			       (unsigned long)(pte_pa(s->pte) >> 12));
		if (w->ok && i == w->steps - 1)
			console_printf(" (leaf, %s page)\n", page_size_name(s->level));
		else
			console_printf("\n");
	}
}

int cmd_gpt(int argc, char **argv)
{
	struct gstage_walk w;
	uint64_t g, hgatp;
	int vm;

	if (argc != 3)
		return console_usage("gpt");
	if (console_parse_vm(argv[1], &vm) || console_parse_u64(argv[2], &g))
		return -1;
	con->gstage_walk(vm, g, &w, &hgatp);
	console_printf("vm%d G-stage walk of GPA 0x%lx: hgatp 0x%016lx Sv39x4 VMID %lu root hpa 0x%lx\n", vm,
		       (unsigned long)g, (unsigned long)hgatp, (unsigned long)((hgatp >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK),
		       (unsigned long)((hgatp & ATP_PPN_MASK) << 12));
	print_g_steps(&w, "  ");
	if (w.ok)
		console_printf("hpa=0x%lx\n", (unsigned long)w.hpa.v);
	else
		console_printf("  -> walk stops: %s; the hardware raises a guest-page fault\n", w.why);
	return 0;
}

static const uint64_t guest_page_fault[] = {
	[VS_FETCH] = CAUSE_FETCH_GUEST_PAGE_FAULT,
	[VS_LOAD] = CAUSE_LOAD_GUEST_PAGE_FAULT,
	[VS_STORE] = CAUSE_STORE_GUEST_PAGE_FAULT,
};

static void print_guest_page_fault(enum vs_access a, uint64_t g, const char *what)
{
	console_printf("  -> %s at gpa 0x%lx is not mapped by the G stage; the hardware raises %s (scause %lu), "
		       "htval 0x%lx\n",
		       what, (unsigned long)g, decode_cause_name(guest_page_fault[a]),
		       (unsigned long)guest_page_fault[a], (unsigned long)(g >> 2));
}

/* Effective rights: the VS leaf and the G leaf must both allow an access. */
static void print_rights(const struct vs_walk *w, const struct gstage_walk *gw, bool mxr)
{
	uint64_t vs = w->bare ? (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D) : w->step[w->leaf].pte;
	uint64_t g = gw->step[gw->steps - 1].pte;
	bool r = ((vs & PTE_R) || (mxr && (vs & PTE_X))) && (g & PTE_R);
	bool wr = (vs & PTE_W) && (g & PTE_W), x = (vs & PTE_X) && (g & PTE_X);

	console_printf("  VS leaf R=%d W=%d X=%d U=%d A=%d D=%d%s; G leaf R=%d W=%d X=%d U=%d -> effective %s%s%s%s\n",
		       !!(vs & PTE_R), !!(vs & PTE_W), !!(vs & PTE_X), !!(vs & PTE_U), !!(vs & PTE_A), !!(vs & PTE_D),
		       w->bare ? " (Bare)" : "", !!(g & PTE_R), !!(g & PTE_W), !!(g & PTE_X), !!(g & PTE_U),
		       r ? "R" : "-", wr ? "W" : "-", x ? "X" : "-", (vs & PTE_U) ? " (user page)" : "");
}

int cmd_xlate(int argc, char **argv)
{
	struct console_vcpu s;
	struct vs_walk_env env;
	struct vs_walk w;
	struct gstage_walk gw;
	enum vs_access access;
	unsigned vcpu;
	uint64_t va, hgatp, g;
	int vm;

	if (argc < 3 || argc > 4)
		return console_usage("xlate");
	if (console_parse_u64(argv[2], &va) || parse_access(argc, argv, 3, &access) ||
	    read_vcpu(argc, argv, &vm, &vcpu, &s))
		return -1;
	vs_env(&s, &vm, &env);
	vswalk(&env, va, access, &w);
	con->gstage_walk(vm, VM_RAM_BASE, &gw, &hgatp);
	console_printf("vm%d.%u xlate VA 0x%lx (%s from %s-mode): vsatp %s root gpa 0x%lx, hgatp Sv39x4 root hpa 0x%lx\n",
		       vm, vcpu, (unsigned long)va, access_names[access], s.priv_u ? "VU" : "VS",
		       vswalk_mode_name(s.vsatp), (unsigned long)((s.vsatp & ATP_PPN_MASK) << 12),
		       (unsigned long)((hgatp & ATP_PPN_MASK) << 12));
	if (w.bare)
		console_printf("  VS stage: vsatp is Bare: GPA = VA\n");
	for (int i = 0; i < w.steps; i++) {
		con->gstage_walk(vm, w.step[i].pte_gpa, &gw, &hgatp);
		console_printf("  VS pte at gpa 0x%lx -> ", (unsigned long)w.step[i].pte_gpa);
		if (!gw.ok) {
			console_printf("(no G-stage mapping)\n");
			print_guest_page_fault(access, w.step[i].pte_gpa, "the page-table access");
			return 0;
		}
		console_printf("hpa 0x%lx\n", (unsigned long)gw.hpa.v);
		print_vs_step(&w, i, "    ");
	}
	if (!leaf_gpa(&w, va, &g)) {
		print_fault(&w, "VS-stage walk");
		return 0;
	}
	console_printf("gpa=0x%lx\n", (unsigned long)g);
	if (!w.ok)
		print_fault(&w, "VS-stage walk");
	con->gstage_walk(vm, g, &gw, &hgatp);
	print_g_steps(&gw, "  G ");
	if (!gw.ok) {
		print_guest_page_fault(access, g, "the access");
		return 0;
	}
	console_printf("hpa=0x%lx\n", (unsigned long)gw.hpa.v);
	print_rights(&w, &gw, env.mxr);
	return 0;
}

/* Parse "GPA" or "v:VA" and translate the latter page by page into gpas[]. */
static int dump_source(int vm, const char *tok, uint64_t len, uint64_t *addr, bool *virt, uint64_t gpas[2])
{
	struct console_vcpu s;
	struct vs_walk_env env;
	const char *why = "failed";
	int vmv = vm;

	*virt = console_has_prefix(tok, "v:");
	if (console_parse_u64(*virt ? tok + 2 : tok, addr))
		return -1;
	if (!*virt) {
		gpas[0] = *addr;
		return 0;
	}
	if (con->vcpu_read(vm, 0, &s, &why)) {
		console_error("vm%d.0: %s", vm, why);
		return -1;
	}
	vs_env(&s, &vmv, &env);
	/* LEN <= 4096: at most two pages. */
	for (int p = 0; p < 2; p++) {
		uint64_t page_va = (*addr & ~(PAGE_SIZE - 1)) + p * PAGE_SIZE;
		struct vs_walk w;
		if (p == 1 && page_va >= *addr + len)
			break;
		vswalk(&env, page_va, VS_LOAD, &w);
		if (!w.ok) {
			console_error("VA 0x%lx does not translate for vm%d.0: %s (%s)", (unsigned long)page_va, vm,
				      decode_cause_name(w.cause), w.why);
			return -1;
		}
		gpas[p] = w.gpa;
	}
	return 0;
}

static void dump_line(uint64_t addr, const uint8_t *b, unsigned n)
{
	char hex[16 * 3 + 2], ascii[17];
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (i < n)
			snprintf(hex + 3 * i, 4, "%02x ", b[i]);
		else
			snprintf(hex + 3 * i, 4, "   ");
		ascii[i] = i < n ? (b[i] >= ' ' && b[i] < 0x7f ? (char)b[i] : '.') : ' ';
	}
	ascii[16] = '\0';
	console_printf("%016lx: %s |%s|\n", (unsigned long)addr, hex, ascii);
}

int cmd_x(int argc, char **argv)
{
	static uint8_t buf[DUMP_MAX];
	uint64_t addr, len = DUMP_DEFAULT, gpas[2] = { 0, 0 };
	bool virt;
	int vm;

	if (argc < 3 || argc > 4)
		return console_usage("x");
	if (console_parse_vm(argv[1], &vm) || (argc == 4 && console_parse_u64(argv[3], &len)))
		return -1;
	if (len == 0 || len > DUMP_MAX) {
		console_error("LEN '%s' must be 1..%d", argv[3], DUMP_MAX);
		return -1;
	}
	if (dump_source(vm, argv[2], len, &addr, &virt, gpas))
		return -1;
	if (!virt) {
		if (con->read_guest(vm, addr, buf, len)) {
			console_error("[0x%lx, +%lu) is not all in vm%d's RAM", (unsigned long)addr, (unsigned long)len, vm);
			return -1;
		}
	} else {
		/* gpas[] are the guest-physical addresses of the (page-aligned) VA pages. */
		uint64_t first = PAGE_SIZE - (addr & (PAGE_SIZE - 1)), start = gpas[0] + (addr & (PAGE_SIZE - 1));
		if (first > len)
			first = len;
		if (con->read_guest(vm, start, buf, first) ||
		    (len > first && con->read_guest(vm, gpas[1], buf + first, len - first))) {
			console_error("v:0x%lx translates outside vm%d's RAM", (unsigned long)addr, vm);
			return -1;
		}
		console_printf("vm%d VA 0x%lx -> gpa=0x%lx%s\n", vm, (unsigned long)addr, (unsigned long)start,
			       len > first ? " (crosses a page: next page translated separately)" : "");
	}
	for (uint64_t off = 0; off < len; off += 16)
		dump_line(addr + off, buf + off, len - off < 16 ? (unsigned)(len - off) : 16);
	return 0;
}
