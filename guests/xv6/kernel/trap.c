// Trap handling: system calls, device interrupts, timer, faults.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

struct spinlock tickslock;
uint ticks;
static int clock_hart = -1;   // the hart that counts ticks

extern char _trampoline[], uservec[], userret[];
void kernelvec(void);

#define CSR_STIMECMP 0x14d

enum { DEV_NONE, DEV_OTHER, DEV_TIMER };   // what devintr() handled

// Arm this hart's next timer interrupt: Sstc's stimecmp if the device tree
// says every hart has it, the SBI TIME extension otherwise.
static void
timer_set_next(void)
{
  uint64 next = r_time() + bootinfo.timebase / TICK_HZ;
  if(bootinfo.has_sstc)
    asm volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(next));
  else
    sbi_set_timer(next);
}

// Called once, by the boot hart, which then keeps the tick count.
void
timerinit(void)
{
  initlock(&tickslock, "time");
  clock_hart = cpuid();
}

void
trapinithart(void)
{
  csr_write(stvec, kernelvec);
  csr_set(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
  timer_set_next();
}

static void
clockintr(void)
{
  if(cpuid() == clock_hart){
    acquire(&tickslock);
    ticks++;
    wakeup(&ticks);
    release(&tickslock);
  }
  timer_set_next();   // also clears the pending timer interrupt
}

static void
external_intr(void)
{
  int irq = plic_claim();
  if(irq == UART0_IRQ)
    uartintr();
  else if(irq == VIRTIO0_IRQ)
    virtio_disk_intr();
  else if(irq)
    printf("unexpected interrupt irq=%d\n", irq);
  if(irq)
    plic_complete(irq);
}

// Handle an interrupt, if scause is one.  Returns DEV_TIMER, DEV_OTHER or
// DEV_NONE (not a recognised interrupt).
static int
devintr(uint64 scause)
{
  if((scause & SCAUSE_INTERRUPT) == 0)
    return DEV_NONE;
  switch(scause & ~SCAUSE_INTERRUPT){
  case IRQ_S_EXT:
    external_intr();
    return DEV_OTHER;
  case IRQ_S_TIMER:
    clockintr();
    return DEV_TIMER;
  case IRQ_S_SOFT:
    csr_clear(sip, SIP_SSIP);   // IPIs are not used; just acknowledge
    return DEV_OTHER;
  }
  return DEV_NONE;
}

// A trap from user space, reached from uservec in trampoline.S.
void
usertrap(void)
{
  if(csr_read(sstatus) & SSTATUS_SPP)
    panic("usertrap: not from user mode");
  csr_write(stvec, kernelvec);   // we are in the kernel now

  struct proc *p = myproc();
  p->trapframe->epc = csr_read(sepc);
  uint64 scause = csr_read(scause);
  int which = DEV_NONE;

  if(scause == CAUSE_USER_ECALL){
    if(killed(p))
      exit(-1);
    p->trapframe->epc += 4;   // return after the ecall
    intr_on();                // sepc/scause/sstatus are saved; allow interrupts
    syscall();
  } else if((which = devintr(scause)) == DEV_NONE){
    printf("usertrap(): unexpected scause 0x%lx pid=%d\n", scause, p->pid);
    printf("            sepc=0x%lx stval=0x%lx\n", csr_read(sepc), csr_read(stval));
    setkilled(p);
  }

  if(killed(p))
    exit(-1);
  if(which == DEV_TIMER)
    yield();
  usertrapret();
}

// Return to user space through userret in the trampoline.
void
usertrapret(void)
{
  struct proc *p = myproc();

  // Traps must not reach usertrap() until we are in user mode.
  intr_off();
  csr_write(stvec, TRAMPOLINE + (uservec - _trampoline));

  // What uservec needs on the next trap.
  p->trapframe->kernel_satp = csr_read(satp);
  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (uint64)usertrap;
  p->trapframe->kernel_hartid = r_tp();

  uint64 x = csr_read(sstatus);
  x &= ~SSTATUS_SPP;   // sret to user mode
  x |= SSTATUS_SPIE;   // with interrupts on
  csr_write(sstatus, x);
  csr_write(sepc, p->trapframe->epc);

  uint64 satp = MAKE_SATP(p->pagetable);
  uint64 fn = TRAMPOLINE + (userret - _trampoline);
  ((void (*)(uint64))fn)(satp);
}

// A trap from supervisor mode, via kernelvec, on the current kernel stack.
void
kerneltrap(void)
{
  uint64 sepc = csr_read(sepc);
  uint64 sstatus = csr_read(sstatus);
  uint64 scause = csr_read(scause);

  if((sstatus & SSTATUS_SPP) == 0)
    panic("kerneltrap: not from supervisor mode");
  if(intr_get())
    panic("kerneltrap: interrupts enabled");

  int which = devintr(scause);
  if(which == DEV_NONE){
    printf("scause=0x%lx sepc=0x%lx stval=0x%lx\n", scause, sepc, csr_read(stval));
    panic("kerneltrap");
  }
  if(which == DEV_TIMER && myproc() != 0)
    yield();

  // yield() may have trapped again; restore what sret needs.
  csr_write(sepc, sepc);
  csr_write(sstatus, sstatus);
}
