/*
 * The gdbstub's packet layer (hypervisor/gdbstub/rsp.c) and dispatch
 * (stub.c) against a fake VM: framing, checksums, escapes, the packets gdb
 * sends, and an error reply (never a crash) for every kind of bad input.
 */
#include "unit.h"
#include "fake_gdb_target.h"
#include "gdbstub/rsp.h"
#include "gdbstub/stub.h"

static struct gdbstub stub;

/* Frame payload as gdb does and feed it; returns what the stub sent back. */
static const char *send_pkt(const char *payload)
{
	char frame[2 * RSP_PACKET_MAX + 16];
	size_t n = rsp_frame(frame, sizeof(frame), payload, strlen(payload));

	fake.out_len = 0;
	fake.out[0] = '\0';
	gdbstub_input(&stub, (const uint8_t *)frame, n);
	return fake.out;
}

/* A packet whose payload is already escaped (X data), framed without escaping. */
static const char *send_escaped(const char *payload, size_t len)
{
	char frame[64];
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)payload[i]);
	snprintf(frame, sizeof(frame), "$%.*s#%02x", (int)len, payload, sum);
	fake.out_len = 0;
	fake.out[0] = '\0';
	gdbstub_input(&stub, (const uint8_t *)frame, strlen(frame));
	return fake.out;
}

static const char *send_raw(const char *bytes)
{
	fake.out_len = 0;
	fake.out[0] = '\0';
	gdbstub_input(&stub, (const uint8_t *)bytes, strlen(bytes));
	return fake.out;
}

/* The payload of the last $...#cc in the output (checksum verified), or NULL. */
static const char *last_reply(void)
{
	static char payload[RSP_PACKET_MAX + 1];
	const char *start = strrchr(fake.out, '$');
	const char *end = start ? strrchr(start, '#') : 0;
	uint8_t sum = 0;
	unsigned cs;

	if (!start || !end || sscanf(end + 1, "%2x", &cs) != 1)
		return 0;
	for (const char *p = start + 1; p < end; p++)
		sum = (uint8_t)(sum + (uint8_t)*p);
	if (sum != cs)
		return 0;
	snprintf(payload, sizeof(payload), "%.*s", (int)(end - start - 1), start + 1);
	return payload;
}

static void attached_and_stopped(void)
{
	fake_gdb_reset();
	gdbstub_init(&stub, fake_gdb_ops(), 0);
	send_pkt("qSupported:multiprocess+;swbreak+");
	gdbstub_stopped(&stub, 1, 0);
}

TEST(framing_and_checksums)
{
	struct rsp_rx rx;
	char frame[64];
	size_t n = rsp_frame(frame, sizeof(frame), "m80000000,4", 11);
	enum rsp_event ev = RSP_NONE;

	CHECK_STR(frame, "$m80000000,4#55");
	CHECK_EQ(n, 15);
	rsp_rx_reset(&rx);
	for (size_t i = 0; i < n; i++)
		ev = rsp_rx_byte(&rx, (uint8_t)frame[i]);
	CHECK_EQ(ev, RSP_PACKET);
	CHECK_STR(rx.buf, "m80000000,4");
	/* escapes: '#', '$', '}' and '*' go out as 0x7d, c ^ 0x20 */
	n = rsp_frame(frame, sizeof(frame), "a#b", 3);
	CHECK_STR(frame, "$a}\x03" "b#43");
	CHECK_EQ(rsp_frame(frame, 6, "abcdef", 6), 0);	/* does not fit */
	/* a '$' restarts a packet */
	rsp_rx_reset(&rx);
	for (const char *p = "$abc$g#67"; *p; p++)
		ev = rsp_rx_byte(&rx, (uint8_t)*p);
	CHECK_EQ(ev, RSP_PACKET);
	CHECK_STR(rx.buf, "g");
	CHECK_EQ(rsp_rx_byte(&rx, 0x03), RSP_INTERRUPT);
}

