/*
 * gdb's `monitor CMD` (qRcmd): the hv> console's own commands, limited to
 * the VM the debugger is attached to.  Commands about one VM get its number
 * (and the selected thread's vCPU) put in front of their arguments:
 * `monitor xlate 0x80100000` runs `xlate N.V 0x80100000`.  Commands that act
 * on other VMs or on the whole machine are refused with the reason.
 */
#include "gdbstub/internal.h"
#include "console/console.h"
#include "lib/printf.h"
#include "lib/string.h"

enum mon_arg {
	MON_AS_IS, /* no VM argument: help, version, vms, mem */
	MON_VM,	   /* CMD N ARGS */
	MON_VCPU,  /* CMD N.V ARGS */
	MON_TRACE, /* trace [COUNT] vm N ARGS */
	MON_STATS, /* stats N, stats reset N */
	MON_REFUSE,
};

struct mon_cmd {
	const char *name;
	enum mon_arg arg;
	const char *refusal;
};

static const struct mon_cmd mon_cmds[] = {
	{ "help", MON_AS_IS, 0 },
	{ "version", MON_AS_IS, 0 },
	{ "vms", MON_AS_IS, 0 },
	{ "mem", MON_AS_IS, 0 },
	{ "regs", MON_VCPU, 0 },
	{ "csr", MON_VCPU, 0 },
	{ "pt", MON_VCPU, 0 },
	{ "xlate", MON_VCPU, 0 },
	{ "gpt", MON_VM, 0 },
	{ "x", MON_VM, 0 },
	{ "adue", MON_VM, 0 },
	{ "adem", MON_VM, 0 },
	{ "dump", MON_VM, 0 },
	{ "log", MON_VM, 0 },
	{ "trace", MON_TRACE, 0 },
	{ "stats", MON_STATS, 0 },
	{ "deleg", MON_REFUSE, "the stub owns this VM's breakpoint delegation while attached (hv> deleg shows it)" },
	{ "pause", MON_REFUSE, "gdb stops and continues this VM itself (Ctrl-C, continue)" },
	{ "resume", MON_REFUSE, "gdb stops and continues this VM itself (Ctrl-C, continue)" },
	{ "reset", MON_REFUSE, "it acts on a whole VM's life cycle: use the hv> console" },
	{ "kill", MON_REFUSE, "use gdb's own kill for this VM, the hv> console for others" },
	{ "quit", MON_REFUSE, "it stops the whole machine: use the hv> console" },
};

struct capture {
	char *out;
	size_t size, len;
};

static struct capture cap;

static void cap_write(const char *s)
{
	size_t n = strlen(s);

	if (cap.len + 1 >= cap.size)
		return;
	if (n > cap.size - 1 - cap.len)
		n = cap.size - 1 - cap.len;
	memcpy(cap.out + cap.len, s, n);
	cap.len += n;
	cap.out[cap.len] = '\0';
}

