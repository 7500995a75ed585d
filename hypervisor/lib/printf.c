#include <stdint.h>
#include <stdbool.h>
#include "printf.h"

struct fmt_spec {
	bool left, zero, is_long;
	int width;
};

static int emit_padded(putc_fn out, void *ctx, const char *s, int len, const struct fmt_spec *sp)
{
	int n = 0;
	char pad = sp->zero && !sp->left ? '0' : ' ';

	/* Zero padding goes after a sign. */
	if (pad == '0' && len > 0 && s[0] == '-') {
		out(ctx, '-');
		s++, len--, n++;
	}
	if (!sp->left)
		for (; n + len < sp->width; n++)
			out(ctx, pad);
	for (int i = 0; i < len; i++, n++)
		out(ctx, s[i]);
	for (; n < sp->width; n++)
		out(ctx, ' ');
	return n;
}

static int format_number(char *buf, uint64_t v, unsigned base, bool negative)
{
	char tmp[24];
	int len = 0, n = 0;

	do {
		tmp[len++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		buf[n++] = '-';
	while (len)
		buf[n++] = tmp[--len];
	return n;
}

int vcbprintf(putc_fn out, void *ctx, const char *fmt, va_list ap)
{
	int total = 0;
	char num[32];

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out(ctx, *fmt);
			total++;
			continue;
		}
		struct fmt_spec sp = { 0 };
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			sp.is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = sp.is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			total += emit_padded(out, ctx, num, format_number(num, mag, 10, v < 0), &sp);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = sp.is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			total += emit_padded(out, ctx, num, format_number(num, v, *fmt == 'u' ? 10 : 16, false), &sp);
			break;
		}
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			num[0] = '0', num[1] = 'x';
			total += emit_padded(out, ctx, num, 2 + format_number(num + 2, v, 16, false), &sp);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;
			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			total += emit_padded(out, ctx, s, len, &sp);
			break;
		}
		case 'c':
			num[0] = (char)va_arg(ap, int);
			total += emit_padded(out, ctx, num, 1, &sp);
			break;
		case '%':
			out(ctx, '%');
			total++;
			break;
		case '\0':
			return total;
		default:
			out(ctx, '%');
			out(ctx, *fmt);
			total += 2;
			break;
		}
	}
	return total;
}

struct buf_sink {
	char *buf;
	size_t size, len;
};

static void buf_putc(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = vcbprintf(buf_putc, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
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
