#include "sbi/sbi.h"
#include "core/vm.h"
#include "trace/trace.h"

enum { SLOT_BASE,
       SLOT_TIME }; /* sbi_quick() counts in these */

static const struct sbi_ext *const sbi_exts[] = {
	[SLOT_BASE] = &sbi_ext_base,
	[SLOT_TIME] = &sbi_ext_time,
	&sbi_ext_ipi,
	&sbi_ext_rfence,
	&sbi_ext_hsm,
	&sbi_ext_srst,
	&sbi_ext_dbcn,
	&sbi_ext_legacy,
};

#define SBI_EXT_COUNT	     (sizeof(sbi_exts) / sizeof(sbi_exts[0]))
/* Calls to extensions hvscope does not have are counted after the others. */
#define SBI_UNSUPPORTED_SLOT SBI_EXT_COUNT
_Static_assert(SBI_UNSUPPORTED_SLOT < VM_SBI_EXT_SLOTS, "sbi_by_ext has no slot for unsupported calls");

/* Name of the extension counted in vcpu_stats.sbi_by_ext[slot], or NULL. */
const char *sbi_ext_name_at(unsigned slot)
{
	return slot < SBI_EXT_COUNT ? sbi_exts[slot]->name : slot == SBI_UNSUPPORTED_SLOT ? "unsupported" :
											    0;
}

/* The extension for an EID and its slot in sbi_exts[] (-1 when unknown). */
static const struct sbi_ext *sbi_lookup(unsigned long eid, int *slot)
{
	for (unsigned i = 0; i < sizeof(sbi_exts) / sizeof(sbi_exts[0]); i++)
		if (eid >= sbi_exts[i]->eid_first && eid <= sbi_exts[i]->eid_last) {
			*slot = (int)i;
			return sbi_exts[i];
		}
	*slot = -1;
	return 0;
}

const struct sbi_ext *sbi_find_ext(unsigned long eid)
{
	int slot;

	return sbi_lookup(eid, &slot);
}

/* hart_mask_base == -1 means "all harts"; otherwise every set bit must name a vCPU. */
bool sbi_hart_mask_valid(struct vcpu *v, unsigned long mask, unsigned long base)
{
	unsigned count = v->vm->vcpu_count;

	if (base == (unsigned long)-1)
		return true;
	for (unsigned bit = 0; bit < 64; bit++)
		if ((mask >> bit) & 1)
			if (base >= count || bit >= count - base)
				return false;
	return true;
}

bool sbi_hart_in_mask(unsigned long hart, unsigned long mask, unsigned long base)
{
	if (base == (unsigned long)-1)
		return true;
	return hart >= base && hart - base < 64 && ((mask >> (hart - base)) & 1);
}

int sbi_handle_ecall(struct vcpu *v, struct exit_info *e)
{
	struct sbi_call_ctx c;
	unsigned long eid = v->regs.x[REG_A7];
	int slot;
	const struct sbi_ext *ext = sbi_lookup(eid, &slot);

	/* Field by field: this runs on every SBI call. */
	c.vcpu = v;
	c.exit = e;
	c.fid = v->regs.x[REG_A6];
	c.arg = &v->regs.x[REG_A0];
	c.error = SBI_ERR_NOT_SUPPORTED;
	c.value = 0;
	c.legacy = false;
	c.no_return = false;
	v->stats.sbi_calls++;
	if (ext) {
		if (slot < VM_SBI_EXT_SLOTS)
			v->stats.sbi_by_ext[slot]++;
		ext->handle(&c);
	} else {
		v->stats.sbi_by_ext[SBI_UNSUPPORTED_SLOT]++; /* `stats` shows them */
	}
	if (e->kind == TRACE_EXIT) { /* `trace` shows the call and its answer */
		e->kind = TRACE_SBI;
		e->info = (uint16_t)c.fid;
		e->payload[0] = eid;
		e->payload[1] = (uint64_t)(uint32_t)c.error << 32 | (uint32_t)c.value;
	}
	if (e->why[0])
		return -1;
	if (c.no_return)
		return 0;
	v->regs.x[REG_A0] = c.error;
	if (!c.legacy)
		v->regs.x[REG_A1] = c.value;
	return 0;
}

/*
 * The calls worth a quick exit (core/trap.c): BASE's constant answers
 * (spec version, implementation ID and version) and TIME's set_timer, which neither stop nor reset a vCPU nor change its pending
 * interrupts other than through hvip directly.  Everything else, and a
 * call these would refuse, takes sbi_handle_ecall() above.
 */
quick_result_t sbi_quick(struct vcpu *v)
{
	uint64_t *x = v->regs.x;
	unsigned long eid = x[REG_A7], fid = x[REG_A6];
	unsigned slot;
	long value = 0;

	if (eid == SBI_EXT_BASE && sbi_base_quick(fid, &value)) {
		slot = SLOT_BASE;
	} else if (eid == SBI_EXT_TIME && fid == 0) {
		sbi_time_set(v, x[REG_A0]);
		slot = SLOT_TIME;
	} else {
		return QUICK_NONE;
	}
	v->stats.sbi_calls++;
	v->stats.sbi_by_ext[slot]++;
	x[REG_A0] = SBI_SUCCESS;
	x[REG_A1] = (uint64_t)value;
	/* The record as sbi_handle_ecall's: info = FID, value = error (SBI_SUCCESS) << 32 | value. */
	return QUICK_RESULT(4, fid, (uint32_t)value);
}
