/*
 * CSRs by a number known only at run time (the console's `csr` command,
 * a vCPU's live VS CSRs).  csrr/csrw take the number as an immediate, so
 * each CSR is its own case; a number not listed gives -1.
 */
#include "arch/csr.h"

/* The hart's own HS and H CSRs the console may read. */
int arch_hs_csr_read(unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_HSTATUS: *v = csr_read(CSR_HSTATUS); break;
	case CSR_HEDELEG: *v = csr_read(CSR_HEDELEG); break;
	case CSR_HIDELEG: *v = csr_read(CSR_HIDELEG); break;
	case CSR_HIE: *v = csr_read(CSR_HIE); break;
	case CSR_HIP: *v = csr_read(CSR_HIP); break;
	case CSR_HVIP: *v = csr_read(CSR_HVIP); break;
	case CSR_HGEIE: *v = csr_read(CSR_HGEIE); break;
	case CSR_HGATP: *v = csr_read(CSR_HGATP); break;
	case CSR_HENVCFG: *v = csr_read(CSR_HENVCFG); break;
	case CSR_HTIMEDELTA: *v = csr_read(CSR_HTIMEDELTA); break;
	case CSR_HCOUNTEREN: *v = csr_read(CSR_HCOUNTEREN); break;
	case CSR_SSTATUS: *v = csr_read(CSR_SSTATUS); break;
	case CSR_SIE: *v = csr_read(CSR_SIE); break;
	case CSR_SIP: *v = csr_read(CSR_SIP); break;
	case CSR_SATP: *v = csr_read(CSR_SATP); break;
	case CSR_STVEC: *v = csr_read(CSR_STVEC); break;
	case CSR_SSCRATCH: *v = csr_read(CSR_SSCRATCH); break;
	case CSR_TIME: *v = csr_read(CSR_TIME); break;
	default: return -1;
	}
	return 0;
}

/* Only the HS CSRs whose change cannot hurt the hypervisor (console/cmd_csr.c says why for the rest). */
int arch_hs_csr_write(unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_HVIP: csr_write(CSR_HVIP, v); return 0;
	case CSR_HIE: csr_write(CSR_HIE, v); return 0;
	case CSR_HGEIE: csr_write(CSR_HGEIE, v); return 0;
	default: return -1;
	}
}

/* The VS CSRs of the vCPU loaded on this hart. */
int arch_vs_csr_read(unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_VSSTATUS: *v = csr_read(CSR_VSSTATUS); break;
	case CSR_VSIE: *v = csr_read(CSR_VSIE); break;
	case CSR_VSIP: *v = csr_read(CSR_VSIP); break;
	case CSR_VSTVEC: *v = csr_read(CSR_VSTVEC); break;
	case CSR_VSSCRATCH: *v = csr_read(CSR_VSSCRATCH); break;
	case CSR_VSEPC: *v = csr_read(CSR_VSEPC); break;
	case CSR_VSCAUSE: *v = csr_read(CSR_VSCAUSE); break;
	case CSR_VSTVAL: *v = csr_read(CSR_VSTVAL); break;
	case CSR_VSATP: *v = csr_read(CSR_VSATP); break;
	default: return -1;
	}
	return 0;
}

int arch_vs_csr_write(unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_VSSTATUS: csr_write(CSR_VSSTATUS, v); break;
	case CSR_VSIE: csr_write(CSR_VSIE, v); break;
	case CSR_VSTVEC: csr_write(CSR_VSTVEC, v); break;
	case CSR_VSSCRATCH: csr_write(CSR_VSSCRATCH, v); break;
	case CSR_VSEPC: csr_write(CSR_VSEPC, v); break;
	case CSR_VSCAUSE: csr_write(CSR_VSCAUSE, v); break;
	case CSR_VSTVAL: csr_write(CSR_VSTVAL, v); break;
	case CSR_VSATP: csr_write(CSR_VSATP, v); break;
	default: return -1;
	}
	return 0;
}
