/*
 * Emulated virtio-blk (virtio-mmio version 2) at the guest's 0x10001000,
 * IRQ 1, backed by one of the host's virtio-blk devices (drivers/virtio_blk).
 * Only VMs whose bundle entry names a disk serial have one.
 *
 * Every request is checked before the host device sees it: the descriptors
 * are copied out of guest memory first (the guest cannot change them between
 * the check and the use), every guest-physical address (rings, descriptors,
 * buffers) must lie inside the VM's RAM, and a request that fails a check
 * completes with VIRTIO_BLK_S_IOERR and one report line on the console.
 */
#ifndef VDEV_VVIRTIO_BLK_H
#define VDEV_VVIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* Give the VM the host disk with this serial (len bytes, NUL padded; "" = no disk). */
int vvblk_create(struct vm *vm, const char *serial, size_t len);
bool vvblk_present(const struct vm *vm);
/* Device reset, as at power-on: on VM start and reboot. */
void vvblk_reset(struct vm *vm);
int vvblk_mmio_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val);
int vvblk_mmio_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val);

#endif