TEST(bad_checksum_gets_nak_and_stays_usable)
{
	attached_and_stopped();
	CHECK_STR(send_raw("$g#00"), "-");
	CHECK_STR(send_raw("$g#zz"), "-");
	send_pkt("g");
	CHECK(last_reply() && strlen(last_reply()) == 16 * GDB_G_REGS);
}

TEST(oversized_packet_is_an_error)
{
	static char big[RSP_PACKET_MAX + 100];

	attached_and_stopped();
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	send_pkt(big);
	CHECK_STR(last_reply(), GDB_EINVAL);
	send_pkt("qC");
	CHECK_STR(last_reply(), "QC1");
}

TEST(attach_stops_and_question_waits_for_it)
{
	fake_gdb_reset();
	gdbstub_init(&stub, fake_gdb_ops(), 0);
	send_pkt("qSupported");
	CHECK(strstr(last_reply(), "PacketSize=1000") != 0);
	CHECK(strstr(last_reply(), "qXfer:features:read+") != 0);
	CHECK_EQ(fake.stops, 1);
	send_pkt("?");
	CHECK_STR(fake.out, "+");	/* no reply before the VM is off its harts */
	CHECK_STR(send_pkt("g"), "+$E10#a6");
	fake.out_len = 0;
	gdbstub_stopped(&stub, 2, 0);
	CHECK_STR(last_reply(), "T05thread:2;");
}

