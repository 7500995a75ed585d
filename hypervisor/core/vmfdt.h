#ifndef CORE_VMFDT_H
#define CORE_VMFDT_H

#include <stddef.h>
#include "core/host.h"

struct vm;
struct fdt;

int vmfdt_build(struct vm *vm, void *buf, size_t size);
void vmfdt_vm_isa(const struct vm *vm, char *out, size_t size);

#endif
