#include "mem/gstage.h"
#include "spec/pte.h"
#include "spec/gwalk.h"
#include "spec/csr.h"

/* Physical addresses are identity-mapped in the hypervisor (satp = Bare). */
static uint64_t *table_at(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

int gstage_init(struct gstage *g)
{
	g->root = g->alloc(GSTAGE_ROOT_SIZE / PAGE_SIZE, GSTAGE_ROOT_SIZE);
	g->table_pages = g->root.v ? GSTAGE_ROOT_SIZE / PAGE_SIZE : 0;
	return g->root.v ? 0 : -1;
}

/* The entry for `gpa` at `level`, creating intermediate tables on the way. */
static uint64_t *gstage_slot(struct gstage *g, uint64_t gpa, int level)
{
	uint64_t *table = table_at(g->root.v);

	for (int l = GSTAGE_LEVELS - 1; l > level; l--) {
		uint64_t *pte = &table[gstage_index(gpa, l)];
		if (!(*pte & PTE_V)) {
			hpa_t next = g->alloc(1, PAGE_SIZE);
			if (!next.v)
				return 0;
			g->table_pages++;
			*pte = (next.v >> 12) << PTE_PPN_SHIFT | PTE_V;
		} else if (pte_is_leaf(*pte)) {
			return 0; /* already covered by a superpage */
		}
		table = table_at(pte_pa(*pte));
	}
	return &table[gstage_index(gpa, level)];
}

/*
 * Map [base, base+size) to target with perms (PTE_R/W/X).  2 MiB leaves are
 * used wherever both addresses are aligned, 4 KiB leaves elsewhere.  perms
 * must be a leaf encoding: no R/W/X would make a pointer PTE to `target`,
 * and W without R is reserved.
 */
int gstage_map(struct gstage *g, gpa_t base, hpa_t target, uint64_t size, uint64_t perms)
{
	const uint64_t limit = 1UL << GSTAGE_GPA_BITS;
	uint64_t off = 0;

	if ((base.v | target.v | size) & (PAGE_SIZE - 1) || base.v >= limit || size > limit - base.v)
		return -1;
	if ((perms & ~(PTE_R | PTE_W | PTE_X)) || !(perms & (PTE_R | PTE_X)) || (perms & (PTE_R | PTE_W)) == PTE_W)
		return -1;
	while (off < size) {
		uint64_t ga = base.v + off, ha = target.v + off;
		int level = ((ga | ha) & (MEGAPAGE_SIZE - 1)) == 0 && size - off >= MEGAPAGE_SIZE;
		uint64_t *pte = gstage_slot(g, ga, level);
		if (!pte || (*pte & PTE_V))
			return -1;
		*pte = (ha >> 12) << PTE_PPN_SHIFT | perms | PTE_U | PTE_A | PTE_D | PTE_V;
		off += level ? MEGAPAGE_SIZE : PAGE_SIZE;
	}
	return 0;
}

/* Replace the 2 MiB leaf *pte by a table of 512 4 KiB leaves with the same bits. */
static int split_megapage(struct gstage *g, uint64_t *pte)
{
	hpa_t t = g->alloc(1, PAGE_SIZE);
	uint64_t *table = table_at(t.v);
	uint64_t bits = *pte & ~(PTE_PPN_MASK << PTE_PPN_SHIFT);

	if (!t.v)
		return -1;
	g->table_pages++;
	for (unsigned i = 0; i < 512; i++)
		table[i] = ((pte_pa(*pte) >> 12) + i) << PTE_PPN_SHIFT | bits;
	*pte = (t.v >> 12) << PTE_PPN_SHIFT | PTE_V;
	return 0;
}

int gstage_set_writable(struct gstage *g, gpa_t gpa, int writable)
{
	uint64_t *table = table_at(g->root.v);
	uint64_t *pte = 0;

	if (gpa.v >> GSTAGE_GPA_BITS)
		return -1;
	for (int level = GSTAGE_LEVELS - 1; level >= 0; level--) {
		pte = &table[gstage_index(gpa.v, level)];
		if (!(*pte & PTE_V) || (pte_is_leaf(*pte) && level > 1))
			return -1; /* unmapped, or a 1 GiB leaf gstage_map never makes */
		if (pte_is_leaf(*pte) && level == 1 && split_megapage(g, pte))
			return -1;
		if (level > 0)
			table = table_at(pte_pa(*pte));
	}
	if (!pte_is_leaf(*pte))
		return -1;
	*pte = writable ? *pte | PTE_W : *pte & ~PTE_W;
	return 0;
}

uint64_t gstage_hgatp(const struct gstage *g, unsigned vmid)
{
	return HGATP_MODE_SV39X4 << ATP_MODE_SHIFT |
	       ((uint64_t)vmid & HGATP_VMID_MASK) << HGATP_VMID_SHIFT |
	       (g->root.v >> 12);
}
