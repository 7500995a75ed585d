// Physical page allocator: a free list of 4096-byte pages covering RAM from
// the end of the kernel image to the end of RAM reported by the device tree.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "spinlock.h"
#include "riscv.h"
#include "defs.h"

extern char end[];   // first address after the kernel image (kernel.ld)

struct run {
  struct run *next;
};

static struct {
  struct spinlock lock;
  struct run *freelist;
  uint64 nfree;
} kmem;

static void
freepage(void *pa)
{
  if((uint64)pa % PGSIZE != 0 || (char *)pa < end || (uint64)pa >= phys_top)
    panic("kfree");
  struct run *r = pa;
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  kmem.nfree++;
  release(&kmem.lock);
}

// Every page from the end of the kernel to the end of RAM.  No junk fill
// here: on a large VM that would be most of the boot time.
void
kinit(void)
{
  initlock(&kmem.lock, "kmem");
  for(uint64 p = PGROUNDUP((uint64)end); p + PGSIZE <= phys_top; p += PGSIZE)
    freepage((void *)p);
}

void
kfree(void *pa)
{
  memset(pa, 1, PGSIZE);   // junk, to catch use after free
  freepage(pa);
}

// Returns a page, or 0 when memory is exhausted.
void *
kalloc(void)
{
  acquire(&kmem.lock);
  struct run *r = kmem.freelist;
  if(r){
    kmem.freelist = r->next;
    kmem.nfree--;
  }
  release(&kmem.lock);
  if(r)
    memset(r, 5, PGSIZE);   // junk
  return r;
}

uint64
kfreecount(void)
{
  return kmem.nfree;
}
