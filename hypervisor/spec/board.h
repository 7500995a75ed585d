/*
 * The only board constants in hvscope.  Everything about the *host* machine is
 * discovered from the device tree OpenSBI passes in a1; the constants here are
 * the *guest* side of the VM contract: each VM is a miniature QEMU `virt`
 * board, so it sees the addresses QEMU's hw/riscv/virt.c uses (memmap
 * virt_memmap[]: VIRT_PLIC, VIRT_UART0, VIRT_VIRTIO, VIRT_DRAM and the IRQ
 * numbers UART0_IRQ = 10, VIRTIO_IRQ = 1..8).
 */
#ifndef BOARD_H
#define BOARD_H

#define HV_MAX_HARTS	       64 /* physical harts hvscope will use (hart IDs 0..63) */
#define HV_STACK_SIZE	       (16 * 1024)

#define VM_MAX		       32 /* VMs in one run (console: Ctrl-T 1..9, Ctrl-T v NN) */
#define VM_MAX_VCPUS	       8

#define VM_RAM_BASE	       0x80000000UL
#define VM_UART_BASE	       0x10000000UL
#define VM_UART_SIZE	       0x100UL
#define VM_UART_IRQ	       10
#define VM_PLIC_BASE	       0x0c000000UL
#define VM_PLIC_SIZE	       0x600000UL /* QEMU virt: VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2) */
#define VM_PLIC_NDEV	       95	  /* QEMU virt: VIRT_IRQCHIP_NUM_SOURCES - 1 */
#define VM_VIRTIO_BASE	       0x10001000UL
#define VM_VIRTIO_STRIDE       0x1000UL
#define VM_VIRTIO_SLOTS	       8
#define VM_VIRTIO_IRQ(n)       (1 + (n))
#define VM_UART_CLOCK	       0x384000 /* QEMU's ns16550a clock-frequency */

/* Where a VM's device tree goes: the last 2 MiB of its RAM, as QEMU does. */
#define VM_FDT_OFFSET_FROM_END (2UL << 20)
#define VM_FDT_MAX	       (64 * 1024)

#endif
