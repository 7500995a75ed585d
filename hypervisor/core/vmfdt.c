/*
 * Each VM's own device tree: exactly its memory, vCPUs, devices and the ISA
 * it really gets, shaped like the tree QEMU's virt board gives a kernel, so a
 * guest that boots there boots here.
 */
#include "core/vmfdt.h"
#include "core/vm.h"
#include "arch/csr.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"

#define PHANDLE_PLIC	1
#define PHANDLE_INTC(i) (2 + (i))

/*
 * Multi-letter extensions a guest may be told about: those that work
 * unchanged in VS-mode or that hvscope enables/emulates (sstc via STCE,
 * svpbmt via PBMTE, zicbo* via CBIE/CBCFE/CBZE, zawrs by emulating wrs.*).
 * The h extension itself is never passed on.
 */
static const char *const vm_ext_allow[] = {
	"zicsr",
	"zifencei",
	"zicntr",
	"zihpm",
	"zihintpause",
	"zihintntl",
	"zicond",
	"zba",
	"zbb",
	"zbc",
	"zbs",
	"zfa",
	"zfh",
	"zfhmin",
	"zca",
	"zcd",
	"zcb",
	"zmmul",
	"zaamo",
	"zalrsc",
	"zacas",
	"zawrs",
	"zkr",
	"zkt",
	"sstc",
	"svinval",
	"svnapot",
	"svpbmt",
	"svadu",
	"zicbom",
	"zicboz",
	"zicbop",
	"zic64b",
	"ziccamoa",
	"ziccif",
	"zicclsm",
	"ziccrse",
	"za64rs",
	"sscofpmf",
	"zve32f",
	"zve32x",
	"zve64d",
	"zve64f",
	"zve64x",
};

static bool ext_allowed(const struct vm *vm, const char *e, size_t n)
{
	char name[24];

	if (n >= sizeof(name))
		return false;
	memcpy(name, e, n);
	name[n] = '\0';
	if (!strcmp(name, "sstc") && !(vm->henvcfg & ENVCFG_STCE))
		return false;
	if (!strcmp(name, "svpbmt") && !(vm->henvcfg & ENVCFG_PBMTE))
		return false;
	if (!strcmp(name, "svadu") && !vm->adue)
		return false;
	/* cbo.inval with CBIE=01 (flush) is allowed by the spec: any nonzero CBIE will do. */
	if (!strcmp(name, "zicbom") && (!(vm->henvcfg & ENVCFG_CBIE) || !(vm->henvcfg & ENVCFG_CBCFE)))
		return false;
	if (!strcmp(name, "zicboz") && !(vm->henvcfg & ENVCFG_CBZE))
		return false;
	for (unsigned i = 0; i < sizeof(vm_ext_allow) / sizeof(vm_ext_allow[0]); i++)
		if (!strcmp(name, vm_ext_allow[i]))
			return true;
	return false;
}

/* The host riscv,isa string minus h and whatever the VM does not get. */
void vmfdt_vm_isa(const struct vm *vm, char *out, size_t size)
{
	const char *s = host.isa;
	size_t o = 0;

	/* Single-letter part: rv64 then letters up to the first '_'. */
	while (*s && *s != '_' && o + 1 < size) {
		if (*s != 'h' || s < host.isa + 4)
			out[o++] = *s;
		s++;
	}
	while (*s == '_') {
		const char *e = ++s;
		while (*s && *s != '_')
			s++;
		if (ext_allowed(vm, e, (size_t)(s - e)) && o + (size_t)(s - e) + 2 < size) {
			out[o++] = '_';
			memcpy(out + o, e, (size_t)(s - e));
			o += (size_t)(s - e);
		}
	}
	out[o] = '\0';
}

/* Is extension ext in the VM's ISA string (after the single letters)? */
static bool isa_has_ext(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *s = isa; *s; s++)
		if (*s == '_' && !strncmp(s + 1, ext, n) && (s[1 + n] == '_' || s[1 + n] == '\0'))
			return true;
	return false;
}

