#include "guest.h"

void uart_putc(char c)
{
	while (!(mmio_read8(UART_BASE + UART_LSR) & UART_LSR_THRE))
		;
	mmio_write8(UART_BASE + UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
	if (!(mmio_read8(UART_BASE + UART_LSR) & UART_LSR_DR))
		return -1;
	return mmio_read8(UART_BASE + UART_RBR);
}

void uart_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

void uart_enable_rx_irq(void)
{
	mmio_write8(UART_BASE + UART_IER, UART_IER_ERBFI);
}
