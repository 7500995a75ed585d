/* GDB remote protocol framing: see rsp.h. */
#include "gdbstub/rsp.h"

#define RSP_ESCAPE 0x7d

void rsp_rx_reset(struct rsp_rx *rx)
{
	rx->state = RSP_RX_IDLE;
	rx->overflow = false;
	rx->sum = 0;
	rx->want = 0;
	rx->len = 0;
	rx->buf[0] = '\0';
}

int rsp_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One byte from the debugger.  A '$' always starts a new packet (gdb resends
 * a whole packet after a '-'), so a truncated packet never swallows the next.
 */
enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t c)
{
	int v;

	if (c == '$') {
		rsp_rx_reset(rx);
		rx->state = RSP_RX_DATA;
		return RSP_NONE;
	}
	switch (rx->state) {
	case RSP_RX_IDLE:
		/* '+' and '-' acknowledge our replies; we never retransmit. */
		return c == 0x03 ? RSP_INTERRUPT : RSP_NONE;
	case RSP_RX_DATA:
		if (c == '#') {
			rx->state = RSP_RX_SUM1;
			return RSP_NONE;
		}
		rx->sum = (uint8_t)(rx->sum + c);
		if (rx->len < RSP_PACKET_MAX)
			rx->buf[rx->len++] = (char)c;
		else
			rx->overflow = true;
		return RSP_NONE;
	case RSP_RX_SUM1:
		v = rsp_hexval((char)c);
		rx->want = (uint8_t)(v < 0 ? 0 : v << 4);
		rx->state = v < 0 ? RSP_RX_IDLE : RSP_RX_SUM2;
		return v < 0 ? RSP_BAD_CHECKSUM : RSP_NONE;
	case RSP_RX_SUM2:
		v = rsp_hexval((char)c);
		rx->state = RSP_RX_IDLE;
		rx->buf[rx->len] = '\0';
		if (v < 0 || (uint8_t)(rx->want | v) != rx->sum)
			return RSP_BAD_CHECKSUM;
		return rx->overflow ? RSP_OVERSIZE : RSP_PACKET;
	}
	return RSP_NONE;
}

bool rsp_parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned n = 0;
	int d;

	while ((d = rsp_hexval(*s)) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | (uint64_t)d;
		s++;
	}
	if (!n)
		return false;
	*p = s;
	*out = v;
	return true;
}

static const char hexdigits[] = "0123456789abcdef";

void rsp_hex_encode(char *out, const uint8_t *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

bool rsp_hex_decode(uint8_t *out, const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = rsp_hexval(in[2 * i]), lo = hi < 0 ? -1 : rsp_hexval(in[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void rsp_hex_le(char *out, uint64_t v, unsigned bytes)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bytes && i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rsp_hex_encode(out, b, bytes > 8 ? 8 : bytes);
}

bool rsp_parse_hex_le(const char *in, unsigned bytes, uint64_t *out)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (bytes > 8 || !rsp_hex_decode(b, in, bytes))
		return false;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*out = v;
	return true;
}

long rsp_unescape(char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if ((uint8_t)buf[i] == RSP_ESCAPE) {
			if (++i == len)
				return -1;
			buf[o++] = (char)(buf[i] ^ 0x20);
		} else {
			buf[o++] = buf[i];
		}
	}
	return (long)o;
}

size_t rsp_frame(char *out, size_t size, const char *payload, size_t len)
{
	size_t o = 0;
	uint8_t sum = 0;

	if (size < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)payload[i];
		bool esc = c == '$' || c == '#' || c == RSP_ESCAPE || c == '*';
		if (o + (esc ? 2 : 1) + 3 > size)
			return 0;
		if (esc) {
			out[o++] = (char)RSP_ESCAPE;
			sum = (uint8_t)(sum + RSP_ESCAPE);
			c ^= 0x20;
		}
		out[o++] = (char)c;
		sum = (uint8_t)(sum + c);
	}
	out[o++] = '#';
	out[o++] = hexdigits[sum >> 4];
	out[o++] = hexdigits[sum & 15];
	if (o < size)
		out[o] = '\0';
	return o;
}
