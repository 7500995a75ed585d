/*
 * Unit tests for the device tree reader (hypervisor/lib/fdt.c) and writer
 * (hypervisor/lib/fdt_write.c).
 *
 * The writer builds a tree shaped like the one QEMU's virt board passes; the
 * reader is checked on it, on blobs compiled by dtc from source (so reader
 * bugs cannot hide behind matching writer bugs), on QEMU's own virt DTB when
 * QEMU is installed, and on corrupted and truncated copies that must not
 * crash under ASan.  Files go to $UNIT_OUT (the Makefile sets it under the
 * build directory), or the current directory.
 */
#define _POSIX_C_SOURCE 200809L
#include "fdt.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_CAP 8192

static const char *out_dir(void)
{
	const char *d = getenv("UNIT_OUT");

	return d && *d ? d : ".";
}

static bool have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	bool ok;

	if (!fp)
		return false;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok;
}

/* Whole file into a malloc'd buffer of exactly its size. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(fp);
	return buf;
}

/* Compiles DTS source with dtc; NULL if dtc fails. */
static uint8_t *dtc_compile(const char *name, const char *dts, size_t *len)
{
	char src[512], dtb[512], cmd[1200];

	snprintf(src, sizeof(src), "%s/%s.dts", out_dir(), name);
	snprintf(dtb, sizeof(dtb), "%s/%s.dtb", out_dir(), name);
	if (!write_file(src, dts, strlen(dts)))
		return NULL;
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o '%s' '%s'", dtb, src);
	if (system(cmd) != 0)
		return NULL;
	return read_file(dtb, len);
}

/* ---- a QEMU-virt-like tree built with the writer ---- */

enum { PH_INTC0 = 1, PH_INTC1 = 2, PH_PLIC = 3 };

static void write_cpu(struct fdtw *w, int id, uint32_t intc_phandle)
{
	char name[16];

	snprintf(name, sizeof(name), "cpu@%d", id);
	fdtw_begin_node(w, name);
	fdtw_prop_str(w, "device_type", "cpu");
	fdtw_prop_u32(w, "reg", (uint32_t)id);
	fdtw_prop_str(w, "status", "okay");
	fdtw_prop_str(w, "compatible", "riscv");
	fdtw_prop_str(w, "riscv,isa", "rv64imafdch_zicsr_zifencei_sstc");
	fdtw_prop_str(w, "mmu-type", "riscv,sv39");
	fdtw_begin_node(w, "interrupt-controller");
	fdtw_prop_u32(w, "#interrupt-cells", 1);
	fdtw_prop_empty(w, "interrupt-controller");
	fdtw_prop_str(w, "compatible", "riscv,cpu-intc");
	fdtw_prop_u32(w, "phandle", intc_phandle);
	fdtw_end_node(w);
	fdtw_end_node(w);
}

static void write_soc(struct fdtw *w)
{
	static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
	static const uint32_t plic_reg[] = { 0, 0x0c000000, 0, 0x600000 };
	static const uint32_t plic_irqs[] = { PH_INTC0, 11, PH_INTC0, 9, PH_INTC1, 11, PH_INTC1, 9 };
	static const uint32_t uart_reg[] = { 0, 0x10000000, 0, 0x100 };

	fdtw_begin_node(w, "soc");
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_prop_str(w, "compatible", "simple-bus");
	fdtw_prop_empty(w, "ranges");

	fdtw_begin_node(w, "plic@c000000");
	fdtw_prop_u32(w, "phandle", PH_PLIC);
	fdtw_prop_u32(w, "riscv,ndev", 95);
	fdtw_prop_cells(w, "reg", plic_reg, 4);
	fdtw_prop_cells(w, "interrupts-extended", plic_irqs, 8);
	fdtw_prop_empty(w, "interrupt-controller");
	fdtw_prop_strs(w, "compatible", plic_compat, 2);
	fdtw_prop_u32(w, "#address-cells", 0);
	fdtw_prop_u32(w, "#interrupt-cells", 1);
	fdtw_end_node(w);

	fdtw_begin_node(w, "serial@10000000");
	fdtw_prop_u32(w, "interrupts", 10);
	fdtw_prop_u32(w, "interrupt-parent", PH_PLIC);
	fdtw_prop_u32(w, "clock-frequency", 0x384000);
	fdtw_prop_cells(w, "reg", uart_reg, 4);
	fdtw_prop_str(w, "compatible", "ns16550a");
	fdtw_end_node(w);

	fdtw_end_node(w);
}

static int write_virt_tree(void *buf, size_t cap)
{
	static const uint32_t mem_reg[] = { 0, 0x80000000u, 0, 0x10000000 };
	struct fdtw w;

	fdtw_init(&w, buf, cap);
	fdtw_begin_node(&w, "");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_prop_str(&w, "compatible", "riscv-virtio");
	fdtw_prop_str(&w, "model", "riscv-virtio,qemu");

	fdtw_begin_node(&w, "chosen");
	fdtw_prop_str(&w, "stdout-path", "/soc/serial@10000000");
	fdtw_prop_str(&w, "bootargs", "console=ttyS0");
	fdtw_prop_u64(&w, "linux,initrd-start", 0x88000000ull);
	fdtw_prop_u64(&w, "hvscope,big", 0x123456789abcdef0ull);
	fdtw_end_node(&w);

	fdtw_begin_node(&w, "memory@80000000");
	fdtw_prop_str(&w, "device_type", "memory");
	fdtw_prop_cells(&w, "reg", mem_reg, 4);
	fdtw_end_node(&w);

	fdtw_begin_node(&w, "cpus");
	fdtw_prop_u32(&w, "#address-cells", 1);
	fdtw_prop_u32(&w, "#size-cells", 0);
	fdtw_prop_u32(&w, "timebase-frequency", 10000000);
	write_cpu(&w, 0, PH_INTC0);
	write_cpu(&w, 1, PH_INTC1);
	fdtw_end_node(&w);

	write_soc(&w);
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}

