// RISC-V privileged architecture: CSR accessors, bit names, Sv39 page tables.
#ifndef XV6_RISCV_H
#define XV6_RISCV_H

#ifndef __ASSEMBLER__

#define csr_read(csr) ({ uint64 v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) asm volatile("csrw " #csr ", %0" : : "r"((uint64)(val)))
#define csr_set(csr, bits) asm volatile("csrs " #csr ", %0" : : "r"((uint64)(bits)))
#define csr_clear(csr, bits) asm volatile("csrc " #csr ", %0" : : "r"((uint64)(bits)))

// sstatus
#define SSTATUS_SIE   (1UL << 1)    // S-mode interrupts enabled
#define SSTATUS_SPIE  (1UL << 5)    // interrupts enabled before the trap
#define SSTATUS_SPP   (1UL << 8)    // trap came from S-mode (1) or U-mode (0)
#define SSTATUS_SUM   (1UL << 18)   // S-mode may touch user pages

// sie / sip
#define SIE_SSIE  (1UL << 1)    // software (IPI)
#define SIE_STIE  (1UL << 5)    // timer
#define SIE_SEIE  (1UL << 9)    // external (PLIC)
#define SIP_SSIP  SIE_SSIE

// scause
#define SCAUSE_INTERRUPT           (1UL << 63)
#define IRQ_S_SOFT                 1
#define IRQ_S_TIMER                5
#define IRQ_S_EXT                  9
#define CAUSE_ILLEGAL_INSTRUCTION  2
#define CAUSE_USER_ECALL           8
#define CAUSE_FETCH_PAGE_FAULT     12
#define CAUSE_LOAD_PAGE_FAULT      13
#define CAUSE_STORE_PAGE_FAULT     15

#define SATP_MODE_SV39  (8UL << 60)
#define MAKE_SATP(pagetable) (SATP_MODE_SV39 | (((uint64)(pagetable)) >> 12))

static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline uint64 r_time(void) { uint64 x; asm volatile("rdtime %0" : "=r"(x)); return x; }

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   // 512 PTEs

#endif // __ASSEMBLER__

#define PGSIZE  4096
#define PGSHIFT 12
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)

#define PA2PTE(pa)    ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte)   (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// Sv39: three 9-bit indices above the 12-bit page offset.
#define PXMASK        0x1FF
#define PXSHIFT(level) (PGSHIFT + 9 * (level))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

// One bit below the Sv39 maximum so that addresses never need sign extension.
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

#endif
