/*
 * libFuzzer target for the DTB reader and writer: `make fuzz-fdt`.
 *
 * An input that starts with the DTB magic is used as a whole blob (header
 * included).  Any other input becomes the structure block behind a valid
 * header, so the fuzzer spends its time on token walking rather than on
 * guessing the magic.  The tail of every input also drives the writer, whose
 * output must always be readable again.
 */
#include "fdt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void walk(const struct fdt *f, int node, int depth)
{
	static const char *const names[] = { "compatible", "reg", "#address-cells",
					     "phandle", "status", "x" };
	uint64_t a, s;
	uint32_t len, v;
	size_t i;
	int child;

	if (depth > 64)
		return;
	(void)fdt_node_name(f, node);
	(void)fdt_parent(f, node);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const void *p = fdt_prop(f, node, names[i], &len);

		if (p)
			(void)fdt_has_string(p, len, "riscv");
		(void)fdt_prop_u32(f, node, names[i], &v);
		(void)fdt_prop_u64(f, node, names[i], &a);
	}
	for (i = 0; i < 3; i++)
		(void)fdt_reg(f, node, (int)i, &a, &s);
	for (child = fdt_first_child(f, node); child >= 0; child = fdt_next_sibling(f, child))
		walk(f, child, depth + 1);
}

static void read_all(const uint8_t *blob, size_t size)
{
	static const char *const paths[] = { "/", "/cpus", "/cpus/cpu@0", "/soc/serial",
					     "/chosen", "//a//b/" };
	struct fdt f;
	size_t i;
	int n, guard = 0;

	if (fdt_init(&f, blob, size) != 0)
		return;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)fdt_path(&f, paths[i]);
	for (n = fdt_next_compatible(&f, -1, "riscv"); n >= 0;
	     n = fdt_next_compatible(&f, n, "riscv"))
		if (++guard > 100000)
			abort();	/* next_compatible must move forward */
	for (i = 0; i < 4; i++)
		(void)fdt_node_by_phandle(&f, (uint32_t)i);
	n = fdt_path(&f, "/");
	if (n >= 0)
		walk(&f, n, 0);
}

/* Wraps data as the structure block, with a small strings block. */
static void read_wrapped(const uint8_t *data, size_t size)
{
	static const char strings[] = "compatible\0reg\0#address-cells\0#size-cells\0phandle\0riscv";
	size_t ssize = (size & ~(size_t)3), total = 56 + ssize + sizeof(strings);
	uint8_t *b = malloc(total);

	if (!b)
		return;
	memset(b, 0, 56);
	put32(b + 0, FDT_MAGIC);
	put32(b + 4, (uint32_t)total);
	put32(b + 8, 56);
	put32(b + 12, (uint32_t)(56 + ssize));
	put32(b + 16, 40);
	put32(b + 20, 17);
	put32(b + 24, 16);
	put32(b + 32, sizeof(strings));
	put32(b + 36, (uint32_t)ssize);
	memcpy(b + 56, data, ssize);
	memcpy(b + 56 + ssize, strings, sizeof(strings));
	read_all(b, total);
	free(b);
}

/* Each input byte is one writer operation. */
static void write_ops(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a", "b@1", "compatible", "reg", "" };
	static const uint32_t cells[] = { 1, 2, 3, 4 };
	uint8_t buf[1024];
	struct fdtw w;
	struct fdt f;
	size_t i;
	int n;

	fdtw_init(&w, buf, size > 0 ? 64 + data[0] * 3u : sizeof(buf));	/* <= 829 */
	for (i = 1; i < size; i++) {
		const char *name = names[(data[i] >> 3) % 5];

		switch (data[i] & 7) {
		case 0: fdtw_begin_node(&w, name); break;
		case 1: fdtw_end_node(&w); break;
		case 2: fdtw_prop_u32(&w, name, data[i]); break;
		case 3: fdtw_prop_u64(&w, name, data[i]); break;
		case 4: fdtw_prop_str(&w, name, name); break;
		case 5: fdtw_prop_strs(&w, name, names, data[i] % 6); break;
		case 6: fdtw_prop_cells(&w, name, cells, data[i] % 5); break;
		default: fdtw_prop_empty(&w, name); break;
		}
	}
	n = fdtw_finish(&w);
	if (n >= 0) {
		if ((size_t)n > w.cap || fdt_init(&f, buf, (size_t)n) != 0 || fdt_path(&f, "/") != 0)
			abort();	/* the writer produced something unreadable */
		read_all(buf, (size_t)n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size >= 4 && data[0] == 0xd0 && data[1] == 0x0d && data[2] == 0xfe && data[3] == 0xed) {
		/* An exactly-sized heap copy, so ASan sees any over-read. */
		copy = malloc(size);
		if (!copy)
			return 0;
		memcpy(copy, data, size);
		read_all(copy, size);
		free(copy);
	} else {
		read_wrapped(data, size);
	}
	write_ops(data, size < 256 ? size : 256);
	return 0;
}
