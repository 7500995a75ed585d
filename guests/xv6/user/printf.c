// User-space printf: %d %u %x %p %s %c %l{d,u,x}, buffered per call.
#include <stdarg.h>
#include "kernel/types.h"
#include "user/user.h"

struct out {
  int fd;
  int n;
  char buf[128];
};

static void
emit(struct out *o, char c)
{
  o->buf[o->n++] = c;
  if(o->n == sizeof(o->buf)){
    write(o->fd, o->buf, o->n);
    o->n = 0;
  }
}

static void
printnum(struct out *o, uint64 x, int base, int neg)
{
  static const char digits[] = "0123456789abcdef";
  char buf[24];
  int i = 0;
  do {
    buf[i++] = digits[x % base];
  } while((x /= base) != 0);
  if(neg)
    emit(o, '-');
  while(--i >= 0)
    emit(o, buf[i]);
}

static void
vprintf(int fd, const char *fmt, va_list ap)
{
  struct out o = { .fd = fd, .n = 0 };
  for(int i = 0; fmt[i]; i++){
    char c = fmt[i];
    if(c != '%'){
      emit(&o, c);
      continue;
    }
    c = fmt[++i];
    int lng = 0;
    if(c == 'l'){
      lng = 1;
      c = fmt[++i];
    }
    if(c == 'd'){
      long v = lng ? va_arg(ap, long) : va_arg(ap, int);
      printnum(&o, v < 0 ? -(uint64)v : (uint64)v, 10, v < 0);
    } else if(c == 'u'){
      printnum(&o, lng ? va_arg(ap, uint64) : va_arg(ap, uint), 10, 0);
    } else if(c == 'x'){
      printnum(&o, lng ? va_arg(ap, uint64) : va_arg(ap, uint), 16, 0);
    } else if(c == 'p'){
      emit(&o, '0');
      emit(&o, 'x');
      printnum(&o, va_arg(ap, uint64), 16, 0);
    } else if(c == 's'){
      const char *s = va_arg(ap, const char *);
      for(s = s ? s : "(null)"; *s; s++)
        emit(&o, *s);
    } else if(c == 'c'){
      emit(&o, va_arg(ap, int));
    } else if(c == 0){
      break;
    } else {
      if(c != '%')
        emit(&o, '%');
      emit(&o, c);
    }
  }
  if(o.n)
    write(fd, o.buf, o.n);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(fd, fmt, ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(1, fmt, ap);
  va_end(ap);
}
