/*
 * Unit tests for hypervisor/spec/decode.c.  Every expected string is written by
 * hand from the privileged specification: the scause tables (Supervisor
 * and H-extension codes), the PTE bit order (V R W X U G A D = bits 0..7),
 * and the CSR field positions:
 *   hstatus  VSXL 33:32, VTSR 22, VTW 21, VTVM 20, VGEIN 17:12, HU 9,
 *            SPVP 8, SPV 7, GVA 6, VSBE 5
 *   henvcfg  STCE 63, PBMTE 62, ADUE 61, CBZE 7, CBCFE 6, CBIE 5:4, FIOM 0
 *   hgatp    MODE 63:60 (8/9/10 = Sv39x4/Sv48x4/Sv57x4), VMID 57:44, PPN 43:0
 *   vsatp    MODE 63:60 (8/9/10 = Sv39/Sv48/Sv57), ASID 59:44, PPN 43:0
 *   sstatus  SD 63, UXL 33:32, MXR 19, SUM 18, FS 14:13, SPP 8, SPIE 5, SIE 1
 *   hip/hvip/hideleg: SSIP 1, VSSIP 2, STIP 5, VSTIP 6, SEIP 9, VSEIP 10,
 *            SGEIP 12 (and the M bits 3, 7, 11).
 */
#include "spec/decode.h"
#include "trace/trace.h"
#include "unit.h"

#define IRQ (1ULL << 63)

static const char *fields(const char *csr, uint64_t v)
{
	static char buf[256];

	memset(buf, 'Z', sizeof(buf));
	if (decode_csr_fields(csr, v, buf, sizeof(buf)) != 0)
		return "(no fields)";
	return buf;
}

TEST(cause_names_exceptions)
{
	static const char *const want[24] = {
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

	for (unsigned c = 0; c < 24; c++)
		if (want[c])
			CHECK_STR(decode_cause_name(c), want[c]);
	CHECK_STR(decode_cause_name(14), "reserved exception");
	CHECK_STR(decode_cause_name(17), "reserved exception");
	for (uint64_t c = 24; c < 64; c++)
		CHECK_STR(decode_cause_name(c), "reserved exception");
	CHECK_STR(decode_cause_name(0x7fffffffffffffffULL), "reserved exception");
	CHECK_STR(decode_cause_name(1ULL << 40), "reserved exception");
}

TEST(cause_names_interrupts)
{
	static const char *const want[16] = {
		[1] = "supervisor software interrupt",
		[2] = "virtual supervisor software interrupt",
		[3] = "machine software interrupt",
		[5] = "supervisor timer interrupt",
		[6] = "virtual supervisor timer interrupt",
		[7] = "machine timer interrupt",
		[9] = "supervisor external interrupt",
		[10] = "virtual supervisor external interrupt",
		[11] = "machine external interrupt",
		[12] = "supervisor guest external interrupt",
	};

	for (unsigned c = 0; c < 16; c++) {
		if (want[c]) {
			CHECK_STR(decode_cause_name(IRQ | c), want[c]);
			CHECK_STR(decode_irq_name(c), want[c]);
		}
	}
	CHECK_STR(decode_cause_name(IRQ | 0), "reserved interrupt");
	CHECK_STR(decode_cause_name(IRQ | 4), "reserved interrupt");
	CHECK_STR(decode_cause_name(IRQ | 8), "reserved interrupt");
	CHECK_STR(decode_cause_name(IRQ | 14), "reserved interrupt");
	CHECK_STR(decode_cause_name(IRQ | 15), "reserved interrupt");
	/* large codes must not alias a small one (16 + 5 is not "timer") */
	CHECK_STR(decode_cause_name(IRQ | 21), "reserved interrupt");
	CHECK_STR(decode_cause_name(IRQ | 0x7fffffffffffffffULL), "reserved interrupt");
	CHECK_STR(decode_irq_name(16), "reserved interrupt");
	CHECK_STR(decode_irq_name(~0U), "reserved interrupt");
	/* the interrupt bit selects the table: 13 is an exception, not irq 13 */
	CHECK_STR(decode_cause_name(9), "environment call from HS-mode");
}

TEST(cause_short_names)
{
	CHECK_STR(decode_cause_short(0), "misaligned-fetch");
	CHECK_STR(decode_cause_short(8), "ecall-u");
	CHECK_STR(decode_cause_short(10), "ecall-vs");
	CHECK_STR(decode_cause_short(13), "load-page-fault");
	CHECK_STR(decode_cause_short(21), "load-guest-page-fault");
	CHECK_STR(decode_cause_short(22), "virtual-insn");
	CHECK_STR(decode_cause_short(23), "store-guest-page-fault");
	CHECK(decode_cause_short(14) == NULL);
	CHECK(decode_cause_short(16) == NULL);
	CHECK(decode_cause_short(24) == NULL);
	CHECK(decode_cause_short(~0U) == NULL);
}

TEST(cause_by_name_round_trip)
{
	unsigned named = 0;

	for (unsigned c = 0; c < 24; c++) {
		const char *s = decode_cause_short(c);
		uint64_t out = 999;
		if (!s)
			continue;
		named++;
		CHECK_EQ(decode_cause_by_name(s, &out), 0);
		CHECK_EQ(out, c);
	}
	CHECK_EQ(named, 19);	/* 24 codes less 14, 16, 17, 18, 19 */
}

TEST(cause_by_name_numbers_and_bad_tokens)
{
	uint64_t out;
	static const char *const bad[] = {
		"", "64", "100", "99999999999999999999999999", "-1", "+1", "1x", "x1", " 12", "12 ",
		"0x0d", "load-page", "load-page-fault-x", "Load-page-fault", "ipf", "lgpf", "reserved",
	};

	out = 7;
	CHECK_EQ(decode_cause_by_name("0", &out), 0);
	CHECK_EQ(out, 0);
	CHECK_EQ(decode_cause_by_name("13", &out), 0);
	CHECK_EQ(out, 13);
	CHECK_EQ(decode_cause_by_name("023", &out), 0);
	CHECK_EQ(out, 23);
	CHECK_EQ(decode_cause_by_name("63", &out), 0);
	CHECK_EQ(out, 63);
	CHECK_EQ(decode_cause_by_name("14", &out), 0);	/* reserved, but a valid number */
	CHECK_EQ(out, 14);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = 12345;
		if (decode_cause_by_name(bad[i], &out) != -1)
			UNIT_FAIL("\"%s\" accepted as %llu", bad[i], (unsigned long long)out);
		else if (out != 12345)
			UNIT_FAIL("\"%s\" rejected but *out changed", bad[i]);
	}
}

