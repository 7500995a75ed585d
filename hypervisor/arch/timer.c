/*
 * The hart's supervisor timer: stimecmp when the hart has Sstc, the
 * firmware's SBI TIME call otherwise.
 */
#include "arch/timer.h"
#include "arch/csr.h"
#include "arch/sbi_call.h"

uint64_t hv_timebase = 10000000;
bool hv_has_sstc;

void timer_program(uint64_t when)
{
	if (hv_has_sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer_fw(when);
}
