# hvscope top-level Makefile.  `make help` lists targets and variables.
#
# Everything builds out of tree into $(O) (default build/).  Sub-directories
# contribute through their own Makefile.inc fragments included below; each
# fragment only appends to the variables declared here.

O            ?= build
V            ?= 0
CONFIG       ?= default
GUEST        ?= hello
QEMU         ?= qemu-system-riscv64
QEMU_CPU     ?= rv64
QEMU_SMP     ?= 2
QEMU_MEM     ?= 1G
QEMU_OLD     ?= $(O)/cache/qemu-old/usr/bin/qemu-system-riscv64
# OpenSBI's generic fw_dynamic from Debian's opensbi package, found from the
# package's file list so that nothing here names an absolute path.
OPENSBI      ?= $(shell dpkg -L opensbi 2>/dev/null | grep 'riscv64.*generic/fw_dynamic.bin$$' | head -n1)
PYTEST       ?= pytest-3
PYTHON       ?= python3
GDB          ?= gdb-multiarch
HOSTCC       ?= cc

# Cross toolchain prefix: first one found on PATH unless given.
ifeq ($(origin CROSS_COMPILE),undefined)
CROSS_COMPILE := $(firstword $(foreach p,riscv64-unknown-elf- riscv64-linux-gnu-,\
                   $(if $(shell command -v $(p)gcc 2>/dev/null),$(p))))
ifeq ($(CROSS_COMPILE),)
CROSS_COMPILE := riscv64-unknown-elf-
endif
endif
CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
OBJDUMP := $(CROSS_COMPILE)objdump
NM      := $(CROSS_COMPILE)nm

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

# Flags for freestanding RISC-V code (hypervisor and test guests).  The
# compiler never emits FP code; FP state is switched in assembly.  GCC 12
# rejects "h" in -march, so H instructions are enabled inside the assembly
# sources and inline asm with `.option arch, +h` (see hypervisor/arch/asm.h).
RV_ARCH   := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
RV_CFLAGS := $(RV_ARCH) -std=c11 -ffreestanding -fno-builtin -nostdlib -fno-common \
             -fno-pie -fno-stack-protector -O2 -g \
             -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -MD -MP
RV_ASFLAGS := $(RV_ARCH) -g -MD -MP
RV_LDFLAGS := -nostdlib -static -no-pie

HOST_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -fsanitize=address,undefined -fno-omit-frame-pointer -MD -MP

.DEFAULT_GOAL := all
ALL_TARGETS   :=
UNIT_TESTS    :=
CLEAN_EXTRA   :=

.PHONY: all help deps run run-native debug gdb dump postmortem test test-unit test-gdb test-system lint \
        bench soak clean clean-disks check-tools
.SUFFIXES:

# A header that moved or went away must not stop the build through an old
# .d file that still names it: the objects that used it are rebuilt instead.
%.h: ;

include hypervisor/Makefile.inc
-include console/Makefile.inc
-include guests/tests/Makefile.inc
-include guests/xv6/Makefile.inc
-include guests/linux/Makefile.inc
-include tests/unit/Makefile.inc
-include tests/gdb/Makefile.inc
include gdbscripts/Makefile.inc
include tests/lint/Makefile.inc
include configs/Makefile.inc
include tests/Makefile.inc

all: $(ALL_TARGETS)

help:
	@echo "hvscope: a RISC-V H-extension hypervisor you can see into"
	@echo
	@echo "Targets:"
	@echo "  all            build the hypervisor, xv6, the test guests (default)"
	@echo "  run            boot CONFIG's VMs under hvscope on QEMU (Ctrl-T ? for keys); TRACE=on streams the trace"
	@echo "  trace-report   report, Perfetto JSON and PNG of TRACE_FILE (build/logs/trace.hvt; docs/tracing.md)"
	@echo "  run-native     boot GUEST (a test guest, xv6, xv6-qemu) on QEMU+OpenSBI, no hypervisor"
	@echo "  devdiff        diff hvscope's devices against this QEMU's (the devprobe guest)"
	@echo "  debug / gdb    start QEMU halted with a gdbstub / attach gdb-multiarch to it"
	@echo "  gdb-vm         gdb on one VM through hvscope's own stub while the others run (VM=N; docs/gdb.md)"
	@echo "  dump           save the RAM of the machine make debug runs to DUMP (build/hv.core)"
	@echo "  postmortem     gdb with the hv commands on DUMP, no QEMU (docs/gdb.md)"
	@echo "  test           host unit tests, gdb tests, system tests; ends 'N passed, N failed'"
	@echo "  test-unit      host unit tests only; test-system: QEMU system tests only"
	@echo "  check-layers   the folders' #include order (docs/architecture.md); part of test"
	@echo "  lint           format-check (clang-format), cppcheck, pyflakes (part of test)"
	@echo "  format         rewrite hypervisor/, console/, guests/tests/ C in the .clang-format style"
	@echo "  bench          instructions per exit, perf profile, boots/usertests/scale vs native (never part of test)"
	@echo "  soak           long runs: the system tests SOAK_ROUNDS times, 16 xv6 VMs and an 8-vCPU Linux on -smp SOAK_SMP, the guest fuzzer"
	@echo "  fetch-guests   download Debian's Linux + busybox for CONFIG=linux/mixed"
	@echo "  fuzz           fuzz the hv> console (FUZZ_SECONDS); fuzz-fdt the FDT reader"
	@echo "  fuzz-guest     the guest-side fuzzer next to xv6 (FUZZ_SECONDS, FUZZ_SEED to replay)"
	@echo "  deps           install missing Debian packages (run by run/test when needed)"
	@echo "  clean          remove \$$(O); clean-disks: reset VM disk images"
	@echo
	@echo "Variables (current value):"
	@echo "  O=$(O)  build directory"
	@echo "  CONFIG=$(CONFIG)  VM set from configs/<CONFIG>.cfg"
	@echo "  GUEST=$(GUEST)  guest for run-native: $(NATIVE_GUESTS)"
	@echo "  CROSS_COMPILE=$(CROSS_COMPILE)  toolchain prefix (auto: riscv64-unknown-elf-, riscv64-linux-gnu-)"
	@echo "  QEMU=$(QEMU)  QEMU_CPU=$(QEMU_CPU)  QEMU_SMP=$(QEMU_SMP)  QEMU_MEM=$(QEMU_MEM)"
	@echo "  QEMU_OLD=$(QEMU_OLD)  (QEMU 7.2 for the version matrix)"
	@echo "  OPENSBI=$(OPENSBI)"
	@echo "  PYTEST=$(PYTEST)  GDB=$(GDB)  V=1 shows full command lines"
	@echo "  GDB_SOCK=$(GDB_SOCK)  DUMP=$(DUMP)  (debug, gdb, dump, postmortem)"

