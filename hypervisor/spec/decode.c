#include "spec/decode.h"
#include "spec/env.h"
#include "spec/trace_record.h"
#include "spec/board.h"

#define BIT(v, n)	    ((unsigned)(((v) >> (n)) & 1))
#define FIELD(v, lo, width) (((v) >> (lo)) & ((1ULL << (width)) - 1))

static const char *const cause_names[24] = {
	"instruction address misaligned",
	"instruction access fault",
	"illegal instruction",
	"breakpoint",
	"load address misaligned",
	"load access fault",
	"store/AMO address misaligned",
	"store/AMO access fault",
	"environment call from U-mode or VU-mode",
	"environment call from HS-mode",
	"environment call from VS-mode",
	"environment call from M-mode",
	"instruction page fault",
	"load page fault",
	0,
	"store/AMO page fault",
	0,
	0,
	0,
	0,
	"instruction guest-page fault",
	"load guest-page fault",
	"virtual instruction",
	"store/AMO guest-page fault",
};

static const char *const cause_short[24] = {
	"misaligned-fetch",
	"fetch-access",
	"illegal-insn",
	"breakpoint",
	"misaligned-load",
	"load-access",
	"misaligned-store",
	"store-access",
	"ecall-u",
	"ecall-hs",
	"ecall-vs",
	"ecall-m",
	"fetch-page-fault",
	"load-page-fault",
	0,
	"store-page-fault",
	0,
	0,
	0,
	0,
	"fetch-guest-page-fault",
	"load-guest-page-fault",
	"virtual-insn",
	"store-guest-page-fault",
};