/*
 * The same ISA as riscv,isa in the newer form Linux prefers (6.x warns
 * "Falling back to deprecated riscv,isa" without it): riscv,isa-base plus one
 * string per extension, single letters first.
 */
static void isa_extensions_prop(struct fdtw *w, const char *isa)
{
	char list[1024];
	size_t o = 0;
	const char *s = isa + 4; /* after "rv64" */

	for (; *s && *s != '_' && o + 2 < sizeof(list); s++) {
		list[o++] = *s;
		list[o++] = '\0';
	}
	while (*s == '_') {
		const char *e = ++s;
		while (*s && *s != '_')
			s++;
		if (o + (size_t)(s - e) + 1 >= sizeof(list))
			break;
		memcpy(list + o, e, (size_t)(s - e));
		o += (size_t)(s - e);
		list[o++] = '\0';
	}
	fdtw_prop_str(w, "riscv,isa-base", "rv64i");
	fdtw_prop(w, "riscv,isa-extensions", list, (uint32_t)o);
}

static void cpus_node(struct fdtw *w, const struct vm *vm, const char *isa)
{
	char name[24];

	fdtw_begin_node(w, "cpus");
	fdtw_prop_u32(w, "#address-cells", 1);
	fdtw_prop_u32(w, "#size-cells", 0);
	fdtw_prop_u32(w, "timebase-frequency", (uint32_t)host.timebase);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		fdtw_begin_node(w, name);
		fdtw_prop_str(w, "device_type", "cpu");
		fdtw_prop_u32(w, "reg", i);
		fdtw_prop_str(w, "status", "okay");
		fdtw_prop_str(w, "compatible", "riscv");
		fdtw_prop_str(w, "riscv,isa", isa);
		isa_extensions_prop(w, isa);
		/* Zic64b: cache blocks are 64 bytes, the size the cbo.* extensions need told. */
		if (isa_has_ext(isa, "zic64b")) {
			if (isa_has_ext(isa, "zicbom"))
				fdtw_prop_u32(w, "riscv,cbom-block-size", 64);
			if (isa_has_ext(isa, "zicboz"))
				fdtw_prop_u32(w, "riscv,cboz-block-size", 64);
			if (isa_has_ext(isa, "zicbop"))
				fdtw_prop_u32(w, "riscv,cbop-block-size", 64);
		}
		fdtw_prop_str(w, "mmu-type", host.mmu_type[0] ? host.mmu_type : "riscv,sv39");
		fdtw_begin_node(w, "interrupt-controller");
		fdtw_prop_u32(w, "#interrupt-cells", 1);
		fdtw_prop_empty(w, "interrupt-controller");
		fdtw_prop_str(w, "compatible", "riscv,cpu-intc");
		fdtw_prop_u32(w, "phandle", PHANDLE_INTC(i));
		fdtw_end_node(w);
		fdtw_end_node(w);
	}
	fdtw_end_node(w);
}

/*
 * The eight virtio-mmio slots, as QEMU's virt board lists them: slot 0 holds
 * the VM's disk when it has one, the others read as empty transports
 * (device ID 0) that drivers skip.
 */
static void virtio_node(struct fdtw *w, unsigned slot)
{
	uint64_t base = VM_VIRTIO_BASE + slot * VM_VIRTIO_STRIDE;
	uint32_t reg[4] = { 0, (uint32_t)base, 0, (uint32_t)VM_VIRTIO_STRIDE };
	char name[40];

	snprintf(name, sizeof(name), "virtio_mmio@%lx", base);
	fdtw_begin_node(w, name);
	fdtw_prop_u32(w, "interrupts", VM_VIRTIO_IRQ(slot));
	fdtw_prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
	fdtw_prop_cells(w, "reg", reg, 4);
	fdtw_prop_str(w, "compatible", "virtio,mmio");
	fdtw_end_node(w);
}