TEST(pte_bits)
{
	char buf[64];

	decode_pte_bits(0x0b, buf, sizeof(buf));	/* V R X */
	CHECK_STR(buf, "V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0");
	decode_pte_bits(0, buf, sizeof(buf));
	CHECK_STR(buf, "V=0 R=0 W=0 X=0 U=0 G=0 A=0 D=0");
	decode_pte_bits(0xff, buf, sizeof(buf));
	CHECK_STR(buf, "V=1 R=1 W=1 X=1 U=1 G=1 A=1 D=1");
	decode_pte_bits(0xd5, buf, sizeof(buf));	/* V W U A D */
	CHECK_STR(buf, "V=1 R=0 W=1 X=0 U=1 G=0 A=1 D=1");
	decode_pte_bits(0x20, buf, sizeof(buf));
	CHECK_STR(buf, "V=0 R=0 W=0 X=0 U=0 G=1 A=0 D=0");
	/* PPN, RSW, PBMT, N do not leak into the flags */
	decode_pte_bits(0xfffffffffffffe00ULL | 0x100, buf, sizeof(buf));
	CHECK_STR(buf, "V=0 R=0 W=0 X=0 U=0 G=0 A=0 D=0");
	decode_pte_bits(0x0b, buf, 8);
	CHECK_STR(buf, "V=1 R=1");
}

TEST(csr_hstatus)
{
	CHECK_STR(fields("hstatus", 0x2002051c0ULL),
		  "VSXL=2 VTSR=0 VTW=1 VTVM=0 VGEIN=5 HU=0 SPVP=1 SPV=1 GVA=1 VSBE=0");
	CHECK_STR(fields("hstatus", 0x53f220ULL),
		  "VSXL=0 VTSR=1 VTW=0 VTVM=1 VGEIN=63 HU=1 SPVP=0 SPV=0 GVA=0 VSBE=1");
	/* only reserved bits (0, 4, 11, 18, 23, 34) */
	CHECK_STR(fields("hstatus", 0x400840811ULL),
		  "VSXL=0 VTSR=0 VTW=0 VTVM=0 VGEIN=0 HU=0 SPVP=0 SPV=0 GVA=0 VSBE=0");
}

