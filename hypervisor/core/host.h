/* The host machine as found in the firmware's device tree (core/host.c). */
#ifndef CORE_HOST_H
#define CORE_HOST_H

#include <stdbool.h>
#include "spec/board.h"
#include "drivers/virtio_mmio.h"

struct fdt;

/* Host facts the VM device trees copy (filled in at boot from the host tree). */
struct host_info {
	unsigned hart_count;
	unsigned hartids[HV_MAX_HARTS];
	char isa[1024]; /* riscv,isa of the first hart */
	char mmu_type[16];
	unsigned long timebase;
	unsigned long ram_base, ram_size;
	unsigned long uart_base, plic_base;
	unsigned uart_irq;
	struct virtio_mmio_slots virtio;
};

extern struct host_info host;

void host_discover(const struct fdt *f);
bool host_isa_has(const char *ext); /* a multi-letter extension in riscv,isa */
bool host_has_h(void);		    /* the H extension among the single letters */

#endif
