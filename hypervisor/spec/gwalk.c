/*
 * Software walk of a G-stage (Sv39x4) table, as the hardware does it
 * (privileged spec, "Two-Stage Address Translation"): used by the post-mortem
 * reports, the console and gdb's view of a VM's memory.
 */
#include "spec/gwalk.h"
#include "spec/pte.h"

/* Physical addresses are identity-mapped in the hypervisor (satp = Bare). */
static uint64_t *table_at(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

void gstage_walk(hpa_t root, gpa_t addr, struct gstage_walk *w)
{
	uint64_t table = root.v;

	w->steps = 0;
	w->ok = 0;
	w->hpa = hpa(0);
	if (addr.v >> GSTAGE_GPA_BITS) {
		w->why = "GPA wider than 41 bits (Sv39x4)";
		return;
	}
	for (int level = GSTAGE_LEVELS - 1; level >= 0; level--) {
		struct pt_level *s = &w->step[w->steps++];
		s->table = table;
		s->level = level;
		s->index = gstage_index(addr.v, level);
		s->pte = table_at(table)[s->index];
		if (!(s->pte & PTE_V)) {
			w->why = "invalid PTE (V=0)";
			return;
		}
		if ((s->pte & (PTE_R | PTE_W)) == PTE_W || (s->pte & PTE_RESERVED_MASK)) {
			w->why = "reserved PTE encoding";
			return;
		}
		if (!pte_is_leaf(s->pte)) {
			table = pte_pa(s->pte);
			continue;
		}
		uint64_t span = 1UL << (12 + 9 * level);
		if (pte_pa(s->pte) & (span - 1)) {
			w->why = "misaligned superpage";
			return;
		}
		if (!(s->pte & PTE_U)) {
			w->why = "G-stage leaf without U";
			return;
		}
		w->hpa = hpa(pte_pa(s->pte) | (addr.v & (span - 1)));
		w->ok = 1;
		return;
	}
	w->why = "no leaf at the last level";
}
