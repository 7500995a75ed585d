#include "console/decode.h"
#include "lib/printf.h"

#define BIT(v, n) ((unsigned)(((v) >> (n)) & 1))
#define FIELD(v, lo, width) (((v) >> (lo)) & ((1ULL << (width)) - 1))

static const char *const cause_names[24] = {
	"instruction address misaligned", "instruction access fault", "illegal instruction",
	"breakpoint", "load address misaligned", "load access fault",
	"store/AMO address misaligned", "store/AMO access fault",
	"environment call from U-mode or VU-mode", "environment call from HS-mode",
	"environment call from VS-mode", "environment call from M-mode",
	"instruction page fault", "load page fault", 0, "store/AMO page fault",
	0, 0, 0, 0,
	"instruction guest-page fault", "load guest-page fault", "virtual instruction",
	"store/AMO guest-page fault",
};

static const char *const cause_short[24] = {
	"misaligned-fetch", "fetch-access", "illegal-insn", "breakpoint", "misaligned-load",
	"load-access", "misaligned-store", "store-access", "ecall-u", "ecall-hs", "ecall-vs",
	"ecall-m", "fetch-page-fault", "load-page-fault", 0, "store-page-fault", 0, 0, 0, 0,
	"fetch-guest-page-fault", "load-guest-page-fault", "virtual-insn", "store-guest-page-fault",
};

static const char *const irq_names[16] = {
	0, "supervisor software interrupt", "virtual supervisor software interrupt",
	"machine software interrupt", 0, "supervisor timer interrupt",
	"virtual supervisor timer interrupt", "machine timer interrupt", 0,
	"supervisor external interrupt", "virtual supervisor external interrupt",
	"machine external interrupt", "supervisor guest external interrupt", 0, 0, 0,
};

const char *decode_irq_name(unsigned irq)
{
	return irq < 16 && irq_names[irq] ? irq_names[irq] : "reserved interrupt";
}

const char *decode_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~(1ULL << 63);

	if (scause >> 63)
		return decode_irq_name((unsigned)(code < 16 ? code : 0));
	return code < 24 && cause_names[code] ? cause_names[code] : "reserved exception";
}

const char *decode_cause_short(unsigned code)
{
	return code < 24 ? cause_short[code] : 0;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int decode_cause_by_name(const char *name, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = name;

	for (unsigned i = 0; i < 24; i++)
		if (cause_short[i] && str_eq(name, cause_short[i])) {
			*out = i;
			return 0;
		}
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 63)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v >= 64)
		return -1;
	*out = v;
	return 0;
}

void decode_pte_bits(uint64_t pte, char *buf, size_t size)
{
	snprintf(buf, size, "V=%u R=%u W=%u X=%u U=%u G=%u A=%u D=%u", BIT(pte, 0), BIT(pte, 1),
		 BIT(pte, 2), BIT(pte, 3), BIT(pte, 4), BIT(pte, 5), BIT(pte, 6), BIT(pte, 7));
}

static const char *atp_mode(uint64_t mode, int gstage)
{
	switch (mode) {
	case 0: return "Bare";
	case 8: return gstage ? "Sv39x4" : "Sv39";
	case 9: return gstage ? "Sv48x4" : "Sv48";
	case 10: return gstage ? "Sv57x4" : "Sv57";
	default: return "reserved";
	}
}

/* vsip/vsie: the guest's view, where its interrupts sit at the S-level bit positions. */
static int vs_irq_bits(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "SSIP=%u STIP=%u SEIP=%u", BIT(v, 1), BIT(v, 5), BIT(v, 9));
	return 0;
}

static int irq_bits(uint64_t v, char *buf, size_t size)
{
	static const char *const short_names[16] = {
		0, "SSIP", "VSSIP", "MSIP", 0, "STIP", "VSTIP", "MTIP", 0, "SEIP", "VSEIP", "MEIP", "SGEIP",
	};
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 16; i++)
		if (short_names[i] && n < size)
			n += snprintf(buf + n, size - n, "%s%s=%u", n ? " " : "", short_names[i], BIT(v, i));
	return 0;
}

