/*
 * The VM bundle loader: checks the bundle scripts/mkbundle.py wrote (layout
 * in core/bundle.h) and creates one VM per entry.
 */
#include "core/bundle.h"
#include "core/vm.h"
#include "core/term.h"
#include "lib/string.h"

int bundle_load(uint64_t addr)
{
	const struct bundle_header *h = (const void *)(uintptr_t)addr;
	const struct bundle_vm *entries = (const void *)(h + 1);

	if (memcmp(h->magic, BUNDLE_MAGIC, 8) != 0) {
		hv_printf("hvscope: no VM bundle at 0x%lx (bad magic): nothing to run\n", addr);
		return -1;
	}
	if (h->vm_entry_size != sizeof(struct bundle_vm) || h->vm_count > VM_MAX) {
		hv_printf("hvscope: VM bundle at 0x%lx: %u VMs of entry size %u (max %d VMs, size %u)\n",
			  addr, h->vm_count, h->vm_entry_size, VM_MAX, (unsigned)sizeof(struct bundle_vm));
		return -1;
	}
	for (unsigned i = 0; i < h->vm_count; i++) {
		struct vm *vm = &vms[vm_count];
		vm->id = vm_count + 1;
		if (vm_create(vm, &entries[i], (const uint8_t *)h, h->total_size) == 0) {
			vm_count++;
		} else {
			hv_printf("hvscope: vm%d not created\n", vm->id);
			memset(vm, 0, sizeof(*vm));
		}
	}
	return 0;
}
