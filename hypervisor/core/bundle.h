/*
 * The VM bundle: scripts/mkbundle.py turns a configs/NAME.cfg into one file
 * holding every VM's settings and image; `make run` has QEMU load it into host
 * RAM (-device loader) and passes its address as `hvscope.bundle=0x...` in the
 * boot arguments.  Little-endian, layout fixed by the static asserts below
 * (mkbundle.py writes the same layout; keep them in step).
 */
#ifndef CORE_BUNDLE_H
#define CORE_BUNDLE_H

#include <stdint.h>

#define BUNDLE_MAGIC		"HVSCBDL1"
#define BUNDLE_VM_NO_ADUE	(1U << 0) /* config: adue = off */
#define BUNDLE_VM_AD_EMUL	(1U << 1) /* config: ad_emulation = on */
#define BUNDLE_VM_NO_AD_EMUL	(1U << 2) /* config: ad_emulation = off */
#define BUNDLE_VM_VIRTIO_STRICT (1U << 3) /* config: virtio = strict */
#define BUNDLE_VM_GDB_WAIT	(1U << 4) /* config: gdb = wait */

struct bundle_header {
	char magic[8];
	uint32_t vm_count;
	uint32_t vm_entry_size;
	uint64_t total_size;
};

struct bundle_vm {
	char name[32];
	uint64_t ram_size;
	uint64_t entry;
	uint64_t load;
	uint64_t image_offset; /* from the start of the bundle */
	uint64_t image_size;
	uint32_t vcpus;
	uint32_t flags;
	char bootargs[128];
	uint64_t initrd_offset; /* from the start of the bundle; size 0 = none */
	uint64_t initrd_size;
	char disk_serial[20]; /* virtio-blk serial of the VM's disk, "" = none */
	uint32_t reserved;
};

_Static_assert(sizeof(struct bundle_header) == 24, "bundle header layout");
_Static_assert(sizeof(struct bundle_vm) == 248, "bundle VM entry layout");

int bundle_load(uint64_t addr);

#endif
