/*
 * CSR commands: csr, regs, adue, adem, deleg.
 *
 * Two kinds of CSR: the live ones of the hart running the console, and a
 * vCPU's saved state (VS CSRs) with its VM's H CSRs.  The table below says
 * which exist, which may be written, and why the others may not.
 */
#include <stddef.h>
#include "console/cmd.h"
#include "spec/decode.h"
#include "lib/printf.h"

enum csr_kind {
	CSR_KIND_HART, /* live, this hart */
	CSR_KIND_TRAP, /* this hart's trap CSRs: shown as the last guest trap */
	CSR_KIND_VCPU, /* saved per vCPU, or per VM */
};

struct csr_desc {
	const char *name;
	unsigned num;
	enum csr_kind kind;
	size_t offset;	    /* CSR_KIND_VCPU: field of struct console_vcpu */
	const char *refuse; /* why a write is refused, NULL if allowed */
};

#define HART(n, num, why) \
	{ \
		n, num, CSR_KIND_HART, 0, why \
	}
#define TRAP(n, num) \
	{ \
		n, num, CSR_KIND_TRAP, 0, \
			"a trap register: hvscope's own trap handling overwrites it (the value shown is the last guest trap)" \
	}
#define VCPU(n, num, why) \
	{ \
#n, num, CSR_KIND_VCPU, offsetof(struct console_vcpu, n), why \
	}

static const char per_vm[] = "loaded from the running vCPU's VM at every switch; "
			     "change the VM's copy with csr N NAME VALUE, adue or deleg";

static const struct csr_desc hart_csrs[] = {
	HART("hstatus", CSR_HSTATUS, "the world switch sets SPV, SPVP and VTW in it at every guest entry"),
	HART("hedeleg", CSR_HEDELEG, per_vm),
	HART("hideleg", CSR_HIDELEG, per_vm),
	HART("hie", CSR_HIE, NULL),
	HART("hip", CSR_HIP, "read-only here: its one writable bit, VSSIP, is an alias of hvip"),
	HART("hvip", CSR_HVIP, NULL),
	HART("hgeie", CSR_HGEIE, NULL),
	HART("hgatp", CSR_HGATP, "it selects the G-stage table of the vCPU on this hart: changing it breaks VM isolation"),
	HART("henvcfg", CSR_HENVCFG, per_vm),
	HART("htimedelta", CSR_HTIMEDELTA, per_vm),
	HART("hcounteren", CSR_HCOUNTEREN, per_vm),
	TRAP("htval", CSR_HTVAL),
	TRAP("htinst", CSR_HTINST),
	HART("sstatus", CSR_SSTATUS, "SIE, SPP and SPV in it drive hvscope's own trap handling"),
	HART("sie", CSR_SIE, "hvscope's own interrupt enables (IPIs, its timer, the UART this console uses)"),
	HART("sip", CSR_SIP, "its bits are hvscope's own IPI, timer and UART interrupts"),
	HART("satp", CSR_SATP, "hvscope runs identity-mapped with satp = Bare: any other value crashes it"),
	HART("stvec", CSR_STVEC, "hvscope's trap vector: any other value crashes it at the next trap"),
	HART("sscratch", CSR_SSCRATCH, "the trap entry uses it to tell guest traps from hypervisor traps"),
	TRAP("sepc", CSR_SEPC),
	TRAP("scause", CSR_SCAUSE),
	TRAP("stval", CSR_STVAL),
	HART("time", CSR_TIME, "a read-only counter"),
};

