/* The hart's supervisor timer (arch/timer.c) and the timebase it counts in. */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

extern uint64_t hv_timebase; /* `time` ticks per second, from the host device tree */
extern bool hv_has_sstc;     /* the hart has stimecmp (Sstc) */

/* Raise the hart's timer interrupt at `when` (UINT64_MAX: never). */
void timer_program(uint64_t when);

#endif
