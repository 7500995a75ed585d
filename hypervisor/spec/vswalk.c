#include "spec/vswalk.h"
#include "spec/pte.h"
#include "spec/csr.h"

static const uint64_t page_fault_cause[] = {
	[VS_FETCH] = CAUSE_FETCH_PAGE_FAULT,
	[VS_LOAD] = CAUSE_LOAD_PAGE_FAULT,
	[VS_STORE] = CAUSE_STORE_PAGE_FAULT,
};
static const uint64_t guest_page_fault_cause[] = {
	[VS_FETCH] = CAUSE_FETCH_GUEST_PAGE_FAULT,
	[VS_LOAD] = CAUSE_LOAD_GUEST_PAGE_FAULT,
	[VS_STORE] = CAUSE_STORE_GUEST_PAGE_FAULT,
};

const char *vswalk_mode_name(uint64_t vsatp)
{
	switch (vsatp >> ATP_MODE_SHIFT) {
	case ATP_MODE_BARE: return "Bare";
	case ATP_MODE_SV39: return "Sv39";
	case ATP_MODE_SV48: return "Sv48";
	case ATP_MODE_SV57: return "Sv57";
	default: return "reserved";
	}
}

static int levels_of(uint64_t vsatp)
{
	switch (vsatp >> ATP_MODE_SHIFT) {
	case ATP_MODE_SV39: return 3;
	case ATP_MODE_SV48: return 4;
	case ATP_MODE_SV57: return 5;
	default: return 0;
	}
}

static void fail(struct vs_walk *w, uint64_t cause, const char *why)
{
	w->ok = false;
	w->cause = cause;
	w->why = why;
}

/* Leaf permission check; sets w->why on failure. */
static bool permitted(const struct vs_walk_env *env, uint64_t pte, enum vs_access access, struct vs_walk *w)
{
	bool r = pte & PTE_R, x = pte & PTE_X;

	if (env->priv_u && !(pte & PTE_U)) {
		w->why = "U=0 page accessed from VU-mode";
		return false;
	}
	if (!env->priv_u && (pte & PTE_U) && (access == VS_FETCH || !env->sum)) {
		w->why = access == VS_FETCH ? "U=1 page fetched in VS-mode" : "U=1 page accessed in VS-mode with SUM=0";
		return false;
	}
	if ((access == VS_FETCH && !x) || (access == VS_LOAD && !r && !(env->mxr && x)) ||
	    (access == VS_STORE && !(pte & PTE_W))) {
		w->why = access == VS_FETCH ? "no X permission" : access == VS_LOAD ? "no R permission" :
										      "no W permission";
		return false;
	}
	return true;
}

void vswalk(const struct vs_walk_env *env, uint64_t va, enum vs_access access, struct vs_walk *w)
{
	int levels = levels_of(env->vsatp);
	uint64_t table = (env->vsatp & ATP_PPN_MASK) << 12;
	unsigned va_bits = 12 + 9 * levels;

	*w = (struct vs_walk){ .leaf = -1 };
	if ((env->vsatp >> ATP_MODE_SHIFT) == ATP_MODE_BARE) {
		w->bare = w->ok = true;
		w->gpa = va;
		return;
	}
	if (!levels)
		return fail(w, page_fault_cause[access], "reserved vsatp MODE");
	/* Bits above the VA width must all equal the top VA bit. */
	if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
		return fail(w, page_fault_cause[access], "VA not sign-extended for this mode");
	for (int level = levels - 1; level >= 0; level--) {
		struct vs_level *s = &w->step[w->steps++];
		uint64_t *p;
		s->level = level;
		s->table_gpa = table;
		s->index = (va >> (12 + 9 * level)) & 511;
		s->pte_gpa = table + 8 * s->index;
		p = env->pte_ptr(env->ctx, s->pte_gpa);
		if (!p)
			return fail(w, guest_page_fault_cause[access], "page-table access is not guest RAM (guest-page fault)");
		s->pte_hpa = (uint64_t)(uintptr_t)p;
		s->pte = __atomic_load_n(p, __ATOMIC_RELAXED);
		if (!(s->pte & PTE_V))
			return fail(w, page_fault_cause[access], "invalid PTE (V=0)");
		if ((s->pte & (PTE_R | PTE_W)) == PTE_W || (s->pte & PTE_RESERVED_MASK))
			return fail(w, page_fault_cause[access], "reserved PTE encoding");
		if (!pte_is_leaf(s->pte)) {
			if (s->pte & (PTE_A | PTE_D | PTE_U))
				return fail(w, page_fault_cause[access], "non-leaf PTE with A, D or U set");
			table = pte_pa(s->pte);
			continue;
		}
		uint64_t span = 1UL << (12 + 9 * level);
		w->leaf = w->steps - 1;
		if (pte_pa(s->pte) & (span - 1))
			return fail(w, page_fault_cause[access], "misaligned superpage");
		if (!permitted(env, s->pte, access, w))
			return fail(w, page_fault_cause[access], w->why);
		w->gpa = pte_pa(s->pte) | (va & (span - 1));
		if (!env->hw_ad && (!(s->pte & PTE_A) || (access == VS_STORE && !(s->pte & PTE_D)))) {
			w->ad_only = true;
			return fail(w, page_fault_cause[access],
				    !(s->pte & PTE_A) ? "A=0 and hardware A/D updating is off" :
							"D=0 on a store and hardware A/D updating is off");
		}
		w->ok = true;
		return;
	}
	fail(w, page_fault_cause[access], "no leaf PTE at level 0");
}
