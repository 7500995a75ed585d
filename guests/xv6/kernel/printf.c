// Kernel printf: %d %u %x %p %s %c and %l{d,u,x}, straight to the UART.
#include <stdarg.h>
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "riscv.h"
#include "proc.h"
#include "defs.h"

volatile int panicked = 0;

static struct {
  struct spinlock lock;
  int locking;   // off while panicking so a hart can print with the lock held
} pr;

static const char digits[] = "0123456789abcdef";

static void
printnum(uint64 x, int base, int neg)
{
  char buf[24];
  int i = 0;
  do {
    buf[i++] = digits[x % base];
  } while((x /= base) != 0);
  if(neg)
    buf[i++] = '-';
  while(--i >= 0)
    consputc(buf[i]);
}

static void
printsigned(long v)
{
  if(v < 0)
    printnum(-(uint64)v, 10, 1);
  else
    printnum(v, 10, 0);
}

int
printf(const char *fmt, ...)
{
  va_list ap;
  int locking = pr.locking;
  if(locking)
    acquire(&pr.lock);

  va_start(ap, fmt);
  for(int i = 0; fmt[i]; i++){
    char c = fmt[i];
    if(c != '%'){
      consputc(c);
      continue;
    }
    c = fmt[++i];
    int lng = 0;
    if(c == 'l'){
      lng = 1;
      c = fmt[++i];
    }
    switch(c){
    case 'd':
      printsigned(lng ? va_arg(ap, long) : va_arg(ap, int));
      break;
    case 'u':
      printnum(lng ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      printnum(lng ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
      break;
    case 'p':
      consputc('0');
      consputc('x');
      uint64 p = va_arg(ap, uint64);
      for(int k = 60; k >= 0; k -= 4)
        consputc(digits[(p >> k) & 0xf]);
      break;
    case 'c':
      consputc(va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      for(s = s ? s : "(null)"; *s; s++)
        consputc(*s);
      break;
    }
    case 0:
      i--;
      break;
    case '%':
      consputc('%');
      break;
    default:
      consputc('%');
      consputc(c);
      break;
    }
  }
  va_end(ap);

  if(locking)
    release(&pr.lock);
  return 0;
}

void
panic(const char *s)
{
  pr.locking = 0;
  printf("panic: %s\n", s);
  panicked = 1;   // freezes the UART output of other harts
  for(;;)
    ;
}

void
printfinit(void)
{
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
