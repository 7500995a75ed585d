/* The harts' own state: one struct hart per physical hart, tp points at it. */
#include <stddef.h>
#include "core/hart.h"

struct hart harts[HV_MAX_HARTS];
const unsigned long arch_hart_size = sizeof(struct hart);

_Static_assert(offsetof(struct hart, arch) == 0, "arch/entry.S: tp points at struct arch_hart");