/* The virt tree in a malloc'd buffer of exactly its size (ASan-tight). */
static uint8_t *virt_blob(size_t *len)
{
	uint8_t tmp[BLOB_CAP], *b;
	int n = write_virt_tree(tmp, sizeof(tmp));

	if (n <= 0)
		return NULL;
	b = malloc((size_t)n);
	memcpy(b, tmp, (size_t)n);
	*len = (size_t)n;
	return b;
}

/* ---- reader on the writer's tree ---- */

TEST(paths)
{
	struct fdt f;
	size_t len;
	uint8_t *b = virt_blob(&len);

	CHECK(b != NULL);
	if (!b)
		return;
	CHECK_EQ(fdt_init(&f, b, len), 0);
	CHECK_EQ(fdt_path(&f, "/"), 0);
	CHECK_STR(fdt_node_name(&f, 0), "");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/cpus")), "cpus");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/chosen")), "chosen");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/memory")), "memory@80000000");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/memory@80000000")), "memory@80000000");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/soc/serial@10000000")), "serial@10000000");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/soc/serial")), "serial@10000000");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/cpus/cpu")), "cpu@0");
	CHECK_STR(fdt_node_name(&f, fdt_path(&f, "/cpus/cpu@1/interrupt-controller")),
		  "interrupt-controller");
	CHECK_EQ(fdt_path(&f, "//cpus//cpu@1/"), fdt_path(&f, "/cpus/cpu@1"));
	CHECK_EQ(fdt_path(&f, "/soc/serial@10000001"), -1);
	CHECK_EQ(fdt_path(&f, "/soc/ser"), -1);
	CHECK_EQ(fdt_path(&f, "/cpu"), -1);
	CHECK_EQ(fdt_path(&f, "/nope"), -1);
	CHECK_EQ(fdt_path(&f, "cpus"), -1);
	CHECK_EQ(fdt_path(&f, "/soc/plic@c000000/x"), -1);
	free(b);
}

TEST(children_and_parents)
{
	static const char *const top[] = { "chosen", "memory@80000000", "cpus", "soc" };
	struct fdt f;
	size_t len, i = 0;
	uint8_t *b = virt_blob(&len);
	int n, cpus, soc;

	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("could not build the test blob");
		free(b);
		return;
	}
	for (n = fdt_first_child(&f, 0); n >= 0; n = fdt_next_sibling(&f, n), i++) {
		CHECK(i < 4);
		if (i < 4)
			CHECK_STR(fdt_node_name(&f, n), top[i]);
		CHECK_EQ(fdt_parent(&f, n), 0);
	}
	CHECK_EQ(i, 4);
	cpus = fdt_path(&f, "/cpus");
	soc = fdt_path(&f, "/soc");
	n = fdt_first_child(&f, cpus);
	CHECK_STR(fdt_node_name(&f, n), "cpu@0");
	CHECK_STR(fdt_node_name(&f, fdt_next_sibling(&f, n)), "cpu@1");
	CHECK_EQ(fdt_next_sibling(&f, fdt_next_sibling(&f, n)), -1);
	CHECK_EQ(fdt_parent(&f, fdt_path(&f, "/soc/serial")), soc);
	CHECK_EQ(fdt_parent(&f, fdt_path(&f, "/cpus/cpu@1/interrupt-controller")),
		 fdt_path(&f, "/cpus/cpu@1"));
	CHECK_EQ(fdt_parent(&f, 0), -1);
	CHECK_EQ(fdt_first_child(&f, fdt_path(&f, "/soc/serial")), -1);
	CHECK_EQ(fdt_next_sibling(&f, 0), -1);
	/* Offsets that are not nodes. */
	CHECK_EQ(fdt_first_child(&f, 4), -1);
	CHECK_EQ(fdt_parent(&f, 1), -1);
	CHECK(fdt_node_name(&f, -4) == NULL);
	CHECK(fdt_node_name(&f, (int)f.struct_size) == NULL);
	free(b);
}