static const struct mon_cmd *mon_find(const char *word, size_t len)
{
	for (unsigned i = 0; i < sizeof(mon_cmds) / sizeof(mon_cmds[0]); i++)
		if (strlen(mon_cmds[i].name) == len && !strncmp(mon_cmds[i].name, word, len))
			return &mon_cmds[i];
	return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The console line for a monitor command; false (with *why) when refused. */
static bool build_line(struct vm_debug *d, const char *cmd, char *line, size_t size, const char **why)
{
	const char *args, *word = cmd;
	size_t len = 0;
	const struct mon_cmd *m;
	int vm = gdbstub_vm_id(d);

	while (word[len] && word[len] != ' ')
		len++;
	args = word + len;
	while (*args == ' ')
		args++;
	m = mon_find(word, len);
	if (!m) {
		*why = "unknown command (monitor help lists them)";
		return false;
	}
	switch (m->arg) {
	case MON_REFUSE:
		*why = m->refusal;
		return false;
	case MON_AS_IS:
		snprintf(line, size, "%s", cmd);
		return true;
	case MON_VM:
		snprintf(line, size, "%s %d %s", m->name, vm, args);
		return true;
	case MON_VCPU:
		snprintf(line, size, "%s %d.%u %s", m->name, vm, gdbstub_vcpu_index(d), args);
		return true;
	case MON_STATS:
		snprintf(line, size, !strncmp(args, "reset", 5) ? "stats reset %d" : "stats %d", vm);
		return true;
	case MON_TRACE:
		if (*args && !is_digit(*args) && strncmp(args, "class", 5)) {
			*why = "trace on|off|clear|filter|file act on every VM: use the hv> console";
			return false;
		}
		if (is_digit(*args)) {
			char count[24];
			size_t n = 0;
			while (n + 1 < sizeof(count) && args[n] && args[n] != ' ') {
				count[n] = args[n];
				n++;
			}
			count[n] = '\0';
			snprintf(line, size, "trace %s vm %d%s", count, vm, args + n);
		} else {
			snprintf(line, size, "trace vm %d %s", vm, args);
		}
		return true;
	}
	return false;
}

/*
 * gdb sends monitor text as typed: `$pc` becomes the selected thread's pc
 * (monitor pt $pc fetch).  false if the result does not fit.
 */
static bool expand_pc(struct vm_debug *d, const char *cmd, char *buf, size_t size)
{
	size_t o = 0;

	for (const char *p = cmd; *p; p++) {
		if (!strncmp(p, "$pc", 3)) {
			int k = snprintf(buf + o, size - o, "0x%lx", gdbstub_pc(d));
			if (k < 0 || (size_t)k >= size - o)
				return false;
			o += (size_t)k;
			p += 2;
			continue;
		}
		if (o + 1 >= size)
			return false;
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return true;
}

static bool is_word(const char *cmd, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(cmd, word, n) && (cmd[n] == ' ' || !cmd[n]);
}

/* monitor catch fault on|off */
static const char *catch_cmd(struct vm_debug *d, const char *a, char *out, size_t size)
{
	while (*a == ' ')
		a++;
	if (!strcmp(a, "fault on") || !strcmp(a, "fault off"))
		gdbstub_set_catch(d, a[7] == 'n');
	else if (*a && strcmp(a, "fault"))
		return "usage: monitor catch fault on|off";
	snprintf(out, size, "catch fault %s: %s\n", gdbstub_catching(d) ? "on" : "off",
		 gdbstub_catching(d) ? "every exception the hypervisor reflects or fixes up for this VM stops here first" : "only a VM that would die stops here");
	return 0;
}

void gdbstub_monitor(struct vm_debug *d, const char *typed, char *out, size_t size)
{
	char line[CONSOLE_LINE_MAX];
	char expanded[CONSOLE_LINE_MAX];
	const char *why = 0, *cmd = expanded;

	while (*typed == ' ')
		typed++;
	out[0] = '\0';
	if (!expand_pc(d, typed, expanded, sizeof(expanded))) {
		snprintf(out, size, "error: monitor: command too long\n");
		return;
	}
	if (is_word(cmd, "why")) {
		gdbstub_why(d, out, size);
	} else if (is_word(cmd, "triggers")) {
		gdbstub_triggers_info(d, out, size);
	} else if (is_word(cmd, "catch")) {
		why = catch_cmd(d, cmd + 5, out, size);
	} else if (!strncmp(cmd, "phys", 4) && (cmd[4] == ' ' || !cmd[4])) {
		const char *a = cmd + 4;
		while (*a == ' ')
			a++;
		if (!strcmp(a, "on") || !strcmp(a, "off"))
			gdbstub_set_phys(d, a[1] == 'n');
		else if (*a)
			why = "usage: monitor phys on|off";
		if (!why)
			snprintf(out, size, "gdb addresses are guest-%s\n", gdbstub_phys(d) ? "physical" : "virtual");
	} else if (build_line(d, cmd, line, sizeof(line), &why)) {
		cap = (struct capture){ out, size, 0 };
		if (!strncmp(cmd, "help", 4) && !cmd[4])
			cap_write("monitor commands act on this VM (its number and the selected vCPU are\n"
				  "filled in, $pc becomes the thread's pc): regs csr pt xlate gpt x adue\n"
				  "adem dump log trace stats; phys on|off (gdb addresses guest-physical);\n"
				  "why (what the last stop was for: a caught fault, a VM that would have\n"
				  "died); catch fault on|off (stop at every exception hvscope reflects or\n"
				  "fixes up for the VM, before the guest gets it).\n"
				  "triggers: the hardware triggers (SBI DBTR, mcontrol6) that gdb's\n"
				  "hbreak/watch/rwatch/awatch use.  Where the firmware or the hart has\n"
				  "none (an OpenSBI without DBTR, -cpu without Sdtrig) `watch` still\n"
				  "works: the stub write-protects the watched page in the G-stage and\n"
				  "stops at a store to the variable; Z1/Z3/Z4 get the empty reply (gdb\n"
				  "cannot insert hbreak/rwatch/awatch: use break).  The console's:\n");
		console_run_captured(line, cap_write);
	}
	if (why)
		snprintf(out, size, "error: monitor %s: %s\n", cmd, why);
}
