/*
 * Emulated virtio-blk (virtio-mmio version 2) at the guest's 0x10001000,
 * IRQ 1, backed by one of the host's virtio-blk devices (drivers/virtio_blk).
 * Only VMs whose bundle entry names a disk serial have one; the other seven
 * slots (and slot 0 of a VM without a disk) read as QEMU's empty transports.
 * vvblk_mmio_read/write cover all eight slots.
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
size_t vvblk_state_size(void); /* bytes of state per VM slot (hv> mem) */
/*
 * strict: answer as hvscope did before it followed QEMU (VendorID "hvsc",
 * FEATURES_OK only for a subset of the offer that includes VERSION_1), so
 * that docs/troubleshooting.md can replay a driver that rejects the device.
 */
void vvblk_set_strict(struct vm *vm, bool strict);
/* Device reset, as at power-on: on VM start and reboot. */
void vvblk_reset(struct vm *vm);
int vvblk_mmio_read(struct vm *vm, uint64_t off, unsigned width, uint64_t *val);
int vvblk_mmio_write(struct vm *vm, uint64_t off, unsigned width, uint64_t val);

#endif
