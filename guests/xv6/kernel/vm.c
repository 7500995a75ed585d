// Sv39 page tables: the kernel's direct map and per-process user tables.
#include "param.h"
#include "types.h"
#include "memlayout.h"
#include "elf.h"
#include "riscv.h"
#include "defs.h"
#include "fs.h"

uint64 phys_top;              // end of RAM, from the device tree
static pagetable_t kernel_pagetable;

extern char _entry[];         // start of the kernel image (LOADADDR)
extern char etext[];          // end of kernel text (kernel.ld)
extern char _trampoline[];    // trampoline.S

static pagetable_t
kvmmake(void)
{
  pagetable_t kpgtbl = kalloc();
  memset(kpgtbl, 0, PGSIZE);
  kvmmap(kpgtbl, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpgtbl, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpgtbl, PLIC, PLIC, PLIC_SIZE, PTE_R | PTE_W);
  // Kernel text, then data and all remaining RAM, mapped one-to-one.
  kvmmap(kpgtbl, (uint64)_entry, (uint64)_entry, (uint64)etext - (uint64)_entry, PTE_R | PTE_X);
  kvmmap(kpgtbl, (uint64)etext, (uint64)etext, phys_top - (uint64)etext, PTE_R | PTE_W);
  kvmmap(kpgtbl, TRAMPOLINE, (uint64)_trampoline, PGSIZE, PTE_R | PTE_X);
  proc_mapstacks(kpgtbl);
  return kpgtbl;
}

void
kvminit(void)
{
  kernel_pagetable = kvmmake();
}

// Turn paging on for this hart.  The instruction after `csrw satp` is
// fetched through the new table; see mappages() on why that can fault.
void
kvminithart(void)
{
  sfence_vma();
  csr_write(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

// The address of the PTE for va, creating intermediate tables if alloc.
pte_t *
walk(pagetable_t pagetable, uint64 va, int alloc)
{
  if(va >= MAXVA)
    panic("walk");
  for(int level = 2; level > 0; level--){
    pte_t *pte = &pagetable[PX(level, va)];
    if(*pte & PTE_V){
      pagetable = (pagetable_t)PTE2PA(*pte);
    } else {
      if(!alloc || (pagetable = kalloc()) == 0)
        return 0;
      memset(pagetable, 0, PGSIZE);
      *pte = PA2PTE(pagetable) | PTE_V;
    }
  }
  return &pagetable[PX(0, va)];
}

// Physical address for a user virtual address, or 0 if not user-mapped.
uint64
walkaddr(pagetable_t pagetable, uint64 va)
{
  if(va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0 || (*pte & PTE_V) == 0 || (*pte & PTE_U) == 0)
    return 0;
  return PTE2PA(*pte);
}

void
kvmmap(pagetable_t kpgtbl, uint64 va, uint64 pa, uint64 sz, int perm)
{
  if(mappages(kpgtbl, va, sz, pa, perm) != 0)
    panic("kvmmap");
}

// Map [va, va+size) to [pa, pa+size).  Returns -1 if a table page could
// not be allocated.
//
// The leaf PTEs are deliberately built WITHOUT the A (accessed) and D (dirty)
// bits, exactly as xv6 does: we rely on the hardware to set them on first
// access (Svadu, enabled by menvcfg.ADUE natively or henvcfg.ADUE under a
// hypervisor).  Hardware that instead raises a page fault for A=0/D=0 (Svade
// behaviour) makes this kernel fault on the very first instruction fetch
// after `csrw satp`, before stvec is set.  That is the henvcfg.ADUE story
// hvscope exists to show, so do not "fix" it by setting A and D here.
int
mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
  if(size == 0)
    panic("mappages: size");
  uint64 a = PGROUNDDOWN(va);
  uint64 last = PGROUNDDOWN(va + size - 1);
  for(;;){
    pte_t *pte = walk(pagetable, a, 1);
    if(pte == 0)
      return -1;
    if(*pte & PTE_V)
      panic("mappages: remap");
    *pte = PA2PTE(pa) | perm | PTE_V;   // no PTE_A, no PTE_D: see above
    if(a == last)
      break;
    a += PGSIZE;
    pa += PGSIZE;
  }
  return 0;
}

// Remove npages of mappings starting at va, optionally freeing the pages.
void
uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free)
{
  if(va % PGSIZE)
    panic("uvmunmap: not aligned");
  for(uint64 a = va; a < va + npages * PGSIZE; a += PGSIZE){
    pte_t *pte = walk(pagetable, a, 0);
    if(pte == 0 || (*pte & PTE_V) == 0)
      panic("uvmunmap: not mapped");
    if(PTE_FLAGS(*pte) == PTE_V)
      panic("uvmunmap: not a leaf");
    if(do_free)
      kfree((void *)PTE2PA(*pte));
    *pte = 0;
  }
}