static const struct csr_desc vcpu_csrs[] = {
	VCPU(vsstatus, CSR_VSSTATUS, NULL),
	VCPU(vsie, CSR_VSIE, NULL),
	VCPU(vsip, CSR_VSIP, "computed from hvip, the vPLIC and vstimecmp; it is not saved state"),
	VCPU(vstvec, CSR_VSTVEC, NULL),
	VCPU(vsscratch, CSR_VSSCRATCH, NULL),
	VCPU(vsepc, CSR_VSEPC, NULL),
	VCPU(vscause, CSR_VSCAUSE, NULL),
	VCPU(vstval, CSR_VSTVAL, NULL),
	VCPU(vsatp, CSR_VSATP, NULL),
	VCPU(henvcfg, CSR_HENVCFG, NULL),
	VCPU(hedeleg, CSR_HEDELEG, NULL),
	VCPU(hideleg, CSR_HIDELEG, "hvscope injects timer, software and external interrupts through hvip "
				   "and relies on all three being delegated"),
	VCPU(hgatp, CSR_HGATP, "the VM's G-stage table: changing it breaks VM isolation"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *console_csr_name(unsigned i, bool vcpu_scope)
{
	if (vcpu_scope)
		return i < COUNT(vcpu_csrs) ? vcpu_csrs[i].name : NULL;
	return i < COUNT(hart_csrs) ? hart_csrs[i].name : NULL;
}

static const struct csr_desc *find_csr(const char *name, bool vcpu_scope)
{
	const struct csr_desc *t = vcpu_scope ? vcpu_csrs : hart_csrs;
	unsigned n = vcpu_scope ? COUNT(vcpu_csrs) : COUNT(hart_csrs);

	for (unsigned i = 0; i < n; i++)
		if (console_str_eq(t[i].name, name))
			return &t[i];
	return NULL;
}

static void unknown_csr(const char *name, bool vcpu_scope)
{
	char list[320];
	size_t n = 0;

	list[0] = '\0';
	for (unsigned i = 0; console_csr_name(i, vcpu_scope) && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? " " : "", console_csr_name(i, vcpu_scope));
	console_error("unknown CSR '%s'; %s: %s", name, vcpu_scope ? "a vCPU's are" : "this hart's are", list);
}

void console_print_csr(const char *name, uint64_t value, const char *note)
{
	char fields[200];

	if (decode_csr_fields(name, value, fields, sizeof(fields)) != 0)
		fields[0] = '\0';
	console_printf("%s = 0x%016lx%s%s%s%s\n", name, (unsigned long)value, fields[0] ? "  " : "", fields,
		       note ? "  " : "", note ? note : "");
}

static int trap_value(const struct csr_desc *d, const struct console_last_trap *t, uint64_t *v)
{
	switch (d->num) {
	case CSR_SCAUSE: *v = t->scause; return 0;
	case CSR_SEPC: *v = t->sepc; return 0;
	case CSR_STVAL: *v = t->stval; return 0;
	case CSR_HTVAL: *v = t->htval; return 0;
	case CSR_HTINST: *v = t->htinst; return 0;
	}
	return -1;
}

static void show_hart_csr(const struct csr_desc *d)
{
	char note[96];
	uint64_t v = 0;

	if (d->kind == CSR_KIND_TRAP) {
		struct console_last_trap t;
		con->last_trap(&t);
		trap_value(d, &t, &v);
		if (t.vm)
			snprintf(note, sizeof(note), "[last trap from a guest on this hart: vm%d.%d]", t.vm, t.vcpu);
		else
			snprintf(note, sizeof(note), "[last trap from a guest on this hart: none yet]");
		console_print_csr(d->name, v, note);
		return;
	}
	if (con->hart_csr_read(d->num, &v)) {
		console_printf("%s = (cannot be read on this hart)\n", d->name);
		return;
	}
	if (d->num == CSR_TIME) {
		uint64_t tb = con->timebase();
		snprintf(note, sizeof(note), "(%lu.%03lu s since reset)", (unsigned long)(v / tb),
			 (unsigned long)(v % tb * 1000 / tb));
		console_print_csr(d->name, v, note);
		return;
	}
	console_print_csr(d->name, v, NULL);
}

static int hart_csr(int argc, char **argv)
{
	const struct csr_desc *d;
	const char *why = "refused";
	uint64_t value;

	if (argc == 1) {
		for (unsigned i = 0; i < COUNT(hart_csrs); i++)
			show_hart_csr(&hart_csrs[i]);
		return 0;
	}
	if (argc > 3)
		return console_usage("csr");
	d = find_csr(argv[1], false);
	if (!d) {
		if (find_csr(argv[1], true))
			console_error("'%s' is a vCPU's CSR: csr N[.V] %s", argv[1], argv[1]);
		else
			unknown_csr(argv[1], false);
		return -1;
	}
	if (argc == 3) {
		if (console_parse_u64(argv[2], &value))
			return -1;
		if (d->refuse) {
			console_error("%s is not written from the console: %s", d->name, d->refuse);
			return -1;
		}
		if (con->hart_csr_write(d->num, value, &why)) {
			console_error("%s: %s", d->name, why);
			return -1;
		}
	}
	show_hart_csr(d);
	return 0;
}

static uint64_t vcpu_field(const struct console_vcpu *s, const struct csr_desc *d)
{
	return *(const uint64_t *)((const char *)s + d->offset);
}

static int vcpu_csr(int argc, char **argv)
{
	struct console_vcpu s;
	struct console_vm_info vi;
	const struct csr_desc *d = NULL;
	const char *why = "failed";
	unsigned vcpu;
	uint64_t value;
	int vm;

	if (argc > 4)
		return console_usage("csr");
	if (console_parse_vcpu(argv[1], &vm, &vcpu))
		return -1;
	if (argc >= 3 && !(d = find_csr(argv[2], true))) {
		if (find_csr(argv[2], false))
			console_error("'%s' is not kept per vCPU; this hart's live value: csr %s", argv[2], argv[2]);
		else
			unknown_csr(argv[2], true);
		return -1;
	}
	if (argc == 4) {
		if (console_parse_u64(argv[3], &value))
			return -1;
		if (d->refuse) {
			console_error("%s is not written from the console: %s", d->name, d->refuse);
			return -1;
		}
		if (con->vcpu_csr_write(vm, vcpu, d->num, value, &why)) {
			console_error("vm%d.%u %s: %s", vm, vcpu, d->name, why);
			return -1;
		}
	}
	if (con->vcpu_read(vm, vcpu, &s, &why)) {
		console_error("vm%d.%u: %s", vm, vcpu, why);
		return -1;
	}
	if (d) {
		console_print_csr(d->name, vcpu_field(&s, d), NULL);
		return 0;
	}
	con->vm_info(vm, &vi);
	console_printf("vm%d.%u (%s), %s:\n", vm, vcpu, vi.name, vi.state);
	for (unsigned i = 0; i < COUNT(vcpu_csrs); i++)
		console_print_csr(vcpu_csrs[i].name, vcpu_field(&s, &vcpu_csrs[i]), NULL);
	return 0;
}

int cmd_csr(int argc, char **argv)
{
	if (argc >= 2 && console_is_vm_token(argv[1]))
		return vcpu_csr(argc, argv);
	return hart_csr(argc, argv);
}

int cmd_regs(int argc, char **argv)
{
	struct console_vcpu s;
	struct console_vm_info vi;
	const char *why = "failed";
	unsigned vcpu;
	int vm;

	if (argc != 2)
		return console_usage("regs");
	if (console_parse_vcpu(argv[1], &vm, &vcpu))
		return -1;
	if (con->vcpu_read(vm, vcpu, &s, &why)) {
		console_error("vm%d.%u: %s", vm, vcpu, why);
		return -1;
	}
	con->vm_info(vm, &vi);
	console_printf("vm%d.%u (%s, %s): pc 0x%016lx in %s-mode, hart %d\n", vm, vcpu, vi.name, vi.state,
		       (unsigned long)s.pc, s.priv_u ? "VU" : "VS", s.hart);
	for (int i = 0; i < 32; i += 4)
		console_printf("%-4s 0x%016lx  %-4s 0x%016lx  %-4s 0x%016lx  %-4s 0x%016lx\n", riscv_abi_names[i],
			       (unsigned long)s.x[i], riscv_abi_names[i + 1], (unsigned long)s.x[i + 1], riscv_abi_names[i + 2],
			       (unsigned long)s.x[i + 2], riscv_abi_names[i + 3], (unsigned long)s.x[i + 3]);
	for (unsigned i = 0; i < COUNT(vcpu_csrs); i++)
		console_print_csr(vcpu_csrs[i].name, vcpu_field(&s, &vcpu_csrs[i]), NULL);
	console_print_csr("hstatus", s.hstatus, NULL);
	return 0;
}

/* The VM's henvcfg and hedeleg after a change, read back from its saved state. */
static int show_vm_envcfg(int vm)
{
	struct console_vcpu s;
	const char *why = "failed";

	if (con->vcpu_read(vm, 0, &s, &why)) {
		console_error("vm%d: %s", vm, why);
		return -1;
	}
	console_print_csr("henvcfg", s.henvcfg, NULL);
	console_print_csr("hedeleg", s.hedeleg, NULL);
	return 0;
}

/* What ADUE and A/D emulation together mean for a guest that leaves A/D clear (xv6). */
static const char *ad_consequence(const struct console_vm_info *vi)
{
	if (vi->adue)
		return "hardware sets A/D";
	if (vi->ad_emulation)
		return "hvscope sets A/D on the guest's page faults";
	return "a guest that relies on hardware A/D will fault";
}

/*
 * adue N on|off follows the config's rule (scripts/mkbundle.py): A/D
 * emulation is on exactly when ADUE is off, unless set on its own, which
 * `adem` does afterwards.  So `adue 1 off` alone keeps xv6 booting, as
 * `adue = off` does; the ADUE story needs `adem 1 off` too.
 */
int cmd_adue(int argc, char **argv)
{
	struct console_vm_info vi;
	const char *why = "failed";
	bool on;
	int vm;

	if (argc < 2 || argc > 3)
		return console_usage("adue");
	if (console_parse_vm(argv[1], &vm) || (argc == 3 && console_parse_onoff(argv[2], &on)))
		return -1;
	if (argc == 3 && con->set_adue(vm, on, &why)) {
		console_error("adue vm%d: %s", vm, why);
		return -1;
	}
	if (argc == 3)
		con->set_ad_emulation(vm, !on);
	con->vm_info(vm, &vi);
	console_printf("vm%d (%s): ADUE %s; A/D emulation %s: %s\n", vm, vi.name, vi.adue ? "on" : "off",
		       vi.ad_emulation ? "on" : "off", ad_consequence(&vi));
	if (argc == 3 && !on && !(con->henvcfg_caps() & ENVCFG_ADUE))
		console_printf("note: this hart cannot set ADUE at all (no Svadu or menvcfg.ADUE clear)\n");
	return show_vm_envcfg(vm);
}

int cmd_adem(int argc, char **argv)
{
	struct console_vm_info vi;
	bool on;
	int vm;

	if (argc < 2 || argc > 3)
		return console_usage("adem");
	if (console_parse_vm(argv[1], &vm) || (argc == 3 && console_parse_onoff(argv[2], &on)))
		return -1;
	if (argc == 3)
		con->set_ad_emulation(vm, on);
	con->vm_info(vm, &vi);
	console_printf("vm%d (%s): A/D emulation %s; ADUE %s: %s\n", vm, vi.name, vi.ad_emulation ? "on" : "off",
		       vi.adue ? "on" : "off", ad_consequence(&vi));
	return 0;
}

/* "+CAUSE" / "-CAUSE" applied to *deleg; prints the error itself. */
static int deleg_change(const char *tok, uint64_t *deleg)
{
	uint64_t cause;

	if ((tok[0] != '+' && tok[0] != '-') || decode_cause_by_name(tok + 1, &cause) || cause >= CAUSE_COUNT) {
		console_error("bad delegation change '%s' (+NAME or -NAME, or +/- a cause number 0-23; "
			      "names as deleg shows them)",
			      tok);
		return -1;
	}
	if (!((con->hedeleg_allowed() >> cause) & 1)) {
		console_error("'%s': exception %lu (%s) cannot be delegated to a guest", tok,
			      (unsigned long)cause, decode_cause_name(cause));
		return -1;
	}
	if (tok[0] == '+')
		*deleg |= 1ULL << cause;
	else
		*deleg &= ~(1ULL << cause);
	return 0;
}

int cmd_deleg(int argc, char **argv)
{
	struct console_vcpu s;
	const char *why = "failed";
	uint64_t deleg;
	int vm;

	if (argc < 2)
		return console_usage("deleg");
	if (console_parse_vm(argv[1], &vm))
		return -1;
	if (con->vcpu_read(vm, 0, &s, &why)) {
		console_error("vm%d: %s", vm, why);
		return -1;
	}
	deleg = s.hedeleg;
	for (int i = 2; i < argc; i++)
		if (deleg_change(argv[i], &deleg))
			return -1;
	if (argc > 2 && con->set_hedeleg(vm, deleg, &why)) {
		console_error("deleg vm%d: %s", vm, why);
		return -1;
	}
	console_print_csr("hedeleg", deleg, NULL);
	return 0;
}
