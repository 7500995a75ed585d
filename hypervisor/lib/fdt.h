/*
 * Flattened device tree (DTB) reader and writer.
 *
 * Format: Devicetree Specification v0.4, chapter 5 ("Flattened Devicetree
 * (DTB) Format").  The reader never trusts the blob: every offset and length
 * is checked against the blob's own sizes and against the caller's buffer
 * size, and every walk advances by at least one token, so a malformed or
 * truncated blob yields -1 / NULL / false instead of a wild read or a hang.
 *
 * A node is named by its offset inside the structure block (the offset of
 * its FDT_BEGIN_NODE token); the root is normally offset 0.
 */
#ifndef HV_LIB_FDT_H
#define HV_LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC	      0xd00dfeedu
#define FDT_HEADER_SIZE	      40u
#define FDT_VERSION	      17u
#define FDT_LAST_COMP_VERSION 16u

/* Structure block tokens (DT spec 5.4.1). */
#define FDT_BEGIN_NODE	      1u
#define FDT_END_NODE	      2u
#define FDT_PROP	      3u
#define FDT_NOP		      4u
#define FDT_END		      9u

/* Deepest nesting fdt_parent()/fdt_reg() follow; real trees use < 8. */
#define FDT_MAX_DEPTH	      32

struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	const uint8_t *structs; /* structure block */
	uint32_t struct_size;
	const char *strings; /* strings block */
	uint32_t strings_size;
};

uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);

/* 0, or -1 if the header is bad or any block lies outside
 * min(totalsize, max_size). */
int fdt_init(struct fdt *f, const void *blob, size_t max_size);

/* "/", "/cpus", "/soc/serial@10000000".  A component without '@' also
 * matches a node named component@<anything>.  -1 if absent. */
int fdt_path(const struct fdt *f, const char *path);
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
int fdt_parent(const struct fdt *f, int node);
/* Next node after `after` (-1: from the start) in document order whose
 * "compatible" list contains compat; -1 at the end. */
int fdt_next_compatible(const struct fdt *f, int after, const char *compat);
int fdt_node_by_phandle(const struct fdt *f, uint32_t phandle);
const char *fdt_node_name(const struct fdt *f, int node);

/* Property value and length, or NULL if absent. */
const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len);
bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);
/* Accepts a one-cell or a two-cell value. */
bool fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out);
/* Is s one of the NUL-separated strings of a string-list value? */
bool fdt_has_string(const void *prop, uint32_t len, const char *s);
/* Entry `index` of "reg", decoded with the parent's #address-cells and
 * #size-cells (defaults 2 and 1; each at most 2 cells). */
bool fdt_reg(const struct fdt *f, int node, int index, uint64_t *addr, uint64_t *size);

/*
 * Writer: builds a DTB (version 17) in a caller-supplied buffer.
 *
 * Buffer layout while building: header (40 bytes), an empty memory
 * reservation block (16 bytes), the structure block, then the strings block
 * right behind it (moved up as the structure block grows; trees are small).
 * Errors are sticky: after an overflow or a misuse (unbalanced nodes, a
 * second root, a property after a subnode) the calls do nothing and
 * fdtw_finish() returns -1.
 */
struct fdtw {
	uint8_t *buf;
	size_t cap;
	size_t struct_off;  /* where the structure block starts in buf */
	size_t struct_len;  /* bytes of structure block written so far */
	size_t strings_len; /* strings block follows at struct_off + struct_len */
	int depth;	    /* open nodes */
	bool overflow;	    /* something did not fit in cap */
	bool bad;	    /* misuse: unbalanced nodes, prop outside/after nodes */
	bool root_done;	    /* the root node has been closed */
	bool child_seen;    /* the open node already has a (closed) subnode */
	bool finished;	    /* fdtw_finish() ran; later calls change nothing */
};

void fdtw_init(struct fdtw *w, void *buf, size_t cap);
void fdtw_begin_node(struct fdtw *w, const char *name); /* "" for the root */
void fdtw_end_node(struct fdtw *w);
void fdtw_prop(struct fdtw *w, const char *name, const void *val, uint32_t len);
void fdtw_prop_u32(struct fdtw *w, const char *name, uint32_t v);
void fdtw_prop_u64(struct fdtw *w, const char *name, uint64_t v); /* two cells */
void fdtw_prop_str(struct fdtw *w, const char *name, const char *s);
void fdtw_prop_strs(struct fdtw *w, const char *name, const char *const *list, int n);
/* Host-order cells in, big-endian cells out. */
void fdtw_prop_cells(struct fdtw *w, const char *name, const uint32_t *cells, int n);
void fdtw_prop_empty(struct fdtw *w, const char *name);
/* Writes the header; returns totalsize, or -1 on overflow or misuse. */
int fdtw_finish(struct fdtw *w);

#endif
