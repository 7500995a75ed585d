/*
 * The SBI server guests call with ecall from VS-mode.  One const table of
 * extension descriptors drives both dispatch and BASE probe_extension; each
 * extension lives in its own file.  Unknown extensions and functions return
 * SBI_ERR_NOT_SUPPORTED, never a silent success.
 */
#ifndef SBI_SBI_H
#define SBI_SBI_H

#include <stdbool.h>
#include "arch/sbi_call.h"
#include "core/trap.h"

struct vcpu;

/* What a call gets and gives: a0..a5 in, error/value out. */
struct sbi_call_ctx {
	struct vcpu *vcpu;
	struct exit_info *exit;
	unsigned long fid;
	const uint64_t *arg; /* a0..a5 of the caller, in place */
	long error, value;
	bool legacy;	/* legacy calls return only a0 */
	bool no_return; /* the vCPU was reset: leave its registers alone */
};

struct sbi_ext {
	const char *name;
	unsigned long eid_first, eid_last;
	void (*handle)(struct sbi_call_ctx *c);
};

#define SBI_SPEC_VERSION    0x02000000 /* 2.0 */
#define SBI_IMPL_ID_HVSCOPE 0x7676
#define SBI_IMPL_VERSION    1

extern const struct sbi_ext sbi_ext_base, sbi_ext_time, sbi_ext_ipi, sbi_ext_rfence,
	sbi_ext_hsm, sbi_ext_srst, sbi_ext_dbcn, sbi_ext_legacy;

const struct sbi_ext *sbi_find_ext(unsigned long eid);
const char *sbi_ext_name_at(unsigned slot);
bool sbi_hart_mask_valid(struct vcpu *v, unsigned long mask, unsigned long base);
bool sbi_hart_in_mask(unsigned long hart, unsigned long mask, unsigned long base);
bool sbi_base_quick(unsigned long fid, long *value);
void sbi_time_set(struct vcpu *v, uint64_t when);

#endif