TEST(csr_envcfg)
{
	CHECK_STR(fields("henvcfg", 0xa0000000000000d1ULL),
		  "STCE=1 PBMTE=0 ADUE=1 CBZE=1 CBCFE=1 CBIE=1 FIOM=1");
	CHECK_STR(fields("henvcfg", 0x4000000000000030ULL),
		  "STCE=0 PBMTE=1 ADUE=0 CBZE=0 CBCFE=0 CBIE=3 FIOM=0");
	CHECK_STR(fields("henvcfg", 0x1f0000000000000eULL),	/* bits 1-3, 56-60 */
		  "STCE=0 PBMTE=0 ADUE=0 CBZE=0 CBCFE=0 CBIE=0 FIOM=0");
	CHECK_STR(fields("menvcfg", 0x8000000000000000ULL),
		  "STCE=1 PBMTE=0 ADUE=0 CBZE=0 CBCFE=0 CBIE=0 FIOM=0");
}

TEST(csr_hgatp)
{
	CHECK_STR(fields("hgatp", 0x8000000000080400ULL), "MODE=Sv39x4 VMID=0 PPN=0x80400");
	CHECK_STR(fields("hgatp", 0x83fff00000080400ULL), "MODE=Sv39x4 VMID=16383 PPN=0x80400");
	/* bits 59:58 are not VMID */
	CHECK_STR(fields("hgatp", 0x9c00500000000001ULL), "MODE=Sv48x4 VMID=5 PPN=0x1");
	CHECK_STR(fields("hgatp", 0xa0000fffffffffffULL), "MODE=Sv57x4 VMID=0 PPN=0xfffffffffff");
	CHECK_STR(fields("hgatp", 0), "MODE=Bare VMID=0 PPN=0x0");
	CHECK_STR(fields("hgatp", 0x1000000000000000ULL), "MODE=reserved VMID=0 PPN=0x0");
}

TEST(csr_vsatp)
{
	CHECK_STR(fields("vsatp", 0x9fffe00000012345ULL), "MODE=Sv48 ASID=65534 PPN=0x12345");
	CHECK_STR(fields("vsatp", 0x8000100000080000ULL), "MODE=Sv39 ASID=1 PPN=0x80000");
	CHECK_STR(fields("vsatp", 0xa000000000000001ULL), "MODE=Sv57 ASID=0 PPN=0x1");
	CHECK_STR(fields("satp", 0), "MODE=Bare ASID=0 PPN=0x0");
	CHECK_STR(fields("vsatp", 0xb000000000000000ULL), "MODE=reserved ASID=0 PPN=0x0");
}

TEST(csr_vsstatus)
{
	CHECK_STR(fields("vsstatus", 0x8000000200086102ULL),
		  "SD=1 UXL=2 MXR=1 SUM=0 FS=3 SPP=1 SPIE=0 SIE=1");
	CHECK_STR(fields("vsstatus", 0x42020ULL),
		  "SD=0 UXL=0 MXR=0 SUM=1 FS=1 SPP=0 SPIE=1 SIE=0");
	/* MIE, UBE, MPIE, VS, MPP, XS: none of these fields */
	CHECK_STR(fields("sstatus", 0x19ec8ULL),
		  "SD=0 UXL=0 MXR=0 SUM=0 FS=0 SPP=0 SPIE=0 SIE=0");
}

TEST(csr_scause)
{
	CHECK_STR(fields("scause", 0x8000000000000009ULL), "interrupt 9: supervisor external interrupt");
	CHECK_STR(fields("scause", 13), "exception 13: load page fault");
	CHECK_STR(fields("vscause", 23), "exception 23: store/AMO guest-page fault");
	CHECK_STR(fields("scause", 24), "exception 24: reserved exception");
	CHECK_STR(fields("mcause", 0x8000000000000007ULL), "interrupt 7: machine timer interrupt");
}

