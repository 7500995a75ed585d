/*
 * The SBI Debug Triggers extension (SBI spec, "Debug Triggers Extension",
 * EID "DBTR"), as the hypervisor's client: the firmware owns the hart's
 * Sdtrig triggers and installs them for us.  Used by the gdbstub for
 * hardware breakpoints and watchpoints in a guest (mcontrol6 triggers that
 * match in VS/VU-mode only).
 */
#ifndef ARCH_DBTR_H
#define ARCH_DBTR_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_DBTR   0x44425452

/* mcontrol6 (Sdtrig, "Match Control Type 6") fields of tdata1. */
#define MC6_TYPE       (6UL << 60)
#define MC6_VS	       (1UL << 24)
#define MC6_VU	       (1UL << 23)
#define MC6_SIZE_SHIFT 16 /* 0 any, 1 = 8 bits, 2 = 16, 3 = 32, 5 = 64 */
#define MC6_EXECUTE    (1UL << 2)
#define MC6_STORE      (1UL << 1)
#define MC6_LOAD       (1UL << 0)

#define DBTR_MAX       8 /* triggers a VM may use */

/* One trigger's configuration, as the shared memory holds it (SBI spec). */
struct dbtr_trigger {
	uint64_t tstate, tdata1, tdata2, tdata3;
};
_Static_assert(sizeof(struct dbtr_trigger) == 32, "SBI DBTR shared-memory entry");

/* Boot: does the firmware have DBTR; how many triggers, how many of them mcontrol6. */
bool dbtr_probe(unsigned *total, unsigned *mcontrol6);
/* On this hart: install n triggers; their firmware indices in idx[]. 0 or an SBI error. */
long dbtr_install(unsigned hartid, const struct dbtr_trigger *t, unsigned n, unsigned long *idx);
/* On this hart: uninstall the triggers with these indices. */
long dbtr_uninstall(const unsigned long *idx, unsigned n);

#endif
