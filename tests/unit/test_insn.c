/*
 * Unit tests for hypervisor/spec/insn.c, the MMIO load/store decoder.
 *
 * Encodings in asm_cases[] and rejected[] were produced by the cross
 * assembler (riscv64-unknown-elf-gcc 12.2 / binutils, -march=rv64gc) and read
 * back with `riscv64-unknown-elf-objdump -d -M no-aliases,numeric`; the
 * other tests build encodings with the small encoders below, written from
 * the RV64I and RVC instruction formats.
 */
#include "spec/insn.h"
#include "unit.h"

static uint32_t enc_load(uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfffu) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x03u;
}

static uint32_t enc_store(uint32_t f3, uint32_t rs2, uint32_t rs1, int32_t imm)
{
	uint32_t i = (uint32_t)imm & 0xfffu;

	return (i >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (i & 0x1fu) << 7 | 0x23u;
}

/* CL/CS (quadrant 0): funct3, rs1', rd'/rs2' (0..7 = x8..x15), no offset. */
static uint16_t enc_c_q0(uint32_t f3, uint32_t rs1p, uint32_t rp)
{
	return (uint16_t)(f3 << 13 | rs1p << 7 | rp << 2);
}

/* CI loads (quadrant 2): rd in 11:7.  CSS stores: rs2 in 6:2. */
static uint16_t enc_c_lsp(uint32_t f3, uint32_t rd)
{
	return (uint16_t)(f3 << 13 | rd << 7 | 0x2u);
}

static uint16_t enc_c_ssp(uint32_t f3, uint32_t rs2)
{
	return (uint16_t)(f3 << 13 | rs2 << 2 | 0x2u);
}

/* The htinst transformation of a 32-bit load/store: immediates zeroed,
 * rs1 replaced by the address offset; bit 1 cleared if compressed. */
static uint32_t transform(uint32_t insn, uint32_t addr_off, bool compressed)
{
	uint32_t t;

	if ((insn & 0x7fu) == 0x03u)
		t = insn & 0x000fffffu;			/* keep rs1 funct3 rd opcode */
	else
		t = insn & 0x01fff07fu;			/* keep rs2 rs1 funct3 opcode */
	t = (t & ~(0x1fu << 15)) | addr_off << 15;
	return compressed ? t & ~0x2u : t;
}

#define CHECK_DECODED(d, store, w, sx, r, l)                                    \
	do {                                                                    \
		CHECK_EQ((d).is_store, (store));                                \
		CHECK_EQ((d).width, (w));                                       \
		CHECK_EQ((d).sign_extend, (sx));                                \
		CHECK_EQ((d).reg, (r));                                         \
		CHECK_EQ((d).len, (l));                                         \
	} while (0)

static const uint8_t load_width[7] = { 1, 2, 4, 8, 1, 2, 4 };	/* by funct3 */
static const bool load_sign[7] = { true, true, true, false, false, false, false };

TEST(load32_every_width_and_register)
{
	struct mmio_insn d;
	uint32_t f3, rd;

	for (f3 = 0; f3 < 7; f3++) {
		for (rd = 0; rd < 32; rd++) {
			CHECK_EQ(insn_decode_mmio(enc_load(f3, rd, 31 - rd, -8), &d), 0);
			CHECK_DECODED(d, false, load_width[f3], load_sign[f3], rd, 4);
		}
	}
	CHECK_EQ(insn_decode_mmio(enc_load(7, 1, 2, 0), &d), -1);
}

TEST(store32_every_width_and_register)
{
	static const uint8_t width[4] = { 1, 2, 4, 8 };
	struct mmio_insn d;
	uint32_t f3, rs2;

	for (f3 = 0; f3 < 4; f3++) {
		for (rs2 = 0; rs2 < 32; rs2++) {
			CHECK_EQ(insn_decode_mmio(enc_store(f3, rs2, 31 - rs2, 2047), &d), 0);
			CHECK_DECODED(d, true, width[f3], false, rs2, 4);
		}
	}
	for (f3 = 4; f3 < 8; f3++)
		CHECK_EQ(insn_decode_mmio(enc_store(f3, 1, 2, 0), &d), -1);
}

struct asm_case {
	uint32_t insn;
	const char *text;
	bool is_store;
	uint8_t width;
	bool sign_extend;
	uint8_t reg;
	uint8_t len;
};

static const struct asm_case asm_cases[] = {
	{ 0x00058503, "lb x10,0(x11)", false, 1, true, 10, 4 },
	{ 0xffc41283, "lh x5,-4(x8)", false, 2, true, 5, 4 },
	{ 0x7ff0af83, "lw x31,2047(x1)", false, 4, true, 31, 4 },
	{ 0x00813083, "ld x1,8(x2)", false, 8, false, 1, 4 },
	{ 0x00004003, "lbu x0,0(x0)", false, 1, false, 0, 4 },
	{ 0x0107dd83, "lhu x27,16(x15)", false, 2, false, 27, 4 },
	{ 0x800fe883, "lwu x17,-2048(x31)", false, 4, false, 17, 4 },
	{ 0x00a58023, "sb x10,0(x11)", true, 1, false, 10, 4 },
	{ 0x01f011a3, "sh x31,3(x0)", true, 2, false, 31, 4 },
	{ 0xfe712fa3, "sw x7,-1(x2)", true, 4, false, 7, 4 },
	{ 0x00113423, "sd x1,8(x2)", true, 8, false, 1, 4 },
	{ 0x41c8, "c.lw x10,4(x11)", false, 4, true, 10, 2 },
	{ 0x5fe0, "c.lw x8,124(x15)", false, 4, true, 8, 2 },
	{ 0x7c7c, "c.ld x15,248(x8)", false, 8, false, 15, 2 },
	{ 0xc290, "c.sw x12,0(x13)", true, 4, false, 12, 2 },
	{ 0xe704, "c.sd x9,8(x14)", true, 8, false, 9, 2 },
	{ 0x50fe, "c.lwsp x1,252(x2)", false, 4, true, 1, 2 },
	{ 0x4f82, "c.lwsp x31,0(x2)", false, 4, true, 31, 2 },
	{ 0x72fe, "c.ldsp x5,504(x2)", false, 8, false, 5, 2 },
	{ 0xc002, "c.swsp x0,0(x2)", true, 4, false, 0, 2 },
	{ 0xdfaa, "c.swsp x10,252(x2)", true, 4, false, 10, 2 },
	{ 0xfffe, "c.sdsp x31,504(x2)", true, 8, false, 31, 2 },
};

TEST(assembled_encodings)
{
	struct mmio_insn d;
	size_t i;

	for (i = 0; i < sizeof(asm_cases) / sizeof(asm_cases[0]); i++) {
		const struct asm_case *c = &asm_cases[i];

		if (insn_decode_mmio(c->insn, &d) != 0) {
			UNIT_FAIL("%s (0x%08x) rejected", c->text, c->insn);
			continue;
		}
		if (d.is_store != c->is_store || d.width != c->width ||
		    d.sign_extend != c->sign_extend || d.reg != c->reg || d.len != c->len)
			unit_fail(__FILE__, __LINE__,
				  "%s: got store=%d width=%u sx=%d reg=%u len=%u", c->text,
				  d.is_store, d.width, d.sign_extend, d.reg, d.len);
	}
}

static const struct { uint32_t insn; const char *text; } rejected[] = {
	{ 0x00052087, "flw f1,0(x10)" },
	{ 0x00853107, "fld f2,8(x10)" },
	{ 0x00352027, "fsw f3,0(x10)" },
	{ 0x00453427, "fsd f4,8(x10)" },
	{ 0x1005a52f, "lr.w x10,(x11)" },
	{ 0x18c5b52f, "sc.d x10,x12,(x11)" },
	{ 0x1405a52f, "funct5 0x05 (no such AMO)" },
	{ 0x00c5c52f, "amoadd with funct3 4 (no such width)" },
	{ 0x00150513, "addi x10,x10,1" },
	{ 0x10002573, "csrrs x10,sstatus,x0" },
	{ 0x2588, "c.fld f10,8(x11)" },
	{ 0xa588, "c.fsd f10,8(x11)" },
	{ 0x25a2, "c.fldsp f11,8(x2)" },
	{ 0xa42e, "c.fsdsp f11,8(x2)" },
	{ 0x0808, "c.addi4spn x10,x2,16" },
	{ 0x4505, "c.li x10,1" },
	{ 0x0001, "c.nop" },
	{ 0x0000, "all-zero (illegal)" },
	{ 0x4002, "c.lwsp x0 (reserved)" },
	{ 0x6002, "c.ldsp x0 (reserved)" },
	{ 0xffffffff, "all-ones" },
	{ 0x0000000b, "custom-0" },
};

/* AMOs on a device are read-modify-write (as QEMU does them): decoded with rd, rs2, width. */
TEST(amo_forms)
{
	struct mmio_insn d;

	CHECK_EQ(insn_decode_mmio(0x00c5a52f, &d), 0);		/* amoadd.w x10,x12,(x11) */
	CHECK_EQ(d.amo, AMO_ADD + 1);
	CHECK_EQ(d.width, 4);
	CHECK_EQ(d.reg, 10);
	CHECK_EQ(d.rs2, 12);
	CHECK_EQ(d.len, 4);
	CHECK_EQ(insn_decode_mmio(0x08f5302f, &d), 0);		/* amoswap.d x0,x15,(x10) */
	CHECK_EQ(d.amo, AMO_SWAP + 1);
	CHECK_EQ(d.width, 8);
	CHECK_EQ(d.reg, 0);
	CHECK_EQ(d.rs2, 15);
	CHECK_EQ(insn_decode_mmio(0xe6c5b52f, &d), 0);		/* amomaxu.d.aqrl x10,x12,(x11) */
	CHECK_EQ(d.amo, AMO_MAXU + 1);
	CHECK_EQ(insn_decode_mmio(0x02c5a52f, &d), 0);		/* amoadd.w.rl */
	CHECK_EQ(insn_decode_htinst(0x00c0252f, &d), 0);	/* transformed: rs1 = 0 */
	CHECK_EQ(d.amo, AMO_ADD + 1);
	CHECK_EQ(d.rs2, 12);
	CHECK_EQ(insn_decode_mmio(0x00150513, &d), -1);
	CHECK_EQ(d.amo, 0);
}

TEST(amo_apply)
{
	CHECK_EQ(insn_amo_apply(AMO_ADD, 8, 5, 7), 12);
	CHECK_EQ(insn_amo_apply(AMO_SWAP, 4, 5, 7), 7);
	CHECK_EQ(insn_amo_apply(AMO_XOR, 8, 0xf0, 0xff), 0x0f);
	CHECK_EQ(insn_amo_apply(AMO_AND, 8, 0xf0, 0x3c), 0x30);
	CHECK_EQ(insn_amo_apply(AMO_OR, 8, 0xf0, 0x0f), 0xff);
	CHECK_EQ(insn_amo_apply(AMO_MIN, 4, 0xffffffff, 1), 0xffffffff);	/* -1 < 1 at .w */
	CHECK_EQ(insn_amo_apply(AMO_MINU, 4, 0xffffffff, 1), 1);
	CHECK_EQ(insn_amo_apply(AMO_MAX, 8, (uint64_t)-5, 3), 3);
	CHECK_EQ(insn_amo_apply(AMO_MAXU, 8, (uint64_t)-5, 3), (uint64_t)-5);
}

TEST(rejects_fp_amo_and_others)
{
	struct mmio_insn d;
	size_t i;

	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		if (insn_decode_mmio(rejected[i].insn, &d) != -1)
			UNIT_FAIL("%s (0x%08x) accepted",
				  rejected[i].text, rejected[i].insn);
}

TEST(compressed_register_forms)
{
	struct mmio_insn d;
	uint32_t rs1p, rp;

	for (rp = 0; rp < 8; rp++) {
		rs1p = 7 - rp;
		CHECK_EQ(insn_decode_mmio(enc_c_q0(2, rs1p, rp), &d), 0);
		CHECK_DECODED(d, false, 4, true, 8 + rp, 2);
		CHECK_EQ(insn_decode_mmio(enc_c_q0(3, rs1p, rp), &d), 0);
		CHECK_DECODED(d, false, 8, false, 8 + rp, 2);
		CHECK_EQ(insn_decode_mmio(enc_c_q0(6, rs1p, rp), &d), 0);
		CHECK_DECODED(d, true, 4, false, 8 + rp, 2);
		CHECK_EQ(insn_decode_mmio(enc_c_q0(7, rs1p, rp), &d), 0);
		CHECK_DECODED(d, true, 8, false, 8 + rp, 2);
	}
}

TEST(compressed_sp_relative_forms)
{
	struct mmio_insn d;
	uint32_t r;

	for (r = 0; r < 32; r++) {
		if (r == 0) {
			CHECK_EQ(insn_decode_mmio(enc_c_lsp(2, 0), &d), -1);
			CHECK_EQ(insn_decode_mmio(enc_c_lsp(3, 0), &d), -1);
		} else {
			CHECK_EQ(insn_decode_mmio(enc_c_lsp(2, r), &d), 0);
			CHECK_DECODED(d, false, 4, true, r, 2);
			CHECK_EQ(insn_decode_mmio(enc_c_lsp(3, r), &d), 0);
			CHECK_DECODED(d, false, 8, false, r, 2);
		}
		CHECK_EQ(insn_decode_mmio(enc_c_ssp(6, r), &d), 0);
		CHECK_DECODED(d, true, 4, false, r, 2);
		CHECK_EQ(insn_decode_mmio(enc_c_ssp(7, r), &d), 0);
		CHECK_DECODED(d, true, 8, false, r, 2);
	}
}

TEST(compressed_ignores_upper_halfword)
{
	struct mmio_insn d;

	/* The caller may fetch 32 bits; the next instruction's bits follow. */
	CHECK_EQ(insn_decode_mmio(0xdead0000u | 0x41c8u, &d), 0);
	CHECK_DECODED(d, false, 4, true, 10, 2);
	CHECK_EQ(insn_decode_mmio(0x00130000u | 0x4505u, &d), -1);
}

/* Every 16-bit value: exactly the eight RV64C integer loads/stores decode. */
TEST(compressed_exhaustive)
{
	struct mmio_insn d;
	uint32_t c, q, f3, rd, accepted = 0;
	bool want;

	for (c = 0; c <= 0xffff; c++) {
		q = c & 3;
		f3 = c >> 13;
		rd = (c >> 7) & 0x1f;
		if (q == 3)
			continue;
		want = (q == 0 && (f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7)) ||
		       (q == 2 && (f3 == 6 || f3 == 7)) ||
		       (q == 2 && (f3 == 2 || f3 == 3) && rd != 0);
		if ((insn_decode_mmio(c, &d) == 0) != want) {
			UNIT_FAIL("0x%04x: decode %s", c,
				  want ? "rejected" : "accepted");
			continue;
		}
		if (want) {
			accepted++;
			CHECK(d.reg < 32 && d.len == 2 && (d.width == 4 || d.width == 8));
		}
	}
	/* Q0: 4 funct3 x 2^11 ; Q2 stores: 2 x 2^11 ; Q2 loads: 2 x 31 x 2^6 */
	CHECK_EQ(accepted, 4 * 2048 + 2 * 2048 + 2 * 31 * 64);
}

/* Random 32-bit words: only LOAD/STORE opcodes with valid funct3 decode. */
TEST(random_32bit_words)
{
	struct mmio_insn d;
	uint32_t x = 0x12345678u, w, op, f3;
	int i;

	for (i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		w = x | 3u;
		op = w & 0x7f;
		f3 = (w >> 12) & 7;
		uint32_t f5 = w >> 27;
		bool amo = op == 0x2f && (f3 == 2 || f3 == 3) && ((f5 & 3) == 0 || f5 == 1);
		if ((insn_decode_mmio(w, &d) == 0) !=
		    ((op == 0x03 && f3 != 7) || (op == 0x23 && f3 < 4) || amo)) {
			UNIT_FAIL("0x%08x misdecoded", w);
			break;
		}
	}
}

TEST(insn_length)
{
	CHECK_EQ(insn_length(0x41c8), 2);
	CHECK_EQ(insn_length(0x0000), 2);
	CHECK_EQ(insn_length(0x0001), 2);
	CHECK_EQ(insn_length(0x0002), 2);
	CHECK_EQ(insn_length(0x8503), 4);
	CHECK_EQ(insn_length(0xffff), 4);
}

TEST(htinst_from_32bit)
{
	struct mmio_insn d;
	uint32_t f3, r;

	for (f3 = 0; f3 < 7; f3++) {
		for (r = 0; r < 32; r++) {
			CHECK_EQ(insn_decode_htinst(transform(enc_load(f3, r, 5, 100), 0, false), &d), 0);
			CHECK_DECODED(d, false, load_width[f3], load_sign[f3], r, 4);
		}
	}
	for (f3 = 0; f3 < 4; f3++) {
		for (r = 0; r < 32; r++) {
			CHECK_EQ(insn_decode_htinst(transform(enc_store(f3, r, 5, -100), 0, false), &d), 0);
			CHECK_DECODED(d, true, 1u << f3, false, r, 4);
		}
	}
	/* A misaligned access puts a nonzero address offset in bits 19:15. */
	CHECK_EQ(insn_decode_htinst(transform(enc_load(2, 10, 11, 0), 3, false), &d), 0);
	CHECK_DECODED(d, false, 4, true, 10, 4);
	/* The transformation of the assembled "sd x1,8(x2)" (0x00113423). */
	CHECK_EQ(insn_decode_htinst(0x00103023, &d), 0);
	CHECK_DECODED(d, true, 8, false, 1, 4);
}

TEST(htinst_from_compressed)
{
	struct mmio_insn d;

	/* c.lw x10,4(x11) -> lw x10,4(x11) -> transformed 0x00002503, bit 1 cleared */
	CHECK_EQ(insn_decode_htinst(transform(enc_load(2, 10, 11, 4), 0, true), &d), 0);
	CHECK_EQ(insn_decode_htinst(0x00002501, &d), 0);
	CHECK_DECODED(d, false, 4, true, 10, 2);
	/* c.ldsp x5,504(x2) -> ld x5,504(x2) */
	CHECK_EQ(insn_decode_htinst(0x00003281, &d), 0);
	CHECK_DECODED(d, false, 8, false, 5, 2);
	/* c.sw x12,0(x13) -> sw x12,0(x13) */
	CHECK_EQ(insn_decode_htinst(0x00c02021, &d), 0);
	CHECK_DECODED(d, true, 4, false, 12, 2);
	/* c.sdsp x31,504(x2) -> sd x31,504(x2) */
	CHECK_EQ(insn_decode_htinst(transform(enc_store(3, 31, 2, 504), 0, true), &d), 0);
	CHECK_DECODED(d, true, 8, false, 31, 2);
	/* c.swsp x0,0(x2): register 0 must survive. */
	CHECK_EQ(insn_decode_htinst(transform(enc_store(2, 0, 2, 0), 0, true), &d), 0);
	CHECK_DECODED(d, true, 4, false, 0, 2);
}

TEST(htinst_rejects)
{
	static const uint64_t bad[] = {
		0,			/* no information */
		0x00002000, 0x00002020,	/* RV32 VS-stage PT read/write pseudoinsns */
		0x00003000, 0x00003020,	/* RV64 VS-stage PT read/write pseudoinsns */
		0x00002502,		/* bits 1:0 = 10: not a defined value */
		0x0000250a,		/* bits 1:0 = 10 */
		0x00002007,		/* transformed flw */
		0x00003027,		/* transformed fsd */
		0x00003005,		/* transformed c.fld (fld, bit 1 cleared) */
		0x1000252f,		/* transformed lr.w */
		0x1800252f,		/* transformed sc.w */
		0x00002573,		/* csr access is never transformed */
		0x100002503ull,		/* bits 63:32 must be zero */
		0x8000000000003023ull,
		0x00007003,		/* load funct3 7 */
		0x00004023,		/* store funct3 4 */
	};
	struct mmio_insn d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (insn_decode_htinst(bad[i], &d) != -1)
			UNIT_FAIL("htinst 0x%llx accepted",
				  (unsigned long long)bad[i]);
}

UNIT_MAIN("test_insn",
	  UNIT(load32_every_width_and_register),
	  UNIT(store32_every_width_and_register),
	  UNIT(assembled_encodings),
	  UNIT(amo_forms),
	  UNIT(amo_apply),
	  UNIT(rejects_fp_amo_and_others),
	  UNIT(compressed_register_forms),
	  UNIT(compressed_sp_relative_forms),
	  UNIT(compressed_ignores_upper_halfword),
	  UNIT(compressed_exhaustive),
	  UNIT(random_32bit_words),
	  UNIT(insn_length),
	  UNIT(htinst_from_32bit),
	  UNIT(htinst_from_compressed),
	  UNIT(htinst_rejects))
