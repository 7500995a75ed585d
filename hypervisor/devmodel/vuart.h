/*
 * Emulated ns16550a, one per VM.  Transmission is instant (bytes go to the
 * console multiplexer), so THR is always empty; received bytes come from the
 * multiplexer into a 64-byte FIFO.  The interrupt line (IRQ 10 on the VM's
 * PLIC) follows IER and the FIFO/THRE state.  Loopback (MCR bit 4) sends
 * transmitted bytes to the receive FIFO and mirrors MCR in MSR, as 16550
 * drivers probe for and QEMU's model does (tests/system/test_devprobe.py).
 */
#ifndef DEVMODEL_VUART_H
#define DEVMODEL_VUART_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/spinlock.h"

#define VUART_FIFO 64

struct vuart {
	spinlock_t lock; /* guards everything below */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* THR-empty interrupt waiting to be seen in IIR */
	uint8_t rx[VUART_FIFO];
	unsigned rx_head, rx_count;
};

void vuart_init(struct vuart *u);
/* The return value of these is the new level of the interrupt line. */
bool vuart_read(struct vuart *u, uint64_t offset, uint64_t *value, int *tx_char);
bool vuart_write(struct vuart *u, uint64_t offset, uint64_t value, int *tx_char);
bool vuart_receive(struct vuart *u, uint8_t c); /* false in *accepted if full */
bool vuart_irq_level(struct vuart *u);
unsigned vuart_rx_space(struct vuart *u);

#endif
