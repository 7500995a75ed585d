/*
 * The single-step next-PC decoder (hypervisor/gdbstub/nextpc.c): every
 * branch and jump form, compressed and not, against targets computed by
 * hand.  Encodings are xv6's own (objdump of its kernel) where it has them.
 */
#include "unit.h"
#include "gdbstub/nextpc.h"

static uint64_t x[32];

static struct nextpc at(uint32_t insn, uint64_t pc)
{
	struct nextpc n;

	nextpc_decode(insn, pc, x, 0x80001234, &n);
	return n;
}

static void reset_regs(void)
{
	for (unsigned i = 0; i < 32; i++)
		x[i] = 0;
}

enum { S1 = 9, A0 = 10, A4 = 14, A5 = 15, S2 = 18, S3 = 19, S5 = 21, S6 = 22, T0 = 5, T1 = 6, RA = 1 };

TEST(branches_32bit)
{
	reset_regs();
	/* 80200128: 02f48e63 beq s1,a5,80200164 */
	x[S1] = 5; x[A5] = 5;
	CHECK_EQ(at(0x02f48e63, 0x80200128).target[0], 0x80200164);
	CHECK_EQ(at(0x02f48e63, 0x80200128).kind, NEXTPC_BRANCH);
	x[A5] = 6;
	CHECK_EQ(at(0x02f48e63, 0x80200128).target[0], 0x8020012c);
	/* 802000c8: fd579fe3 bne a5,s5,802000a6 (backwards) */
	x[A5] = 1; x[S5] = 2;
	CHECK_EQ(at(0xfd579fe3, 0x802000c8).target[0], 0x802000a6);
	x[S5] = 1;
	CHECK_EQ(at(0xfd579fe3, 0x802000c8).target[0], 0x802000cc);
	/* 80200458: 0327c563 blt a5,s2,80200482: signed */
	x[A5] = (uint64_t)-1; x[S2] = 0;
	CHECK_EQ(at(0x0327c563, 0x80200458).target[0], 0x80200482);
	/* 80200494: fce7ece3 bltu a5,a4,8020046c: unsigned, -1 is huge */
	x[A5] = (uint64_t)-1; x[A4] = 0;
	CHECK_EQ(at(0xfce7ece3, 0x80200494).target[0], 0x80200498);
	x[A5] = 0; x[A4] = 1;
	CHECK_EQ(at(0xfce7ece3, 0x80200494).target[0], 0x8020046c);
	/* 802003f6: 013b5463 bge s6,s3,802003fe */
	x[S6] = 3; x[S3] = 3;
	CHECK_EQ(at(0x013b5463, 0x802003f6).target[0], 0x802003fe);
	x[S6] = (uint64_t)-3;
	CHECK_EQ(at(0x013b5463, 0x802003f6).target[0], 0x802003fa);
	/* 80200010: 0062f663 bgeu t0,t1,8020001c */
	x[T0] = 1; x[T1] = (uint64_t)-1;
	CHECK_EQ(at(0x0062f663, 0x80200010).target[0], 0x80200014);
	x[T0] = 2; x[T1] = 2;
	CHECK_EQ(at(0x0062f663, 0x80200010).target[0], 0x8020001c);
	/* 802003b0: 04054763 bltz a0,802003fe (blt a0,zero) */
	x[A0] = (uint64_t)-7;
	CHECK_EQ(at(0x04054763, 0x802003b0).target[0], 0x802003fe);
}

TEST(jumps_32bit)
{
	reset_regs();
	/* 8020007c: 565030ef jal 80203de0 */
	CHECK_EQ(at(0x565030ef, 0x8020007c).target[0], 0x80203de0);
	CHECK_EQ(at(0x565030ef, 0x8020007c).kind, NEXTPC_JUMP);
	CHECK_EQ(at(0x565030ef, 0x8020007c).len, 4);
	/* j .-4 (jal zero,-4) */
	CHECK_EQ(at(0xffdff06f, 0x80201000).target[0], 0x80200ffc);
	/* jalr ra,8(a5): (a5 + 8) & ~1 */
	x[A5] = 0x80205001;
	CHECK_EQ(at(0x007780e7, 0x80200000).target[0], 0x80205008);
	/* jalr zero,-2(a5): negative offset, low bit cleared */
	x[A5] = 0x80205003;
	CHECK_EQ(at(0xffe78067, 0x80200000).target[0], 0x80205000);
}