TEST(compatible_search)
{
	struct fdt f;
	size_t len;
	uint8_t *b = virt_blob(&len);
	int n, count = 0;

	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("could not build the test blob");
		free(b);
		return;
	}
	for (n = fdt_next_compatible(&f, -1, "riscv,cpu-intc"); n >= 0;
	     n = fdt_next_compatible(&f, n, "riscv,cpu-intc"), count++)
		CHECK_EQ(fdt_parent(&f, n),
			 fdt_path(&f, count == 0 ? "/cpus/cpu@0" : "/cpus/cpu@1"));
	CHECK_EQ(count, 2);
	CHECK_EQ(fdt_next_compatible(&f, -1, "ns16550a"), fdt_path(&f, "/soc/serial"));
	/* The second string of a list matches as well as the first. */
	CHECK_EQ(fdt_next_compatible(&f, -1, "riscv,plic0"), fdt_path(&f, "/soc/plic"));
	CHECK_EQ(fdt_next_compatible(&f, -1, "sifive,plic-1.0.0"), fdt_path(&f, "/soc/plic"));
	/* Whole strings only: "riscv" is the cpus, never "riscv,cpu-intc". */
	CHECK_EQ(fdt_next_compatible(&f, -1, "riscv"), fdt_path(&f, "/cpus/cpu@0"));
	CHECK_EQ(fdt_next_compatible(&f, fdt_path(&f, "/cpus/cpu@0"), "riscv"),
		 fdt_path(&f, "/cpus/cpu@1"));
	CHECK_EQ(fdt_next_compatible(&f, fdt_path(&f, "/cpus/cpu@1"), "riscv"), -1);
	CHECK_EQ(fdt_next_compatible(&f, -1, "riscv-virtio"), 0);
	CHECK_EQ(fdt_next_compatible(&f, -1, "ns16550"), -1);
	CHECK_EQ(fdt_next_compatible(&f, -1, ""), -1);
	free(b);
}

TEST(properties)
{
	struct fdt f;
	size_t len;
	uint8_t *b = virt_blob(&len);
	const void *p;
	uint32_t plen, v32;
	uint64_t v64;
	int chosen, plic;

	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("could not build the test blob");
		free(b);
		return;
	}
	chosen = fdt_path(&f, "/chosen");
	plic = fdt_path(&f, "/soc/plic");
	p = fdt_prop(&f, chosen, "stdout-path", &plen);
	CHECK(p != NULL);
	CHECK_EQ(plen, strlen("/soc/serial@10000000") + 1);
	CHECK_STR(p, "/soc/serial@10000000");
	CHECK(fdt_prop(&f, chosen, "stdout", NULL) == NULL);
	CHECK(fdt_prop_u32(&f, fdt_path(&f, "/cpus"), "timebase-frequency", &v32));
	CHECK_EQ(v32, 10000000);
	CHECK(fdt_prop_u64(&f, chosen, "hvscope,big", &v64));
	CHECK_EQ(v64, 0x123456789abcdef0ull);
	CHECK(fdt_prop_u64(&f, fdt_path(&f, "/cpus"), "timebase-frequency", &v64));
	CHECK_EQ(v64, 10000000);
	CHECK(!fdt_prop_u32(&f, chosen, "hvscope,big", &v32));	/* 8 bytes */
	CHECK(!fdt_prop_u64(&f, chosen, "bootargs", &v64));
	p = fdt_prop(&f, plic, "interrupt-controller", &plen);
	CHECK(p != NULL);
	CHECK_EQ(plen, 0);
	p = fdt_prop(&f, plic, "interrupts-extended", &plen);
	CHECK_EQ(plen, 32);
	if (p && plen == 32) {
		CHECK_EQ(fdt_be32((const uint8_t *)p + 8), PH_INTC0);
		CHECK_EQ(fdt_be32((const uint8_t *)p + 12), 9);
		CHECK_EQ(fdt_be32((const uint8_t *)p + 28), 9);
	}
	/* Properties of a node, not of its subnodes. */
	CHECK(fdt_prop(&f, fdt_path(&f, "/cpus/cpu@0"), "phandle", NULL) == NULL);
	free(b);
}

TEST(reg_and_phandles)
{
	struct fdt f;
	size_t len;
	uint8_t *b = virt_blob(&len);
	uint64_t a, s;

	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("could not build the test blob");
		free(b);
		return;
	}
	CHECK(fdt_reg(&f, fdt_path(&f, "/memory"), 0, &a, &s));
	CHECK_EQ(a, 0x80000000u);
	CHECK_EQ(s, 0x10000000u);
	CHECK(!fdt_reg(&f, fdt_path(&f, "/memory"), 1, &a, &s));
	CHECK(!fdt_reg(&f, fdt_path(&f, "/memory"), -1, &a, &s));
	CHECK(fdt_reg(&f, fdt_path(&f, "/cpus/cpu@1"), 0, &a, &s));	/* 1 + 0 cells */
	CHECK_EQ(a, 1);
	CHECK_EQ(s, 0);
	CHECK(fdt_reg(&f, fdt_path(&f, "/soc/serial"), 0, &a, &s));
	CHECK_EQ(a, 0x10000000);
	CHECK_EQ(s, 0x100);
	CHECK(fdt_reg(&f, fdt_path(&f, "/soc/plic"), 0, &a, NULL));
	CHECK_EQ(a, 0x0c000000);
	CHECK(!fdt_reg(&f, fdt_path(&f, "/chosen"), 0, &a, &s));
	CHECK_EQ(fdt_node_by_phandle(&f, PH_PLIC), fdt_path(&f, "/soc/plic"));
	CHECK_EQ(fdt_node_by_phandle(&f, PH_INTC1), fdt_path(&f, "/cpus/cpu@1/interrupt-controller"));
	CHECK_EQ(fdt_node_by_phandle(&f, 0), -1);
	CHECK_EQ(fdt_node_by_phandle(&f, 0xffffffffu), -1);
	CHECK_EQ(fdt_node_by_phandle(&f, 77), -1);
	free(b);
}

