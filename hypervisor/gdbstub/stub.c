/*
 * GDB remote protocol server: packet dispatch (GDB manual, appendix E,
 * "Packets", "General Query Packets", "Stop Reply Packets").  The subset
 * gdb-multiarch 13 uses against a bare-metal target: see docs/gdb.md.
 */
#include "gdbstub/stub.h"
#include "lib/printf.h"
#include "lib/string.h"

_Static_assert(RSP_PACKET_MAX == 0x1000, "qSupported announces PacketSize=1000");

static void send_raw(struct gdbstub *s, const char *data, size_t len)
{
	s->ops->send(s->ctx, data, len);
}

static void send_packet(struct gdbstub *s, const char *payload, size_t len)
{
	size_t n = rsp_frame(s->frame, sizeof(s->frame), payload, len);

	if (n)
		send_raw(s, s->frame, n);
}

static void reply(struct gdbstub *s, const char *text)
{
	send_packet(s, text, strlen(text));
}

void gdbstub_init(struct gdbstub *s, const struct gdb_target_ops *ops, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->g_tid = 1;
	s->stop_tid = 1;
	s->stop_sig = GDB_SIGTRAP;
	rsp_rx_reset(&s->rx);
}

static void send_stop_reply(struct gdbstub *s)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "T%02x%sthread:%x;", (unsigned)s->stop_sig & 0xff, s->stop_extra, s->stop_tid);
	reply(s, buf);
}

void gdbstub_stopped(struct gdbstub *s, unsigned tid, int sig)
{
	if (s->state == GDB_DETACHED)
		return;
	s->stop_tid = tid ? tid : 1;
	if (sig)
		s->stop_sig = sig; /* else the reason the stub asked for (attach, Ctrl-C) */
	s->g_tid = s->stop_tid;
	s->state = GDB_STOPPED;
	if (s->reply_owed) {
		s->reply_owed = false;
		send_stop_reply(s);
	}
}

void gdbstub_disconnected(struct gdbstub *s)
{
	if (s->state != GDB_DETACHED)
		s->ops->detach(s->ctx);
	s->state = GDB_DETACHED;
	s->reply_owed = false;
	s->no_ack = false;
	rsp_rx_reset(&s->rx);
}

/* ---- the target description ---- */

static const char *const xreg_names[32] = {
	"zero",
	"ra",
	"sp",
	"gp",
	"tp",
	"t0",
	"t1",
	"t2",
	"fp",
	"s1",
	"a0",
	"a1",
	"a2",
	"a3",
	"a4",
	"a5",
	"a6",
	"a7",
	"s2",
	"s3",
	"s4",
	"s5",
	"s6",
	"s7",
	"s8",
	"s9",
	"s10",
	"s11",
	"t3",
	"t4",
	"t5",
	"t6",
};

/* S-mode CSRs in the guest's view, in register-number order from GDB_REG_SSTATUS. */
static const char *const csr_names[] = {
	"sstatus",
	"sie",
	"stvec",
	"sscratch",
	"sepc",
	"scause",
	"stval",
	"sip",
	"satp",
};
_Static_assert(sizeof(csr_names) / sizeof(csr_names[0]) == GDB_REG_PRIV - GDB_REG_SSTATUS,
	       "one name per CSR register number");

struct xml_out {
	char *p;
	size_t size, len;
};

static void xml_add(struct xml_out *o, const char *fmt, const char *a, unsigned n, unsigned bits, const char *type)
{
	int k;

	if (o->len >= o->size)
		return;
	/* cppcheck-suppress wrongPrintfScanfArgNum ; every caller passes all four, its fmt uses those it needs */
	k = snprintf(o->p + o->len, o->size - o->len, fmt, a, n, bits, type);
	o->len += k > 0 ? (size_t)k : 0;
	if (o->len > o->size)
		o->len = o->size;
}

