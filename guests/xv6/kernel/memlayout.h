// Physical and virtual memory layout (QEMU virt board / hvscope VM contract).
//
// Physical:  0x0c000000 PLIC, 0x10000000 UART, 0x10001000 virtio-mmio slot 0,
//            0x80000000 RAM; the SBI firmware sits at the bottom of RAM and this
//            kernel is loaded at LOADADDR.  The end of RAM comes from the device tree.
// Kernel virtual: the devices and [LOADADDR, phys_top) mapped one-to-one,
//            plus the trampoline and per-process kernel stacks at the top.
// User virtual: text, data, guard page, stack, heap growing up from there,
//            ..., TRAPFRAME, TRAMPOLINE at the top.
#ifndef XV6_MEMLAYOUT_H
#define XV6_MEMLAYOUT_H

#define UART0       0x10000000L
#define UART0_IRQ   10

#define VIRTIO0     0x10001000L
#define VIRTIO0_IRQ 1

#define PLIC                 0x0c000000L
#define PLIC_SIZE            0x400000L
#define PLIC_PRIORITY(irq)   (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart)   (PLIC + 0x2000 + 0x80 * (2 * (hart) + 1))
#define PLIC_STHRESHOLD(hart) (PLIC + 0x200000 + 0x1000 * (2 * (hart) + 1))
#define PLIC_SCLAIM(hart)    (PLIC_STHRESHOLD(hart) + 4)

#define KERNBASE    0x80000000L

// Mapped at the top of every address space, user and kernel alike, so that
// the trap path survives the satp switch.
#define TRAMPOLINE  (MAXVA - PGSIZE)
// Kernel stack of process p, each with an unmapped guard page below it.
#define KSTACK(p)   (TRAMPOLINE - ((p) + 1) * 2 * PGSIZE)
// The user-mapped page where uservec saves user registers.
#define TRAPFRAME   (TRAMPOLINE - PGSIZE)

#endif
