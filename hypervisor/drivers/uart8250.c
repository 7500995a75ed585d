#include "drivers/uart8250.h"

#define UART_RBR      0 /* receive buffer (read) */
#define UART_THR      0 /* transmit holding (write) */
#define UART_IER      1
#define UART_IER_RDI  0x01
#define UART_FCR      2
#define UART_LCR      3
#define UART_LSR      5
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart_base;
static unsigned uart_shift;

static inline volatile uint8_t *reg(unsigned r) { return uart_base + (r << uart_shift); }

void uart_init(uint64_t base, unsigned reg_shift)
{
	uart_base = (volatile uint8_t *)(uintptr_t)base;
	uart_shift = reg_shift;
	*reg(UART_FCR) = 0x07; /* enable and clear FIFOs */
	*reg(UART_LCR) = 0x03; /* 8N1 */
}

void uart_putc(char c)
{
	if (!uart_base)
		return;
	while (!(*reg(UART_LSR) & UART_LSR_THRE))
		;
	*reg(UART_THR) = (uint8_t)c;
}

int uart_getc(void)
{
	if (!uart_base || !(*reg(UART_LSR) & UART_LSR_DR))
		return -1;
	return *reg(UART_RBR);
}

void uart_enable_rx_irq(void)
{
	*reg(UART_IER) = UART_IER_RDI;
}
