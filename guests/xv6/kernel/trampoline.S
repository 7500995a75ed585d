# The trampoline page, mapped at TRAMPOLINE in every address space (user and
# kernel), so the code keeps running while satp switches between them.
# User traps arrive at uservec (stvec points here while in user mode);
# usertrapret() jumps to userret to go back.
#include "riscv.h"
#include "memlayout.h"
#include "trapframe.h"

.section trampsec
.globl uservec
.balign 4
uservec:
        # Still on the user page table.  Free a0 to point at the trapframe.
        csrw    sscratch, a0
        li      a0, TRAPFRAME
        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd      x\n, TF_X(\n)(a0)
        .endr
        csrr    t0, sscratch
        sd      t0, TF_X(10)(a0)

        # Load the kernel's stack, hart id, trap handler and page table.
        ld      sp, TF_KERNEL_SP(a0)
        ld      tp, TF_KERNEL_HARTID(a0)
        ld      t0, TF_KERNEL_TRAP(a0)
        ld      t1, TF_KERNEL_SATP(a0)
        sfence.vma zero, zero      # user accesses must complete under the user table
        csrw    satp, t1
        sfence.vma zero, zero
        jr      t0                 # usertrap(); never returns here

.globl userret
userret:
        # a0 = satp value for the user page table.
        sfence.vma zero, zero
        csrw    satp, a0
        sfence.vma zero, zero
        li      a0, TRAPFRAME
        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld      x\n, TF_X(\n)(a0)
        .endr
        ld      a0, TF_X(10)(a0)
        sret                        # to sepc, in user mode (sstatus.SPP = 0)
