// Boot: the boot hart initialises everything and starts the other harts
// with SBI HSM; every hart then enters the scheduler.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

void _secondary(void);   // entry.S
void main(uint64 hartid, void *dtb);
void secondary_main(uint64 hartid);

static void
start_other_harts(uint64 self)
{
  for(int i = 0; i < bootinfo.nharts; i++){
    uint64 id = bootinfo.hartids[i];
    if(id == self)
      continue;
    if(id >= NCPU){
      printf("hart %ld: id too large, left parked\n", (long)id);
      continue;
    }
    int err = sbi_hart_start(id, (uint64)_secondary, 0);
    if(err)
      printf("hart %ld: SBI hart_start failed (%d)\n", (long)id, err);
  }
}

void
main(uint64 hartid, void *dtb)
{
  consoleinit();
  printfinit();
  printf("\n");
  printf("xv6 kernel is booting\n");
  printf("\n");

  if(fdt_parse(dtb) < 0)
    panic("no usable device tree (need /memory)");
#ifdef XV6_PHYSTOP
  // Built like a kernel made for one `qemu -m`: the end of RAM is a constant
  // and the device tree's /memory is not consulted.
  phys_top = XV6_PHYSTOP;
#else
  phys_top = bootinfo.ram_end;   // the device tree lives in RAM: read it before kinit()
#endif
  if(phys_top <= KERNBASE)
    panic("RAM below the kernel");

  kinit();           // physical pages
  kvminit();         // kernel page table
  kvminithart();     // paging on
  procinit();        // process table
  timerinit();
  trapinithart();    // stvec, interrupt enables, first timer
  plicinit();
  plicinithart();
  binit();           // buffer cache
  iinit();           // inode table
  fileinit();        // file table
  virtio_disk_init();
  userinit();        // first user process

  mycpu()->started = 1;
  __sync_synchronize();
  start_other_harts(hartid);
  scheduler();
}

void
secondary_main(uint64 hartid)
{
  kvminithart();
  trapinithart();
  plicinithart();
  mycpu()->started = 1;
  printf("hart %ld starting\n", (long)hartid);
  scheduler();
}
