/*
 * sbiprobe: what the SBI implementation offers, and its error codes.
 *   sbiprobe: spec version <major>.<minor>
 *   sbiprobe: impl id <id> version 0x<v>
 *   sbiprobe: mvendorid 0x<x> marchid 0x<x> mimpid 0x<x>
 *   sbiprobe: ext <NAME> present|absent        (each extension below)
 *   sbiprobe: PASS <check> | sbiprobe: FAIL <check> got=<x> want=<y>
 *   sbiprobe: SKIP <check> (hangs OpenSBI)     (native runs only)
 *   sbiprobe: ok | sbiprobe: failed <n>
 * Expected codes are from the SBI spec v2.0.  Where OpenSBI (native runs,
 * impl id 1) does something else, the check table says so, and the spec
 * value is required of every other implementation (hvscope: impl id 0x7676).
 */
#include "guest.h"

const char guest_name[] = "sbiprobe";

/* Not a defined extension: firmware-specific space (0x0A000000-0x0AFFFFFF). */
#define EXT_UNKNOWN	   0x0a123456
/* A function ID no extension used here defines. */
#define FID_UNKNOWN	   0x7fff
/* A hart id well beyond any board this runs on. */
#define HARTID_BOGUS	   0x7ff0
/* Device space outside RAM: QEMU virt's CLINT, which guests are not given. */
#define DEVICE_ADDR	   0x02000000UL
/* A reserved SRST reset type (0x3-0xEFFFFFFF are reserved). */
#define SRST_TYPE_RESERVED 0x10

static const struct {
	const char *name;
	long eid;
} extensions[] = {
	{ "BASE", SBI_EXT_BASE },
	{ "TIME", SBI_EXT_TIME },
	{ "IPI", SBI_EXT_IPI },
	{ "RFENCE", SBI_EXT_RFENCE },
	{ "HSM", SBI_EXT_HSM },
	{ "SRST", SBI_EXT_SRST },
	{ "PMU", SBI_EXT_PMU },
	{ "DBCN", SBI_EXT_DBCN },
	{ "SUSP", SBI_EXT_SUSP },
	{ "CPPC", SBI_EXT_CPPC },
	{ "NACL", SBI_EXT_NACL },
	{ "STA", SBI_EXT_STA },
	{ "SSE", SBI_EXT_SSE },
	{ "FWFT", SBI_EXT_FWFT },
	{ "DBTR", SBI_EXT_DBTR },
	{ "MPXY", SBI_EXT_MPXY },
	{ "LEGACY_CONSOLE_PUTCHAR", SBI_EXT_LEGACY_CONSOLE_PUTCHAR },
	{ "LEGACY_CONSOLE_GETCHAR", SBI_EXT_LEGACY_CONSOLE_GETCHAR },
};

/* Facts the checks need, found once. */
static struct {
	long impl_id;
	uint64_t ram_end;
} probe;

static int failures;

static long check_unknown_ext(void)
{
	return sbi_ecall(EXT_UNKNOWN, 0, 0, 0, 0, 0, 0, 0).error;
}

static long check_probe_unknown(void)
{
	return sbi_probe_extension(EXT_UNKNOWN);
}

static long check_base_fid(void)
{
	return sbi_ecall(SBI_EXT_BASE, FID_UNKNOWN, 0, 0, 0, 0, 0, 0).error;
}

static long check_time_fid(void)
{
	return sbi_ecall(SBI_EXT_TIME, FID_UNKNOWN, 0, 0, 0, 0, 0, 0).error;
}

static long check_ipi_fid(void)
{
	return sbi_ecall(SBI_EXT_IPI, FID_UNKNOWN, 0, 0, 0, 0, 0, 0).error;
}

static long check_hsm_fid(void)
{
	return sbi_ecall(SBI_EXT_HSM, FID_UNKNOWN, 0, 0, 0, 0, 0, 0).error;
}

static long check_hart_start_bogus(void)
{
	return sbi_hart_start(HARTID_BOGUS, (uintptr_t)_secondary_start, 0).error;
}

static long check_hart_start_self(void)
{
	return sbi_hart_start(hart_id(), (uintptr_t)_secondary_start, 0).error;
}

static long check_hart_status_bogus(void)
{
	return sbi_hart_get_status(HARTID_BOGUS).error;
}

static long check_hart_status_self(void)
{
	struct sbiret r = sbi_hart_get_status(hart_id());

	return r.error ? r.error : r.value;
}

static long check_ipi_bogus_base(void)
{
	return sbi_send_ipi(1, HARTID_BOGUS).error;
}

static long check_dbcn_outside_ram(void)
{
	return sbi_debug_console_write(8, probe.ram_end, 0).error;
}

/* A buffer in device space (where a CLINT sits on QEMU virt), not RAM. */
static long check_dbcn_device(void)
{
	return sbi_debug_console_write(8, DEVICE_ADDR, 0).error;
}

static long check_srst_bad_type(void)
{
	return sbi_system_reset(SRST_TYPE_RESERVED, SBI_SRST_REASON_NONE).error;
}

