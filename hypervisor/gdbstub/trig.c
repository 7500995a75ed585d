/*
 * Hardware breakpoints and watchpoints (Z1-Z4) through the SBI Debug
 * Triggers extension: mcontrol6 triggers matching in VS/VU-mode only,
 * installed on the hart a vCPU of their VM runs on.
 */
#include "gdbstub/gdbstub.h"
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "core/hart.h"
#include "core/trap.h"
#include "arch/csr.h"
#include "lib/printf.h"
#include "lib/string.h"

/*
 * What the firmware offers (probed at boot), and per hart which VM's
 * triggers are installed there.  gdbstub_trigger_users counts VMs with
 * triggers plus harts with triggers installed: while it is 0 the vCPU load
 * path skips gdbstub_vcpu_enter() entirely.
 */
static unsigned dbtr_total, dbtr_mc6;

static bool dbtr_present;

volatile unsigned gdbstub_trigger_users;

static struct hart_trigs {
	int vm; /* 0: none installed */
	uint32_t gen;
	unsigned n;
	unsigned long idx[DBTR_MAX];
} hart_trigs[HV_MAX_HARTS];

static void trig_users(int delta)
{
	__atomic_add_fetch(&gdbstub_trigger_users, (unsigned)delta, __ATOMIC_ACQ_REL);
}

/* mcontrol6 size field for an access of len bytes, -1 if it has none. */
static int mc6_size(unsigned len)
{
	switch (len) {
	case 1: return 1;
	case 2: return 2;
	case 4: return 3;
	case 8: return 5;
	default: return -1;
	}
}

/* The trigger as the firmware wants it: mcontrol6, VS/VU-mode only, action 0 (breakpoint exception). */
static struct dbtr_trigger trig_config(const struct hwtrig *t)
{
	struct dbtr_trigger c = { 0, MC6_TYPE | MC6_VS | MC6_VU, t->addr, 0 };

	if (t->type == 1)
		c.tdata1 |= MC6_EXECUTE;
	else
		c.tdata1 |= (uint64_t)mc6_size(t->len) << MC6_SIZE_SHIFT |
			    (t->type != 3 ? MC6_STORE : 0) | (t->type != 2 ? MC6_LOAD : 0);
	return c;
}

static unsigned trig_capacity(void)
{
	return dbtr_mc6 < DBTR_MAX ? dbtr_mc6 : DBTR_MAX;
}

int trig_insert(void *ctx, unsigned type, uint64_t addr, unsigned len)
{
	struct vm_debug *d = ctx;
	struct hwtrig *free_slot = 0;

	if (!trig_capacity())
		return type == 2 ? watch_insert(d, addr, len) : 1; /* Z1, Z3, Z4: the empty reply */
	if (d->phys || (type != 1 && mc6_size(len) < 0))
		return -1; /* triggers match virtual addresses, and only these sizes */
	for (unsigned i = 0; i < DBTR_MAX; i++) {
		struct hwtrig *t = &d->trigs[i];
		if (t->used && t->type == type && t->addr == addr && t->len == len)
			return 0;
		if (!t->used && !free_slot)
			free_slot = t;
	}
	if (!free_slot || d->trig_count >= trig_capacity())
		return -1;
	*free_slot = (struct hwtrig){ true, (uint8_t)type, len, addr };
	if (d->trig_count++ == 0)
		trig_users(1);
	d->trig_gen++;
	return 0;
}

int trig_remove(void *ctx, unsigned type, uint64_t addr, unsigned len)
{
	struct vm_debug *d = ctx;

	if (!trig_capacity())
		return type == 2 ? watch_remove(d, addr, len) : 1;
	for (unsigned i = 0; i < DBTR_MAX; i++) {
		struct hwtrig *t = &d->trigs[i];
		if (t->used && t->type == type && t->addr == addr && t->len == len) {
			t->used = false;
			if (--d->trig_count == 0)
				trig_users(-1);
			d->trig_gen++;
			return 0;
		}
	}
	return -1;
}

/* Detach, kill: every trigger and every page watch (watch.c) goes. */
void trig_remove_all(struct vm_debug *d)
{
	watch_remove_all(d);
	for (unsigned i = 0; i < DBTR_MAX; i++)
		d->trigs[i].used = false;
	if (d->trig_count)
		trig_users(-1);
	d->trig_count = 0;
	d->trig_gen++;
}

static bool trig_overlaps(const struct hwtrig *t, uint64_t addr, unsigned len)
{
	return t->type != 1 && addr < t->addr + t->len && addr + len > t->addr;
}

/*
 * A breakpoint exception with triggers installed: which one fired (NULL:
 * none of ours, the guest's own ebreak).  An execute trigger matches at its
 * pc; a load/store trigger by stval, the address it matched (QEMU 10).
 * QEMU 7.2 leaves stval 0 for a trigger's breakpoint exception, so where
 * stval names none, an instruction at sepc that is no ebreak must be the
 * access a trigger stopped: its address, decoded from the registers,
 * picks the trigger.
 */
