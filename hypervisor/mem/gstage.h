/*
 * G-stage (guest-physical -> host-physical) tables in Sv39x4: a 16 KiB root
 * of 2048 entries indexed by GPA[40:30], then two 4 KiB levels (GPA[29:21],
 * GPA[20:12]).  Privileged spec, "Two-Stage Address Translation".
 *
 * Leaves are built with A=D=1 and U=1: every G-stage access counts as a
 * U-mode access, and a hart without Svadu would raise guest-page faults to
 * set A/D on first use.
 */
#ifndef MEM_GSTAGE_H
#define MEM_GSTAGE_H

#include <stddef.h>
#include <stdint.h>
#include "spec/types.h"
#include "spec/gwalk.h"

struct gstage {
	hpa_t root;
	hpa_t (*alloc)(size_t count, size_t align); /* zeroed pages */
	size_t table_pages;			    /* 4 KiB pages of tables allocated, root included */
};

int gstage_init(struct gstage *g);
int gstage_map(struct gstage *g, gpa_t base, hpa_t target, uint64_t size, uint64_t perms);
/*
 * Allow or deny guest writes to the 4 KiB page at gpa (the gdbstub's
 * watchpoints without debug triggers).  A 2 MiB leaf around it is split
 * into 4 KiB leaves first, and stays split.  The caller fences
 * (hfence.gvma) before any vCPU of the VM runs again.  0, or -1 when gpa is
 * not mapped or no table page could be allocated for the split.
 */
int gstage_set_writable(struct gstage *g, gpa_t gpa, int writable);
uint64_t gstage_hgatp(const struct gstage *g, unsigned vmid);

#endif
