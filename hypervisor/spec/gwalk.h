/*
 * The G-stage (Sv39x4) format and its software walk: a 16 KiB root of 2048
 * entries indexed by GPA[40:30], then two 4 KiB levels (GPA[29:21],
 * GPA[20:12]).  Privileged spec, "Two-Stage Address Translation".
 */
#ifndef SPEC_GWALK_H
#define SPEC_GWALK_H

#include <stdint.h>
#include "spec/types.h"

#define GSTAGE_LEVELS	 3
#define GSTAGE_ROOT_SIZE (16 * 1024)
#define GSTAGE_GPA_BITS	 41

struct pt_level {
	uint64_t table; /* address of the table read at this level */
	unsigned index;
	uint64_t pte;
	int level; /* 2 = root for Sv39x4 */
};

struct gstage_walk {
	struct pt_level step[GSTAGE_LEVELS];
	int steps;
	hpa_t hpa; /* valid when ok */
	int ok;
	const char *why; /* reason the walk stopped when !ok */
};

/* The index into the table at `level` (2 = root, which has 2 more bits: "x4"). */
static inline unsigned gstage_index(uint64_t gpa, int level)
{
	unsigned bits = level == GSTAGE_LEVELS - 1 ? 11 : 9; /* x4: root has 2 more bits */
	return (gpa >> (12 + 9 * level)) & ((1U << bits) - 1);
}

void gstage_walk(hpa_t root, gpa_t addr, struct gstage_walk *w);

#endif