TEST(csr_tvec_counteren)
{
	/* stvec MODE 1:0 (0 Direct, 1 Vectored, >= 2 reserved), BASE the rest;
	 * counteren CY 0, TM 1, IR 2, HPM3..31 in bits 31:3 */
	CHECK_STR(fields("stvec", 0x80200000ULL), "MODE=Direct BASE=0x80200000");
	CHECK_STR(fields("vstvec", 0xffffffff80001001ULL), "MODE=Vectored BASE=0xffffffff80001000");
	CHECK_STR(fields("vstvec", 0x80200002ULL), "MODE=reserved BASE=0x80200000");
	CHECK_STR(fields("hcounteren", 0x2), "CY=0 TM=1 IR=0 HPM=0x0");
	CHECK_STR(fields("scounteren", 0x5), "CY=1 TM=0 IR=1 HPM=0x0");
	CHECK_STR(fields("hcounteren", 0xfffffff8ULL), "CY=0 TM=0 IR=0 HPM=0x1fffffff");
	CHECK_STR(fields("hcounteren", 0xffffffff00000000ULL), "CY=0 TM=0 IR=0 HPM=0x0");
}

TEST(csr_hedeleg)
{
	char small[12];

	CHECK_STR(fields("hedeleg", 0xb109),
		  "0:misaligned-fetch 3:breakpoint 8:ecall-u 12:fetch-page-fault "
		  "13:load-page-fault 15:store-page-fault");
	CHECK_STR(fields("hedeleg", 0), "(none)");
	CHECK_STR(fields("hedeleg", 1U << 14), "14:?");
	CHECK_STR(fields("medeleg", 1U << 23), "23:store-guest-page-fault");
	/* truncation stays inside the buffer (ASan checks) and is terminated */
	memset(small, 'Z', sizeof(small));
	CHECK_EQ(decode_csr_fields("hedeleg", 0xb109, small, sizeof(small)), 0);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	CHECK(memcmp(small, "0:misaligne", 11) == 0);
}

TEST(csr_interrupt_bits)
{
	char small[16];

	CHECK_STR(fields("hideleg", 0x444),
		  "SSIP=0 VSSIP=1 MSIP=0 STIP=0 VSTIP=1 MTIP=0 SEIP=0 VSEIP=1 MEIP=0 SGEIP=0");
	CHECK_STR(fields("hvip", 0x40),
		  "SSIP=0 VSSIP=0 MSIP=0 STIP=0 VSTIP=1 MTIP=0 SEIP=0 VSEIP=0 MEIP=0 SGEIP=0");
	CHECK_STR(fields("hip", 0x1222),
		  "SSIP=1 VSSIP=0 MSIP=0 STIP=1 VSTIP=0 MTIP=0 SEIP=1 VSEIP=0 MEIP=0 SGEIP=1");
	CHECK_STR(fields("hvip", 0x888),	/* the M bits */
		  "SSIP=0 VSSIP=0 MSIP=1 STIP=0 VSTIP=0 MTIP=1 SEIP=0 VSEIP=0 MEIP=1 SGEIP=0");
	memset(small, 'Z', sizeof(small));
	CHECK_EQ(decode_csr_fields("hvip", 0x444, small, sizeof(small)), 0);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
}

TEST(csr_unknown)
{
	char buf[32];

	CHECK_EQ(decode_csr_fields("foo", 0, buf, sizeof(buf)), -1);
	CHECK_EQ(decode_csr_fields("hstatu", 0, buf, sizeof(buf)), -1);
	CHECK_EQ(decode_csr_fields("hstatusx", 0, buf, sizeof(buf)), -1);
	CHECK_EQ(decode_csr_fields("", 0, buf, sizeof(buf)), -1);
}

/* SBI EIDs and FIDs from the SBI specification v2.0; error codes from its table 1. */
static const char *payload(unsigned kind, uint64_t p0, uint64_t p1, uint64_t p2)
{
	static char buf[160];
	const uint64_t p[3] = { p0, p1, p2 };

	memset(buf, 'Z', sizeof(buf));
	decode_trace_payload(kind, p, buf, sizeof(buf));
	return buf;
}

#define SBI_RESULT(err, value) ((uint64_t)(uint32_t)(err) << 32 | (uint32_t)(value))