static int deleg_bits(uint64_t v, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 24 && n < size; i++)
		if (BIT(v, i))
			n += snprintf(buf + n, size - n, "%s%u:%s", n ? " " : "", i, cause_short[i] ? cause_short[i] : "?");
	if (!n)
		snprintf(buf, size, "(none)");
	return 0;
}

int decode_csr_fields(const char *csr, uint64_t v, char *buf, size_t size)
{
	if (str_eq(csr, "hstatus"))
		snprintf(buf, size, "VSXL=%u VTSR=%u VTW=%u VTVM=%u VGEIN=%u HU=%u SPVP=%u SPV=%u GVA=%u VSBE=%u",
			 (unsigned)FIELD(v, 32, 2), BIT(v, 22), BIT(v, 21), BIT(v, 20), (unsigned)FIELD(v, 12, 6),
			 BIT(v, 9), BIT(v, 8), BIT(v, 7), BIT(v, 6), BIT(v, 5));
	else if (str_eq(csr, "henvcfg") || str_eq(csr, "menvcfg") || str_eq(csr, "senvcfg"))
		snprintf(buf, size, "STCE=%u PBMTE=%u ADUE=%u CBZE=%u CBCFE=%u CBIE=%u FIOM=%u",
			 BIT(v, 63), BIT(v, 62), BIT(v, 61), BIT(v, 7), BIT(v, 6), (unsigned)FIELD(v, 4, 2), BIT(v, 0));
	else if (str_eq(csr, "hgatp"))
		snprintf(buf, size, "MODE=%s VMID=%u PPN=0x%llx", atp_mode(FIELD(v, 60, 4), 1),
			 (unsigned)FIELD(v, 44, 14), (unsigned long long)FIELD(v, 0, 44));
	else if (str_eq(csr, "satp") || str_eq(csr, "vsatp"))
		snprintf(buf, size, "MODE=%s ASID=%u PPN=0x%llx", atp_mode(FIELD(v, 60, 4), 0),
			 (unsigned)FIELD(v, 44, 16), (unsigned long long)FIELD(v, 0, 44));
	else if (str_eq(csr, "sstatus") || str_eq(csr, "vsstatus"))
		snprintf(buf, size, "SD=%u UXL=%u MXR=%u SUM=%u FS=%u SPP=%u SPIE=%u SIE=%u",
			 BIT(v, 63), (unsigned)FIELD(v, 32, 2), BIT(v, 19), BIT(v, 18), (unsigned)FIELD(v, 13, 2),
			 BIT(v, 8), BIT(v, 5), BIT(v, 1));
	else if (str_eq(csr, "scause") || str_eq(csr, "vscause") || str_eq(csr, "mcause"))
		snprintf(buf, size, "%s %llu: %s", v >> 63 ? "interrupt" : "exception",
			 (unsigned long long)(v & ~(1ULL << 63)), decode_cause_name(v));
	else if (str_eq(csr, "stvec") || str_eq(csr, "vstvec"))
		snprintf(buf, size, "MODE=%s BASE=0x%llx", (v & 3) == 0 ? "Direct" : (v & 3) == 1 ? "Vectored" : "reserved",
			 (unsigned long long)(v & ~3ULL));
	else if (str_eq(csr, "hcounteren") || str_eq(csr, "scounteren"))
		snprintf(buf, size, "CY=%u TM=%u IR=%u HPM=0x%llx", BIT(v, 0), BIT(v, 1), BIT(v, 2),
			 (unsigned long long)FIELD(v, 3, 29));
	else if (str_eq(csr, "hedeleg") || str_eq(csr, "medeleg"))
		return deleg_bits(v, buf, size);
	else if (str_eq(csr, "vsip") || str_eq(csr, "vsie"))
		return vs_irq_bits(v, buf, size);
	else if (str_eq(csr, "hideleg") || str_eq(csr, "hvip") || str_eq(csr, "hip") || str_eq(csr, "hie") ||
		 str_eq(csr, "sip") || str_eq(csr, "sie") ||
		 str_eq(csr, "mideleg") || str_eq(csr, "mip") || str_eq(csr, "mie"))
		return irq_bits(v, buf, size);
	else
		return -1;
	return 0;
}