static void soc_node(struct fdtw *w, const struct vm *vm)
{
	static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
	uint32_t ints[4 * VM_MAX_VCPUS];
	uint32_t reg[4];
	char name[40];

	fdtw_begin_node(w, "soc");
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_prop_str(w, "compatible", "simple-bus");
	fdtw_prop_empty(w, "ranges");

	snprintf(name, sizeof(name), "serial@%lx", VM_UART_BASE);
	fdtw_begin_node(w, name);
	reg[0] = 0, reg[1] = (uint32_t)VM_UART_BASE, reg[2] = 0, reg[3] = (uint32_t)VM_UART_SIZE;
	fdtw_prop_cells(w, "reg", reg, 4);
	fdtw_prop_str(w, "compatible", "ns16550a");
	fdtw_prop_u32(w, "clock-frequency", VM_UART_CLOCK);
	fdtw_prop_u32(w, "interrupts", VM_UART_IRQ);
	fdtw_prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
	fdtw_end_node(w);

	/* As QEMU: each vCPU has an M context (irq 11) and an S context (irq 9). */
	snprintf(name, sizeof(name), "plic@%lx", VM_PLIC_BASE);
	fdtw_begin_node(w, name);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		ints[4 * i + 0] = PHANDLE_INTC(i);
		ints[4 * i + 1] = IRQ_S_EXT + 2; /* 11: machine external */
		ints[4 * i + 2] = PHANDLE_INTC(i);
		ints[4 * i + 3] = IRQ_S_EXT;
	}
	fdtw_prop_u32(w, "phandle", PHANDLE_PLIC);
	fdtw_prop_u32(w, "riscv,ndev", VM_PLIC_NDEV);
	reg[0] = 0, reg[1] = (uint32_t)VM_PLIC_BASE, reg[2] = 0, reg[3] = (uint32_t)VM_PLIC_SIZE;
	fdtw_prop_cells(w, "reg", reg, 4);
	fdtw_prop_cells(w, "interrupts-extended", ints, 4 * vm->vcpu_count);
	fdtw_prop_empty(w, "interrupt-controller");
	fdtw_prop_strs(w, "compatible", plic_compat, 2);
	fdtw_prop_u32(w, "#address-cells", 0);
	fdtw_prop_u32(w, "#interrupt-cells", 1);
	fdtw_end_node(w);
	for (unsigned slot = 0; slot < VM_VIRTIO_SLOTS; slot++)
		virtio_node(w, slot);
	fdtw_end_node(w);
}

int vmfdt_build(struct vm *vm, void *buf, size_t size)
{
	struct fdtw w;
	char isa[1024], name[32];
	uint32_t mem[4];

	vmfdt_vm_isa(vm, isa, sizeof(isa));
	fdtw_init(&w, buf, size);
	fdtw_begin_node(&w, "");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_prop_str(&w, "compatible", "riscv-virtio");
	fdtw_prop_str(&w, "model", "hvscope VM (riscv-virtio,qemu compatible)");

	fdtw_begin_node(&w, "chosen");
	snprintf(name, sizeof(name), "/soc/serial@%lx", VM_UART_BASE);
	fdtw_prop_str(&w, "stdout-path", name);
	if (vm->image.bootargs[0])
		fdtw_prop_str(&w, "bootargs", vm->image.bootargs);
	if (vm->image.initrd_size) {
		fdtw_prop_u64(&w, "linux,initrd-start", vm->image.initrd_gpa);
		fdtw_prop_u64(&w, "linux,initrd-end", vm->image.initrd_gpa + vm->image.initrd_size);
	}
	fdtw_end_node(&w);

	snprintf(name, sizeof(name), "memory@%lx", VM_RAM_BASE);
	fdtw_begin_node(&w, name);
	fdtw_prop_str(&w, "device_type", "memory");
	mem[0] = VM_RAM_BASE >> 32, mem[1] = (uint32_t)VM_RAM_BASE;
	mem[2] = vm->ram_size >> 32, mem[3] = (uint32_t)vm->ram_size;
	fdtw_prop_cells(&w, "reg", mem, 4);
	fdtw_end_node(&w);

	cpus_node(&w, vm, isa);
	soc_node(&w, vm);
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}
