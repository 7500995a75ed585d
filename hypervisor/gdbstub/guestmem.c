/*
 * Guest memory by the debugger's addresses: virtual through the vCPU's
 * VS-stage table and the G-stage, or guest-physical after `monitor phys
 * on`, never outside the VM's RAM.  See internal.h.
 */
#include "gdbstub/internal.h"
#include "core/vm.h"
#include "lib/string.h"
#include "spec/vswalk.h"

/*
 * VA -> GPA as the vCPU would see it with vsatp, but ignoring the guest's
 * own permissions (gdb patches read-only text): a load from S-mode with SUM
 * and MXR, so that every valid leaf translates.
 */
bool guestmem_walk(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out)
{
	struct vs_walk_env env = {
		.vsatp = vsatp,
		.priv_u = false,
		.sum = true,
		.mxr = true,
		.hw_ad = true,
		.pte_ptr = vm_pte_ptr,
		.ctx = d->vm,
	};
	struct vs_walk w;

	vswalk(&env, va, VS_LOAD, &w);
	if (!w.ok)
		return false;
	*gpa_out = w.gpa;
	return true;
}

/* The debugger's addresses: VAs, or GPAs after `monitor phys on`. */
bool guestmem_gpa(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint64_t *gpa_out)
{
	if (d->phys) {
		*gpa_out = va;
		return true;
	}
	return guestmem_walk(d, vsatp, va, gpa_out);
}

/* Host pointer for [va, va+len) within one page, or NULL (not RAM / no translation). */
uint8_t *guestmem_ptr(struct vm_debug *d, uint64_t vsatp, uint64_t va, size_t len, uint64_t *gpa_out)
{
	uint64_t g;

	if (!guestmem_gpa(d, vsatp, va, &g) || !vm_gpa_range_ok(d->vm, g, len))
		return 0;
	if (gpa_out)
		*gpa_out = g;
	return vm_gpa_ptr(d->vm, g);
}

/* Copy in either direction, page by page (each page translated on its own). */
int guestmem_copy(struct vm_debug *d, uint64_t vsatp, uint64_t va, uint8_t *buf, size_t len, bool write)
{
	while (len) {
		size_t n = PAGE - (va & (PAGE - 1));
		uint8_t *p;
		if (n > len)
			n = len;
		p = guestmem_ptr(d, vsatp, va, n, 0);
		if (!p)
			return -1;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The instruction at pc (2 or 4 bytes, by its low bits). */
bool guestmem_fetch(struct vm_debug *d, uint64_t vsatp, uint64_t pc, uint32_t *insn)
{
	uint16_t lo, hi = 0;

	if (guestmem_copy(d, vsatp, pc, (uint8_t *)&lo, 2, false))
		return false;
	if (nextpc_insn_len(lo) == 4 && guestmem_copy(d, vsatp, pc + 2, (uint8_t *)&hi, 2, false))
		return false;
	*insn = lo | (uint32_t)hi << 16;
	return true;
}

/* Code changed under the VM: every vCPU flushes its I-cache and VS TLB before it next runs. */
void guestmem_changed(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&vm->vcpus[i].flush_pending, 1, __ATOMIC_RELEASE);
}