TEST(compressed)
{
	reset_regs();
	/* 8020001a: bfdd j 80200010 */
	CHECK_EQ(at(0xbfdd, 0x8020001a).target[0], 0x80200010);
	CHECK_EQ(at(0xbfdd, 0x8020001a).len, 2);
	/* 80200024: a029 j 8020002e */
	CHECK_EQ(at(0xa029, 0x80200024).target[0], 0x8020002e);
	/* 8020019a: dfd5 beqz a5,80200156 */
	x[A5] = 0;
	CHECK_EQ(at(0xdfd5, 0x8020019a).target[0], 0x80200156);
	x[A5] = 1;
	CHECK_EQ(at(0xdfd5, 0x8020019a).target[0], 0x8020019c);
	/* 80200154: e7a1 bnez a5,8020019c */
	CHECK_EQ(at(0xe7a1, 0x80200154).target[0], 0x8020019c);
	x[A5] = 0;
	CHECK_EQ(at(0xe7a1, 0x80200154).target[0], 0x80200156);
	/* 8020004a: 8082 ret; 802012d2: 8782 jr a5; 80204406: 9782 jalr a5 */
	x[RA] = 0x80201234;
	CHECK_EQ(at(0x8082, 0x8020004a).target[0], 0x80201234);
	x[A5] = 0x80209999;
	CHECK_EQ(at(0x8782, 0x802012d2).target[0], 0x80209998);
	CHECK_EQ(at(0x9782, 0x80204406).target[0], 0x80209998);
	CHECK_EQ(at(0x9782, 0x80204406).kind, NEXTPC_JUMP);
	/* c.ebreak (9002), c.addi (0x0505): fall through by 2 */
	CHECK_EQ(at(0x9002, 0x80200000).target[0], 0x80200002);
	CHECK_EQ(at(0x0505, 0x80200000).kind, NEXTPC_SEQ);
	/* the upper half of a 32-bit word after a compressed one is not looked at */
	CHECK_EQ(at(0xffff8082, 0x8020004a).target[0], 0x80201234);
}

TEST(system)
{
	reset_regs();
	CHECK_EQ(at(0x10200073, 0x80206224).kind, NEXTPC_SRET);
	CHECK_EQ(at(0x10200073, 0x80206224).target[0], 0x80001234);	/* sepc */
	CHECK_EQ(at(0x00000073, 0x80203c22).kind, NEXTPC_ECALL);
	CHECK_EQ(at(0x00000073, 0x80203c22).target[0], 0x80203c26);
	CHECK_EQ(at(0x00100073, 0x80200000).target[0], 0x80200004);	/* ebreak */
	/* 802050d6: 1047a073 csrs sie,a5 */
	CHECK(nextpc_is_csr_access(0x1047a073, 0x104));
	CHECK(!nextpc_is_csr_access(0x1047a073, 0x144));
	CHECK(!nextpc_is_csr_access(0x10200073, 0x102));	/* sret is not a CSR access */
}

/* An lr/sc loop in fake memory: lr, bne out, sc, bnez back. */
static uint32_t mem[8];
#define MEM_BASE 0x80300000UL

static bool fetch(void *ctx, uint64_t pc, uint32_t *insn)
{
	(void)ctx;
	if (pc < MEM_BASE || pc >= MEM_BASE + sizeof(mem) || (pc & 3))
		return false;
	*insn = mem[(pc - MEM_BASE) / 4];
	return true;
}

TEST(lr_sc_sequence_stepped_whole)
{
	struct nextpc n;

	reset_regs();
	mem[0] = 0x100522af;	/* lr.w t0,(a0) */
	mem[1] = 0x00b29663;	/* bne t0,a1,+12 -> MEM_BASE + 16 */
	mem[2] = 0x18c5232f;	/* sc.w t1,a2,(a0) */
	mem[3] = 0xfe031ae3;	/* bnez t1,-12 -> MEM_BASE */
	mem[4] = 0x00000013;	/* nop */
	nextpc_step(fetch, 0, MEM_BASE, x, 0, &n);
	CHECK_EQ(n.kind, NEXTPC_LR);
	CHECK_EQ(n.count, 2);
	CHECK_EQ(n.target[0], MEM_BASE + 12);	/* after the sc */
	CHECK_EQ(n.target[1], MEM_BASE + 16);	/* the bne's way out */
	/* the same sequence without its sc: an ordinary load */
	mem[2] = 0x00000013;
	mem[3] = 0x00000013;
	nextpc_step(fetch, 0, MEM_BASE, x, 0, &n);
	CHECK_EQ(n.kind, NEXTPC_SEQ);
	CHECK_EQ(n.count, 1);
	CHECK_EQ(n.target[0], MEM_BASE + 4);
	/* an instruction that cannot be fetched: no targets */
	nextpc_step(fetch, 0, 0x1000, x, 0, &n);
	CHECK_EQ(n.count, 0);
}

