#include "guest.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4
#define FDT_END	       9
#define FDT_MAX_DEPTH  8

/* Header fields, as big-endian 32-bit words. */
enum { HDR_MAGIC,
       HDR_TOTALSIZE,
       HDR_OFF_STRUCT,
       HDR_OFF_STRINGS };

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads a value of `cells` 32-bit cells (1 or 2). */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

/* What a walk callback sees: the path of node names down to the current
 * node, and one property of it. */
struct fdt_prop {
	const char *path[FDT_MAX_DEPTH];
	int depth; /* root is depth 0 */
	const char *name;
	const uint8_t *value;
	uint32_t len;
};

typedef void (*fdt_prop_fn)(const struct fdt_prop *p, void *ctx);

int fdt_check(const void *dtb)
{
	return dtb && be32((const uint32_t *)dtb + HDR_MAGIC) == FDT_MAGIC ? 0 : -1;
}

/* Calls fn for every property in the tree, in order. */
static void fdt_walk(const void *dtb, fdt_prop_fn fn, void *ctx)
{
	const uint32_t *hdr = dtb;
	const uint8_t *base = dtb;
	const uint8_t *p = base + be32(hdr + HDR_OFF_STRUCT);
	const char *strings = (const char *)base + be32(hdr + HDR_OFF_STRINGS);
	struct fdt_prop prop = { .depth = -1 };

	if (fdt_check(dtb))
		return;
	for (;;) {
		uint32_t token = be32(p);

		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;

			if (++prop.depth < FDT_MAX_DEPTH)
				prop.path[prop.depth] = name;
			p += (strlen(name) + 1 + 3) & ~3UL;
		} else if (token == FDT_END_NODE) {
			prop.depth--;
		} else if (token == FDT_PROP) {
			prop.len = be32(p);
			prop.name = strings + be32(p + 4);
			prop.value = p + 8;
			if (prop.depth < FDT_MAX_DEPTH)
				fn(&prop, ctx);
			p += 8 + ((prop.len + 3) & ~3UL);
		} else if (token != FDT_NOP) {
			return; /* FDT_END or garbage */
		}
	}
}

/* Node name match ignoring the unit address: "memory@80000000" is "memory". */
static int node_is(const char *node, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(node, name, n) && (node[n] == '\0' || node[n] == '@');
}

struct mem_ctx {
	uint32_t addr_cells, size_cells;
	int found;
	uint64_t base, size;
};

static void mem_prop(const struct fdt_prop *p, void *ctx)
{
	struct mem_ctx *m = ctx;

	if (p->depth == 0 && !strcmp(p->name, "#address-cells"))
		m->addr_cells = be32(p->value);
	else if (p->depth == 0 && !strcmp(p->name, "#size-cells"))
		m->size_cells = be32(p->value);
	else if (p->depth == 1 && node_is(p->path[1], "memory") && !strcmp(p->name, "reg") &&
		 !m->found && p->len >= 4 * (m->addr_cells + m->size_cells)) {
		m->base = read_cells(p->value, m->addr_cells);
		m->size = read_cells(p->value + 4 * m->addr_cells, m->size_cells);
		m->found = 1;
	}
}

int fdt_get_memory(const void *dtb, uint64_t *base, uint64_t *size)
{
	/* Defaults from the spec (2.3.5) when the root does not say. */
	struct mem_ctx m = { .addr_cells = 2, .size_cells = 1 };

	fdt_walk(dtb, mem_prop, &m);
	if (!m.found)
		return -1;
	*base = m.base;
	*size = m.size;
	return 0;
}

struct cpus_ctx {
	uint32_t addr_cells;
	unsigned long *ids;
	int max, count;
	uint64_t timebase;
};

static void cpus_prop(const struct fdt_prop *p, void *ctx)
{
	struct cpus_ctx *c = ctx;

	if (p->depth < 1 || !node_is(p->path[1], "cpus"))
		return;
	if (p->depth == 1 && !strcmp(p->name, "#address-cells"))
		c->addr_cells = be32(p->value);
	else if (p->depth == 1 && !strcmp(p->name, "timebase-frequency"))
		c->timebase = read_cells(p->value, p->len >= 8 ? 2 : 1);
	else if (p->depth == 2 && node_is(p->path[2], "cpu") && !strcmp(p->name, "reg")) {
		if (c->count < c->max)
			c->ids[c->count] = read_cells(p->value, c->addr_cells);
		c->count++;
	}
}

int fdt_get_cpus(const void *dtb, unsigned long *ids, int max)
{
	struct cpus_ctx c = { .addr_cells = 1, .ids = ids, .max = max };

	fdt_walk(dtb, cpus_prop, &c);
	return c.count;
}

uint64_t fdt_get_timebase(const void *dtb)
{
	struct cpus_ctx c = { .addr_cells = 1 };

	fdt_walk(dtb, cpus_prop, &c);
	return c.timebase;
}

static void chosen_prop(const struct fdt_prop *p, void *ctx)
{
	if (p->depth == 1 && node_is(p->path[1], "chosen") && !strcmp(p->name, "bootargs"))
		*(const char **)ctx = (const char *)p->value;
}

const char *fdt_get_bootargs(const void *dtb)
{
	const char *args = "";

	fdt_walk(dtb, chosen_prop, &args);
	return args;
}

struct dev_ctx {
	fdt_device_fn fn;
	void *ctx;
};

static void dev_prop(const struct fdt_prop *p, void *ctx)
{
	struct dev_ctx *d = ctx;

	if (strcmp(p->name, "compatible") || !p->len)
		return;
	if ((p->depth == 1 && !node_is(p->path[1], "cpus")) ||
	    (p->depth == 2 && node_is(p->path[1], "soc")))
		d->fn(p->path[p->depth], (const char *)p->value, d->ctx);
}

void fdt_for_each_device(const void *dtb, fdt_device_fn fn, void *ctx)
{
	struct dev_ctx d = { fn, ctx };

	fdt_walk(dtb, dev_prop, &d);
}

void fdt_bootarg(const void *dtb, const char *key, char *buf, unsigned long size)
{
	const char *p = strstr_const(fdt_get_bootargs(dtb), key);
	unsigned long n = 0;

	if (p && p[strlen(key)] == '=')
		for (p += strlen(key) + 1; *p && *p != ' ' && n + 1 < size; p++)
			buf[n++] = *p;
	buf[n] = '\0';
}