pagetable_t
uvmcreate(void)
{
  pagetable_t pagetable = kalloc();
  if(pagetable)
    memset(pagetable, 0, PGSIZE);
  return pagetable;
}

// Grow a process from oldsz to newsz bytes.  Returns the new size or 0.
uint64
uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm)
{
  if(newsz < oldsz)
    return oldsz;
  for(uint64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE){
    char *mem = kalloc();
    if(mem == 0){
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
    memset(mem, 0, PGSIZE);
    if(mappages(pagetable, a, PGSIZE, (uint64)mem, PTE_R | PTE_U | xperm) != 0){
      kfree(mem);
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink a process from oldsz to newsz bytes.  Returns the new size.
uint64
uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  if(newsz >= oldsz)
    return oldsz;
  if(PGROUNDUP(newsz) < PGROUNDUP(oldsz)){
    uint64 npages = (PGROUNDUP(oldsz) - PGROUNDUP(newsz)) / PGSIZE;
    uvmunmap(pagetable, PGROUNDUP(newsz), npages, 1);
  }
  return newsz;
}

// Free page-table pages; the leaves must already be unmapped.
static void
freewalk(pagetable_t pagetable)
{
  for(int i = 0; i < 512; i++){
    pte_t pte = pagetable[i];
    if((pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X)) == 0){
      freewalk((pagetable_t)PTE2PA(pte));
      pagetable[i] = 0;
    } else if(pte & PTE_V){
      panic("freewalk: leaf");
    }
  }
  kfree(pagetable);
}

void
uvmfree(pagetable_t pagetable, uint64 sz)
{
  if(sz > 0)
    uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pagetable);
}

// Copy a parent's memory into a child's page table for fork().
int
uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
  uint64 i;
  for(i = 0; i < sz; i += PGSIZE){
    pte_t *pte = walk(old, i, 0);
    if(pte == 0 || (*pte & PTE_V) == 0)
      panic("uvmcopy: page not present");
    char *mem = kalloc();
    if(mem == 0)
      goto err;
    memmove(mem, (char *)PTE2PA(*pte), PGSIZE);
    // Copy the permission bits only, leaving A and D clear as in mappages().
    int flags = PTE_FLAGS(*pte) & (PTE_R | PTE_W | PTE_X | PTE_U);
    if(mappages(new, i, PGSIZE, (uint64)mem, flags) != 0){
      kfree(mem);
      goto err;
    }
  }
  return 0;
err:
  uvmunmap(new, 0, i / PGSIZE, 1);
  return -1;
}

// Make a page inaccessible to user mode (the stack guard page).
void
uvmclear(pagetable_t pagetable, uint64 va)
{
  pte_t *pte = walk(pagetable, va, 0);
  if(pte == 0)
    panic("uvmclear");
  *pte &= ~PTE_U;
}

// Copy len bytes from kernel src to user dstva.  Returns -1 unless the whole
// range is mapped user-writable.
int
copyout(pagetable_t pagetable, uint64 dstva, char *src, uint64 len)
{
  while(len > 0){
    uint64 va0 = PGROUNDDOWN(dstva);
    if(va0 >= MAXVA)
      return -1;
    pte_t *pte = walk(pagetable, va0, 0);
    if(pte == 0 || (*pte & (PTE_V | PTE_U | PTE_W)) != (PTE_V | PTE_U | PTE_W))
      return -1;
    uint64 n = PGSIZE - (dstva - va0);
    if(n > len)
      n = len;
    memmove((void *)(PTE2PA(*pte) + (dstva - va0)), src, n);
    len -= n;
    src += n;
    dstva = va0 + PGSIZE;
  }
  return 0;
}

// Copy len bytes from user srcva to kernel dst.
int
copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len)
{
  while(len > 0){
    uint64 va0 = PGROUNDDOWN(srcva);
    uint64 pa0 = walkaddr(pagetable, va0);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (srcva - va0);
    if(n > len)
      n = len;
    memmove(dst, (void *)(pa0 + (srcva - va0)), n);
    len -= n;
    dst += n;
    srcva = va0 + PGSIZE;
  }
  return 0;
}

// Copy a NUL-terminated string of at most max bytes from user srcva.
int
copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max)
{
  while(max > 0){
    uint64 va0 = PGROUNDDOWN(srcva);
    uint64 pa0 = walkaddr(pagetable, va0);
    if(pa0 == 0)
      return -1;
    uint64 n = PGSIZE - (srcva - va0);
    if(n > max)
      n = max;
    char *p = (char *)(pa0 + (srcva - va0));
    for(uint64 i = 0; i < n; i++){
      *dst = p[i];
      if(p[i] == 0)
        return 0;
      dst++;
    }
    max -= n;
    srcva = va0 + PGSIZE;
  }
  return -1;
}