/* Register xN holds 0x10000 * N, so the base register shows in the address. */
static bool ea(uint32_t insn, uint64_t *addr, unsigned *width)
{
	for (unsigned i = 0; i < 32; i++)
		x[i] = 0x10000UL * i;
	return nextpc_mem_access(insn, x, addr, width);
}

#define CHECK_EA(insn, reg, off, w) do { \
		uint64_t a_ = 0; unsigned w_ = 0; \
		CHECK(ea(insn, &a_, &w_)); \
		CHECK_EQ(a_, 0x10000UL * (reg) + (uint64_t)(int64_t)(off)); \
		CHECK_EQ(w_, (w)); \
	} while (0)

/* Encodings from the cross assembler (objdump of each line). */
TEST(memory_access_addresses)
{
	uint64_t a;
	unsigned w;

	CHECK_EA(0x0324b823, 9, 48, 8);		/* sd s2,48(s1) */
	CHECK_EA(0xff812503, 2, -8, 4);		/* lw a0,-8(sp) */
	CHECK_EA(0x7ff5c283, 11, 2047, 1);	/* lbu t0,2047(a1) */
	CHECK_EA(0xfeb6ae27, 13, -4, 4);	/* fsw fa1,-4(a3) */
	CHECK_EA(0x0ce4a7af, 9, 0, 4);		/* amoswap.w.aq a5,a4,(s1) */
	CHECK_EA(0x00b5302f, 10, 0, 8);		/* amoadd.d zero,a1,(a0) */
	CHECK_EA(0x100522af, 10, 0, 4);		/* lr.w t0,(a0) */
	CHECK_EA(0x18c5332f, 10, 0, 8);		/* sc.d t1,a2,(a0) */
	CHECK_EA(0xc398, 15, 0, 4);		/* c.sw a4,0(a5): xv6's nextpid++ */
	CHECK_EA(0xc3d8, 15, 4, 4);		/* c.sw a4,4(a5) */
	CHECK_EA(0xfd64, 10, 248, 8);		/* c.sd s1,248(a0) */
	CHECK_EA(0x5c70, 8, 124, 4);		/* c.lw a2,124(s0) */
	CHECK_EA(0x6594, 11, 8, 8);		/* c.ld a3,8(a1) */
	CHECK_EA(0x2a08, 12, 16, 8);		/* c.fld fa0,16(a2) */
	CHECK_EA(0x3348, 14, 160, 8);		/* c.fld fa0,160(a4) */
	CHECK_EA(0x50fe, 2, 252, 4);		/* c.lwsp ra,252(sp) */
	CHECK_EA(0x747e, 2, 504, 8);		/* c.ldsp s0,504(sp) */
	CHECK_EA(0xdf2a, 2, 188, 4);		/* c.swsp a0,188(sp) */
	CHECK_EA(0xf3ae, 2, 480, 8);		/* c.sdsp a1,480(sp) */
	CHECK_EA(0xa622, 2, 264, 8);		/* c.fsdsp fs0,264(sp) */
	/* not memory accesses: addi, c.addi, ebreak, c.ebreak, a 16-bit one with junk above */
	CHECK(!ea(0x00150513, &a, &w));
	CHECK(!ea(0x0505, &a, &w));
	CHECK(!ea(0x00100073, &a, &w));
	CHECK(!ea(0x9002, &a, &w));
	CHECK_EA(0xffffc398, 15, 0, 4);
}

UNIT_MAIN("test_nextpc", UNIT(branches_32bit), UNIT(jumps_32bit), UNIT(compressed), UNIT(system),
	  UNIT(lr_sc_sequence_stepped_whole), UNIT(memory_access_addresses))