TEST(has_string)
{
	static const char list[] = "a\0bc\0\0def";	/* with an empty string */

	CHECK(fdt_has_string(list, sizeof(list), "a"));
	CHECK(fdt_has_string(list, sizeof(list), "bc"));
	CHECK(fdt_has_string(list, sizeof(list), ""));
	CHECK(fdt_has_string(list, sizeof(list), "def"));
	CHECK(!fdt_has_string(list, sizeof(list), "b"));
	CHECK(!fdt_has_string(list, sizeof(list), "de"));
	/* A last string cut short by len (no NUL) still compares by length. */
	CHECK(fdt_has_string(list, sizeof(list) - 1, "def"));
	CHECK(!fdt_has_string(list, sizeof(list) - 2, "def"));
	CHECK(!fdt_has_string(list, 0, "a"));
	CHECK(!fdt_has_string(NULL, 4, "a"));
}

/* ---- reader on dtc-compiled blobs ---- */

static const char cells_dts[] =
	"/dts-v1/;\n"
	"/memreserve/ 0x80000000 0x10000;\n"
	"/ {\n"
	"  compatible = \"test,cells\";\n"
	"  defaults { dev@1000 { reg = <0 0x1000 0x20>, <0x1 0x2000 0x40>; }; };\n"
	"  one-one { #address-cells = <1>; #size-cells = <1>;\n"
	"    dev@10 { reg = <0x10 0x4>, <0x20 0x8>; compatible = \"x,a\", \"x,b\"; }; };\n"
	"  two-two { #address-cells = <2>; #size-cells = <2>;\n"
	"    dev@100000000 { reg = <0x1 0x0 0x0 0x1000>; }; };\n"
	"  one-zero { #address-cells = <1>; #size-cells = <0>; dev@7 { reg = <7>; }; };\n"
	"  three { #address-cells = <3>; #size-cells = <1>; dev@0 { reg = <0 0 0 4>; }; };\n"
	"  short { #address-cells = <2>; #size-cells = <2>; dev@0 { reg = <0 0 0>; }; };\n"
	"  intc: ic { interrupt-controller; #interrupt-cells = <1>; };\n"
	"  other: other { compatible = \"x,b\"; };\n"
	"  user { interrupt-parent = <&intc>; link = <&other>; };\n"
	"};\n";

TEST(dtc_blob_cells_and_phandles)
{
	struct fdt f;
	size_t len = 0;
	uint8_t *b;
	uint64_t a, s;
	uint32_t ph;
	int n;

	if (!have_tool("dtc")) {
		UNIT_SKIP("dtc not on PATH");
		return;
	}
	b = dtc_compile("fdt-cells", cells_dts, &len);
	CHECK(b != NULL);
	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("fdt_init failed");
		free(b);
		return;
	}
	CHECK(fdt_reg(&f, fdt_path(&f, "/defaults/dev"), 1, &a, &s));	/* 2 + 1 */
	CHECK_EQ(a, 0x100002000ull);
	CHECK_EQ(s, 0x40);
	CHECK(fdt_reg(&f, fdt_path(&f, "/one-one/dev@10"), 1, &a, &s));
	CHECK_EQ(a, 0x20);
	CHECK_EQ(s, 0x8);
	CHECK(!fdt_reg(&f, fdt_path(&f, "/one-one/dev@10"), 2, &a, &s));
	CHECK(fdt_reg(&f, fdt_path(&f, "/two-two/dev"), 0, &a, &s));
	CHECK_EQ(a, 0x100000000ull);
	CHECK_EQ(s, 0x1000);
	CHECK(fdt_reg(&f, fdt_path(&f, "/one-zero/dev@7"), 0, &a, &s));
	CHECK_EQ(a, 7);
	CHECK_EQ(s, 0);
	CHECK(!fdt_reg(&f, fdt_path(&f, "/three/dev"), 0, &a, &s));
	CHECK(!fdt_reg(&f, fdt_path(&f, "/short/dev"), 0, &a, &s));
	CHECK(fdt_prop_u32(&f, fdt_path(&f, "/user"), "interrupt-parent", &ph));
	CHECK_EQ(fdt_node_by_phandle(&f, ph), fdt_path(&f, "/ic"));
	CHECK(fdt_prop_u32(&f, fdt_path(&f, "/user"), "link", &ph));
	CHECK_EQ(fdt_node_by_phandle(&f, ph), fdt_path(&f, "/other"));
	n = fdt_next_compatible(&f, -1, "x,b");
	CHECK_EQ(n, fdt_path(&f, "/one-one/dev@10"));
	n = fdt_next_compatible(&f, n, "x,b");
	CHECK_EQ(n, fdt_path(&f, "/other"));
	CHECK_EQ(fdt_next_compatible(&f, n, "x,b"), -1);
	free(b);
}

/* Replaces the empty "interrupt-controller" property of /ic with NOPs. */
TEST(nop_tokens)
{
	struct fdt f;
	size_t len = 0;
	uint8_t *b;
	uint32_t plen;
	const uint8_t *p;
	int ic, i;

	if (!have_tool("dtc")) {
		UNIT_SKIP("dtc not on PATH");
		return;
	}
	b = dtc_compile("fdt-nops", cells_dts, &len);
	if (!b || fdt_init(&f, b, len) != 0) {
		UNIT_FAIL("fdt_init failed");
		free(b);
		return;
	}
	ic = fdt_path(&f, "/ic");
	p = fdt_prop(&f, ic, "interrupt-controller", &plen);
	CHECK(p != NULL);
	if (p) {
		uint8_t *tok = (uint8_t *)p - 12;

		for (i = 0; i < 3; i++)
			memcpy(tok + 4 * i, "\0\0\0\4", 4);
	}
	CHECK(fdt_prop(&f, ic, "interrupt-controller", NULL) == NULL);
	CHECK(fdt_prop(&f, ic, "#interrupt-cells", NULL) != NULL);
	CHECK_EQ(fdt_path(&f, "/other"), fdt_next_sibling(&f, ic));
	CHECK_EQ(fdt_next_compatible(&f, ic, "x,b"), fdt_path(&f, "/other"));
	free(b);
}