# `make deps` installs what is missing; run/test call it only when a tool is
# absent, so a machine that has everything never touches apt.
NEED_TOOLS := $(CC) $(QEMU) $(GDB) dtc $(PYTEST) $(CLANG_FORMAT) $(CPPCHECK) $(PYFLAKES)
deps:
	$(Q)sh scripts/deps.sh $(O)/cache

check-tools:
	$(Q)missing=; for t in $(NEED_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	 [ -x "$(QEMU_OLD)" ] || [ ! -e /etc/debian_version ] || ! grep -q bookworm /etc/os-release || missing="$$missing qemu-7.2"; \
	 if [ -n "$$missing" ]; then echo "missing:$$missing -> make deps"; sh scripts/deps.sh $(O)/cache; fi

clean:
	rm -rf $(O)/hypervisor $(O)/guests $(O)/tests $(O)/configs $(O)/console $(O)/*.log $(CLEAN_EXTRA)

# make run-native GUEST=NAME: any guest on QEMU + OpenSBI, no hypervisor
# (Ctrl-A x quits).  A guest's Makefile.inc adds its name to NATIVE_GUESTS
# and may set NATIVE_IMAGE_<name> (default: the test guest's .bin),
# NATIVE_MEM_<name> (256M), NATIVE_DEPS_<name>, NATIVE_PREP_<name> (a shell
# command run first) and NATIVE_ARGS_<name> (more QEMU options).
NATIVE_IMAGE = $(or $(NATIVE_IMAGE_$(GUEST)),$(TG_OUT)/$(GUEST).bin)

run-native: check-tools
	$(Q)$(if $(filter $(GUEST),$(NATIVE_GUESTS)),,echo "make run-native: unknown GUEST=$(GUEST) (one of: $(NATIVE_GUESTS))"; exit 1)
	$(Q)$(MAKE) --no-print-directory run-native-now

run-native-now: $(NATIVE_IMAGE) $(NATIVE_DEPS_$(GUEST))
	$(Q)$(NATIVE_PREP_$(GUEST))
	$(QEMU) -M virt -cpu $(QEMU_CPU) -smp $(QEMU_SMP) -m $(or $(NATIVE_MEM_$(GUEST)),256M) -nographic \
		-bios $(OPENSBI) -kernel $(NATIVE_IMAGE) $(NATIVE_ARGS_$(GUEST))

# make devdiff: the differential device test on this QEMU (tests/system/devdiff.py):
# guests/tests/devprobe natively and under hvscope, the diff, and what of it is
# not on the documented allow-list (exit status 1 then).
# A python3 with pexpect, into $py ("" if none): $(PYTHON), the one pytest-3
# runs on, or python3.  FIND_PY_PEXPECT also stops the recipe when there is none.
SEARCH_PY_PEXPECT = py=; for p in "$(PYTHON)" "$$(sed -n '1s/^\#! *//p' "$$(command -v $(PYTEST))" 2>/dev/null)" python3; do \
	  [ -n "$$p" ] && $$p -c 'import pexpect' 2>/dev/null && { py=$$p; break; }; done
FIND_PY_PEXPECT = $(SEARCH_PY_PEXPECT); \
	[ -n "$$py" ] || { echo "$@: no python3 with pexpect (make deps)"; exit 1; }

devdiff: $(HV_BIN) $(TG_OUT)/devprobe.elf $(TG_OUT)/devprobe.bin
	$(Q)$(FIND_PY_PEXPECT); \
	HV_BUILD=$(O) HV_OPENSBI=$(OPENSBI) $$py tests/system/devdiff.py --qemu $(QEMU)

# make fuzz-guest: the guest-side fuzzer (guests/tests/fuzz.c) as VM 1 next to
# xv6 for FUZZ_SECONDS, probing both; ends "fuzz-guest: ... N findings"
# (exit status 1 with any).  FUZZ_SEED= replays a seed.
FUZZ_SEED ?=
fuzz-guest: all
	$(Q)$(FIND_PY_PEXPECT); \
	HV_BUILD=$(O) HV_OPENSBI=$(OPENSBI) $$py scripts/fuzz_guest.py --seconds $(FUZZ_SECONDS) \
	  --qemu $(QEMU) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

.PHONY: run-native-now devdiff fuzz-guest

-include $(shell find $(O) -name '*.d' 2>/dev/null)
