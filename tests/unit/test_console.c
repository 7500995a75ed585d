/*
 * Unit tests for the hv> console (console/) against the fake hypervisor
 * of fake_console_backend.c: every command's output and error paths, the
 * line editor (backspace, ^U, ^C, history, Tab), number parsing, and the
 * rule that every bad line gets exactly one error line and the prompt back.
 */
#include "unit.h"
#include "fake_console_backend.h"
#include "console/cmd.h"

/* Feed a line and Enter; returns everything the console wrote. */
static const char *type(const char *keys)
{
	fake_console_clear_output();
	for (const char *p = keys; *p; p++)
		console_input(*p);
	console_input('\r');
	return fk.out;
}

/* The reply to a line: what follows the echo and its newline. */
static const char *reply(const char *line)
{
	const char *nl;

	type(line);
	nl = strchr(fk.out, '\n');
	return nl ? nl + 1 : fk.out;
}

static void fresh(void)
{
	fake_console_reset();
	console_setup(fake_console_ops());
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* Exactly one line, an error, then the prompt. */
static bool one_error(const char *r)
{
	return !strncmp(r, "error: ", 7) && count(r, "\n") == 1 && ends_with(r, "\nhv> ");
}

#define CHECK_HAS(r, s) do { if (!strstr((r), (s))) UNIT_FAIL("missing \"%s\" in:\n%s", (s), (r)); } while (0)
#define CHECK_ONE_ERROR(line, s) do { const char *r_ = reply(line); \
	if (!one_error(r_) || !strstr(r_, (s))) UNIT_FAIL("'%s' -> not one error line with \"%s\":\n%s", (line), (s), r_); \
} while (0)

TEST(prompt_and_empty_line)
{
	fresh();
	CHECK_STR(type(""), "\nhv> ");
	CHECK_STR(type("   "), "   \nhv> ");
}

