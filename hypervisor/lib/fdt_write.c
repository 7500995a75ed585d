/*
 * Flattened device tree writer: builds a version-17 DTB in a caller buffer
 * (Devicetree Specification v0.4, chapter 5).  See struct fdtw in fdt.h for
 * the buffer layout while building.
 */
#include "fdt.h"
#include "string.h"

/* Header, then one all-zero memory reservation entry (its terminator). */
#define FDTW_RSVMAP_OFF FDT_HEADER_SIZE
#define FDTW_STRUCT_OFF (FDT_HEADER_SIZE + 16u)

static void fdtw_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Nothing may be added after an error or after fdtw_finish(). */
static bool fdtw_ok(const struct fdtw *w)
{
	return !w->overflow && !w->bad;
}

static bool fdtw_open(const struct fdtw *w)
{
	return fdtw_ok(w) && !w->finished;
}

void fdtw_init(struct fdtw *w, void *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->struct_off = FDTW_STRUCT_OFF;
	/* Offsets in the header are 32-bit. */
	if (!buf || cap < FDTW_STRUCT_OFF || cap > INT32_MAX)
		w->overflow = true;
}

/*
 * Makes room for n more bytes at the end of the structure block by moving
 * the strings block up; returns where they go, or NULL on overflow.
 */
static uint8_t *fdtw_grow_struct(struct fdtw *w, size_t n)
{
	uint8_t *at;

	if (!fdtw_open(w))
		return NULL;
	if (n > w->cap - w->struct_off - w->struct_len - w->strings_len) {
		w->overflow = true;
		return NULL;
	}
	at = w->buf + w->struct_off + w->struct_len;
	memmove(at + n, at, w->strings_len);
	memset(at, 0, n);
	w->struct_len += n;
	return at;
}

static void fdtw_token(struct fdtw *w, uint32_t tag)
{
	uint8_t *p = fdtw_grow_struct(w, 4);

	if (p)
		fdtw_put32(p, tag);
}

/* Offset of name in the strings block, added unless already there. */
static uint32_t fdtw_string(struct fdtw *w, const char *name)
{
	const char *strs = (const char *)w->buf + w->struct_off + w->struct_len;
	size_t n = strlen(name) + 1, off;

	/* Any earlier occurrence of name + NUL will do, a suffix included. */
	for (off = 0; off + n <= w->strings_len; off++)
		if (memcmp(strs + off, name, n) == 0)
			return (uint32_t)off;
	if (n > w->cap - w->struct_off - w->struct_len - w->strings_len) {
		w->overflow = true;
		return 0;
	}
	memcpy((char *)strs + w->strings_len, name, n);
	off = w->strings_len;
	w->strings_len += n;
	return (uint32_t)off;
}

void fdtw_begin_node(struct fdtw *w, const char *name)
{
	size_t n = strlen(name) + 1;
	uint8_t *p;

	if (w->root_done || (w->depth == 0 && name[0] != '\0'))
		w->bad = true;
	p = fdtw_grow_struct(w, 4 + ((n + 3) & ~(size_t)3));
	if (!p)
		return;
	fdtw_put32(p, FDT_BEGIN_NODE);
	memcpy(p + 4, name, n);
	w->depth++;
	w->child_seen = false;
}

void fdtw_end_node(struct fdtw *w)
{
	if (w->depth <= 0)
		w->bad = true;
	fdtw_token(w, FDT_END_NODE);
	if (!fdtw_open(w))
		return;
	w->depth--;
	w->child_seen = true;
	if (w->depth == 0)
		w->root_done = true;
}

void fdtw_prop(struct fdtw *w, const char *name, const void *val, uint32_t len)
{
	uint32_t nameoff;
	uint8_t *p;

	/* DT spec 5.4.1: a node's properties precede its subnodes. */
	if (w->depth <= 0 || w->child_seen)
		w->bad = true;
	if (!fdtw_open(w))
		return;
	nameoff = fdtw_string(w, name);
	p = fdtw_grow_struct(w, 12 + (((size_t)len + 3) & ~(size_t)3));
	if (!p)
		return;
	fdtw_put32(p, FDT_PROP);
	fdtw_put32(p + 4, len);
	fdtw_put32(p + 8, nameoff);
	if (len)
		memcpy(p + 12, val, len);
}

