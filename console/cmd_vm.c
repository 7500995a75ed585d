/* VM and machine commands: version mem quit vms pause resume reset bootargs kill dump log. */
#include "console/cmd.h"
#include "lib/printf.h"

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return console_usage("version");
	console_printf("hvscope %s\n", con->version());
	return 0;
}

static unsigned long kib(uint64_t bytes)
{
	return (unsigned long)((bytes + 1023) >> 10);
}

/* The hypervisor's image, and what of it grows with the hart and VM limits. */
static void mem_hypervisor(void)
{
	struct console_mem_layout l;

	con->mem_layout(&l);
	console_printf("hypervisor: %lu KiB (code and data %lu KiB; trace rings %lu KiB and stacks %lu KiB "
		       "for %u harts; %lu KiB for %u VM slots)\n",
		       kib(l.image_bytes), kib(l.code_bytes),
		       kib(l.trace_bytes), kib(l.stack_bytes), l.harts_max, kib(l.vm_bytes), l.vms_max);
}

/* One line per VM: its RAM, its G-stage tables, the hypervisor's state for it. */
static void mem_vms(void)
{
	struct console_mem_layout l;
	struct console_vm_info vi;
	char ram[24], gstage[24];

	con->mem_layout(&l);
	console_printf("VMs: %d of %u\n", con->vm_count(), l.vms_max);
	console_printf("id name             ram      gstage   hv-state\n");
	for (int id = 1; id <= con->vm_count(); id++) {
		if (!con->vm_info(id, &vi))
			continue;
		snprintf(ram, sizeof(ram), "%luM", (unsigned long)(vi.ram_size >> 20));
		snprintf(gstage, sizeof(gstage), "%luK", kib(vi.gstage_bytes));
		console_printf("%-2d %-16s %-8s %-8s %luK\n", vi.id, vi.name, ram, gstage, kib(vi.hv_bytes));
	}
}

int cmd_mem(int argc, char **argv)
{
	uint64_t total, free;

	(void)argv;
	if (argc != 1)
		return console_usage("mem");
	mem_hypervisor();
	con->mem(&total, &free);
	console_printf("pages: %lu total, %lu free, %lu used (4 KiB each; %lu MiB used)\n", (unsigned long)total,
		       (unsigned long)free, (unsigned long)(total - free), (unsigned long)((total - free) >> 8));
	mem_vms();
	return 0;
}

int cmd_quit(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return console_usage("quit");
	console_printf("hvscope: shutting down\n");
	con->quit();
	return 0;
}

int cmd_vms(int argc, char **argv)
{
	struct console_vm_info vi;
	char harts[48], ram[16];

	(void)argv;
	if (argc != 1)
		return console_usage("vms");
	console_printf("id name             state    vcpus@harts     ram     exits       ADUE A/D-emul\n");
	for (int id = 1; id <= con->vm_count(); id++) {
		if (!con->vm_info(id, &vi))
			continue;
		size_t n = 0;
		harts[0] = '\0';
		/* a vCPU that never ran (a secondary not started by HSM) has no hart: "-" */
		for (unsigned v = 0; v < vi.vcpus && v < CONSOLE_VCPUS_MAX && n < sizeof(harts); v++)
			n += vi.harts[v] < 0 ? snprintf(harts + n, sizeof(harts) - n, v ? ",-" : "-") :
					       snprintf(harts + n, sizeof(harts) - n, v ? ",%d" : "%d", vi.harts[v]);
		snprintf(ram, sizeof(ram), "%luM", (unsigned long)(vi.ram_size >> 20));
		console_printf("%-2d %-16s %-8s %u@%-13s %-7s %-11lu %-4s %s\n", vi.id, vi.name, vi.state,
			       vi.vcpus, harts, ram, (unsigned long)vi.exits,
			       vi.adue ? "on" : "off", vi.ad_emulation ? "on" : "off");
		if (vi.stop_reason[0])
			console_printf("   why: %s\n", vi.stop_reason);
	}
	return 0;
}

/* pause/resume/reset/kill: one VM argument, one action, one line of result. */
static int vm_action(int argc, char **argv, int (*act)(int, const char **), const char *done)
{
	const char *why = "failed";
	struct console_vm_info vi;
	int vm;

	if (argc != 2)
		return console_usage(argv[0]);
	if (console_parse_vm(argv[1], &vm))
		return -1;
	if (act(vm, &why)) {
		console_error("%s vm%d: %s", argv[0], vm, why);
		return -1;
	}
	con->vm_info(vm, &vi);
	console_printf("vm%d (%s): %s, now %s\n", vm, vi.name, done, vi.state);
	return 0;
}

int cmd_pause(int argc, char **argv)
{
	return vm_action(argc, argv, con->vm_pause, "paused (resume N lets it run)");
}

int cmd_resume(int argc, char **argv)
{
	return vm_action(argc, argv, con->vm_resume, "resumed");
}

int cmd_reset(int argc, char **argv)
{
	return vm_action(argc, argv, con->vm_reset, "reset: image reloaded, vCPU 0 at its entry");
}

/* bootargs N [TEXT...]: what /chosen/bootargs says at the VM's next reset. */
int cmd_bootargs(int argc, char **argv)
{
	char text[128];
	const char *why = "failed";
	size_t n = 0;
	int vm;

	if (argc < 2)
		return console_usage("bootargs");
	if (console_parse_vm(argv[1], &vm))
		return -1;
	text[0] = '\0';
	for (int i = 2; i < argc; i++) {
		int w = snprintf(text + n, sizeof(text) - n, i > 2 ? " %s" : "%s", argv[i]);
		if (w < 0 || (size_t)w >= sizeof(text) - n) {
			console_error("bootargs: longer than %u characters", (unsigned)sizeof(text) - 1);
			return -1;
		}
		n += (size_t)w;
	}
	if (argc > 2 && con->vm_set_bootargs(vm, text, &why)) {
		console_error("bootargs vm%d: %s", vm, why);
		return -1;
	}
	console_printf("vm%d bootargs: \"%s\"%s\n", vm, con->vm_bootargs(vm),
		       argc > 2 ? " (from its next reset: reset N)" : "");
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	return vm_action(argc, argv, con->vm_kill, "killed");
}

int cmd_dump(int argc, char **argv)
{
	int vm;

	if (argc != 2)
		return console_usage("dump");
	if (console_parse_vm(argv[1], &vm))
		return -1;
	if (!con->vm_dump(vm)) {
		console_error("vm%d has no post-mortem report (it has not died)", vm);
		return -1;
	}
	return 0;
}

int cmd_log(int argc, char **argv)
{
	static char buf[16 * 1024 + 1];
	uint64_t dropped = 0;
	size_t n;
	int vm;

	if (argc != 2)
		return console_usage("log");
	if (console_parse_vm(argv[1], &vm))
		return -1;
	n = con->vm_log(vm, buf, sizeof(buf) - 1, &dropped);
	buf[n] = '\0';
	/* The guest's bytes go out as they are, but a NUL would end the string early. */
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '.';
	console_printf("--- vm%d output (last %lu bytes%s) ---\n", vm, (unsigned long)n,
		       dropped ? ", older output dropped" : "");
	con->write(buf);
	if (n && buf[n - 1] != '\n')
		con->write("\n");
	console_printf("--- end of vm%d output ---\n", vm);
	return 0;
}
