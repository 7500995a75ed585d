#ifndef CORE_VMFDT_H
#define CORE_VMFDT_H

#include <stddef.h>
#include "board.h"

#define HOST_VIRTIO_SLOTS 8	/* QEMU virt's virtio-mmio transports (VIRTIO_COUNT) */

struct vm;
struct fdt;

/* Host facts the VM device trees copy (filled in at boot from the host tree). */
struct host_info {
	unsigned hart_count;
	unsigned hartids[HV_MAX_HARTS];
	char isa[1024];			/* riscv,isa of the first hart */
	char mmu_type[16];
	unsigned long timebase;
	unsigned long ram_base, ram_size;
	unsigned long uart_base, plic_base;
	unsigned uart_irq;
	unsigned virtio_count;
	unsigned long virtio_base[HOST_VIRTIO_SLOTS];
	unsigned virtio_irq[HOST_VIRTIO_SLOTS];
	unsigned virtio_devid[HOST_VIRTIO_SLOTS];
};

extern struct host_info host;

int vmfdt_build(struct vm *vm, void *buf, size_t size);
void vmfdt_vm_isa(const struct vm *vm, char *out, size_t size);

#endif