/* How OpenSBI 1.5 (native runs) behaves on a check. */
enum opensbi_behaviour {
	OPENSBI_AS_SPEC, /* returns `want` */
	OPENSBI_RETURNS, /* returns `opensbi_value` instead */
	OPENSBI_HANGS,	 /* never returns: the check is skipped natively */
};

struct check {
	const char *name;
	long (*run)(void);
	long want; /* what the SBI spec v2.0 asks for */
	enum opensbi_behaviour opensbi;
	long opensbi_value;
};

static const struct check checks[] = {
	{ "unknown-extension", check_unknown_ext, SBI_ERR_NOT_SUPPORTED, OPENSBI_AS_SPEC, 0 },
	{ "probe-unknown-extension", check_probe_unknown, 0, OPENSBI_AS_SPEC, 0 },
	{ "unknown-base-fid", check_base_fid, SBI_ERR_NOT_SUPPORTED, OPENSBI_AS_SPEC, 0 },
	{ "unknown-time-fid", check_time_fid, SBI_ERR_NOT_SUPPORTED, OPENSBI_AS_SPEC, 0 },
	{ "unknown-ipi-fid", check_ipi_fid, SBI_ERR_NOT_SUPPORTED, OPENSBI_AS_SPEC, 0 },
	{ "unknown-hsm-fid", check_hsm_fid, SBI_ERR_NOT_SUPPORTED, OPENSBI_AS_SPEC, 0 },
	{ "hart-start-nonexistent", check_hart_start_bogus, SBI_ERR_INVALID_PARAM,
	  OPENSBI_AS_SPEC, 0 },
	{ "hart-start-self", check_hart_start_self, SBI_ERR_ALREADY_AVAILABLE,
	  OPENSBI_AS_SPEC, 0 },
	{ "hart-status-nonexistent", check_hart_status_bogus, SBI_ERR_INVALID_PARAM,
	  OPENSBI_AS_SPEC, 0 },
	{ "hart-status-self", check_hart_status_self, SBI_HSM_STATE_STARTED,
	  OPENSBI_AS_SPEC, 0 },
	{ "ipi-mask-base-beyond-harts", check_ipi_bogus_base, SBI_ERR_INVALID_PARAM,
	  OPENSBI_AS_SPEC, 0 },
	{ "dbcn-write-device", check_dbcn_device, SBI_ERR_INVALID_PARAM, OPENSBI_AS_SPEC, 0 },
	/* OpenSBI 1.5 lets S-mode name any address outside its own regions,
	 * reads the buffer in M-mode, takes an access fault there and hangs. */
	{ "dbcn-write-outside-ram", check_dbcn_outside_ram, SBI_ERR_INVALID_PARAM,
	  OPENSBI_HANGS, 0 },
	{ "srst-reserved-type", check_srst_bad_type, SBI_ERR_INVALID_PARAM,
	  OPENSBI_AS_SPEC, 0 },
};

static void run_check(const struct check *c)
{
	int on_opensbi = probe.impl_id == SBI_IMPL_ID_OPENSBI;
	long want = c->want;
	long got;

	if (on_opensbi && c->opensbi == OPENSBI_HANGS) {
		printf("sbiprobe: SKIP %s (hangs OpenSBI)\n", c->name);
		return;
	}
	if (on_opensbi && c->opensbi == OPENSBI_RETURNS)
		want = c->opensbi_value;
	got = c->run();
	if (got == want) {
		printf("sbiprobe: PASS %s\n", c->name);
		return;
	}
	printf("sbiprobe: FAIL %s got=%ld want=%ld\n", c->name, got, want);
	failures++;
}

static void print_base(void)
{
	long version = sbi_get_spec_version();

	probe.impl_id = sbi_get_impl_id();
	printf("sbiprobe: spec version %ld.%ld\n", (version >> 24) & 0x7f,
	       version & 0xffffff);
	printf("sbiprobe: impl id %ld version 0x%lx\n", probe.impl_id,
	       sbi_get_impl_version());
	printf("sbiprobe: mvendorid 0x%lx marchid 0x%lx mimpid 0x%lx\n",
	       sbi_get_mvendorid(), sbi_get_marchid(), sbi_get_mimpid());
}

void guest_main(unsigned long hartid, const void *dtb)
{
	uint64_t ram_base, ram_size;
	size_t i;

	(void)hartid;
	print_base();
	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		printf("sbiprobe: ext %s %s\n", extensions[i].name,
		       sbi_probe_extension(extensions[i].eid) ? "present" : "absent");
	if (fdt_get_memory(dtb, &ram_base, &ram_size)) {
		printf("sbiprobe: FAIL no /memory in the device tree\n");
		printf("sbiprobe: failed 1\n");
		return;
	}
	probe.ram_end = ram_base + ram_size;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		run_check(&checks[i]);
	if (failures)
		printf("sbiprobe: failed %d\n", failures);
	else
		printf("sbiprobe: ok\n");
}
