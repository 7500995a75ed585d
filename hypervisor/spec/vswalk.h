/*
 * Software walk of a guest's VS-stage table (Sv39/Sv48/Sv57, vsatp), every
 * table access itself translated through the G-stage, as the hardware does
 * (privileged spec, "Two-Stage Address Translation").  Used by the fault
 * reports, A/D emulation and the console's pt/xlate commands.
 */
#ifndef MEM_VSWALK_H
#define MEM_VSWALK_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/gwalk.h"

#define VSWALK_MAX_LEVELS 5

enum vs_access { VS_FETCH,
		 VS_LOAD,
		 VS_STORE };

struct vs_level {
	int level;	    /* Sv39: 2, 1, 0 */
	uint64_t table_gpa; /* guest-physical address of the table */
	unsigned index;
	uint64_t pte_gpa;
	uint64_t pte_hpa; /* 0 if the G-stage could not translate it */
	uint64_t pte;
};

struct vs_walk {
	struct vs_level step[VSWALK_MAX_LEVELS];
	int steps;
	bool ok;	/* a permitted leaf was found, A/D as needed */
	bool bare;	/* vsatp.MODE = Bare: VA == GPA */
	uint64_t gpa;	/* result when a leaf was found */
	int leaf;	/* step index of the leaf, -1 none */
	uint64_t cause; /* exception the hardware would raise when !ok */
	bool ad_only;	/* the only reason for the fault is A=0 (or D=0 on a store) */
	const char *why;
};

struct vs_walk_env {
	uint64_t vsatp;
	bool priv_u;   /* access made in VU-mode */
	bool sum, mxr; /* vsstatus.SUM / MXR */
	bool hw_ad;    /* hardware A/D updating (ADUE) would set A/D */
	/* Translate a GPA of a page-table access to a host pointer, or NULL. */
	uint64_t *(*pte_ptr)(void *ctx, uint64_t gpa);
	void *ctx;
};

void vswalk(const struct vs_walk_env *env, uint64_t va, enum vs_access access, struct vs_walk *w);
const char *vswalk_mode_name(uint64_t vsatp);

#endif
