// ns16550a UART driver.  Output goes through a small ring drained by the
// transmit-ready interrupt; input arrives by receive interrupt and is handed
// to the console line discipline.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

#define REG(r) ((volatile uchar *)(UART0 + (r)))
#define RHR 0        // receive holding register
#define THR 0        // transmit holding register
#define IER 1        // interrupt enable
#define IER_RX     (1 << 0)
#define IER_TX     (1 << 1)
#define FCR 2        // FIFO control
#define FCR_ENABLE (1 << 0)
#define FCR_CLEAR  (3 << 1)
#define ISR 2        // interrupt status
#define LCR 3        // line control
#define LCR_8N1    3
#define LCR_DLAB   (1 << 7)   // divisor latch access
#define LSR 5        // line status
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE  (1 << 5)

#define rd(r)    (*REG(r))
#define wr(r, v) (*REG(r) = (v))

static struct spinlock uart_tx_lock;
#define UART_TX_BUF_SIZE 32
static char uart_tx_buf[UART_TX_BUF_SIZE];
static uint64 uart_tx_w;   // next slot to write: uart_tx_buf[uart_tx_w % SIZE]
static uint64 uart_tx_r;   // next slot to send

static void uartstart(void);

void
uartinit(void)
{
  wr(IER, 0);
  wr(LCR, LCR_DLAB);
  wr(0, 3);           // divisor 3: 38400 baud (ignored by QEMU)
  wr(1, 0);
  wr(LCR, LCR_8N1);
  wr(FCR, FCR_ENABLE | FCR_CLEAR);
  wr(IER, IER_TX | IER_RX);
  initlock(&uart_tx_lock, "uart");
}

// Queue a character, sleeping while the ring is full.  Not for interrupt
// context: use uartputc_sync() there.
void
uartputc(int c)
{
  acquire(&uart_tx_lock);
  if(panicked)
    for(;;)
      ;
  while(uart_tx_w == uart_tx_r + UART_TX_BUF_SIZE)
    sleep(&uart_tx_r, &uart_tx_lock);
  uart_tx_buf[uart_tx_w++ % UART_TX_BUF_SIZE] = c;
  uartstart();
  release(&uart_tx_lock);
}

// Polling output for kernel printf and echo: never sleeps.
void
uartputc_sync(int c)
{
  push_off();
  if(panicked)
    for(;;)
      ;
  while((rd(LSR) & LSR_TX_IDLE) == 0)
    ;
  wr(THR, c);
  pop_off();
}

// Send queued characters while the transmitter has room.  Caller holds
// uart_tx_lock.
static void
uartstart(void)
{
  while(uart_tx_w != uart_tx_r){
    if((rd(LSR) & LSR_TX_IDLE) == 0)
      return;   // the transmit interrupt will call us again
    int c = uart_tx_buf[uart_tx_r++ % UART_TX_BUF_SIZE];
    wakeup(&uart_tx_r);
    wr(THR, c);
  }
}

int
uartgetc(void)
{
  if(rd(LSR) & LSR_RX_READY)
    return rd(RHR);
  return -1;
}

void
uartintr(void)
{
  (void)rd(ISR);   // acknowledge
  for(int c; (c = uartgetc()) >= 0; )
    consoleintr(c);
  acquire(&uart_tx_lock);
  uartstart();
  release(&uart_tx_lock);
}
