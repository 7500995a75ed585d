/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
 *
 * All walks go through fdt_token(), which validates one token and computes
 * the offset of the next one; the next offset is always larger than the
 * current one, so no walk can loop, and nothing is read outside the
 * structure or strings block.
 */
#include "fdt.h"
#include "string.h"

/* Header field offsets (DT spec 5.2). */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_STRUCT = 8,
	HDR_OFF_STRINGS = 12,
	HDR_OFF_MEM_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP_VERSION = 24,
	HDR_BOOT_CPUID = 28,
	HDR_SIZE_STRINGS = 32,
	HDR_SIZE_STRUCT = 36,
};

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

/* Does [off, off + len) lie inside [0, limit)?  Free of overflow. */
static bool fdt_in_range(uint32_t off, uint32_t len, uint32_t limit)
{
	return off <= limit && len <= limit - off;
}

int fdt_init(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t total, off_struct, off_strings, off_rsv, size_struct, size_strings, version;

	memset(f, 0, sizeof(*f));
	if (!blob || max_size < FDT_HEADER_SIZE || fdt_be32(b + HDR_MAGIC) != FDT_MAGIC)
		return -1;
	total = fdt_be32(b + HDR_TOTALSIZE);
	version = fdt_be32(b + HDR_VERSION);
	off_struct = fdt_be32(b + HDR_OFF_STRUCT);
	off_strings = fdt_be32(b + HDR_OFF_STRINGS);
	off_rsv = fdt_be32(b + HDR_OFF_MEM_RSVMAP);
	size_strings = fdt_be32(b + HDR_SIZE_STRINGS);
	/* size_dt_struct exists from version 17 on; 16 runs to the end. */
	if (version < 16 || fdt_be32(b + HDR_LAST_COMP_VERSION) > FDT_VERSION)
		return -1;
	if (total < FDT_HEADER_SIZE || total > max_size)
		return -1;
	if (off_struct < FDT_HEADER_SIZE || off_struct > total || (off_struct & 3))
		return -1;
	size_struct = version >= 17 ? fdt_be32(b + HDR_SIZE_STRUCT) : total - off_struct;
	/* The reservation block always holds at least its terminator. */
	if (off_rsv < FDT_HEADER_SIZE || (off_rsv & 7) || !fdt_in_range(off_rsv, 16, total))
		return -1;
	if (!fdt_in_range(off_struct, size_struct, total) ||
	    !fdt_in_range(off_strings, size_strings, total))
		return -1;
	f->blob = b;
	f->totalsize = total;
	f->structs = b + off_struct;
	f->struct_size = size_struct & ~3u;
	f->strings = (const char *)b + off_strings;
	f->strings_size = size_strings;
	return 0;
}

/* Length of the NUL-terminated string at p, or -1 if no NUL within max. */
static int fdt_strnlen(const char *p, uint32_t max)
{
	uint32_t i;

	for (i = 0; i < max; i++)
		if (p[i] == '\0')
			return (int)i;
	return -1;
}

/*
 * Validates the token at off and stores the offset of the following token
 * in *next (always > off).  Returns the token, or -1 if off is not a valid
 * token position or the token's payload runs outside the structure block.
 */
static int fdt_token(const struct fdt *f, int off, uint32_t *next)
{
	uint32_t o = (uint32_t)off, tag, len, end;
	int n;

	if (!f->structs || off < 0 || (o & 3) || !fdt_in_range(o, 4, f->struct_size))
		return -1;
	tag = fdt_be32(f->structs + o);
	switch (tag) {
	case FDT_BEGIN_NODE:
		n = fdt_strnlen((const char *)f->structs + o + 4, f->struct_size - o - 4);
		if (n < 0)
			return -1;
		end = o + 4 + (uint32_t)n + 1;
		break;
	case FDT_PROP:
		if (!fdt_in_range(o, 12, f->struct_size))
			return -1;
		len = fdt_be32(f->structs + o + 4);
		if (!fdt_in_range(o + 12, len, f->struct_size))
			return -1;
		end = o + 12 + len;
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		end = o + 4;
		break;
	default:
		return -1;
	}
	/* struct_size is a multiple of 4, so rounding up stays in range. */
	*next = (end + 3) & ~3u;
	if (*next > (uint32_t)INT32_MAX)
		return -1;
	return (int)tag;
}

