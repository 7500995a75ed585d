/* Page-table entry bits shared by the VS stage (Sv39/48/57) and the G stage (Sv39x4/48x4). */
#ifndef MEM_PTE_H
#define MEM_PTE_H

#include <stdint.h>

#define PTE_V		  (1UL << 0)
#define PTE_R		  (1UL << 1)
#define PTE_W		  (1UL << 2)
#define PTE_X		  (1UL << 3)
#define PTE_U		  (1UL << 4)
#define PTE_G		  (1UL << 5)
#define PTE_A		  (1UL << 6)
#define PTE_D		  (1UL << 7)
#define PTE_RSW_SHIFT	  8
#define PTE_PPN_SHIFT	  10
#define PTE_PPN_MASK	  ((1UL << 44) - 1)
#define PTE_PBMT_SHIFT	  61
#define PTE_N		  (1UL << 63)
#define PTE_RESERVED_MASK (0x7fUL << 54)

static inline uint64_t pte_pa(uint64_t pte) { return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << 12; }
static inline int pte_is_leaf(uint64_t pte) { return (pte & (PTE_R | PTE_W | PTE_X)) != 0; }

#endif