/* The DTB QEMU itself gives a guest: the board our VMs imitate. */
TEST(qemu_virt_dtb)
{
	char path[512], cmd[1200];
	struct fdt f;
	size_t len = 0;
	uint8_t *b;
	uint64_t a, s;
	int n, cpus = 0;
	const char *qemu = getenv("QEMU");

	if (!qemu || !*qemu)
		qemu = "qemu-system-riscv64";
	if (!have_tool(qemu) || !have_tool("timeout")) {
		UNIT_SKIP("no QEMU");
		return;
	}
	snprintf(path, sizeof(path), "%s/qemu-virt.dtb", out_dir());
	snprintf(cmd, sizeof(cmd),
		 "timeout 30 %s -M virt,dumpdtb='%s' -cpu rv64 -smp 2 -m 256M -display none "
		 "-serial none -monitor none </dev/null >/dev/null 2>&1", qemu, path);
	if (system(cmd) != 0 || !(b = read_file(path, &len))) {
		UNIT_SKIP("QEMU could not dump its DTB");
		return;
	}
	CHECK_EQ(fdt_init(&f, b, len), 0);
	n = fdt_path(&f, "/soc/serial@10000000");
	CHECK(n >= 0);
	CHECK_EQ(fdt_next_compatible(&f, -1, "ns16550a"), n);
	CHECK(fdt_reg(&f, n, 0, &a, &s));
	CHECK_EQ(a, 0x10000000);
	CHECK(fdt_reg(&f, fdt_next_compatible(&f, -1, "riscv,plic0"), 0, &a, &s));
	CHECK_EQ(a, 0x0c000000);
	CHECK(fdt_reg(&f, fdt_path(&f, "/memory"), 0, &a, &s));
	CHECK_EQ(a, 0x80000000u);
	CHECK_EQ(s, 256u << 20);
	for (n = fdt_first_child(&f, fdt_path(&f, "/cpus")); n >= 0; n = fdt_next_sibling(&f, n))
		if (strncmp(fdt_node_name(&f, n), "cpu@", 4) == 0)
			cpus++;
	CHECK_EQ(cpus, 2);
	CHECK(fdt_path(&f, "/chosen") >= 0);
	n = fdt_next_compatible(&f, -1, "riscv,cpu-intc");
	CHECK(n >= 0);
	CHECK_EQ(fdt_parent(&f, fdt_parent(&f, n)), fdt_path(&f, "/cpus"));
	free(b);
}

/* ---- malformed blobs ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Calls every reader function on everything it can reach; returns the
 * number of nodes seen, or -1 if a walk failed to terminate in time. */
static int walk_all(const struct fdt *f)
{
	static const char *const paths[] = { "/", "/cpus", "/cpus/cpu@1", "/soc/serial",
					     "/chosen", "/memory", "/x/y/z" };
	int n, count = 0, guard = 0;
	uint64_t a, s;
	uint32_t v, len;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)fdt_reg(f, fdt_path(f, paths[i]), 0, &a, &s);
	for (n = fdt_next_compatible(f, -1, "riscv"); n >= 0; n = fdt_next_compatible(f, n, "riscv"))
		if (++guard > 10000)
			return -1;
	for (v = 0; v < 5; v++)
		(void)fdt_node_by_phandle(f, v);
	for (n = 0; n < (int)f->struct_size + 8; n += 4) {
		const char *name = fdt_node_name(f, n);

		if (!name)
			continue;
		count++;
		(void)fdt_first_child(f, n);
		(void)fdt_next_sibling(f, n);
		(void)fdt_parent(f, n);
		(void)fdt_prop(f, n, "compatible", &len);
		(void)fdt_prop_u32(f, n, "#address-cells", &v);
		(void)fdt_prop_u64(f, n, "reg", &a);
		for (i = 0; i < 3; i++)
			(void)fdt_reg(f, n, (int)i, &a, &s);
	}
	return count;
}