static bool fdt_is_node(const struct fdt *f, int node)
{
	uint32_t next;

	return fdt_token(f, node, &next) == (int)FDT_BEGIN_NODE;
}

/* First token at or after off that is not a NOP; -1 on a bad token. */
static int fdt_skip_nops(const struct fdt *f, int off, int *tag)
{
	uint32_t next;

	for (;;) {
		*tag = fdt_token(f, off, &next);
		if (*tag != (int)FDT_NOP)
			return *tag < 0 ? -1 : off;
		off = (int)next;
	}
}

/* Offset just past the FDT_END_NODE closing node, or -1. */
static int fdt_node_end(const struct fdt *f, int node)
{
	uint32_t next;
	int depth = 0, off = node;

	do {
		int tag = fdt_token(f, off, &next);

		if (tag < 0 || tag == (int)FDT_END)
			return -1;
		if (tag == (int)FDT_BEGIN_NODE)
			depth++;
		else if (tag == (int)FDT_END_NODE)
			depth--;
		off = (int)next;
	} while (depth > 0);
	return off;
}

static int fdt_root(const struct fdt *f)
{
	int tag, off = fdt_skip_nops(f, 0, &tag);

	return off >= 0 && tag == (int)FDT_BEGIN_NODE ? off : -1;
}

const char *fdt_node_name(const struct fdt *f, int node)
{
	if (!fdt_is_node(f, node))
		return NULL;
	return (const char *)f->structs + node + 4;
}

int fdt_first_child(const struct fdt *f, int node)
{
	uint32_t next;
	int off;

	if (fdt_token(f, node, &next) != (int)FDT_BEGIN_NODE)
		return -1;
	off = (int)next;
	for (;;) {
		int tag = fdt_token(f, off, &next);

		if (tag == (int)FDT_BEGIN_NODE)
			return off;
		if (tag != (int)FDT_PROP && tag != (int)FDT_NOP)
			return -1;
		off = (int)next;
	}
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	int tag, off;

	if (!fdt_is_node(f, node))
		return -1;
	off = fdt_node_end(f, node);
	if (off < 0)
		return -1;
	off = fdt_skip_nops(f, off, &tag);
	return off >= 0 && tag == (int)FDT_BEGIN_NODE ? off : -1;
}

/* Does node name `name` match path component comp[0..n)? */
static bool fdt_name_matches(const char *name, const char *comp, size_t n)
{
	bool has_unit = false;
	size_t i;

	for (i = 0; i < n; i++)
		if (comp[i] == '@')
			has_unit = true;
	if (strncmp(name, comp, n) != 0)
		return false;
	return name[n] == '\0' || (!has_unit && name[n] == '@');
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = fdt_root(f), child;
	size_t n;

	if (node < 0 || !path || path[0] != '/')
		return -1;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;
		for (child = fdt_first_child(f, node); child >= 0;
		     child = fdt_next_sibling(f, child))
			if (fdt_name_matches(fdt_node_name(f, child), path, n))
				break;
		if (child < 0)
			return -1;
		node = child;
		path += n;
	}
	return node;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	uint32_t next, nameoff, plen;
	int off;

	if (fdt_token(f, node, &next) != (int)FDT_BEGIN_NODE)
		return NULL;
	for (off = (int)next;; off = (int)next) {
		int tag = fdt_token(f, off, &next);

		if (tag == (int)FDT_NOP)
			continue;
		if (tag != (int)FDT_PROP)
			return NULL;
		plen = fdt_be32(f->structs + off + 4);
		nameoff = fdt_be32(f->structs + off + 8);
		if (nameoff >= f->strings_size ||
		    fdt_strnlen(f->strings + nameoff, f->strings_size - nameoff) < 0)
			continue;
		if (strcmp(f->strings + nameoff, name) == 0) {
			if (len)
				*len = plen;
			return f->structs + off + 12;
		}
	}
}

bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, name, &len);

	if (!p || len != 4)
		return false;
	*out = fdt_be32(p);
	return true;
}

bool fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, name, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*out = len == 4 ? fdt_be32(p) : fdt_be64(p);
	return true;
}

bool fdt_has_string(const void *prop, uint32_t len, const char *s)
{
	const char *p = prop;
	size_t want = strlen(s);
	uint32_t n;

	if (!p)
		return false;
	while (len > 0) {
		/* The last string may lack its NUL in a malformed blob. */
		for (n = 0; n < len && p[n]; n++)
			;
		if (n == want && memcmp(p, s, n) == 0)
			return true;
		if (n == len)
			break;
		p += n + 1;
		len -= n + 1;
	}
	return false;
}

int fdt_next_compatible(const struct fdt *f, int after, const char *compat)
{
	uint32_t next, len;
	const void *p;
	int off;

	if (after < 0) {
		off = 0;
	} else {
		if (fdt_token(f, after, &next) != (int)FDT_BEGIN_NODE)
			return -1;
		off = (int)next;
	}
	for (;; off = (int)next) {
		int tag = fdt_token(f, off, &next);

		if (tag < 0 || tag == (int)FDT_END)
			return -1;
		if (tag != (int)FDT_BEGIN_NODE)
			continue;
		p = fdt_prop(f, off, "compatible", &len);
		if (p && fdt_has_string(p, len, compat))
			return off;
	}
}

int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0, off = fdt_root(f);
	uint32_t next;

	if (off < 0 || !fdt_is_node(f, node))
		return -1;
	for (; off <= node; off = (int)next) {
		int tag = fdt_token(f, off, &next);

		if (tag < 0 || tag == (int)FDT_END)
			return -1;
		if (tag == (int)FDT_BEGIN_NODE) {
			if (off == node)
				return depth > 0 ? stack[depth - 1] : -1;
			if (depth == FDT_MAX_DEPTH)
				return -1;
			stack[depth++] = off;
		} else if (tag == (int)FDT_END_NODE) {
			if (depth == 0)
				return -1;
			depth--;
		}
	}
	return -1;
}

/* #address-cells / #size-cells of `bus`, or def when absent. */
static uint32_t fdt_cells(const struct fdt *f, int bus, const char *name, uint32_t def)
{
	uint32_t v;

	if (bus < 0 || !fdt_prop_u32(f, bus, name, &v))
		return def;
	return v;
}

static uint64_t fdt_read_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? fdt_be64(p) : cells == 1 ? fdt_be32(p) :
						       0;
}

bool fdt_reg(const struct fdt *f, int node, int index, uint64_t *addr, uint64_t *size)
{
	const uint8_t *p;
	uint32_t len, ac, sc, entry;
	int parent;

	if (index < 0 || !fdt_is_node(f, node))
		return false;
	parent = fdt_parent(f, node);
	ac = fdt_cells(f, parent, "#address-cells", 2);
	sc = fdt_cells(f, parent, "#size-cells", 1);
	if (ac < 1 || ac > 2 || sc > 2)
		return false;
	p = fdt_prop(f, node, "reg", &len);
	entry = 4 * (ac + sc);
	if (!p || (uint32_t)index >= len / entry)
		return false;
	p += (uint32_t)index * entry;
	if (addr)
		*addr = fdt_read_cells(p, ac);
	if (size)
		*size = fdt_read_cells(p + 4 * ac, sc);
	return true;
}

int fdt_node_by_phandle(const struct fdt *f, uint32_t phandle)
{
	uint32_t next, v;
	int off;

	if (phandle == 0 || phandle == 0xffffffffu)
		return -1;
	for (off = 0;; off = (int)next) {
		int tag = fdt_token(f, off, &next);

		if (tag < 0 || tag == (int)FDT_END)
			return -1;
		if (tag != (int)FDT_BEGIN_NODE)
			continue;
		if ((fdt_prop_u32(f, off, "phandle", &v) ||
		     fdt_prop_u32(f, off, "linux,phandle", &v)) &&
		    v == phandle)
			return off;
	}
}
