# Kernel entry points.  SBI firmware jumps to _entry in S-mode on the boot
# hart with a0 = hart id and a1 = device tree address, paging off.  Harts
# started later through SBI HSM hart_start enter at _secondary with a0 = hart id.
#include "param.h"

#define BOOT_STACK_SIZE 8192

.section .text.entry
.globl _entry
_entry:
        # The loader copies only the image; clear .bss ourselves.
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      la      ra, main
        j       setup_stack

.globl _secondary
_secondary:
        la      ra, secondary_main
        # fall through

# Give hart a0 its boot stack, keep the hart id in tp, and jump to ra.
setup_stack:
        li      t0, NCPU
        bgeu    a0, t0, park          # hart id too large for cpus[]
        mv      tp, a0
        la      sp, stack0
        li      t0, BOOT_STACK_SIZE
        addi    t1, a0, 1
        mul     t0, t0, t1
        add     sp, sp, t0
        jr      ra
park:
        wfi
        j       park

.section .bss
.balign 16
.globl stack0
stack0:
        .space  BOOT_STACK_SIZE * NCPU
