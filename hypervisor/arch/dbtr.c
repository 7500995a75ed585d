#include "arch/dbtr.h"
#include "arch/sbi_call.h"
#include "spec/board.h"

enum {
	DBTR_NUM_TRIGGERS = 0,
	DBTR_SET_SHMEM = 1,
	DBTR_INSTALL = 3,
	DBTR_UNINSTALL = 5,
};

#define SBI_BASE_PROBE_EXTENSION 3

/* Per hart: the shared memory the firmware reads configurations from (physical = virtual here). */
static struct dbtr_trigger shmem[HV_MAX_HARTS][DBTR_MAX] __attribute__((aligned(64)));
static bool shmem_set[HV_MAX_HARTS];

bool dbtr_probe(unsigned *total, unsigned *mcontrol6)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_DBTR, 0, 0, 0, 0, 0);

	*total = *mcontrol6 = 0;
	if (r.error || !r.value)
		return false;
	r = sbi_call(SBI_EXT_DBTR, DBTR_NUM_TRIGGERS, 0, 0, 0, 0, 0, 0);
	if (!r.error)
		*total = (unsigned)r.value;
	r = sbi_call(SBI_EXT_DBTR, DBTR_NUM_TRIGGERS, (long)MC6_TYPE, 0, 0, 0, 0, 0);
	if (!r.error)
		*mcontrol6 = (unsigned)r.value;
	return true;
}

long dbtr_install(unsigned hartid, const struct dbtr_trigger *t, unsigned n, unsigned long *idx)
{
	struct sbiret r;

	if (hartid >= HV_MAX_HARTS || n > DBTR_MAX)
		return SBI_ERR_INVALID_PARAM;
	if (!shmem_set[hartid]) {
		r = sbi_call(SBI_EXT_DBTR, DBTR_SET_SHMEM, (long)(uintptr_t)shmem[hartid], 0, 0, 0, 0, 0);
		if (r.error && r.error != SBI_ERR_ALREADY_AVAILABLE)
			return r.error;
		shmem_set[hartid] = true;
	}
	for (unsigned i = 0; i < n; i++)
		shmem[hartid][i] = t[i];
	__asm__ volatile("fence rw, rw" ::
				 : "memory");
	r = sbi_call(SBI_EXT_DBTR, DBTR_INSTALL, n, 0, 0, 0, 0, 0);
	if (r.error)
		return r.error;
	for (unsigned i = 0; i < n; i++)
		idx[i] = (unsigned long)shmem[hartid][i].tstate; /* the entry's first word: its index */
	return 0;
}

long dbtr_uninstall(const unsigned long *idx, unsigned n)
{
	long err = 0;

	for (unsigned i = 0; i < n; i++) {
		struct sbiret r = sbi_call(SBI_EXT_DBTR, DBTR_UNINSTALL, (long)idx[i], 1, 0, 0, 0, 0);
		if (r.error)
			err = r.error;
	}
	return err;
}