#define XML_REG "<reg name=\"%s\" regnum=\"%u\" bitsize=\"%u\" type=\"%s\"/>"

size_t gdbstub_target_xml(char *out, size_t size, bool fp)
{
	struct xml_out o = { out, size, 0 };
	static const char fp_csr[3][7] = { "fflags", "frm", "fcsr" };

	xml_add(&o, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
		    "<target version=\"1.0\"><architecture>riscv:rv64</architecture>"
		    "<feature name=\"org.gnu.gdb.riscv.cpu\">%s",
		"", 0, 0, "");
	for (unsigned i = 0; i < 32; i++)
		xml_add(&o, XML_REG, xreg_names[i], i, 64,
			i == 1 ? "code_ptr" : i == 2 || i == 3 || i == 4 ? "data_ptr" :
									   "int");
	xml_add(&o, XML_REG "</feature>", "pc", GDB_REG_PC, 64, "code_ptr");
	if (fp) {
		xml_add(&o, "<feature name=\"org.gnu.gdb.riscv.fpu\">%s", "", 0, 0, "");
		for (unsigned i = 0; i < 32; i++) {
			char name[4] = { 'f', (char)(i < 10 ? '0' + i : '0' + i / 10), (char)(i < 10 ? 0 : '0' + i % 10), 0 };
			xml_add(&o, XML_REG, name, GDB_REG_F0 + i, 64, "ieee_double");
		}
		for (unsigned i = 0; i < 3; i++)
			xml_add(&o, XML_REG, fp_csr[i], GDB_REG_FFLAGS + i, 32, "int");
		xml_add(&o, "</feature>%s", "", 0, 0, "");
	}
	xml_add(&o, "<feature name=\"org.gnu.gdb.riscv.csr\">%s", "", 0, 0, "");
	for (unsigned i = 0; i < GDB_REG_PRIV - GDB_REG_SSTATUS; i++)
		xml_add(&o, XML_REG, csr_names[i], GDB_REG_SSTATUS + i, 64, "int");
	xml_add(&o, "</feature><feature name=\"org.gnu.gdb.riscv.virtual\">" XML_REG "</feature></target>",
		"priv", GDB_REG_PRIV, 64, "int");
	return o.len;
}

static unsigned reg_bytes(unsigned reg)
{
	return reg >= GDB_REG_FFLAGS && reg <= GDB_REG_FCSR ? 4 : 8;
}

static bool reg_exists(struct gdbstub *s, unsigned reg)
{
	if (reg >= GDB_REG_COUNT)
		return false;
	return (reg < GDB_REG_F0 || reg > GDB_REG_FCSR) || s->ops->has_fp(s->ctx);
}

/* ---- packet handlers ---- */

static bool stopped(struct gdbstub *s)
{
	if (s->state == GDB_STOPPED)
		return true;
	reply(s, GDB_EBUSY);
	return false;
}

static bool valid_tid(struct gdbstub *s, unsigned tid)
{
	return tid >= 1 && tid <= s->ops->thread_count(s->ctx);
}

/* A thread id as in Hg/T/vCont: hex, 0 = any, -1 = all (both -> def). */
static bool parse_tid(struct gdbstub *s, const char **p, unsigned def, unsigned *tid)
{
	uint64_t v;

	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*tid = def;
		return true;
	}
	if (!rsp_parse_hex(p, &v))
		return false;
	*tid = v == 0 ? def : (unsigned)v;
	return v <= 0xffff && valid_tid(s, *tid);
}

static void handle_read_regs(struct gdbstub *s)
{
	uint64_t v;

	if (!stopped(s))
		return;
	for (unsigned r = 0; r < GDB_G_REGS; r++) {
		if (s->ops->reg_read(s->ctx, s->g_tid, r, &v)) {
			reply(s, GDB_EINVAL);
			return;
		}
		rsp_hex_le(s->reply + 16 * r, v, 8);
	}
	send_packet(s, s->reply, 16 * GDB_G_REGS);
}

