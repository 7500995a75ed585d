/* Argument parsing for console commands; every failure prints one error line naming the token. */
#include "console/cmd.h"

static int digit_value(char c, unsigned base)
{
	unsigned d;

	if (c >= '0' && c <= '9')
		d = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		d = (unsigned)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		d = (unsigned)(c - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/* Decimal or 0x hex into *out; false on anything else or on overflow. */
static bool parse_number(const char *s, uint64_t *out, bool *overflow)
{
	unsigned base = 10;
	uint64_t v = 0;

	*overflow = false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = digit_value(*s, base);
		if (d < 0)
			return false;
		if (v > (UINT64_MAX - (unsigned)d) / base) {
			*overflow = true;
			return false;
		}
		v = v * base + (unsigned)d;
	}
	*out = v;
	return true;
}

int console_parse_u64(const char *tok, uint64_t *out)
{
	bool overflow;

	if (parse_number(tok, out, &overflow))
		return 0;
	if (overflow)
		console_error("number '%s' does not fit in 64 bits", tok);
	else
		console_error("bad number '%s' (decimal, or hex with 0x)", tok);
	return -1;
}

bool console_is_vm_token(const char *tok)
{
	return tok[0] >= '0' && tok[0] <= '9';
}

static int check_vm(const char *tok, uint64_t id, int *vm)
{
	struct console_vm_info vi;

	if (id == 0 || id > (uint64_t)con->vm_count() || !con->vm_info((int)id, &vi)) {
		console_error("no VM '%s' (vms lists them)", tok);
		return -1;
	}
	*vm = (int)id;
	return 0;
}

int console_parse_vm(const char *tok, int *vm)
{
	uint64_t id;
	bool overflow;

	if (!parse_number(tok, &id, &overflow)) {
		console_error("bad VM number '%s' (vms lists them)", tok);
		return -1;
	}
	return check_vm(tok, id, vm);
}

int console_parse_vcpu(const char *tok, int *vm, unsigned *vcpu)
{
	char num[24];
	const char *dot = tok;
	unsigned n = 0;
	uint64_t id, v = 0;
	bool overflow;
	struct console_vm_info vi;

	while (*dot && *dot != '.')
		dot++;
	for (const char *p = tok; p < dot && n + 1 < sizeof(num); p++)
		num[n++] = *p;
	num[n] = '\0';
	if ((size_t)(dot - tok) >= sizeof(num) || !parse_number(num, &id, &overflow) ||
	    (*dot && !parse_number(dot + 1, &v, &overflow))) {
		console_error("bad VM or vCPU '%s' (N or N.V)", tok);
		return -1;
	}
	if (check_vm(tok, id, vm))
		return -1;
	con->vm_info(*vm, &vi);
	if (v >= vi.vcpus) {
		console_error("vm%d has no vCPU %lu (it has %u)", *vm, (unsigned long)v, vi.vcpus);
		return -1;
	}
	*vcpu = (unsigned)v;
	return 0;
}

int console_parse_onoff(const char *tok, bool *on)
{
	if (console_str_eq(tok, "on"))
		*on = true;
	else if (console_str_eq(tok, "off"))
		*on = false;
	else {
		console_error("expected on or off, not '%s'", tok);
		return -1;
	}
	return 0;
}
