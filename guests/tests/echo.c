/*
 * echo: interrupt-driven UART input through the PLIC.
 *   echo: ready
 *   <each received character echoed>
 *   on CR: "\r\necho: line <text>\r\n"
 */
#include "guest.h"

const char guest_name[] = "echo";

#define LINE_MAX 128

static char line[LINE_MAX];
static unsigned line_len;
static unsigned plic_ctx;

static void echo_char(int c)
{
	if (c == '\r') {
		line[line_len] = '\0';
		printf("\necho: line %s\n", line);
		line_len = 0;
	} else if (c != '\n') {
		printf("%c", c);
		if (line_len < LINE_MAX - 1)
			line[line_len++] = (char)c;
	}
}

static int echo_trap(struct trap_frame *tf)
{
	unsigned irq;
	int c;

	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_EXT))
		return 0;
	while ((irq = plic_claim(plic_ctx)) != 0) {
		if (irq == UART_IRQ)
			while ((c = uart_getc()) >= 0)
				echo_char(c);
		plic_complete(plic_ctx, irq);
	}
	return 1;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	(void)dtb;
	plic_ctx = plic_s_context(hartid);
	trap_set_hook(echo_trap);
	while (uart_getc() >= 0)
		;
	plic_set_priority(UART_IRQ, 1);
	plic_enable(plic_ctx, UART_IRQ);
	plic_set_threshold(plic_ctx, 0);
	uart_enable_rx_irq();
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	printf("echo: ready\n");
}