static void handle_write_regs(struct gdbstub *s, const char *p)
{
	uint64_t v;

	if (!stopped(s))
		return;
	if (strlen(p) < 16 * GDB_G_REGS) {
		reply(s, GDB_EINVAL);
		return;
	}
	for (unsigned r = 1; r < GDB_G_REGS; r++)
		if (!rsp_parse_hex_le(p + 16 * r, 8, &v) || s->ops->reg_write(s->ctx, s->g_tid, r, v)) {
			reply(s, GDB_EINVAL);
			return;
		}
	reply(s, "OK");
}

static void handle_read_reg(struct gdbstub *s, const char *p)
{
	uint64_t reg, v;

	if (!stopped(s))
		return;
	if (!rsp_parse_hex(&p, &reg) || *p || !reg_exists(s, (unsigned)reg) ||
	    s->ops->reg_read(s->ctx, s->g_tid, (unsigned)reg, &v)) {
		reply(s, GDB_EINVAL);
		return;
	}
	rsp_hex_le(s->reply, v, reg_bytes((unsigned)reg));
	reply(s, s->reply);
}

static void handle_write_reg(struct gdbstub *s, const char *p)
{
	uint64_t reg, v;

	if (!stopped(s))
		return;
	if (!rsp_parse_hex(&p, &reg) || *p++ != '=' || !reg_exists(s, (unsigned)reg) ||
	    strlen(p) != 2 * reg_bytes((unsigned)reg) || !rsp_parse_hex_le(p, reg_bytes((unsigned)reg), &v) ||
	    s->ops->reg_write(s->ctx, s->g_tid, (unsigned)reg, v)) {
		reply(s, GDB_EINVAL);
		return;
	}
	reply(s, "OK");
}

/* "ADDR,LEN" then the expected separator (or the end). */
static bool parse_addr_len(const char **p, char sep, uint64_t *addr, uint64_t *len)
{
	if (!rsp_parse_hex(p, addr) || *(*p)++ != ',' || !rsp_parse_hex(p, len))
		return false;
	if (sep) {
		if (**p != sep)
			return false;
		(*p)++;
	} else if (**p) {
		return false;
	}
	return *addr + *len >= *addr; /* no wrap-around */
}

static void handle_read_mem(struct gdbstub *s, const char *p)
{
	uint8_t buf[RSP_PACKET_MAX / 2];
	uint64_t addr, len;

	if (!stopped(s))
		return;
	if (!parse_addr_len(&p, 0, &addr, &len)) {
		reply(s, GDB_EINVAL);
		return;
	}
	if (len > sizeof(buf))
		len = sizeof(buf); /* a short reply is allowed */
	if (s->ops->mem_read(s->ctx, s->g_tid, addr, buf, len)) {
		reply(s, GDB_EFAULT);
		return;
	}
	rsp_hex_encode(s->reply, buf, len);
	send_packet(s, s->reply, 2 * len);
}

/* M (hex data) and X (binary data, escaped). */
static void handle_write_mem(struct gdbstub *s, char *p, size_t packet_len, bool binary)
{
	uint8_t buf[RSP_PACKET_MAX];
	const char *q = p;
	uint64_t addr, len;

	if (!stopped(s))
		return;
	if (!parse_addr_len(&q, ':', &addr, &len) || len > sizeof(buf)) {
		reply(s, GDB_EINVAL);
		return;
	}
	if (binary) {
		long got = rsp_unescape((char *)q, packet_len - (size_t)(q - p));

		if (got != (long)len) {
			reply(s, GDB_EINVAL);
			return;
		}
		memcpy(buf, q, len);
	} else if (strlen(q) != 2 * len || !rsp_hex_decode(buf, q, len)) {
		reply(s, GDB_EINVAL);
		return;
	}
	if (len && s->ops->mem_write(s->ctx, s->g_tid, addr, buf, len)) {
		reply(s, GDB_EFAULT);
		return;
	}
	reply(s, "OK");
}

