// Calls to the SBI firmware (OpenSBI natively, hvscope under the hypervisor).
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define SBI_EXT_LEGACY_SET_TIMER 0x0
#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45   // "TIME"
#define SBI_EXT_HSM   0x48534D     // "HSM"
#define SBI_EXT_SRST  0x53525354   // "SRST"

#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_TIME_SET_TIMER       0
#define SBI_HSM_HART_START       0
#define SBI_SRST_RESET           0
#define SBI_SRST_TYPE_SHUTDOWN   0

static struct sbiret
sbi_call(long ext, long fid, uint64 a0, uint64 a1, uint64 a2)
{
  register uint64 r_a0 asm("a0") = a0;
  register uint64 r_a1 asm("a1") = a1;
  register uint64 r_a2 asm("a2") = a2;
  register long r_a6 asm("a6") = fid;
  register long r_a7 asm("a7") = ext;
  asm volatile("ecall"
               : "+r"(r_a0), "+r"(r_a1)
               : "r"(r_a2), "r"(r_a6), "r"(r_a7)
               : "memory");
  struct sbiret ret = { (long)r_a0, (long)r_a1 };
  return ret;
}

int
sbi_probe(long ext)
{
  struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0);
  return r.error == 0 && r.value != 0;
}

static int have_time_ext = -1;

void
sbi_set_timer(uint64 stime)
{
  if(have_time_ext < 0)
    have_time_ext = sbi_probe(SBI_EXT_TIME);
  if(have_time_ext)
    sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, stime, 0, 0);
  else
    sbi_call(SBI_EXT_LEGACY_SET_TIMER, 0, stime, 0, 0);
}

int
sbi_hart_start(uint64 hartid, uint64 start, uint64 opaque)
{
  return (int)sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start, opaque).error;
}

void
sbi_shutdown(void)
{
  sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN, 0, 0);
  for(;;)
    asm volatile("wfi");
}
