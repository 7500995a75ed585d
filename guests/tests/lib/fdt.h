/* Minimal flattened device tree reader (Devicetree Specification v0.4,
 * chapter 5): just what the test guests look up. */
#ifndef GT_FDT_H
#define GT_FDT_H

#include <stdint.h>

/* 0 when dtb points at a valid FDT header. */
int fdt_check(const void *dtb);
/* reg of the first /memory node: 0 on success. */
int fdt_get_memory(const void *dtb, uint64_t *base, uint64_t *size);
/* Hart ids from /cpus/cpu@* reg; returns how many (at most max are stored). */
int fdt_get_cpus(const void *dtb, unsigned long *ids, int max);
/* /cpus timebase-frequency, or 0 when absent. */
uint64_t fdt_get_timebase(const void *dtb);
/* /chosen/bootargs, or "" when absent. */
const char *fdt_get_bootargs(const void *dtb);
/* The value of "KEY=value" in bootargs (up to a space) copied to buf, or "" when absent. */
void fdt_bootarg(const void *dtb, const char *key, char *buf, unsigned long size);

/* Devices: nodes under the root (but not /cpus) and under /soc with a
 * compatible; fn gets the node name and the first compatible string. */
typedef void (*fdt_device_fn)(const char *node, const char *compatible, void *ctx);
void fdt_for_each_device(const void *dtb, fdt_device_fn fn, void *ctx);

#endif
