#include "devmodel/vplic.h"
#include "lib/string.h"

#define PRIORITY_END   (4 * VPLIC_SOURCES)
#define PENDING_BASE   0x1000
#define ENABLE_BASE    0x2000
#define ENABLE_STRIDE  0x80
#define CONTEXT_BASE   0x200000
#define CONTEXT_STRIDE 0x1000

static bool bit(const uint32_t *w, unsigned i) { return (w[i / 32] >> (i % 32)) & 1; }
static void set_bit(uint32_t *w, unsigned i, bool v)
{
	if (v)
		w[i / 32] |= 1U << (i % 32);
	else
		w[i / 32] &= ~(1U << (i % 32));
}

void vplic_init(struct vplic *p, unsigned vcpu_count)
{
	memset(p, 0, sizeof(*p));
	p->context_count = 2 * vcpu_count;
}

/* A source becomes pending when its line is high and its gateway is open. */
static void gateway(struct vplic *p, unsigned irq)
{
	if (bit(p->level, irq) && !bit(p->claimed, irq))
		set_bit(p->pending, irq, true);
}

/* The line changed (vplic_set_level() in vplic.h checked). */
void vplic_change_level(struct vplic *p, unsigned irq, bool level)
{
	spin_lock(&p->lock);
	set_bit(p->level, irq, level);
	/*
	 * A request stays pending when the line drops, until a claim takes
	 * it: QEMU's PLIC does so, and drivers written for it see the claim.
	 */
	gateway(p, irq);
	p->gen++;
	spin_unlock(&p->lock);
}

/* Highest-priority pending, enabled source above the threshold, or 0.  Lock held. */
static unsigned best(struct vplic *p, unsigned ctx)
{
	unsigned irq = 0, prio = p->threshold[ctx];

	for (unsigned i = 1; i < VPLIC_SOURCES; i++)
		if (bit(p->pending, i) && bit(p->enable[ctx], i) && p->priority[i] > prio) {
			prio = p->priority[i];
			irq = i;
		}
	return irq;
}

bool vplic_context_pending(struct vplic *p, unsigned ctx)
{
	bool r;

	if (ctx >= p->context_count)
		return false;
	/* Fast path for every guest entry: nothing pending at all. */
	uint32_t any = 0;
	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		any |= __atomic_load_n(&p->pending[w], __ATOMIC_RELAXED);
	if (!any)
		return false;
	spin_lock(&p->lock);
	r = best(p, ctx) != 0;
	spin_unlock(&p->lock);
	return r;
}

static unsigned claim(struct vplic *p, unsigned ctx)
{
	unsigned irq = best(p, ctx);

	if (irq) {
		set_bit(p->pending, irq, false);
		set_bit(p->claimed, irq, true);
	}
	return irq;
}

static void complete(struct vplic *p, unsigned ctx, unsigned irq)
{
	/* The spec ignores completions for sources not enabled in the context. */
	if (irq == 0 || irq >= VPLIC_SOURCES || !bit(p->enable[ctx], irq))
		return;
	set_bit(p->claimed, irq, false);
	gateway(p, irq);
}

/* Decode offset into (register kind, index); returns -1 for holes. */
enum reg_kind { R_PRIORITY,
		R_PENDING,
		R_ENABLE,
		R_THRESHOLD,
		R_CLAIM };

static int decode(const struct vplic *p, uint64_t off, enum reg_kind *kind, unsigned *ctx, unsigned *idx)
{
	if (off < PRIORITY_END) {
		*kind = R_PRIORITY, *idx = off / 4;
	} else if (off >= PENDING_BASE && off < PENDING_BASE + 4 * VPLIC_WORDS) {
		*kind = R_PENDING, *idx = (off - PENDING_BASE) / 4;
	} else if (off >= ENABLE_BASE && off < ENABLE_BASE + ENABLE_STRIDE * p->context_count) {
		*ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
		*idx = (off - ENABLE_BASE) % ENABLE_STRIDE / 4;
		if (*idx >= VPLIC_WORDS)
			return -1;
		*kind = R_ENABLE;
	} else if (off >= CONTEXT_BASE && off < CONTEXT_BASE + CONTEXT_STRIDE * p->context_count) {
		*ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
		unsigned r = (off - CONTEXT_BASE) % CONTEXT_STRIDE;
		if (r == 0)
			*kind = R_THRESHOLD;
		else if (r == 4)
			*kind = R_CLAIM;
		else
			return -1;
	} else {
		return -1;
	}
	return 0;
}

/* Registers are 32-bit; other widths or misaligned offsets are errors (-1). */
int vplic_read(struct vplic *p, uint64_t off, unsigned width, uint64_t *value)
{
	enum reg_kind kind;
	unsigned ctx = 0, idx = 0;

	*value = 0;
	if (width != 4 || (off & 3))
		return -1;
	if (decode(p, off, &kind, &ctx, &idx))
		return 0; /* reserved space reads as zero */
	spin_lock(&p->lock);
	switch (kind) {
	case R_PRIORITY: *value = p->priority[idx]; break;
	case R_PENDING: *value = p->pending[idx]; break;
	case R_ENABLE: *value = p->enable[ctx][idx]; break;
	case R_THRESHOLD: *value = p->threshold[ctx]; break;
	case R_CLAIM:
		*value = claim(p, ctx);
		p->gen++;
		break;
	}
	spin_unlock(&p->lock);
	return 0;
}

int vplic_write(struct vplic *p, uint64_t off, unsigned width, uint64_t value)
{
	enum reg_kind kind;
	unsigned ctx = 0, idx = 0;
	uint32_t v = (uint32_t)value;

	if (width != 4 || (off & 3))
		return -1;
	if (decode(p, off, &kind, &ctx, &idx))
		return 0; /* writes to reserved space are ignored */
	spin_lock(&p->lock);
	switch (kind) {
	case R_PRIORITY:
		if (idx)
			p->priority[idx] = v & 7;
		break;
	case R_PENDING:
		break; /* read-only */
	case R_ENABLE:
		/* Every bit is kept, as QEMU does; best() never looks at source 0. */
		p->enable[ctx][idx] = v;
		break;
	case R_THRESHOLD:
		p->threshold[ctx] = v & 7;
		break;
	case R_CLAIM:
		complete(p, ctx, v);
		break;
	}
	p->gen++;
	spin_unlock(&p->lock);
	return 0;
}