const struct hwtrig *trig_hit(struct vm_debug *d, struct vcpu *v, const struct exit_info *e)
{
	uint64_t addr;
	uint32_t insn;
	unsigned width;
	bool phys = d->phys;
	bool decoded;

	for (unsigned i = 0; i < DBTR_MAX; i++) {
		const struct hwtrig *t = &d->trigs[i];
		if (t->used && (t->type == 1 ? e->sepc == t->addr : trig_overlaps(t, e->stval, 8)))
			return t;
	}
	d->phys = false; /* sepc is virtual whatever gdb's addresses are */
	decoded = guestmem_fetch(d, csr_read(CSR_VSATP), e->sepc, &insn) && nextpc_mem_access(insn, v->regs.x, &addr, &width);
	d->phys = phys;
	if (!decoded)
		return 0; /* an ebreak, or nothing we can read: the guest's own */
	for (unsigned i = 0; i < DBTR_MAX; i++)
		if (d->trigs[i].used && trig_overlaps(&d->trigs[i], addr, width))
			return &d->trigs[i];
	return 0;
}

void gdbstub_probe_triggers(void)
{
	dbtr_present = dbtr_probe(&dbtr_total, &dbtr_mc6);
	if (!dbtr_present)
		hv_printf("  debug triggers: none (firmware has no SBI DBTR): gdb watch write-protects pages, "
			  "hbreak/rwatch/awatch fall back to software\n");
	else if (!dbtr_mc6)
		hv_printf("  debug triggers: SBI DBTR, %u triggers, none mcontrol6 (the hart has no Sdtrig for VS/VU): "
			  "gdb watch write-protects pages, hbreak/rwatch/awatch fall back to software\n",
			  dbtr_total);
	else
		hv_printf("  debug triggers: SBI DBTR, %u triggers, %u mcontrol6 (VS/VU): gdb hbreak/watch use %u per VM\n",
			  dbtr_total, dbtr_mc6, trig_capacity());
}

/*
 * A vCPU is about to run on this hart (once per time slice, and only while
 * gdbstub_trigger_users is nonzero): the hart gets its VM's triggers, or
 * loses another VM's.  Triggers change only while their VM is stopped, so
 * none of its vCPUs is loaded while d->trigs changes.
 */
void gdbstub_vcpu_enter(struct vcpu *v)
{
	unsigned hartid = this_hart()->hartid;
	struct hart_trigs *ht = &hart_trigs[hartid];
	struct vm_debug *d = gdbstub_debug_of(v->vm);
	struct dbtr_trigger cfg[DBTR_MAX];
	unsigned n = 0;
	long err;

	if (hartid >= HV_MAX_HARTS)
		return;
	if (d->trig_count ? ht->vm == v->vm->id && ht->gen == d->trig_gen : ht->vm == 0)
		return;
	if (ht->vm) {
		dbtr_uninstall(ht->idx, ht->n);
		ht->vm = 0;
		ht->n = 0;
		trig_users(-1);
	}
	if (!d->trig_count)
		return;
	for (unsigned i = 0; i < DBTR_MAX; i++)
		if (d->trigs[i].used)
			cfg[n++] = trig_config(&d->trigs[i]);
	err = dbtr_install(hartid, cfg, n, ht->idx);
	if (err) {
		/* Remembered as installed (none of them): no retry every slice until gdb changes them. */
		vm_notice(v->vm, "vm%d: %s: hart %u: the firmware refused its %u debug triggers (SBI error %ld)\n",
			  v->vm->id, v->vm->name, hartid, n, err);
		n = 0;
	}
	ht->vm = v->vm->id;
	ht->gen = d->trig_gen;
	ht->n = n;
	trig_users(1);
}

/* monitor triggers */
void gdbstub_triggers_info(struct vm_debug *d, char *out, size_t size)
{
	static const char *const kinds[] = { "", "hbreak (execute)", "watch (store)", "rwatch (load)",
					     "awatch (load/store)" };
	size_t o;

	if (!trig_capacity())
		snprintf(out, size, "no hardware triggers: %s; watch (Z2) write-protects the watched page in the "
				    "G-stage, Z1/Z3/Z4 get the empty reply (gdb: break for hbreak)\n",
			 dbtr_present ? "SBI DBTR offers none mcontrol6" : "the firmware has no SBI DBTR extension");
	else
		snprintf(out, size, "SBI DBTR: %u triggers per hart, %u mcontrol6; this VM may use %u, uses %u\n",
			 dbtr_total, dbtr_mc6, trig_capacity(), d->trig_count);
	for (unsigned i = 0; i < WATCH_MAX; i++) {
		const struct pagewatch *w = &d->watches[i];
		if (!w->used)
			continue;
		o = strlen(out);
		snprintf(out + o, size - o, "  watch (store) at 0x%lx, %u bytes: page at gpa 0x%lx write-protected\n",
			 w->addr, w->len, w->gpa & ~(PAGE - 1));
	}
	for (unsigned i = 0, k = 0; i < DBTR_MAX; i++) {
		const struct hwtrig *t = &d->trigs[i];
		if (!t->used)
			continue;
		o = strlen(out);
		snprintf(out + o, size - o, "  trigger %u: %s at 0x%lx, %u bytes, mcontrol6 tdata1 0x%lx\n", k++,
			 kinds[t->type], t->addr, t->len, trig_config(t).tdata1);
	}
	for (unsigned h = 0; h < HV_MAX_HARTS; h++) {
		if (hart_trigs[h].vm != d->vm->id)
			continue;
		o = strlen(out);
		snprintf(out + o, size - o, "  %s on hart %u: firmware indices",
			 hart_trigs[h].gen == d->trig_gen ? "installed" : "an older set, until it next loads a vCPU,", h);
		for (unsigned i = 0; i < hart_trigs[h].n; i++) {
			o = strlen(out);
			snprintf(out + o, size - o, " %lu", hart_trigs[h].idx[i]);
		}
		o = strlen(out);
		snprintf(out + o, size - o, "\n");
	}
}