TEST(bad_headers)
{
	size_t len;
	uint8_t *b = virt_blob(&len), *c;
	struct fdt f;
	struct { unsigned off; uint32_t val; const char *what; } cases[] = {
		{ 0, 0xd00dfeee, "magic" },
		{ 4, (uint32_t)len + 4, "totalsize > buffer" },
		{ 4, 39, "totalsize < header" },
		{ 8, 3, "struct offset unaligned" },
		{ 8, 0xfffffff0, "struct offset past end" },
		{ 8, 20, "struct offset inside header" },
		{ 12, 0xffffffff, "strings offset past end" },
		{ 16, 0x7ffffff8, "rsvmap past end" },
		{ 16, 44, "rsvmap unaligned" },
		{ 20, 15, "version 15" },
		{ 24, 18, "last_comp_version 18" },
		{ 32, 0xfffffff0, "strings size wraps" },
		{ 36, 0xffffffff, "struct size wraps" },
		{ 36, (uint32_t)len, "struct size past end" },
	};
	size_t i;

	if (!b) {
		UNIT_FAIL("could not build the test blob");
		return;
	}
	c = malloc(len);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(c, b, len);
		put32(c + cases[i].off, cases[i].val);
		if (fdt_init(&f, c, len) != -1)
			UNIT_FAIL("accepted header with bad %s", cases[i].what);
	}
	CHECK_EQ(fdt_init(&f, b, 39), -1);
	CHECK_EQ(fdt_init(&f, b, len - 1), -1);
	CHECK_EQ(fdt_init(&f, NULL, len), -1);
	/* Version 16 has no size_dt_struct: the block runs to totalsize. */
	memcpy(c, b, len);
	put32(c + 20, 16);
	put32(c + 36, 0);
	CHECK_EQ(fdt_init(&f, c, len), 0);
	CHECK(fdt_path(&f, "/soc/serial") >= 0);
	/* An uninitialised (failed) reader answers nothing. */
	memset(&f, 0, sizeof(f));
	CHECK_EQ(fdt_path(&f, "/"), -1);
	CHECK_EQ(fdt_next_compatible(&f, -1, "riscv"), -1);
	free(c);
	free(b);
}

/* Every truncation of the structure block, with the header made to agree,
 * so that the walk itself (not the header check) meets the cut. */
TEST(truncated_struct_block)
{
	size_t len, cut;
	uint8_t *b = virt_blob(&len), *c;
	struct fdt f;
	uint32_t off_struct, size_struct;

	if (!b) {
		UNIT_FAIL("could not build the test blob");
		return;
	}
	off_struct = fdt_be32(b + 8);
	size_struct = fdt_be32(b + 36);
	for (cut = 0; cut <= size_struct; cut++) {
		/* Exactly off_struct + cut bytes: ASan sees any read past the cut. */
		c = malloc(off_struct + cut);
		memcpy(c, b, off_struct + cut);
		put32(c + 4, (uint32_t)(off_struct + cut));
		put32(c + 12, off_struct);	/* strings: empty, at the cut */
		put32(c + 32, 0);
		put32(c + 36, (uint32_t)cut);
		if (fdt_init(&f, c, off_struct + cut) != 0 || walk_all(&f) < 0)
			UNIT_FAIL("cut at %zu", cut);
		free(c);
	}
	/* Truncated buffers with the original header are refused. */
	for (cut = 0; cut < len; cut++) {
		c = malloc(cut ? cut : 1);
		memcpy(c, b, cut);
		if (fdt_init(&f, c, cut) != -1)
			UNIT_FAIL("accepted %zu of %zu bytes", cut, len);
		free(c);
	}
	free(b);
}

TEST(hostile_structures)
{
	/* Header, 16-byte rsvmap, 512-byte structure block, 8 bytes of strings. */
	static uint8_t blob[56 + 512 + 8];
	struct fdt f;
	int i;

	memset(blob, 0, sizeof(blob));
	put32(blob + 0, FDT_MAGIC);
	put32(blob + 4, sizeof(blob));
	put32(blob + 8, 56);
	put32(blob + 12, 56 + 512);
	put32(blob + 16, 40);
	put32(blob + 20, 17);
	put32(blob + 24, 16);
	put32(blob + 32, 8);
	put32(blob + 36, 512);
	memcpy(blob + 568, "reg\0abcd", 8);	/* strings: "reg", unterminated "abcd" */

	/* 64 nested nodes, never closed: deeper than FDT_MAX_DEPTH. */
	for (i = 0; i < 64; i++)
		put32(blob + 56 + 8 * i, FDT_BEGIN_NODE);
	CHECK_EQ(fdt_init(&f, blob, sizeof(blob)), 0);
	CHECK(walk_all(&f) >= 0);
	CHECK_EQ(fdt_parent(&f, 8), 0);
	CHECK_EQ(fdt_parent(&f, 8 * FDT_MAX_DEPTH), 8 * (FDT_MAX_DEPTH - 1));
	CHECK_EQ(fdt_parent(&f, 8 * 40), -1);
	CHECK_EQ(fdt_next_sibling(&f, 0), -1);		/* never closed */
	CHECK(fdt_path(&f, "/") == 0);

	/* A property whose length runs past the block. */
	memset(blob + 56, 0, 512);
	put32(blob + 56, FDT_BEGIN_NODE);
	put32(blob + 64, FDT_PROP);
	put32(blob + 68, 0xfffffff0);
	put32(blob + 72, 0);
	CHECK(fdt_prop(&f, 0, "reg", NULL) == NULL);
	CHECK(walk_all(&f) >= 0);

	/* A property name offset past the strings, and one unterminated. */
	put32(blob + 68, 4);
	put32(blob + 72, 100);
	CHECK(fdt_prop(&f, 0, "reg", NULL) == NULL);
	put32(blob + 72, 4);
	CHECK(fdt_prop(&f, 0, "abcd", NULL) == NULL);
	put32(blob + 72, 0);
	CHECK(fdt_prop(&f, 0, "reg", NULL) != NULL);

	/* A node name that runs to the end of the block without a NUL. */
	memset(blob + 56, 'a', 512);
	put32(blob + 56, FDT_BEGIN_NODE);
	CHECK(fdt_node_name(&f, 0) == NULL);
	CHECK_EQ(fdt_path(&f, "/"), -1);
	CHECK(walk_all(&f) >= 0);

	/* END_NODE before any BEGIN_NODE, unknown tokens. */
	memset(blob + 56, 0, 512);
	put32(blob + 56, FDT_END_NODE);
	put32(blob + 60, FDT_BEGIN_NODE);
	put32(blob + 68, 0x77);
	CHECK_EQ(fdt_path(&f, "/"), -1);
	CHECK_EQ(fdt_parent(&f, 4), -1);
	CHECK(walk_all(&f) >= 0);
}

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random corruption of a valid blob: mostly the structure and strings
 * blocks, sometimes the header, in an exactly-sized heap copy. */
