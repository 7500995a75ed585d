#include "guest.h"

/* Where formatted characters go: the UART or a buffer. */
struct out {
	char *buf; /* NULL: UART */
	size_t size;
	size_t len;
};

static spinlock_t printf_lock;

static void out_char(struct out *o, char c)
{
	if (!o->buf) {
		if (c == '\n')
			uart_putc('\r');
		uart_putc(c);
	} else if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void out_number(struct out *o, unsigned long long v, unsigned base, int upper,
		       int negative, int width, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		width--;
	if (negative && pad == '0')
		out_char(o, '-');
	for (; width > n; width--)
		out_char(o, pad);
	if (negative && pad != '0')
		out_char(o, '-');
	while (n)
		out_char(o, tmp[--n]);
}

/* Reads a signed or unsigned argument of the given length modifier (0, 1 = l, 2 = ll). */
static unsigned long long arg_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static long long arg_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void out_conversion(struct out *o, char conv, int lng, int width, char pad,
			   va_list *ap)
{
	long long s;
	const char *str;

	switch (conv) {
	case 'd':
	case 'i':
		s = arg_signed(ap, lng);
		out_number(o, s < 0 ? -(unsigned long long)s : (unsigned long long)s,
			   10, 0, s < 0, width, pad);
		break;
	case 'u':
		out_number(o, arg_unsigned(ap, lng), 10, 0, 0, width, pad);
		break;
	case 'x':
	case 'X':
		out_number(o, arg_unsigned(ap, lng), 16, conv == 'X', 0, width, pad);
		break;
	case 'p':
		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (uintptr_t)va_arg(*ap, void *), 16, 0, 0, width, pad);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		str = str ? str : "(null)";
		for (width -= (int)strlen(str); width > 0; width--)
			out_char(o, ' ');
		while (*str)
			out_char(o, *str++);
		break;
	case 'c':
		out_char(o, (char)va_arg(*ap, int));
		break;
	default:
		out_char(o, '%');
		out_char(o, conv);
		break;
	}
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		int lng = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out_char(o, *fmt);
			continue;
		}
		if (*++fmt == '%') {
			out_char(o, '%');
			continue;
		}
		if (*fmt == '0')
			pad = '0';
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			lng++;
		if (!*fmt)
			break;
		out_conversion(o, *fmt, lng, width, pad, &aq);
	}
	va_end(aq);
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o = { 0 };
	unsigned long flags = spin_lock_irqsave(&printf_lock);

	format(&o, fmt, ap);
	spin_unlock_irqrestore(&printf_lock, flags);
	return (int)o.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };

	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
