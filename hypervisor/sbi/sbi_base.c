#include "sbi/sbi.h"

enum { BASE_SPEC_VERSION, BASE_IMPL_ID, BASE_IMPL_VERSION, BASE_PROBE_EXT,
       BASE_MVENDORID, BASE_MARCHID, BASE_MIMPID };

static void base_handle(struct sbi_call_ctx *c)
{
	c->error = SBI_SUCCESS;
	switch (c->fid) {
	case BASE_SPEC_VERSION: c->value = SBI_SPEC_VERSION; break;
	case BASE_IMPL_ID: c->value = SBI_IMPL_ID_HVSCOPE; break;
	case BASE_IMPL_VERSION: c->value = SBI_IMPL_VERSION; break;
	case BASE_PROBE_EXT: c->value = sbi_find_ext(c->arg[0]) ? 1 : 0; break;
	case BASE_MVENDORID:
	case BASE_MARCHID:
	case BASE_MIMPID: c->value = 0; break;
	default: c->error = SBI_ERR_NOT_SUPPORTED; break;
	}
}

const struct sbi_ext sbi_ext_base = { "BASE", SBI_EXT_BASE, SBI_EXT_BASE, base_handle };
