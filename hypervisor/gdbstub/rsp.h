/*
 * The GDB remote serial protocol's framing ("Overview" and "Packets" in the
 * GDB manual, appendix E): `$payload#cc` with a two-digit hex checksum
 * (sum of the payload bytes mod 256), `+`/`-` acknowledgements, 0x03 for
 * an interrupt, and the escape byte 0x7d (next byte XOR 0x20) in binary
 * data.  Pure, portable C: no hypervisor state, so the host unit tests and
 * the libFuzzer target (tests/unit/fuzz_gdbstub.c) run it as it is.
 */
#ifndef GDBSTUB_RSP_H
#define GDBSTUB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest payload we accept (announced as PacketSize in qSupported). */
#define RSP_PACKET_MAX 4096

enum rsp_event {
	RSP_NONE,	  /* byte consumed, nothing complete yet */
	RSP_PACKET,	  /* rx->buf[0..len) holds a packet with a good checksum */
	RSP_BAD_CHECKSUM, /* a packet ended with the wrong checksum: answer '-' */
	RSP_OVERSIZE,	  /* a packet longer than RSP_PACKET_MAX ended: answer an error */
	RSP_INTERRUPT,	  /* 0x03 outside a packet: Ctrl-C */
};

struct rsp_rx {
	enum { RSP_RX_IDLE,
	       RSP_RX_DATA,
	       RSP_RX_SUM1,
	       RSP_RX_SUM2 } state;
	bool overflow;
	uint8_t sum;  /* running sum of the payload */
	uint8_t want; /* checksum digits received so far */
	size_t len;
	char buf[RSP_PACKET_MAX + 1]; /* payload, NUL-terminated for parsing */
};

void rsp_rx_reset(struct rsp_rx *rx);
enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t c);

/* Hex helpers.  rsp_hexval: 0-15, or -1 for a non-hex character. */
int rsp_hexval(char c);
/* Parse hex digits at *p (advancing it); false if there were none or too many. */
bool rsp_parse_hex(const char **p, uint64_t *out);
/* Encode/decode bytes as two hex digits each; decode returns false on a bad digit. */
void rsp_hex_encode(char *out, const uint8_t *in, size_t len);
bool rsp_hex_decode(uint8_t *out, const char *in, size_t len);
/* A little-endian value of `bytes` bytes as hex (as the 'g' and 'p' packets want). */
void rsp_hex_le(char *out, uint64_t v, unsigned bytes);
bool rsp_parse_hex_le(const char *in, unsigned bytes, uint64_t *out);

/* Undo 0x7d escapes of binary data in place; returns the decoded length, or -1. */
long rsp_unescape(char *buf, size_t len);

/*
 * Frame a payload as `$payload#cc` into out (size bytes), escaping '$', '#',
 * '}' and '*'.  Returns the frame length, or 0 if it does not fit.
 */
size_t rsp_frame(char *out, size_t size, const char *payload, size_t len);

#endif