TEST(help_lists_every_command_from_the_table)
{
	fresh();
	const char *r = reply("help");
	CHECK_EQ(count(r, "\n"), console_command_count);
	for (unsigned i = 0; i < console_command_count; i++) {
		char want[32];
		snprintf(want, sizeof(want), "%s%s ", i ? "\n" : "", console_commands[i].name);
		CHECK(i ? strstr(r, want) != NULL : !strncmp(r, want, strlen(want)));
	}
	const char *names[] = { "help", "version", "mem", "vms", "csr", "regs", "pt", "gpt", "xlate", "x", "adue",
				"adem", "deleg", "trace", "stats", "pause", "resume", "reset", "kill", "dump", "log", "quit" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(console_find(names[i]) != NULL);
	r = reply("help xlate");
	CHECK_HAS(r, "usage: xlate N[.V] VA");
	CHECK_ONE_ERROR("help nope", "no command 'nope'");
	CHECK_ONE_ERROR("help a b", "usage: help");
}

TEST(version_mem_vms)
{
	fresh();
	CHECK_HAS(reply("version"), "hvscope 0.1 (fake)\n");
	const char *m = reply("mem");
	CHECK_HAS(m, "hypervisor: 3072 KiB (code and data 100 KiB; trace rings 2048 KiB and stacks 64 KiB "
		     "for 64 harts; 157 KiB for 32 VM slots)\n");
	CHECK_HAS(m, "pages: 1000 total, 744 free, 256 used");
	CHECK_HAS(m, "VMs: 3 of 32\n");
	CHECK_HAS(m, "\n1  alpha            4M       16K      5K\n");
	CHECK_HAS(m, "\n3  gamma            2M       24K      5K\n");
	const char *r = reply("vms");
	CHECK_HAS(r, "\n1  alpha            running  1@0");
	CHECK_HAS(r, "\n2  beta             paused   2@1,-  ");	/* vCPU 1 never ran */
	CHECK_HAS(r, "\n3  gamma            dead ");
	CHECK_HAS(r, "   why: fault loop");
	CHECK_HAS(r, " 4M ");
	CHECK_ONE_ERROR("vms 1", "usage: vms");
	CHECK_ONE_ERROR("version x", "usage: version");
}

TEST(csr_hart_decoded)
{
	fresh();
	fake_csr[CSR_HENVCFG] = 0xa000000000000000UL;
	CHECK_STR(reply("csr henvcfg"),
		  "henvcfg = 0xa000000000000000  STCE=1 PBMTE=0 ADUE=1 CBZE=0 CBCFE=0 CBIE=0 FIOM=0\nhv> ");
	CHECK_HAS(reply("csr hstatus"), "hstatus = 0x0000000200000080  VSXL=2 VTSR=0 VTW=0 VTVM=0 VGEIN=0 HU=0 SPVP=0 SPV=1 GVA=0 VSBE=0");
	CHECK_HAS(reply("csr sie"), "SSIP=1 VSSIP=0 MSIP=0 STIP=1");
	CHECK_HAS(reply("csr satp"), "MODE=Bare ASID=0 PPN=0x0");
	CHECK_HAS(reply("csr time"), "(2.500 s since reset)");
	const char *r = reply("csr scause");
	CHECK_HAS(r, "scause = 0x000000000000000c  exception 12: instruction page fault  [last trap from a guest on this hart: vm1.0]");
	CHECK_HAS(reply("csr stval"), "stval = 0x0000000080201000  [last trap from a guest on this hart");
	r = reply("csr");
	CHECK_EQ(count(r, "\n"), 23);
	CHECK_HAS(r, "\nhgatp = ");
	CHECK_HAS(r, "\nsepc = 0x0000000080200abc");
}

TEST(csr_hart_errors_and_writes)
{
	fresh();
	CHECK_ONE_ERROR("csr bogus", "unknown CSR 'bogus'; this hart's are: hstatus hedeleg");
	CHECK_ONE_ERROR("csr vsatp", "'vsatp' is a vCPU's CSR: csr N[.V] vsatp");
	CHECK_ONE_ERROR("csr satp 0", "satp is not written from the console: hvscope runs identity-mapped");
	CHECK_ONE_ERROR("csr hgatp 0", "hgatp is not written from the console: it selects the G-stage");
	CHECK_ONE_ERROR("csr stvec 0", "trap vector");
	CHECK_ONE_ERROR("csr sscratch 0", "trap entry");
	CHECK_ONE_ERROR("csr hstatus 0", "world switch");
	CHECK_ONE_ERROR("csr scause 0", "trap register");
	CHECK_ONE_ERROR("csr henvcfg 0", "adue");
	CHECK_ONE_ERROR("csr hvip 0xzz", "bad number '0xzz'");
	CHECK_ONE_ERROR("csr hvip 0x1ffffffffffffffff", "number '0x1ffffffffffffffff' does not fit in 64 bits");
	CHECK_ONE_ERROR("csr hvip 1 2", "usage: csr");
	CHECK_EQ(fk.csr_writes, 0);
	CHECK_HAS(reply("csr hvip 0x4"), "hvip = 0x0000000000000004  SSIP=0 VSSIP=1");
	CHECK_EQ(fk.csr_writes, 1);
	CHECK_EQ(fake_csr[CSR_HVIP], 4);
}

TEST(csr_vcpu)
{
	fresh();
	CHECK_STR(reply("csr 1 vsatp"), "vsatp = 0x8000000000080100  MODE=Sv39 ASID=0 PPN=0x80100\nhv> ");
	CHECK_HAS(reply("csr 1.0 henvcfg"), "henvcfg = 0xa000000000000000  STCE=1 PBMTE=0 ADUE=1");
	CHECK_HAS(reply("csr 2.1 vstvec"), "vstvec = 0x0000000080200100  MODE=Direct BASE=0x80200100");
	CHECK_HAS(reply("csr 1 hgatp"), "MODE=Sv39x4 VMID=1");
	const char *r = reply("csr 2.1");
	CHECK_HAS(r, "vm2.1 (beta), paused:\n");
	CHECK_EQ(count(r, "\n"), 14);
	CHECK_HAS(reply("csr 1 vsepc 0x1234"), "vsepc = 0x0000000000001234\n");
	CHECK_EQ(fk.vm[0].vcpu[0].vsepc, 0x1234);
	CHECK_HAS(reply("csr 1 vsip"), "vsip = 0x0000000000000000  SSIP=0 STIP=0 SEIP=0");
	CHECK_ONE_ERROR("csr 1 vsip 2", "vsip is not written from the console: computed from hvip");
	CHECK_ONE_ERROR("csr 1 hgatp 0", "breaks VM isolation");
	CHECK_ONE_ERROR("csr 1 hideleg 0", "relies on all three");
	CHECK_ONE_ERROR("csr 1 henvcfg 0x4000000000000000", "vm1.0 henvcfg: the hart cannot set");
	CHECK_ONE_ERROR("csr 1 sstatus", "'sstatus' is not kept per vCPU");
	CHECK_ONE_ERROR("csr 1 nope", "unknown CSR 'nope'; a vCPU's are: vsstatus");
	CHECK_ONE_ERROR("csr 1.2 vsatp", "vm1 has no vCPU 2 (it has 1)");
	CHECK_ONE_ERROR("csr 9 vsatp", "no VM '9'");
	CHECK_ONE_ERROR("csr 0 vsatp", "no VM '0'");
	CHECK_ONE_ERROR("csr 1.x vsatp", "bad VM or vCPU '1.x'");
	CHECK_ONE_ERROR("csr 1 vsatp 12abc", "bad number '12abc'");
	CHECK_HAS(reply("csr 1 henvcfg 0x8000000000000000"), "ADUE=0");
	CHECK(!fk.vm[0].info.adue);
}

TEST(regs)
{
	fresh();
	const char *r = reply("regs 2.1");
	CHECK_HAS(r, "vm2.1 (beta, paused): pc 0x0000000080200010 in VS-mode, hart -1\n");
	CHECK_HAS(r, "zero 0x0000000000000000  ra   0x0000000000001001");
	CHECK_HAS(r, "a0   0x000000000000a001");
	CHECK_HAS(r, "t6   0x000000000001f001");
	CHECK_HAS(r, "vsatp = 0x0000000000000000  MODE=Bare");
	CHECK_HAS(r, "hstatus = ");
	CHECK_ONE_ERROR("regs", "usage: regs N[.V]");
	CHECK_ONE_ERROR("regs 4", "no VM '4'");
}

TEST(pt_walks_sv39)
{
	fresh();
	const char *r = reply("pt 1 0x80200000");
	CHECK_HAS(r, "vm1.0 VS-stage walk of VA 0x80200000 (load from VS-mode): vsatp 0x8000000000080100 Sv39 root gpa 0x80100000");
	CHECK_HAS(r, "  level 2: table gpa 0x80100000 index 2 pte ");
	CHECK_HAS(r, "  level 1: table gpa 0x80101000 index 1 ");
	CHECK_HAS(r, "  level 0: table gpa 0x80102000 index 0 pte 0x00000000200800cf V=1 R=1 W=1 X=1 U=0 G=0 A=1 D=1 ppn 0x80200 (leaf, 4 KiB page)");
	CHECK_HAS(r, "\ngpa=0x80200000\n");
	CHECK_HAS(r, "fetch ok; load ok; store ok");
	CHECK_HAS(reply("pt 1 0x80200123"), "\ngpa=0x80200123\n");
	r = reply("pt 1 0x80202000");
	CHECK_HAS(r, "-> walk stops: invalid PTE (V=0); the hardware raises load page fault (scause 13)");
	CHECK(!strstr(r, "gpa="));
	CHECK_HAS(reply("pt 1 0x80203000"), "reserved PTE encoding");
	CHECK_HAS(reply("pt 1 0x80400000"), "misaligned superpage");
	r = reply("pt 1 0x80205000");
	CHECK_HAS(r, "\ngpa=0x80205000\n  -> walk stops: no R permission; the hardware raises load page fault (scause 13)\n");
	CHECK_HAS(r, "fetch ok; load load page fault (no R permission); store store/AMO page fault (no W permission)");
	CHECK_HAS(reply("pt 1 0x80205000 fetch"), "(fetch from VS-mode)");
	CHECK_HAS(reply("pt 1 0xc0000000"), "page-table access is not guest RAM");
	CHECK_HAS(reply("pt 1 0x8000000000"), "VA not sign-extended");
	CHECK_HAS(reply("pt 2 0x1234"), "vsatp is Bare: GPA = VA\ngpa=0x1234\n");
	CHECK_ONE_ERROR("pt 1", "usage: pt");
	CHECK_ONE_ERROR("pt 1 0x80200000 write", "access must be fetch, load or store, not 'write'");
	CHECK_ONE_ERROR("pt 1 zz", "bad number 'zz'");
}

TEST(pt_ad_without_adue)
{
	fresh();
	reply("adue 1 off");
	const char *r = reply("pt 1 0x80201000");
	CHECK_HAS(r, "ADUE=0");
	CHECK_HAS(r, "\ngpa=0x80201000\n");
	CHECK_HAS(r, "A=0 and hardware A/D updating is off; the hardware raises load page fault");
	reply("adue 1 on");
	CHECK_HAS(reply("pt 1 0x80201000"), "fetch instruction page fault (no X permission); load ok; store ok");
}

TEST(gpt_walks_sv39x4)
{
	fresh();
	char want[64];
	const char *r = reply("gpt 1 0x80200010");
	CHECK_HAS(r, "vm1 G-stage walk of GPA 0x80200010: hgatp 0x80001");
	CHECK_HAS(r, "  level 2: table hpa 0x");
	CHECK_HAS(r, "(leaf, 2 MiB page)");
	snprintf(want, sizeof(want), "\nhpa=0x%lx\n", (unsigned long)(uintptr_t)(fk.vm[0].ram + 0x200010));
	CHECK_HAS(r, want);
	CHECK_HAS(reply("gpt 1 0x90000000"), "-> walk stops: invalid PTE (V=0); the hardware raises a guest-page fault");
	CHECK_HAS(reply("gpt 1 0x40000000000"), "GPA wider than 41 bits");
	CHECK_ONE_ERROR("gpt 1.0 0x80000000", "bad VM number '1.0'");
	CHECK_ONE_ERROR("gpt 1", "usage: gpt N GPA");
}

/* xlate prints the same gpa as pt and the same hpa as gpt of that gpa. */
TEST(xlate_agrees_with_pt_and_gpt)
{
	fresh();
	char want[64];
	const char *r = reply("xlate 1 0x80200008");
	CHECK_HAS(r, "vm1.0 xlate VA 0x80200008 (load from VS-mode): vsatp Sv39 root gpa 0x80100000");
	CHECK_EQ(count(r, "  VS pte at gpa 0x"), 3);
	CHECK_HAS(r, "\ngpa=0x80200008\n");
	snprintf(want, sizeof(want), "\nhpa=0x%lx\n", (unsigned long)(uintptr_t)(fk.vm[0].ram + 0x200008));
	CHECK_HAS(r, want);
	CHECK_HAS(r, "VS leaf R=1 W=1 X=1 U=0 A=1 D=1; G leaf R=1 W=1 X=1 U=1 -> effective RWX");
	CHECK_HAS(reply("pt 1 0x80200008"), "\ngpa=0x80200008\n");
	CHECK_HAS(reply("gpt 1 0x80200008"), want);
	r = reply("xlate 1 0x80204000");
	CHECK_HAS(r, "\ngpa=0x90000000\n");
	CHECK_HAS(r, "the access at gpa 0x90000000 is not mapped by the G stage; the hardware raises load guest-page fault (scause 21), htval 0x24000000");
	CHECK(!strstr(r, "hpa="));
	CHECK_HAS(reply("xlate 1 0xc0000000 store"), "the page-table access at gpa 0x70000000 is not mapped by the G stage; the hardware raises store/AMO guest-page fault (scause 23)");
	CHECK_HAS(reply("xlate 1 0x80202000"), "-> VS-stage walk stops: invalid PTE (V=0)");
	CHECK_HAS(reply("xlate 1 0x80205000"), "effective --X");
	CHECK_ONE_ERROR("xlate 1 0x80200000 load extra", "usage: xlate");
	CHECK_ONE_ERROR("xlate 1.1 0x0", "vm1 has no vCPU 1");
}

TEST(x_dumps_guest_memory)
{
	fresh();
	const char *r = reply("x 1 0x80200000 16");
	CHECK_STR(r, "0000000080200000: 68 76 73 63 6f 70 65 20 63 6f 6e 73 6f 6c 65 20  |hvscope console |\nhv> ");
	r = reply("x 1 0x80200010 16");
	CHECK_HAS(r, "74 65 73 74 20 69 6d 61 67 65 01 02 7f 00 00 00  |test image......|");
	r = reply("x 1 v:0x80200000 16");
	CHECK_HAS(r, "vm1 VA 0x80200000 -> gpa=0x80200000\n");
	CHECK_HAS(r, "0000000080200000: 68 76 73 63");
	CHECK_EQ(count(reply("x 1 0x80200000"), "\n"), 4);
	CHECK_EQ(count(reply("x 1 0x80200000 4096"), "\n"), 256);
	CHECK_HAS(reply("x 1 0x80200003 3"), "0000000080200003: 63 6f 70" "                                       " "  |cop             |");
	CHECK_HAS(reply("x 1 v:0x80200ff8 16"), "(crosses a page");
	CHECK_ONE_ERROR("x 1 0x7ffffff0 16", "is not all in vm1's RAM");
	CHECK_ONE_ERROR("x 1 0x803ffff8 16", "is not all in vm1's RAM");
	CHECK_ONE_ERROR("x 1 0x80200000 4097", "LEN '4097' must be 1..4096");
	CHECK_ONE_ERROR("x 1 0x80200000 0", "LEN '0' must be 1..4096");
	CHECK_ONE_ERROR("x 1 v:0x80202000 16", "VA 0x80202000 does not translate for vm1.0: load page fault (invalid PTE (V=0))");
	CHECK_ONE_ERROR("x 1 v:0x80204000 16", "translates outside vm1's RAM");
	CHECK_ONE_ERROR("x 1 v:zz", "bad number 'zz'");
	CHECK_ONE_ERROR("x 1", "usage: x N GPA|v:VA [LEN]");
	CHECK_ONE_ERROR("x 1 0xffffffffffffffff 16", "not all in vm1's RAM");
}

TEST(adue_adem_deleg)
{
	fresh();
	const char *r = reply("adue 1");
	CHECK_HAS(r, "vm1 (alpha): ADUE on; A/D emulation off: hardware sets A/D\nhenvcfg = 0xa000000000000000");
	/* as `adue = off` in a config: A/D emulation comes on with ADUE off */
	r = reply("adue 1 off");
	CHECK_HAS(r, "vm1 (alpha): ADUE off; A/D emulation on: hvscope sets A/D on the guest's page faults\n");
	CHECK_HAS(r, "henvcfg = 0x8000000000000000  STCE=1 PBMTE=0 ADUE=0");
	CHECK_HAS(r, "hedeleg = 0x00000000000001ff");
	CHECK(fk.vm[0].info.ad_emulation);
	CHECK_HAS(reply("adem 1 off"),
		  "vm1 (alpha): A/D emulation off; ADUE off: a guest that relies on hardware A/D will fault\n");
	CHECK(!fk.vm[0].info.ad_emulation);
	CHECK_HAS(reply("adem 1 on"), "vm1 (alpha): A/D emulation on; ADUE off: hvscope sets A/D");
	CHECK(fk.vm[0].info.ad_emulation);
	CHECK_HAS(reply("adue 1 on"), "vm1 (alpha): ADUE on; A/D emulation off: hardware sets A/D\n");
	CHECK(!fk.vm[0].info.ad_emulation);
	reply("adue 1 off");
	fk.caps = ENVCFG_STCE;
	CHECK_ONE_ERROR("adue 1 on", "adue vm1: this hart cannot set henvcfg.ADUE");
	CHECK_HAS(reply("adue 1 off"), "note: this hart cannot set ADUE at all");
	CHECK_ONE_ERROR("adue 1 maybe", "expected on or off, not 'maybe'");
	CHECK_ONE_ERROR("adem 1 2 3", "usage: adem");
	CHECK_ONE_ERROR("adue x on", "bad VM number 'x'");

	CHECK_HAS(reply("deleg 2"), "hedeleg = 0x000000000000b1ff  0:misaligned-fetch");
	r = reply("deleg 2 -breakpoint -12 +3");
	CHECK_HAS(r, "hedeleg = 0x000000000000a1ff");
	CHECK_EQ(fk.vm[1].vcpu[0].hedeleg, 0xa1ff);
	CHECK_ONE_ERROR("deleg 2 +ecall-vs", "exception 10 (environment call from VS-mode) cannot be delegated");
	CHECK_ONE_ERROR("deleg 2 +load-guest-page-fault", "cannot be delegated");
	CHECK_ONE_ERROR("deleg 2 breakpoint", "bad delegation change 'breakpoint'");
	CHECK_ONE_ERROR("deleg 2 +99", "bad delegation change '+99'");
	CHECK_ONE_ERROR("deleg", "usage: deleg");
	CHECK_EQ(fk.vm[1].vcpu[0].hedeleg, 0xa1ff);
}

TEST(trace_show_and_control)
{
	fresh();
	const char *r = reply("trace 4");
	CHECK_HAS(r, "trace: on; recording VMs all, classes all; 30 records written, 0 overwritten\n");
	CHECK_EQ(count(r, "\n#"), 4);
	CHECK_HAS(r, "vm1.0 supervisor timer interrupt");
	CHECK_HAS(r, "vm2.1 store/AMO guest-page fault sepc 0x");
	CHECK_HAS(r, "mmio uart store 0x10000000 w1 = 0x41 htinst 0x0 cost 7\n");
	CHECK_HAS(r, "vm1.0 environment call from VS-mode");
	CHECK_HAS(r, "sbi TIME set_timer -> 0 cost 7\n");
	r = reply("trace vm 2");
	CHECK_EQ(count(r, "\n#"), 10);
	CHECK_EQ(count(r, "vm1."), 0);
	r = reply("trace 3 class ecall");
	CHECK_EQ(count(r, "\n#"), 3);
	CHECK_EQ(count(r, "environment call"), 3);
	CHECK_EQ(count(reply("trace class irq,mmio vm 1"), "\n#"), 10);
	CHECK_HAS(reply("trace off"), "trace: off;");
	CHECK(!trace_ctl.enabled);
	CHECK_HAS(reply("trace on"), "trace: on;");
	CHECK_HAS(reply("trace filter vm 2"), "recording VMs 2, classes all");
	CHECK_EQ(trace_ctl.vm_mask, 1U << 2);
	CHECK_HAS(reply("trace filter class pf,ecall"), "classes ecall,pf;");
	CHECK_EQ(trace_ctl.class_mask, TRACE_CLASS_ECALL | TRACE_CLASS_PF);
	CHECK_HAS(reply("trace filter"), "recording VMs 2, classes ecall,pf");
	CHECK_HAS(reply("trace filter vm all"), "recording VMs all");
	CHECK_HAS(reply("trace clear"), "0 records written");
	CHECK_HAS(reply("trace"), "(no matching records)");
	CHECK_ONE_ERROR("trace 0", "COUNT '0' must be 1..256");
	CHECK_ONE_ERROR("trace 999", "COUNT '999' must be 1..256");
	CHECK_ONE_ERROR("trace 1z", "bad number '1z'");
	CHECK_ONE_ERROR("trace class nope", "unknown trace class in 'nope'");
	CHECK_ONE_ERROR("trace class pf,", "unknown trace class");
	CHECK_ONE_ERROR("trace vm 7", "no VM '7'");
	CHECK_ONE_ERROR("trace bogus", "trace does not take 'bogus'");
	CHECK_ONE_ERROR("trace filter colour red", "trace filter takes");
	CHECK_ONE_ERROR("trace filter vm", "usage: trace");
}

TEST(trace_file_on_off)
{
	const char *r;
	uint64_t before;

	fresh();
	fake_trace_file_dir = false;
	CHECK_HAS(reply("trace file"), "trace file: none (trace file on writes nothing: no log directory)");
	CHECK_ONE_ERROR("trace file on", "cannot write a trace file: hvscope was started without a log directory");
	fake_trace_file_dir = true;
	CHECK_HAS(reply("trace off"), "trace: off;");
	before = fake_trace_file_bytes;
	r = reply("trace file on");
	CHECK_HAS(r, "trace file: on, logs/trace.hvt; 64 bytes written, 0 records dropped\n");
	CHECK(trace_ctl.enabled);		/* a file wants records: tracing is on with it */
	CHECK_EQ(fake_trace_file_bytes - before, 64);
	CHECK_HAS(reply("trace"), "trace file: on, logs/trace.hvt;");
	CHECK_HAS(reply("trace file off"), "trace file: off, logs/trace.hvt; 64 bytes written, 0 records dropped\n");
	CHECK_HAS(reply("trace file on"), "trace file: on,");
	CHECK_ONE_ERROR("trace file maybe", "usage: trace");
	CHECK_ONE_ERROR("trace file on now", "usage: trace");
	reply("trace file off");
}

TEST(stats)
{
	fresh();
	const char *r = reply("stats 1");
	CHECK_HAS(r, "vm1 (alpha): 100 exits, 0 A/D fix-ups, 0 page faults reflected\n");
	CHECK_HAS(r, "  environment call from VS-mode            60\n");
	CHECK_HAS(r, "  store/AMO guest-page fault               30\n");
	CHECK_HAS(r, "  supervisor timer interrupt               10\n");
	CHECK_HAS(r, "  SBI calls 60, by extension: time 60\n");
	CHECK_HAS(r, "  MMIO accesses 30, by device: uart 30\n");
	CHECK_EQ(count(reply("stats"), " exits, "), 3);
	CHECK_HAS(reply("stats"), "hart 0: idle 50 rounds, 5 woken with nothing pending\n"
				  "hart 2: idle 7 rounds, 0 woken with nothing pending\n");
	CHECK(!strstr(reply("stats 1"), "hart 0:")); /* one VM's statistics only */
	CHECK_HAS(reply("stats reset 1"), "vm1 (alpha): statistics reset");
	CHECK_EQ(fk.stats_resets, 1);
	CHECK_HAS(reply("stats 1"), "0 exits");
	r = reply("stats reset");
	CHECK_EQ(count(r, "statistics reset"), 4);
	CHECK_HAS(r, "harts: statistics reset");
	CHECK_HAS(reply("stats"), "hart 0: idle 0 rounds, 0 woken with nothing pending\n");
	CHECK_ONE_ERROR("stats 9", "no VM '9'");
	CHECK_ONE_ERROR("stats 1 2", "usage: stats");
}

TEST(vm_control)
{
	fresh();
	CHECK_HAS(reply("pause 1"), "vm1 (alpha): paused (resume N lets it run), now paused\n");
	CHECK_ONE_ERROR("pause 1", "pause vm1: it is not running");
	CHECK_HAS(reply("resume 1"), "vm1 (alpha): resumed, now running\n");
	CHECK_ONE_ERROR("resume 1", "resume vm1: it is not paused");
	CHECK_HAS(reply("kill 1"), "killed, now stopped");
	CHECK_ONE_ERROR("kill 1", "kill vm1: it is already stopped");
	CHECK_HAS(reply("reset 1"), "now running");
	CHECK_EQ(fk.resets, 1);
	CHECK_ONE_ERROR("dump 1", "vm1 has no post-mortem report");
	CHECK_HAS(reply("dump 3"), "=== hvscope post-mortem: vm3");
	CHECK_HAS(reply("log 2"), "--- vm2 output (last 21 bytes) ---\nbeta: booted\nbeta: $ \n--- end of vm2 output ---\n");
	CHECK_ONE_ERROR("pause", "usage: pause N");
	CHECK_ONE_ERROR("reset 1 now", "usage: reset N");
	CHECK_HAS(reply("bootargs 1"), "vm1 bootargs: \"console=ttyS0\"\n");
	CHECK_HAS(reply("bootargs 1 seed=43  quiet"), "vm1 bootargs: \"seed=43 quiet\" (from its next reset: reset N)\n");
	CHECK_HAS(reply("bootargs 1"), "vm1 bootargs: \"seed=43 quiet\"\n");
	CHECK_ONE_ERROR("bootargs", "usage: bootargs N [TEXT...]");
	CHECK_ONE_ERROR("bootargs 9 x", "no VM '9' (vms lists them)");
	CHECK_ONE_ERROR("kill -1", "bad VM number '-1'");
	CHECK(!fk.quit_called);
	CHECK_HAS(reply("quit"), "hvscope: shutting down");
	CHECK(fk.quit_called);
}

TEST(line_editing)
{
	fresh();
	/* Backspace and DEL */
	CHECK_HAS(type("versiox\bn"), "hvscope 0.1");
	CHECK_HAS(type("versiox\x7fn"), "\b \b");
	/* ^U kills the line */
	CHECK_HAS(type("garbage\x15version"), "hvscope 0.1");
	/* ^C abandons the line: nothing runs */
	type("version\x03");
	CHECK(!strstr(fk.out, "hvscope 0.1"));
	CHECK_HAS(fk.out, "^C\nhv> ");
	/* CRLF is one Enter */
	fake_console_clear_output();
	for (const char *p = "version\r\n"; *p; p++)
		console_input(*p);
	CHECK_EQ(count(fk.out, "hv> "), 1);
	/* Right/left arrows are ignored, not noise */
	CHECK_HAS(type("vers\x1b[C\x1b[Dion"), "hvscope 0.1");
}

TEST(history)
{
	fresh();
	type("version");
	type("mem");
	CHECK_HAS(type("\x1b[A"), "pages: ");
	CHECK_HAS(type("\x1b[A\x1b[A"), "hvscope 0.1");
	CHECK_HAS(type("\x1b[A\x1b[A\x1b[B"), "hvscope 0.1");	/* mem, version(up), mem? no: newest first */
	/* 20 lines: the 16th newest is still there */
	fresh();
	for (int i = 0; i < 20; i++) {
		char l[32];
		snprintf(l, sizeof(l), "help h%d", i);
		type(l);
	}
	char keys[128] = "";
	for (int i = 0; i < 16; i++)
		strcat(keys, "\x1b[A");
	CHECK_HAS(type(keys), "no command 'h4'");
	/* Down past the newest returns to the line being typed */
	CHECK_HAS(type("vers\x1b[A\x1b[Bion"), "hvscope 0.1");
	/* ESC O A (application cursor keys) works too */
	type("version");
	CHECK_HAS(type("\x1bOA"), "hvscope 0.1");
}

TEST(tab_completion)
{
	fresh();
	CHECK_HAS(type("vers\t"), "hvscope 0.1");
	CHECK(strncmp(fk.out, "version ", 8) == 0);
	CHECK_HAS(type("csr henv\t"), "henvcfg = ");
	CHECK_HAS(type("csr 1 vsa\t"), "vsatp = 0x8000000000080100");
	CHECK_HAS(type("help xla\t"), "usage: xlate");
	type("p\t");
	CHECK_HAS(fk.out, "\npt pause \nhv> p");
	type("csr hi\t");
	CHECK_HAS(fk.out, "\nhideleg hie hip \nhv> csr hi");
	type("re\t");
	CHECK_HAS(fk.out, "\nregs resume reset \nhv> re");
	type("xyz\t");
	CHECK(strncmp(fk.out, "xyz\n", 4) == 0);
}

/* Every kind of bad line: one error line, then the prompt. */
TEST(bad_lines_one_error_each)
{
	static char longline[10 * 1024 + 1];
	static char noise[512];

	fresh();
	CHECK_ONE_ERROR("frobnicate now", "unknown command 'frobnicate'");
	CHECK_ONE_ERROR("a b c d e f g h i j k l m n o p q", "too many words");
	memset(longline, 'x', sizeof(longline) - 1);
	type(longline);
	{
		const char *r = strchr(fk.out, '\n') + 1;
		CHECK(one_error(r));
		CHECK_HAS(r, "line longer than 255 characters ignored");
	}
	for (unsigned i = 0, s = 12345; i < sizeof(noise) - 1; i++) {
		s = s * 1103515245 + 12345;
		char c = (char)(s >> 16);
		noise[i] = c == '\r' || c == '\n' || c == 0 || c == 0x03 || c == 0x15 ? 0x01 : c;
	}
	type(noise);
	{
		const char *nl = strrchr(fk.out, '\n');
		const char *start = fk.out;
		/* the echo holds no newline; the reply is the last two lines */
		for (const char *p = fk.out; p < nl; p++)
			if (*p == '\n')
				start = p + 1;
		CHECK(one_error(start));
		CHECK_HAS(start, "control or non-ASCII byte");
	}
	CHECK_ONE_ERROR("\x80\xff", "non-ASCII byte 0x80");
	CHECK_ONE_ERROR("version\x1bx", "byte 0x1b");
	/* The console still works */
	CHECK_HAS(reply("version"), "hvscope");
}

UNIT_MAIN("test_console",
	  UNIT(prompt_and_empty_line), UNIT(help_lists_every_command_from_the_table), UNIT(version_mem_vms),
	  UNIT(csr_hart_decoded), UNIT(csr_hart_errors_and_writes), UNIT(csr_vcpu), UNIT(regs),
	  UNIT(pt_walks_sv39), UNIT(pt_ad_without_adue), UNIT(gpt_walks_sv39x4), UNIT(xlate_agrees_with_pt_and_gpt),
	  UNIT(x_dumps_guest_memory), UNIT(adue_adem_deleg), UNIT(trace_show_and_control), UNIT(trace_file_on_off), UNIT(stats),
	  UNIT(vm_control), UNIT(line_editing), UNIT(history), UNIT(tab_completion), UNIT(bad_lines_one_error_each))
