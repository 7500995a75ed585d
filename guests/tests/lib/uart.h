/* ns16550a UART of the VM contract (QEMU virt layout, byte registers). */
#ifndef GT_UART_H
#define GT_UART_H

#define UART_BASE      0x10000000UL
#define UART_IRQ       10

#define UART_RBR       0 /* receive buffer (read) */
#define UART_THR       0 /* transmit holding (write) */
#define UART_IER       1 /* interrupt enable */
#define UART_LSR       5 /* line status */

#define UART_IER_ERBFI 0x01 /* received data available interrupt */
#define UART_LSR_DR    0x01 /* data ready */
#define UART_LSR_THRE  0x20 /* transmit holding register empty */

void uart_putc(char c);
/* Returns the next received byte, or -1 when none is waiting. */
int uart_getc(void);
/* Writes s, turning each "\n" into "\r\n". */
void uart_puts(const char *s);
void uart_enable_rx_irq(void);

#endif