TEST(registers)
{
	char expect[17];

	attached_and_stopped();
	send_pkt("g");
	CHECK_EQ(strlen(last_reply()), 16 * GDB_G_REGS);
	/* x1 of thread 1 = 0x1001, little-endian */
	CHECK(!strncmp(last_reply() + 16, "0110000000000000", 16));
	send_pkt("p20");	/* pc */
	rsp_hex_le(expect, 0x1000 + GDB_REG_PC, 8);
	CHECK_STR(last_reply(), expect);
	send_pkt("P20=0800208000000000");
	CHECK_STR(last_reply(), "OK");
	CHECK_EQ(fake.regs[1][GDB_REG_PC], 0x80200008);
	send_pkt("Hg2");
	CHECK_STR(last_reply(), "OK");
	send_pkt("p4c");	/* satp of thread 2 */
	rsp_hex_le(expect, 0x2000 + GDB_REG_SATP, 8);
	CHECK_STR(last_reply(), expect);
	/* FP registers of a guest without FP, unknown numbers, bad syntax */
	CHECK_STR((send_pkt("p21"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("p999"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("pzz"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("P20=12"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("G00"), last_reply()), GDB_EINVAL);
}

TEST(threads)
{
	attached_and_stopped();
	CHECK_STR((send_pkt("qfThreadInfo"), last_reply()), "m1,2");
	CHECK_STR((send_pkt("qsThreadInfo"), last_reply()), "l");
	CHECK_STR((send_pkt("T2"), last_reply()), "OK");
	CHECK_STR((send_pkt("T3"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("Hg7"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("Hgffffffffffffffffff"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("Hc-1"), last_reply()), "OK");
	CHECK_STR((send_pkt("Hg0"), last_reply()), "OK");
	send_pkt("qThreadExtraInfo,2");
	CHECK_STR(last_reply(), "7643505520" "31");	/* "vCPU 1" in hex */
}

TEST(memory)
{
	attached_and_stopped();
	memcpy(fake.mem, "\x13\x05\x00\x00", 4);
	CHECK_STR((send_pkt("m80000000,4"), last_reply()), "13050000");
	CHECK_STR((send_pkt("M80000004,2:abcd"), last_reply()), "OK");
	CHECK_EQ(fake.mem[4], 0xab);
	/* X: binary, with an escaped '#' (0x23 -> 0x7d 0x03) */
	CHECK_STR((send_escaped("X80000008,2:}\x03" "A", 15), last_reply()), "OK");
	CHECK_EQ(fake.mem[8], 0x23);
	CHECK_EQ(fake.mem[9], 'A');
	CHECK_STR((send_pkt("X80000008,0:"), last_reply()), "OK");	/* gdb's probe */
	/* outside memory, spanning its end, wrapping, malformed */
	CHECK_STR((send_pkt("m10000000,4"), last_reply()), GDB_EFAULT);
	CHECK_STR((send_pkt("m80001ffe,4"), last_reply()), GDB_EFAULT);
	CHECK_STR((send_pkt("mffffffffffffffff,4"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("m80000000"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("M80000004,2:abc"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("M90000004,1:ab"), last_reply()), GDB_EFAULT);
	CHECK_STR((send_pkt("X80000008,3:ab"), last_reply()), GDB_EINVAL);
	/* a huge length is shortened, not refused */
	send_pkt("m80000000,100000");
	CHECK_EQ(strlen(last_reply()), RSP_PACKET_MAX);
}

TEST(breakpoints_and_resume)
{
	attached_and_stopped();
	CHECK_STR((send_pkt("Z0,80000010,4"), last_reply()), "OK");
	CHECK_EQ(fake.bps, 1);
	CHECK_STR((send_pkt("Z0,10000000,4"), last_reply()), GDB_EFAULT);	/* MMIO / not RAM */
	CHECK_STR((send_pkt("Z0,80000010,3"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("Z1,80000010,4"), last_reply()), "");		/* hardware: not here */
	CHECK_STR((send_pkt("z0,80000010,4"), last_reply()), "OK");
	CHECK_EQ(fake.bps, 0);
	CHECK_STR((send_pkt("vCont?"), last_reply()), "vCont;c;C;s;S");
	send_pkt("vCont;s:2;c");
	CHECK_EQ(fake.resumes, 1);
	CHECK_EQ(fake.step_tid, 2);
	CHECK_STR(fake.out, "+");		/* the reply is the stop */
	CHECK_STR((send_pkt("g"), last_reply()), GDB_EBUSY);	/* not while it runs */
	fake.out_len = 0;
	gdbstub_stopped(&stub, 2, GDB_SIGTRAP);
	CHECK_STR(last_reply(), "T05thread:2;");
	send_pkt("c");
	CHECK_EQ(fake.step_tid, 0);
	send_raw("\x03");			/* Ctrl-C */
	CHECK_EQ(fake.stops, 2);
	gdbstub_stopped(&stub, 1, 0);
	CHECK_STR(last_reply(), "T02thread:1;");
	CHECK_STR((send_pkt("vCont;s:9"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("vCont;x"), last_reply()), GDB_EINVAL);
}

/* Hardware triggers (Z1-Z4) through a copy of the fake's ops with hw_insert/hw_remove. */
static int hw_result, hw_calls;
static unsigned hw_type, hw_len;
static uint64_t hw_addr;

static int fake_hw(void *ctx, unsigned type, uint64_t addr, unsigned len)
{
	(void)ctx;
	hw_calls++;
	hw_type = type;
	hw_addr = addr;
	hw_len = len;
	return hw_result;
}

TEST(hardware_watchpoints)
{
	static struct gdb_target_ops ops;

	fake_gdb_reset();
	ops = *fake_gdb_ops();
	ops.hw_insert = fake_hw;
	ops.hw_remove = fake_hw;
	gdbstub_init(&stub, &ops, 0);
	send_pkt("qSupported:multiprocess+;swbreak+");
	gdbstub_stopped(&stub, 1, 0);
	hw_result = 0;
	CHECK_STR((send_pkt("Z2,80001000,4"), last_reply()), "OK");
	CHECK_EQ(hw_type, 2);
	CHECK_EQ(hw_addr, 0x80001000);
	CHECK_EQ(hw_len, 4);
	CHECK_STR((send_pkt("Z1,80000010,2"), last_reply()), "OK");
	CHECK_STR((send_pkt("Z2,80001000,0"), last_reply()), GDB_EINVAL);	/* no length */
	CHECK_STR((send_pkt("Z2,80001000,9"), last_reply()), GDB_EINVAL);	/* no trigger that wide */
	CHECK_STR((send_pkt("Z5,80001000,4"), last_reply()), "");		/* no such type */
	hw_result = -1;
	CHECK_STR((send_pkt("Z3,80001000,3"), last_reply()), GDB_EINVAL);	/* the target cannot */
	hw_result = 1;
	CHECK_STR((send_pkt("Z4,80001000,4"), last_reply()), "");		/* none here: gdb falls back */
	hw_calls = 0;
	send_pkt("c");
	CHECK_STR((send_pkt("Z2,80001000,4"), last_reply()), GDB_EBUSY);	/* not while it runs */
	CHECK_EQ(hw_calls, 0);
	/* The target names the watchpoint that fired; the reply carries it, the next stop does not. */
	snprintf(stub.stop_extra, sizeof(stub.stop_extra), "watch:80001000;");
	fake.out_len = 0;
	gdbstub_stopped(&stub, 1, GDB_SIGTRAP);
	CHECK_STR(last_reply(), "T05watch:80001000;thread:1;");
	send_pkt("c");
	gdbstub_stopped(&stub, 1, GDB_SIGTRAP);
	CHECK_STR(last_reply(), "T05thread:1;");
}

TEST(target_description)
{
	char xml[8192];
	size_t n = gdbstub_target_xml(xml, sizeof(xml), true);

	CHECK(n < sizeof(xml));
	CHECK(strstr(xml, "<architecture>riscv:rv64</architecture>") != 0);
	CHECK(strstr(xml, "name=\"satp\" regnum=\"76\"") != 0);
	CHECK(strstr(xml, "name=\"f31\" regnum=\"64\"") != 0);
	CHECK(!strcmp(xml + n - 9, "</target>"));
	attached_and_stopped();
	send_pkt("qXfer:features:read:target.xml:0,400");
	CHECK(last_reply()[0] == 'm');
	CHECK(strstr(last_reply(), "org.gnu.gdb.riscv.cpu") != 0);
	send_pkt("qXfer:features:read:target.xml:100000,400");
	CHECK_STR(last_reply(), "l");
	CHECK_STR((send_pkt("qXfer:features:read:other.xml:0,10"), last_reply()), "E00");
}

TEST(monitor_detach_kill)
{
	attached_and_stopped();
	send_pkt("qRcmd,7374617473");	/* "stats" */
	CHECK_STR(fake.last_monitor, "stats");
	CHECK_STR(last_reply(), "OK");
	CHECK(strstr(fake.out, "$O72616e3a20") != 0);	/* "ran: " as an O packet */
	CHECK_STR((send_pkt("qRcmd,7"), last_reply()), GDB_EINVAL);
	CHECK_STR((send_pkt("QStartNoAckMode"), last_reply()), "OK");
	CHECK_STR(send_pkt("qC"), "$QC1#c5");	/* no '+' any more */
	send_pkt("D;1");
	CHECK_EQ(fake.detaches, 1);
	CHECK_STR(last_reply(), "OK");
	attached_and_stopped();
	send_pkt("k");
	CHECK_EQ(fake.kills, 1);
	attached_and_stopped();
	gdbstub_disconnected(&stub);
	CHECK_EQ(fake.detaches, 1);
	CHECK_EQ(stub.state, GDB_DETACHED);
}

UNIT_MAIN("test_gdbstub", UNIT(framing_and_checksums), UNIT(bad_checksum_gets_nak_and_stays_usable),
	  UNIT(oversized_packet_is_an_error), UNIT(attach_stops_and_question_waits_for_it), UNIT(registers),
	  UNIT(threads), UNIT(memory), UNIT(breakpoints_and_resume), UNIT(hardware_watchpoints), UNIT(target_description),
	  UNIT(monitor_detach_kill))
