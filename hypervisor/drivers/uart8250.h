/* The host's ns16550a UART, owned by the hypervisor (address from the device tree). */
#ifndef DRIVERS_UART8250_H
#define DRIVERS_UART8250_H

#include <stdint.h>

void uart_init(uint64_t base, unsigned reg_shift);
void uart_putc(char c);
int uart_getc(void); /* -1 when no byte is waiting */
void uart_enable_rx_irq(void);

#endif