static void handle_breakpoint(struct gdbstub *s, const char *p, bool insert)
{
	uint64_t type, addr, kind;
	int rc;

	if (!rsp_parse_hex(&p, &type) || *p++ != ',') {
		reply(s, GDB_EINVAL);
		return;
	}
	if (type > 4) {
		reply(s, "");
		return;
	}
	if (type != 0) {
		int (*op)(void *, unsigned, uint64_t, unsigned) = insert ? s->ops->hw_insert : s->ops->hw_remove;
		if (!op) {
			reply(s, ""); /* no hardware triggers: gdb falls back to software */
			return;
		}
		if (!stopped(s))
			return;
		if (!parse_addr_len(&p, 0, &addr, &kind) || kind == 0 || kind > 8) {
			reply(s, GDB_EINVAL);
			return;
		}
		rc = op(s->ctx, (unsigned)type, addr, (unsigned)kind);
		reply(s, rc > 0 ? "" : rc < 0 ? GDB_EINVAL :
						"OK");
		return;
	}
	if (!stopped(s))
		return;
	if (!parse_addr_len(&p, 0, &addr, &kind) || (kind != 2 && kind != 4)) {
		reply(s, GDB_EINVAL);
		return;
	}
	rc = insert ? s->ops->bp_insert(s->ctx, addr, (unsigned)kind) : s->ops->bp_remove(s->ctx, addr, (unsigned)kind);
	reply(s, rc ? GDB_EFAULT : "OK");
}