TEST(random_corruption)
{
	size_t len, i;
	uint8_t *b = virt_blob(&len), *c;
	struct fdt f;
	int iter, k, accepted = 0;

	if (!b) {
		UNIT_FAIL("could not build the test blob");
		return;
	}
	c = malloc(len);
	for (iter = 0; iter < 20000; iter++) {
		memcpy(c, b, len);
		k = 1 + (int)(rng() % 8);
		while (k--) {
			i = rng() % 16 == 0 ? rng() % 40 : 56 + rng() % (len - 56);
			switch (rng() % 4) {
			case 0: c[i] ^= (uint8_t)(1u << (rng() % 8)); break;
			case 1: c[i] = (uint8_t)rng(); break;
			case 2: c[i] = 0; break;
			default: c[i] = 0xff; break;
			}
		}
		if (fdt_init(&f, c, len) != 0)
			continue;
		accepted++;
		if (walk_all(&f) < 0) {
			UNIT_FAIL("walk did not end (iteration %d)", iter);
			break;
		}
	}
	CHECK(accepted > 1000);		/* the walks really ran */
	free(c);
	free(b);
}

/* ---- writer ---- */

TEST(writer_header_and_dedup)
{
	uint8_t buf[BLOB_CAP];
	int n = write_virt_tree(buf, sizeof(buf));
	uint32_t strings, size, i, regs = 0;

	CHECK(n > 0);
	if (n <= 0)
		return;
	CHECK_EQ(fdt_be32(buf), FDT_MAGIC);
	CHECK_EQ(fdt_be32(buf + 4), n);
	CHECK_EQ(fdt_be32(buf + 8), 56);		/* off_dt_struct */
	CHECK_EQ(fdt_be32(buf + 16), 40);		/* off_mem_rsvmap */
	CHECK_EQ(fdt_be32(buf + 20), 17);
	CHECK_EQ(fdt_be32(buf + 24), 16);
	CHECK_EQ(fdt_be32(buf + 28), 0);
	CHECK_EQ(fdt_be64(buf + 40), 0);		/* empty reservation map */
	CHECK_EQ(fdt_be64(buf + 48), 0);
	CHECK_EQ(fdt_be32(buf + 12), 56 + fdt_be32(buf + 36));
	CHECK_EQ(fdt_be32(buf + 12) + fdt_be32(buf + 32), n);
	CHECK_EQ(fdt_be32(buf + 56 + fdt_be32(buf + 36) - 4), FDT_END);
	/* "reg" and "compatible" are used many times but stored once. */
	strings = fdt_be32(buf + 12);
	size = fdt_be32(buf + 32);
	for (i = 0; i + 4 <= size; i++)
		if (memcmp(buf + strings + i, "reg\0", 4) == 0 && (i == 0 || buf[strings + i - 1] == 0))
			regs++;
	CHECK_EQ(regs, 1);
	CHECK(size < 300);
}

TEST(writer_overflow_never_writes_past_cap)
{
	uint8_t full[BLOB_CAP], *b;
	int total = write_virt_tree(full, sizeof(full));
	size_t cap;

	CHECK(total > 0);
	for (cap = 0; total > 0 && cap < (size_t)total; cap++) {
		b = malloc(cap ? cap : 1);
		if (write_virt_tree(b, cap) != -1)
			UNIT_FAIL("cap %zu accepted", cap);
		free(b);
	}
	b = malloc((size_t)total);
	CHECK_EQ(write_virt_tree(b, (size_t)total), total);
	CHECK(memcmp(b, full, (size_t)total) == 0);
	free(b);
}

TEST(writer_rejects_misuse)
{
	uint8_t buf[512];
	struct fdtw w;

	fdtw_init(&w, buf, sizeof(buf));	/* node left open */
	fdtw_begin_node(&w, "");
	fdtw_begin_node(&w, "a");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* one end too many */
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* two roots */
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* property outside any node */
	fdtw_prop_u32(&w, "x", 1);
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* property after a subnode */
	fdtw_begin_node(&w, "");
	fdtw_begin_node(&w, "a");
	fdtw_end_node(&w);
	fdtw_prop_u32(&w, "x", 1);
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* named root */
	fdtw_begin_node(&w, "root");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* nothing at all */
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, 40);			/* smaller than header + rsvmap */
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), -1);

	fdtw_init(&w, buf, sizeof(buf));	/* minimal tree; finish twice */
	fdtw_begin_node(&w, "");
	fdtw_end_node(&w);
	CHECK_EQ(fdtw_finish(&w), 56 + 16);
	CHECK_EQ(fdtw_finish(&w), 56 + 16);
	fdtw_prop_u32(&w, "late", 1);		/* ignored after finish */
	CHECK_EQ(fdtw_finish(&w), -1);
}