void fdtw_prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
	uint8_t b[4];

	fdtw_put32(b, v);
	fdtw_prop(w, name, b, sizeof(b));
}

void fdtw_prop_u64(struct fdtw *w, const char *name, uint64_t v)
{
	uint8_t b[8];

	fdtw_put32(b, (uint32_t)(v >> 32));
	fdtw_put32(b + 4, (uint32_t)v);
	fdtw_prop(w, name, b, sizeof(b));
}

void fdtw_prop_str(struct fdtw *w, const char *name, const char *s)
{
	fdtw_prop(w, name, s, (uint32_t)strlen(s) + 1);
}

/*
 * Builds a multi-part value directly in the structure block: the property
 * header goes in first with length 0 and is patched once the parts are in.
 */
static uint8_t *fdtw_prop_open(struct fdtw *w, const char *name)
{
	uint8_t *p;

	fdtw_prop(w, name, NULL, 0);
	if (!fdtw_open(w))
		return NULL;
	p = w->buf + w->struct_off + w->struct_len - 12;
	return p;
}

void fdtw_prop_strs(struct fdtw *w, const char *name, const char *const *list, int n)
{
	size_t total = 0;
	uint8_t *hdr, *p;
	int i;

	for (i = 0; i < n; i++)
		total += strlen(list[i]) + 1;
	hdr = fdtw_prop_open(w, name);
	if (!hdr || total > UINT32_MAX)
		return;
	p = fdtw_grow_struct(w, (total + 3) & ~(size_t)3);
	if (!p)
		return;
	for (i = 0; i < n; i++) {
		size_t len = strlen(list[i]) + 1;

		memcpy(p, list[i], len);
		p += len;
	}
	fdtw_put32(hdr + 4, (uint32_t)total);
}

void fdtw_prop_cells(struct fdtw *w, const char *name, const uint32_t *cells, int n)
{
	uint8_t *hdr, *p;
	int i;

	hdr = fdtw_prop_open(w, name);
	if (!hdr || n < 0 || n > INT32_MAX / 4)
		return;
	p = fdtw_grow_struct(w, 4 * (size_t)n);
	if (!p)
		return;
	for (i = 0; i < n; i++)
		fdtw_put32(p + 4 * i, cells[i]);
	fdtw_put32(hdr + 4, 4 * (uint32_t)n);
}

void fdtw_prop_empty(struct fdtw *w, const char *name)
{
	fdtw_prop(w, name, NULL, 0);
}

int fdtw_finish(struct fdtw *w)
{
	size_t strings_off, total;
	uint8_t *h = w->buf;

	if (w->finished)
		return fdtw_ok(w) ? (int)(w->struct_off + w->struct_len + w->strings_len) : -1;
	if (w->depth != 0 || !w->root_done)
		w->bad = true;
	fdtw_token(w, FDT_END);
	w->finished = true;
	if (!fdtw_ok(w))
		return -1;
	strings_off = w->struct_off + w->struct_len;
	total = strings_off + w->strings_len;
	memset(h, 0, FDTW_STRUCT_OFF);
	fdtw_put32(h + 0, FDT_MAGIC);
	fdtw_put32(h + 4, (uint32_t)total);
	fdtw_put32(h + 8, (uint32_t)w->struct_off);
	fdtw_put32(h + 12, (uint32_t)strings_off);
	fdtw_put32(h + 16, FDTW_RSVMAP_OFF);
	fdtw_put32(h + 20, FDT_VERSION);
	fdtw_put32(h + 24, FDT_LAST_COMP_VERSION);
	fdtw_put32(h + 28, 0); /* boot_cpuid_phys */
	fdtw_put32(h + 32, (uint32_t)w->strings_len);
	fdtw_put32(h + 36, (uint32_t)w->struct_len);
	return (int)total;
}