static void resume(struct gdbstub *s, unsigned step_tid)
{
	if (s->ops->resume(s->ctx, step_tid)) {
		reply(s, GDB_EBUSY);
		return;
	}
	s->state = GDB_RUNNING;
	s->stop_sig = GDB_SIGTRAP;
	s->stop_extra[0] = '\0';
	s->reply_owed = true;
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: continue or step Hg's thread. */
static void handle_resume(struct gdbstub *s, const char *p, bool step, bool with_sig)
{
	uint64_t v;

	if (!stopped(s))
		return;
	if (with_sig) {
		if (!rsp_parse_hex(&p, &v)) {
			reply(s, GDB_EINVAL);
			return;
		}
		if (*p == ';')
			p++;
	}
	if (*p) {
		if (!rsp_parse_hex(&p, &v) || *p || s->ops->reg_write(s->ctx, s->g_tid, GDB_REG_PC, v)) {
			reply(s, GDB_EINVAL);
			return;
		}
	}
	resume(s, step ? s->g_tid : 0);
}

/* vCont;ACTION[:TID](;ACTION[:TID])*: a step action names the thread to step. */
static void handle_vcont(struct gdbstub *s, const char *p)
{
	unsigned step_tid = 0;

	if (!stopped(s))
		return;
	while (*p == ';') {
		char action = *++p;
		unsigned tid = s->g_tid;
		uint64_t sig;
		if (action != 'c' && action != 's' && action != 'C' && action != 'S') {
			reply(s, GDB_EINVAL);
			return;
		}
		p++;
		if ((action == 'C' || action == 'S') && !rsp_parse_hex(&p, &sig)) {
			reply(s, GDB_EINVAL);
			return;
		}
		if (*p == ':') {
			p++;
			if (!parse_tid(s, &p, s->g_tid, &tid)) {
				reply(s, GDB_EINVAL);
				return;
			}
		}
		if ((action == 's' || action == 'S') && !step_tid)
			step_tid = tid;
	}
	if (*p) {
		reply(s, GDB_EINVAL);
		return;
	}
	resume(s, step_tid);
}

static void handle_set_thread(struct gdbstub *s, const char *p)
{
	unsigned tid;
	char op = *p++;

	if ((op != 'g' && op != 'c') || !parse_tid(s, &p, s->g_tid, &tid) || *p) {
		reply(s, GDB_EINVAL);
		return;
	}
	if (op == 'g')
		s->g_tid = tid;
	reply(s, "OK");
}

static void handle_thread_alive(struct gdbstub *s, const char *p)
{
	unsigned tid;

	reply(s, parse_tid(s, &p, 1, &tid) && !*p ? "OK" : GDB_EINVAL);
}

static void handle_xfer_features(struct gdbstub *s, const char *p)
{
	uint64_t off, len;
	size_t total;

	if (strncmp(p, "target.xml:", 11) != 0) {
		reply(s, "E00");
		return;
	}
	p += 11;
	if (!parse_addr_len(&p, 0, &off, &len)) {
		reply(s, GDB_EINVAL);
		return;
	}
	total = gdbstub_target_xml(s->xml, sizeof(s->xml), s->ops->has_fp(s->ctx));
	if (off >= total) {
		reply(s, "l");
		return;
	}
	if (len > RSP_PACKET_MAX - 1)
		len = RSP_PACKET_MAX - 1;
	if (len > total - off)
		len = total - off;
	s->reply[0] = off + len < total ? 'm' : 'l';
	memcpy(s->reply + 1, s->xml + off, len);
	send_packet(s, s->reply, len + 1);
}

static void handle_thread_list(struct gdbstub *s)
{
	unsigned n = s->ops->thread_count(s->ctx);
	size_t o = 1;

	s->reply[0] = 'm';
	for (unsigned t = 1; t <= n; t++)
		o += (size_t)snprintf(s->reply + o, sizeof(s->reply) - o, "%s%x", t > 1 ? "," : "", t);
	send_packet(s, s->reply, o);
}

static void handle_thread_extra(struct gdbstub *s, const char *p)
{
	char name[96];
	unsigned tid;

	if (!parse_tid(s, &p, 1, &tid) || *p) {
		reply(s, GDB_EINVAL);
		return;
	}
	s->ops->thread_name(s->ctx, tid, name, sizeof(name));
	rsp_hex_encode(s->reply, (const uint8_t *)name, strlen(name));
	reply(s, s->reply);
}

/* monitor CMD: the output as console-output (O) packets, then OK. */
static void handle_rcmd(struct gdbstub *s, const char *hex)
{
	static char cmd[RSP_PACKET_MAX / 2 + 1];
	static char out[8192];
	size_t n = strlen(hex) / 2, len, chunk = (RSP_PACKET_MAX - 2) / 2;

	if (strlen(hex) % 2 || !rsp_hex_decode((uint8_t *)cmd, hex, n)) {
		reply(s, GDB_EINVAL);
		return;
	}
	cmd[n] = '\0';
	out[0] = '\0';
	s->ops->monitor(s->ctx, cmd, out, sizeof(out));
	len = strlen(out);
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;
		s->reply[0] = 'O';
		rsp_hex_encode(s->reply + 1, (const uint8_t *)out + off, k);
		send_packet(s, s->reply, 1 + 2 * k);
	}
	reply(s, "OK");
}

static bool starts(const char *p, const char *prefix)
{
	return strncmp(p, prefix, strlen(prefix)) == 0;
}

static void handle_query(struct gdbstub *s, const char *p)
{
	char buf[24];

	if (starts(p, "qSupported")) {
		reply(s, "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;vContSupported+");
	} else if (starts(p, "qXfer:features:read:")) {
		handle_xfer_features(s, p + 20);
	} else if (!strcmp(p, "qfThreadInfo")) {
		handle_thread_list(s);
	} else if (!strcmp(p, "qsThreadInfo")) {
		reply(s, "l");
	} else if (!strcmp(p, "qC")) {
		snprintf(buf, sizeof(buf), "QC%x", s->g_tid);
		reply(s, buf);
	} else if (starts(p, "qAttached")) {
		reply(s, "1");
	} else if (starts(p, "qThreadExtraInfo,")) {
		handle_thread_extra(s, p + 17);
	} else if (starts(p, "qRcmd,")) {
		handle_rcmd(s, p + 6);
	} else if (!strcmp(p, "QStartNoAckMode")) {
		reply(s, "OK");
		s->no_ack = true;
	} else {
		reply(s, ""); /* not supported: the empty reply */
	}
}