TEST(writer_value_helpers)
{
	static const char *const strs[] = { "one", "", "three" };
	static const uint32_t cells[] = { 0x01020304, 0xa0b0c0d0 };
	uint8_t buf[1024];
	struct fdtw w;
	struct fdt f;
	const uint8_t *p;
	uint32_t len;
	uint64_t v;
	int n;

	fdtw_init(&w, buf, sizeof(buf));
	fdtw_begin_node(&w, "");
	fdtw_prop_strs(&w, "list", strs, 3);
	fdtw_prop_strs(&w, "nolist", strs, 0);
	fdtw_prop_cells(&w, "cells", cells, 2);
	fdtw_prop_cells(&w, "nocells", cells, 0);
	fdtw_prop(&w, "odd", "abcde", 5);	/* padded to 8 */
	fdtw_prop_u64(&w, "u64", 0xfedcba9876543210ull);
	fdtw_prop_empty(&w, "empty");
	fdtw_end_node(&w);
	n = fdtw_finish(&w);
	CHECK(n > 0);
	CHECK_EQ(fdt_init(&f, buf, (size_t)n), 0);
	p = fdt_prop(&f, 0, "list", &len);
	CHECK_EQ(len, 11);
	CHECK(p && memcmp(p, "one\0\0three\0", 11) == 0);
	CHECK(fdt_has_string(p, len, "three"));
	CHECK(fdt_has_string(p, len, ""));
	CHECK(fdt_prop(&f, 0, "nolist", &len) != NULL);
	CHECK_EQ(len, 0);
	p = fdt_prop(&f, 0, "cells", &len);
	CHECK_EQ(len, 8);
	CHECK(p && memcmp(p, "\x01\x02\x03\x04\xa0\xb0\xc0\xd0", 8) == 0);
	CHECK(fdt_prop(&f, 0, "nocells", &len) != NULL);
	CHECK_EQ(len, 0);
	p = fdt_prop(&f, 0, "odd", &len);
	CHECK_EQ(len, 5);
	CHECK(p && memcmp(p, "abcde", 5) == 0);
	CHECK(fdt_prop_u64(&f, 0, "u64", &v));
	CHECK_EQ(v, 0xfedcba9876543210ull);
	CHECK(fdt_prop(&f, 0, "empty", &len) != NULL);
	CHECK_EQ(len, 0);
	/* Properties written after "odd" were found: the padding is right. */
	CHECK_EQ(fdt_be32(buf + 4), n);
}

/* dtc must accept the writer's output, decompile it to what we wrote, and
 * recompiling that must give back the very same bytes. */
TEST(writer_dtc_round_trip)
{
	static const char *const want[] = {
		"serial@10000000 {", "compatible = \"ns16550a\";",
		"stdout-path = \"/soc/serial@10000000\";",
		/* dtc 1.6 prints a string list as "a\0b", newer ones as "a", "b" */
		"compatible = \"sifive,plic-1.0.0", "riscv,plic0\";",
		"reg = <0x00 0x80000000 0x00 0x10000000>;", "interrupt-controller;",
		"compatible = \"riscv,cpu-intc\";", "#size-cells = <0x00>;",
	};
	char dtb[512], dts[512], dtb2[512], cmd[2000];
	uint8_t buf[BLOB_CAP], *text, *again;
	size_t tlen = 0, alen = 0, i;
	int n = write_virt_tree(buf, sizeof(buf));

	CHECK(n > 0);
	if (!have_tool("dtc")) {
		UNIT_SKIP("dtc not on PATH");
		return;
	}
	snprintf(dtb, sizeof(dtb), "%s/fdt-writer.dtb", out_dir());
	snprintf(dts, sizeof(dts), "%s/fdt-writer.dts", out_dir());
	snprintf(dtb2, sizeof(dtb2), "%s/fdt-writer-again.dtb", out_dir());
	CHECK(write_file(dtb, buf, (size_t)n));
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts -o '%s' '%s'", dts, dtb);
	CHECK_EQ(system(cmd), 0);
	text = read_file(dts, &tlen);
	CHECK(text != NULL);
	if (!text)
		return;
	text = realloc(text, tlen + 1);
	text[tlen] = '\0';
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr((char *)text, want[i]))
			UNIT_FAIL("dtc output lacks '%s'", want[i]);
	free(text);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o '%s' '%s'", dtb2, dts);
	CHECK_EQ(system(cmd), 0);
	again = read_file(dtb2, &alen);
	CHECK_EQ(alen, (size_t)n);
	CHECK(again && alen == (size_t)n && memcmp(again, buf, alen) == 0);
	free(again);
}

UNIT_MAIN("test_fdt",
	  UNIT(paths),
	  UNIT(children_and_parents),
	  UNIT(compatible_search),
	  UNIT(properties),
	  UNIT(reg_and_phandles),
	  UNIT(has_string),
	  UNIT(dtc_blob_cells_and_phandles),
	  UNIT(nop_tokens),
	  UNIT(qemu_virt_dtb),
	  UNIT(bad_headers),
	  UNIT(truncated_struct_block),
	  UNIT(hostile_structures),
	  UNIT(random_corruption),
	  UNIT(writer_header_and_dedup),
	  UNIT(writer_overflow_never_writes_past_cap),
	  UNIT(writer_rejects_misuse),
	  UNIT(writer_value_helpers),
	  UNIT(writer_dtc_round_trip))