TEST(trace_payload_sbi)
{
	CHECK_STR(payload(TRACE_SBI, 0x735049, 0, 0), "sbi IPI send_ipi -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x52464e43, 6, 0), "sbi RFENCE remote_hfence_vvma -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x52464e43, 1, 0), "sbi RFENCE remote_sfence_vma -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x10, 3, SBI_RESULT(0, 1)), "sbi BASE probe_extension -> 0, value 0x1");
	CHECK_STR(payload(TRACE_SBI, 0x48534d, 0, SBI_RESULT(-6, 0)), "sbi HSM hart_start -> -6 (already available)");
	CHECK_STR(payload(TRACE_SBI, 0x54494d45, 0, 0), "sbi TIME set_timer -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x53525354, 0, 0), "sbi SRST system_reset -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x4442434e, 2, 0), "sbi DBCN console_write_byte -> 0");
	CHECK_STR(payload(TRACE_SBI, 0x54494d45, 7, SBI_RESULT(-2, 0)), "sbi TIME fid 7 -> -2 (not supported)");
	CHECK_STR(payload(TRACE_SBI, 0x12345678, 1, SBI_RESULT(-2, 0)),
		  "sbi eid 0x12345678 fid 1 -> -2 (not supported)");
	CHECK_STR(payload(TRACE_SBI, 1, 0, SBI_RESULT(0, 0)), "sbi legacy console_putchar -> 0");
	CHECK_STR(payload(TRACE_SBI, 2, 0, SBI_RESULT(-1, 0)), "sbi legacy console_getchar -> -1");
	CHECK_STR(payload(TRACE_SBI, 9, 0, SBI_RESULT(-2, 0)), "sbi legacy fid 0 -> -2");
}

TEST(trace_payload_mmio_and_others)
{
	CHECK_STR(payload(TRACE_MMIO, 0x10000000, 1 | 1 << 8, 0x41), "mmio uart store 0x10000000 w1 = 0x41");
	CHECK_STR(payload(TRACE_MMIO, 0x10000005, 1, 0x60), "mmio uart load 0x10000005 w1 = 0x60");
	CHECK_STR(payload(TRACE_MMIO, 0x0c201004, 4, 10), "mmio plic load 0xc201004 w4 = 0xa");
	CHECK_STR(payload(TRACE_MMIO, 0x10001050, 4 | 1 << 8, 0), "mmio virtio0 store 0x10001050 w4 = 0x0");
	CHECK_STR(payload(TRACE_MMIO, 0x10008000, 4, 0), "mmio virtio7 load 0x10008000 w4 = 0x0");
	CHECK_STR(payload(TRACE_MMIO, 0x20000000, 8, 0), "mmio none load 0x20000000 w8 = 0x0");
	CHECK_STR(payload(TRACE_INJECT, 12, 0, 0), "injected instruction page fault tval 0x0");
	CHECK_STR(payload(TRACE_AD_FIXUP, 0x87ff9028, 0x2008140b, 0x2008144b),
		  "A/D fix-up pte at gpa 0x87ff9028 0x2008140b -> 0x2008144b");
	CHECK_STR(payload(TRACE_IRQ, 0x40, 0, 0), "hvip 0x40");
	CHECK_STR(payload(TRACE_STOP, 0, 0, 0), "VM stopped");
	CHECK_STR(payload(TRACE_EXIT, 1, 2, 3), "");
}

UNIT_MAIN("test_decode",
	  UNIT(cause_names_exceptions),
	  UNIT(cause_names_interrupts),
	  UNIT(cause_short_names),
	  UNIT(cause_by_name_round_trip),
	  UNIT(cause_by_name_numbers_and_bad_tokens),
	  UNIT(pte_bits),
	  UNIT(csr_hstatus),
	  UNIT(csr_envcfg),
	  UNIT(csr_hgatp),
	  UNIT(csr_vsatp),
	  UNIT(csr_vsstatus),
	  UNIT(csr_scause),
	  UNIT(csr_tvec_counteren),
	  UNIT(csr_hedeleg),
	  UNIT(csr_interrupt_bits),
	  UNIT(csr_unknown),
	  UNIT(trace_payload_sbi),
	  UNIT(trace_payload_mmio_and_others))
