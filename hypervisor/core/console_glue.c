/* The hypervisor side of struct console_ops. */
#include "console/console.h"
#include "core/cons.h"
#include "core/vm.h"
#include "arch/sbi_call.h"
#include "mem/page.h"
#include "lib/string.h"

static void glue_write(const char *s)
{
	cons_write_raw(s);
}

static int glue_vm_count(void)
{
	return (int)vm_count;
}

static bool glue_vm_info(int id, struct console_vm_info *out)
{
	struct vm *vm = vm_get(id);

	if (!vm)
		return false;
	memset(out, 0, sizeof(*out));
	out->id = vm->id;
	strncpy_safe(out->name, vm->name, sizeof(out->name));
	out->state = vm_state_name(vm->state);
	out->vcpus = vm->vcpu_count;
	out->ram_size = vm->ram_size;
	out->adue = vm->adue;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		out->harts[i] = vm->vcpus[i].hart;
		out->exits += vm->vcpus[i].stats.exits;
	}
	strncpy_safe(out->stop_reason, vm->stop_reason, sizeof(out->stop_reason));
	return true;
}

static const char *glue_version(void)
{
	return "0.1 (" __DATE__ ")";
}

static void glue_quit(void)
{
	sbi_shutdown();
}

static void glue_mem(uint64_t *total, uint64_t *free)
{
	page_stats(total, free);
}

static const struct console_ops hv_console_ops = {
	glue_write, glue_vm_count, glue_vm_info, glue_version, glue_quit, glue_mem,
};

void console_init(void)
{
	console_setup(&hv_console_ops);
}