static const char *const irq_names[16] = {
	0,
	"supervisor software interrupt",
	"virtual supervisor software interrupt",
	"machine software interrupt",
	0,
	"supervisor timer interrupt",
	"virtual supervisor timer interrupt",
	"machine timer interrupt",
	0,
	"supervisor external interrupt",
	"virtual supervisor external interrupt",
	"machine external interrupt",
	"supervisor guest external interrupt",
	0,
	0,
	0,
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
		0,
		"SSIP",
		"VSSIP",
		"MSIP",
		0,
		"STIP",
		"VSTIP",
		"MTIP",
		0,
		"SEIP",
		"VSEIP",
		"MEIP",
		"SGEIP",
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
		snprintf(buf, size, "MODE=%s BASE=0x%llx", (v & 3) == 0 ? "Direct" : (v & 3) == 1 ? "Vectored" :
												    "reserved",
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

/*
 * Trace payloads (hypervisor/trace/trace.h), one spelling for the console,
 * the post-mortem report and gdbscripts/hvgdb/trace.py.  SBI names are the
 * SBI specification's (v2.0, chapters 4-12 and the legacy chapter 5).
 */
struct sbi_names {
	uint64_t eid;
	const char *ext;
	const char *const *fn;
	unsigned fn_count;
};

static const char *const sbi_base_fn[] = { "get_spec_version", "get_impl_id", "get_impl_version",
					   "probe_extension", "get_mvendorid", "get_marchid", "get_mimpid" };
static const char *const sbi_time_fn[] = { "set_timer" };
static const char *const sbi_ipi_fn[] = { "send_ipi" };
static const char *const sbi_rfence_fn[] = { "remote_fence_i", "remote_sfence_vma",
					     "remote_sfence_vma_asid", "remote_hfence_gvma_vmid", "remote_hfence_gvma",
					     "remote_hfence_vvma_asid", "remote_hfence_vvma" };
static const char *const sbi_hsm_fn[] = { "hart_start", "hart_stop", "hart_get_status", "hart_suspend" };
static const char *const sbi_srst_fn[] = { "system_reset" };
static const char *const sbi_dbcn_fn[] = { "console_write", "console_read", "console_write_byte" };
/* Legacy extensions: the EID is the function. */
static const char *const sbi_legacy_fn[] = { "set_timer", "console_putchar", "console_getchar",
					     "clear_ipi", "send_ipi", "remote_fence_i", "remote_sfence_vma", "remote_sfence_vma_asid",
					     "shutdown" };

#define SBI_NAMES(eid, ext, fn) \
	{ \
		eid, ext, fn, sizeof(fn) / sizeof(fn[0]) \
	}
static const struct sbi_names sbi_names[] = {
	SBI_NAMES(0x10, "BASE", sbi_base_fn),
	SBI_NAMES(0x54494d45, "TIME", sbi_time_fn),
	SBI_NAMES(0x735049, "IPI", sbi_ipi_fn),
	SBI_NAMES(0x52464e43, "RFENCE", sbi_rfence_fn),
	SBI_NAMES(0x48534d, "HSM", sbi_hsm_fn),
	SBI_NAMES(0x53525354, "SRST", sbi_srst_fn),
	SBI_NAMES(0x4442434e, "DBCN", sbi_dbcn_fn),
};

static const char *const sbi_errors[] = { "success", "failed", "not supported", "invalid param",
					  "denied", "invalid address", "already available", "already started", "already stopped",
					  "no shmem", "invalid state", "bad range", "timeout", "io" };

const char *decode_sbi_ext_name(uint64_t eid)
{
	for (unsigned i = 0; i < sizeof(sbi_names) / sizeof(sbi_names[0]); i++)
		if (sbi_names[i].eid == eid)
			return sbi_names[i].ext;
	return eid < 0x10 ? "legacy" : 0;
}

const char *decode_sbi_fn_name(uint64_t eid, uint64_t fid)
{
	if (eid < sizeof(sbi_legacy_fn) / sizeof(sbi_legacy_fn[0]))
		return sbi_legacy_fn[eid];
	for (unsigned i = 0; i < sizeof(sbi_names) / sizeof(sbi_names[0]); i++)
		if (sbi_names[i].eid == eid)
			return fid < sbi_names[i].fn_count ? sbi_names[i].fn[fid] : 0;
	return 0;
}

const char *decode_sbi_error(int64_t err)
{
	return err <= 0 && -err < (int64_t)(sizeof(sbi_errors) / sizeof(sbi_errors[0])) ? sbi_errors[-err] : 0;
}

/* Which device of a VM's board (hypervisor/spec/board.h) a guest-physical address hits. */
void decode_mmio_device(uint64_t gpa, char *buf, size_t size)
{
	if (gpa >= VM_UART_BASE && gpa - VM_UART_BASE < VM_UART_SIZE)
		snprintf(buf, size, "uart");
	else if (gpa >= VM_PLIC_BASE && gpa - VM_PLIC_BASE < VM_PLIC_SIZE)
		snprintf(buf, size, "plic");
	else if (gpa >= VM_VIRTIO_BASE && gpa - VM_VIRTIO_BASE < VM_VIRTIO_SLOTS * VM_VIRTIO_STRIDE)
		snprintf(buf, size, "virtio%u", (unsigned)((gpa - VM_VIRTIO_BASE) / VM_VIRTIO_STRIDE));
	else
		snprintf(buf, size, "none");
}

static void sbi_payload(const struct trace_record *r, char *buf, size_t size)
{
	uint64_t eid = r->payload[0], fid = r->info;
	const char *ext = decode_sbi_ext_name(eid), *fn = decode_sbi_fn_name(eid, fid);
	int64_t err = (int32_t)(uint32_t)(r->payload[1] >> 32);
	uint32_t value = (uint32_t)r->payload[1];
	const char *err_name = decode_sbi_error(err);
	size_t n;

	if (ext && fn)
		n = (size_t)snprintf(buf, size, "sbi %s %s -> %lld", ext, fn, (long long)err);
	else if (ext)
		n = (size_t)snprintf(buf, size, "sbi %s fid %llu -> %lld", ext, (unsigned long long)fid, (long long)err);
	else
		n = (size_t)snprintf(buf, size, "sbi eid 0x%llx fid %llu -> %lld", (unsigned long long)eid,
				     (unsigned long long)fid, (long long)err);
	if (n >= size)
		return;
	if (eid < 0x10) /* legacy calls return one value, in a0: no error names */
		return;
	if (err && err_name)
		snprintf(buf + n, size - n, " (%s)", err_name);
	else if (value)
		snprintf(buf + n, size - n, ", value 0x%x", (unsigned)value);
}

static const char *const vm_event_names[] = { TRACE_VM_EVENT_NAMES };

static void instant_payload(const struct trace_record *r, char *buf, size_t size)
{
	switch (r->kind) {
	case TRACE_VCPU_LOAD:
		snprintf(buf, size, "vcpu load pc 0x%llx", (unsigned long long)r->sepc);
		break;
	case TRACE_VCPU_PUT:
		snprintf(buf, size, "vcpu put pc 0x%llx state %u", (unsigned long long)r->sepc, r->info);
		break;
	case TRACE_VM_EVENT:
		snprintf(buf, size, "vm %s", r->info < TRACE_VM_EVENT_COUNT ? vm_event_names[r->info] : "event?");
		break;
	case TRACE_IRQ_INJECT:
		snprintf(buf, size, "hvip 0x%llx -> 0x%llx", (unsigned long long)r->payload[1],
			 (unsigned long long)r->payload[0]);
		break;
	case TRACE_DROP:
		snprintf(buf, size, "%llu records dropped", (unsigned long long)r->payload[0]);
		break;
	}
}

/* "sbi IPI send_ipi -> 0", "mmio uart store 0x10000000 w1 = 0x41", ... without a leading space. */
void decode_trace_payload(const struct trace_record *r, char *buf, size_t size)
{
	char dev[16];
	const uint64_t *p = r->payload;

	buf[0] = '\0';
	switch (r->kind) {
	case TRACE_SBI:
		sbi_payload(r, buf, size);
		break;
	case TRACE_MMIO:
		decode_mmio_device(p[0], dev, sizeof(dev));
		snprintf(buf, size, "mmio %s %s 0x%llx w%u = 0x%llx", dev, (r->info >> 8) & 1 ? "store" : "load",
			 (unsigned long long)p[0], (unsigned)(r->info & 0xff), (unsigned long long)p[1]);
		break;
	case TRACE_INJECT:
		snprintf(buf, size, "injected %s tval 0x%llx", decode_cause_name(r->info), (unsigned long long)p[0]);
		break;
	case TRACE_AD_FIXUP:
		snprintf(buf, size, "A/D fix-up pte at gpa 0x%llx 0x%llx -> 0x%llx", (unsigned long long)p[0],
			 (unsigned long long)p[1], (unsigned long long)(p[1] | r->info));
		break;
	case TRACE_IRQ:
		snprintf(buf, size, "hvip 0x%llx", (unsigned long long)p[0]);
		break;
	case TRACE_STOP:
		snprintf(buf, size, "VM stopped");
		break;
	default:
		instant_payload(r, buf, size);
	}
}

const char *const riscv_abi_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"
};