static void handle_v(struct gdbstub *s, const char *p)
{
	if (!strcmp(p, "vCont?"))
		reply(s, "vCont;c;C;s;S");
	else if (starts(p, "vCont;"))
		handle_vcont(s, p + 5);
	else if (starts(p, "vKill")) {
		s->ops->kill(s->ctx);
		reply(s, "OK");
		s->state = GDB_DETACHED;
	} else {
		reply(s, "");
	}
}

static void handle_packet(struct gdbstub *s, char *p, size_t len)
{
	switch (p[0]) {
	case '?':
		if (s->state == GDB_STOPPED)
			send_stop_reply(s);
		else
			s->reply_owed = true;
		break;
	case 'g': handle_read_regs(s); break;
	case 'G': handle_write_regs(s, p + 1); break;
	case 'p': handle_read_reg(s, p + 1); break;
	case 'P': handle_write_reg(s, p + 1); break;
	case 'm': handle_read_mem(s, p + 1); break;
	case 'M': handle_write_mem(s, p + 1, len - 1, false); break;
	case 'X': handle_write_mem(s, p + 1, len - 1, true); break;
	case 'c': handle_resume(s, p + 1, false, false); break;
	case 's': handle_resume(s, p + 1, true, false); break;
	case 'C': handle_resume(s, p + 1, false, true); break;
	case 'S': handle_resume(s, p + 1, true, true); break;
	case 'Z': handle_breakpoint(s, p + 1, true); break;
	case 'z': handle_breakpoint(s, p + 1, false); break;
	case 'H': handle_set_thread(s, p + 1); break;
	case 'T': handle_thread_alive(s, p + 1); break;
	case 'q':
	case 'Q': handle_query(s, p); break;
	case 'v': handle_v(s, p); break;
	case 'D':
		reply(s, "OK");
		s->ops->detach(s->ctx);
		s->state = GDB_DETACHED;
		s->reply_owed = false;
		break;
	case 'k':
		s->ops->kill(s->ctx); /* no reply: gdb closes the connection */
		s->state = GDB_DETACHED;
		s->reply_owed = false;
		break;
	default:
		reply(s, "");
		break;
	}
}

/* A debugger shows up (its first byte): stop the VM for it. */
static void attach(struct gdbstub *s)
{
	s->state = GDB_STOPPING;
	s->stop_sig = GDB_SIGTRAP;
	s->stop_extra[0] = '\0';
	s->g_tid = 1;
	s->ops->stop(s->ctx);
}

void gdbstub_input(struct gdbstub *s, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		enum rsp_event ev = rsp_rx_byte(&s->rx, data[i]);
		if (ev == RSP_NONE)
			continue;
		if (s->state == GDB_DETACHED)
			attach(s);
		switch (ev) {
		case RSP_PACKET:
			if (!s->no_ack)
				send_raw(s, "+", 1);
			handle_packet(s, s->rx.buf, s->rx.len);
			break;
		case RSP_BAD_CHECKSUM:
			if (!s->no_ack)
				send_raw(s, "-", 1);
			break;
		case RSP_OVERSIZE:
			if (!s->no_ack)
				send_raw(s, "+", 1);
			reply(s, GDB_EINVAL);
			break;
		case RSP_INTERRUPT:
			if (s->state == GDB_RUNNING) {
				s->stop_sig = GDB_SIGINT;
				s->ops->stop(s->ctx);
			}
			break;
		default:
			break;
		}
	}
}
