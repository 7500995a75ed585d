#include "sbi/sbi.h"
#include "arch/sbi_call.h"

enum { BASE_SPEC_VERSION,
       BASE_IMPL_ID,
       BASE_IMPL_VERSION,
       BASE_PROBE_EXT,
       BASE_MVENDORID,
       BASE_MARCHID,
       BASE_MIMPID };

/* Legacy EIDs are probed one by one: only the ones sbi_legacy.c implements. */
static long probe(unsigned long eid)
{
	const struct sbi_ext *e = sbi_find_ext(eid);

	if (e == &sbi_ext_legacy)
		return eid <= SBI_EXT_LEGACY_CLEAR_IPI || eid == SBI_EXT_LEGACY_SHUTDOWN;
	return e != 0;
}

/*
 * The constant answers (sbi_quick, so no call: the quick exit's handler
 * then needs no stack frame); false for the others.
 */
bool sbi_base_quick(unsigned long fid, long *value)
{
	switch (fid) {
	case BASE_SPEC_VERSION: *value = SBI_SPEC_VERSION; return true;
	case BASE_IMPL_ID: *value = SBI_IMPL_ID_HVSCOPE; return true;
	case BASE_IMPL_VERSION: *value = SBI_IMPL_VERSION; return true;
	default: return false;
	}
}

static void base_handle(struct sbi_call_ctx *c)
{
	c->error = SBI_SUCCESS;
	if (sbi_base_quick(c->fid, &c->value))
		return;
	switch (c->fid) {
	case BASE_PROBE_EXT: c->value = probe(c->arg[0]); break;
	case BASE_MVENDORID:
	case BASE_MARCHID:
	case BASE_MIMPID:
		/* The real hart's IDs, from the firmware, as a native kernel sees them. */
		c->value = sbi_call(SBI_EXT_BASE, (long)c->fid, 0, 0, 0, 0, 0, 0).value;
		break;
	default: c->error = SBI_ERR_NOT_SUPPORTED; break;
	}
}

const struct sbi_ext sbi_ext_base = { "BASE", SBI_EXT_BASE, SBI_EXT_BASE, base_handle };
