// Trapframe layout, shared by trampoline.S and proc.h.
//
// The first five slots are written by the kernel before returning to user
// space and read by uservec; after them come x1..x31 in register order, so
// register xN lives at TF_X(N).  proc.c _Static_asserts the C struct against it.
#ifndef XV6_TRAPFRAME_H
#define XV6_TRAPFRAME_H

#define TF_KERNEL_SATP    0
#define TF_KERNEL_SP      8
#define TF_KERNEL_TRAP   16
#define TF_EPC           24
#define TF_KERNEL_HARTID 32
#define TF_X(n)          (32 + 8 * (n))
#define TF_SIZE          TF_X(32)

#endif
