#include "devmodel/vuart.h"
#include "lib/string.h"

enum { RBR_THR_DLL = 0,
       IER_DLM = 1,
       IIR_FCR = 2,
       LCR = 3,
       MCR = 4,
       LSR = 5,
       MSR = 6,
       SCR = 7 };

#define LCR_DLAB 0x80
#define IER_RDA	 0x01
#define IER_THRE 0x02
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA	 0x04
#define IIR_FIFO 0xc0
#define FCR_FE	 0x01 /* FIFO enable */
#define FCR_RFR	 0x02 /* receive FIFO reset */
#define MCR_MASK 0x1f
#define MCR_LOOP 0x10
#define MSR_IDLE 0xb0 /* CTS, DSR, DCD asserted */
#define LSR_DR	 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

void vuart_init(struct vuart *u)
{
	memset(u, 0, sizeof(*u));
	u->lcr = 0x03;
}

static bool level(const struct vuart *u)
{
	return ((u->ier & IER_RDA) && u->rx_count) || ((u->ier & IER_THRE) && u->thre_pending);
}

bool vuart_irq_level(struct vuart *u)
{
	bool l;

	spin_lock(&u->lock);
	l = level(u);
	spin_unlock(&u->lock);
	return l;
}

static uint8_t iir(struct vuart *u)
{
	uint8_t fifo = (u->fcr & 1) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDA) && u->rx_count)
		return IIR_RDA | fifo;
	if ((u->ier & IER_THRE) && u->thre_pending) {
		u->thre_pending = false; /* reading IIR clears a THRE interrupt */
		return IIR_THRE | fifo;
	}
	return IIR_NONE | fifo;
}

/*
 * Modem status: in loopback the outputs come back as inputs (RTS->CTS,
 * DTR->DSR, OUT1->RI, OUT2->DCD), as 16550 drivers test and QEMU models.
 */
static uint8_t msr(const struct vuart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_IDLE;
	return (uint8_t)((u->mcr & 0x0c) << 4 | (u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5);
}

static void rx_push(struct vuart *u, uint8_t c)
{
	if (u->rx_count < VUART_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = c;
		u->rx_count++;
	}
}

bool vuart_read(struct vuart *u, uint64_t off, uint64_t *value, int *tx_char)
{
	uint8_t v = 0;
	bool l;

	*tx_char = -1;
	spin_lock(&u->lock);
	switch (off) {
	case RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
		} else if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VUART_FIFO;
			u->rx_count--;
		}
		break;
	case IER_DLM: v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
	case IIR_FCR: v = iir(u); break;
	case LCR: v = u->lcr; break;
	case MCR: v = u->mcr; break;
	case LSR: v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0); break;
	case MSR: v = msr(u); break;
	case SCR: v = u->scr; break;
	default: break;
	}
	*value = v;
	l = level(u);
	spin_unlock(&u->lock);
	return l;
}

bool vuart_write(struct vuart *u, uint64_t off, uint64_t value, int *tx_char)
{
	uint8_t v = (uint8_t)value;
	bool l;

	*tx_char = -1;
	spin_lock(&u->lock);
	switch (off) {
	case RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			if (u->mcr & MCR_LOOP)
				rx_push(u, v); /* loopback: received, never sent */
			else
				*tx_char = v;
			u->thre_pending = true; /* sent at once: THR empty again */
		}
		break;
	case IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			if (!(u->ier & IER_THRE) && (v & IER_THRE))
				u->thre_pending = true;
			u->ier = v & 0x0f;
		}
		break;
	case IIR_FCR:
		/* Turning the FIFOs on or off empties them, as on the 16550. */
		if ((v ^ u->fcr) & FCR_FE)
			v |= FCR_RFR;
		u->fcr = v;
		if (v & FCR_RFR) { /* clear the receive FIFO */
			u->rx_head = 0;
			u->rx_count = 0;
		}
		break;
	case LCR: u->lcr = v; break;
	case MCR: u->mcr = v & MCR_MASK; break;
	case SCR: u->scr = v; break;
	default: break; /* LSR/MSR writes are ignored */
	}
	l = level(u);
	spin_unlock(&u->lock);
	return l;
}

bool vuart_receive(struct vuart *u, uint8_t c)
{
	bool ok;

	spin_lock(&u->lock);
	ok = u->rx_count < VUART_FIFO;
	rx_push(u, c);
	spin_unlock(&u->lock);
	return ok;
}

unsigned vuart_rx_space(struct vuart *u)
{
	return VUART_FIFO - u->rx_count;
}
