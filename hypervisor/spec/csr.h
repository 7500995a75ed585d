/*
 * CSR numbers and bit fields, named as in the RISC-V privileged
 * specification (chapters "Supervisor-Level ISA" and "Hypervisor Extension").
 * The accessors are in arch/csr.h.
 */
#ifndef SPEC_CSR_H
#define SPEC_CSR_H

#include <stdint.h>

/* Supervisor CSRs */
#define CSR_SSTATUS		       0x100
#define CSR_SIE			       0x104
#define CSR_STVEC		       0x105
#define CSR_SCOUNTEREN		       0x106
#define CSR_SENVCFG		       0x10a
#define CSR_SSCRATCH		       0x140
#define CSR_SEPC		       0x141
#define CSR_SCAUSE		       0x142
#define CSR_STVAL		       0x143
#define CSR_SIP			       0x144
#define CSR_STIMECMP		       0x14d
#define CSR_SATP		       0x180
#define CSR_TIME		       0xc01

/* Virtual supervisor CSRs */
#define CSR_VSSTATUS		       0x200
#define CSR_VSIE		       0x204
#define CSR_VSTVEC		       0x205
#define CSR_VSSCRATCH		       0x240
#define CSR_VSEPC		       0x241
#define CSR_VSCAUSE		       0x242
#define CSR_VSTVAL		       0x243
#define CSR_VSIP		       0x244
#define CSR_VSTIMECMP		       0x24d
#define CSR_VSATP		       0x280

/* Hypervisor CSRs */
#define CSR_HSTATUS		       0x600
#define CSR_HEDELEG		       0x602
#define CSR_HIDELEG		       0x603
#define CSR_HIE			       0x604
#define CSR_HTIMEDELTA		       0x605
#define CSR_HCOUNTEREN		       0x606
#define CSR_HGEIE		       0x607
#define CSR_HENVCFG		       0x60a
#define CSR_HTVAL		       0x643
#define CSR_HIP			       0x644
#define CSR_HVIP		       0x645
#define CSR_HTINST		       0x64a
#define CSR_HGATP		       0x680
#define CSR_HGEIP		       0xe12

/* sstatus */
#define SSTATUS_SIE		       (1UL << 1)
#define SSTATUS_SPIE		       (1UL << 5)
#define SSTATUS_SPP		       (1UL << 8)
#define SSTATUS_FS		       (3UL << 13)
#define SSTATUS_FS_OFF		       (0UL << 13)
#define SSTATUS_FS_INITIAL	       (1UL << 13)
#define SSTATUS_FS_CLEAN	       (2UL << 13)
#define SSTATUS_FS_DIRTY	       (3UL << 13)
#define SSTATUS_SUM		       (1UL << 18)
#define SSTATUS_MXR		       (1UL << 19)
#define SSTATUS_UXL_64		       (2UL << 32)

/* hstatus */
#define HSTATUS_VSBE		       (1UL << 5)
#define HSTATUS_GVA		       (1UL << 6)
#define HSTATUS_SPV		       (1UL << 7)
#define HSTATUS_SPVP		       (1UL << 8)
#define HSTATUS_HU		       (1UL << 9)
#define HSTATUS_VGEIN_SHIFT	       12
#define HSTATUS_VGEIN		       (0x3fUL << 12)
#define HSTATUS_VTVM		       (1UL << 20)
#define HSTATUS_VTW		       (1UL << 21)
#define HSTATUS_VTSR		       (1UL << 22)
#define HSTATUS_VSXL_SHIFT	       32
#define HSTATUS_VSXL		       (3UL << 32)
#define HSTATUS_VSXL_64		       (2UL << 32)

/* henvcfg (and senvcfg/menvcfg share the low fields) */
#define ENVCFG_FIOM		       (1UL << 0)
#define ENVCFG_CBIE		       (3UL << 4)
#define ENVCFG_CBIE_FLUSH	       (1UL << 4)
#define ENVCFG_CBIE_INV		       (3UL << 4)
#define ENVCFG_CBCFE		       (1UL << 6)
#define ENVCFG_CBZE		       (1UL << 7)
#define ENVCFG_ADUE		       (1UL << 61)
#define ENVCFG_PBMTE		       (1UL << 62)
#define ENVCFG_STCE		       (1UL << 63)

/* satp / vsatp / hgatp */
#define ATP_MODE_SHIFT		       60
#define ATP_MODE_BARE		       0UL
#define ATP_MODE_SV39		       8UL
#define ATP_MODE_SV48		       9UL
#define ATP_MODE_SV57		       10UL
#define ATP_PPN_MASK		       ((1UL << 44) - 1)
#define SATP_ASID_SHIFT		       44
#define SATP_ASID_MASK		       0xffffUL
#define HGATP_VMID_SHIFT	       44
#define HGATP_VMID_MASK		       0x3fffUL
#define HGATP_MODE_SV39X4	       8UL
#define HGATP_MODE_SV48X4	       9UL

/* Interrupt numbers (scause with the interrupt bit) and their sip/sie bits */
#define IRQ_S_SOFT		       1
#define IRQ_VS_SOFT		       2
#define IRQ_S_TIMER		       5
#define IRQ_VS_TIMER		       6
#define IRQ_S_EXT		       9
#define IRQ_VS_EXT		       10
#define IRQ_S_GEXT		       12
#define MIP_SSIP		       (1UL << IRQ_S_SOFT)
#define MIP_VSSIP		       (1UL << IRQ_VS_SOFT)
#define MIP_STIP		       (1UL << IRQ_S_TIMER)
#define MIP_VSTIP		       (1UL << IRQ_VS_TIMER)
#define MIP_SEIP		       (1UL << IRQ_S_EXT)
#define MIP_VSEIP		       (1UL << IRQ_VS_EXT)
#define MIP_SGEIP		       (1UL << IRQ_S_GEXT)

/* Exception causes */
#define CAUSE_MISALIGNED_FETCH	       0
#define CAUSE_FETCH_ACCESS	       1
#define CAUSE_ILLEGAL_INSTRUCTION      2
#define CAUSE_BREAKPOINT	       3
#define CAUSE_MISALIGNED_LOAD	       4
#define CAUSE_LOAD_ACCESS	       5
#define CAUSE_MISALIGNED_STORE	       6
#define CAUSE_STORE_ACCESS	       7
#define CAUSE_USER_ECALL	       8
#define CAUSE_SUPERVISOR_ECALL	       9
#define CAUSE_VIRTUAL_SUPERVISOR_ECALL 10
#define CAUSE_MACHINE_ECALL	       11
#define CAUSE_FETCH_PAGE_FAULT	       12
#define CAUSE_LOAD_PAGE_FAULT	       13
#define CAUSE_STORE_PAGE_FAULT	       15
#define CAUSE_FETCH_GUEST_PAGE_FAULT   20
#define CAUSE_LOAD_GUEST_PAGE_FAULT    21
#define CAUSE_VIRTUAL_INSTRUCTION      22
#define CAUSE_STORE_GUEST_PAGE_FAULT   23
#define CAUSE_COUNT		       24
#define CAUSE_IRQ_FLAG		       (1UL << 63)

#endif
