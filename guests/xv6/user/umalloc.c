// A first-fit memory allocator over sbrk(): a circular free list of blocks
// sorted by address, each with a header giving its size in header units.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"

typedef union header {
  struct {
    union header *next;
    uint size;    // in units of sizeof(Header), header included
  } s;
  long align;     // forces 8-byte alignment
} Header;

static Header base;
static Header *freep;

void
free(void *ap)
{
  Header *bp = (Header *)ap - 1, *p;
  // Find the free block after which bp belongs.
  for(p = freep; !(bp > p && bp < p->s.next); p = p->s.next)
    if(p >= p->s.next && (bp > p || bp < p->s.next))
      break;   // bp is at one end of the arena
  if(bp + bp->s.size == p->s.next){   // merge with the next block
    bp->s.size += p->s.next->s.size;
    bp->s.next = p->s.next->s.next;
  } else {
    bp->s.next = p->s.next;
  }
  if(p + p->s.size == bp){            // merge with the previous block
    p->s.size += bp->s.size;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  freep = p;
}

static Header *
morecore(uint nu)
{
  if(nu < 4096)
    nu = 4096;
  char *p = sbrk(nu * sizeof(Header));
  if(p == (char *)-1)
    return 0;
  Header *hp = (Header *)p;
  hp->s.size = nu;
  free(hp + 1);
  return freep;
}

void *
malloc(uint nbytes)
{
  uint nunits = (nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;
  Header *prevp = freep, *p;
  if(prevp == 0){
    base.s.next = freep = prevp = &base;
    base.s.size = 0;
  }
  for(p = prevp->s.next;; prevp = p, p = p->s.next){
    if(p->s.size >= nunits){
      if(p->s.size == nunits){
        prevp->s.next = p->s.next;
      } else {   // hand out the tail end
        p->s.size -= nunits;
        p += p->s.size;
        p->s.size = nunits;
      }
      freep = prevp;
      return p + 1;
    }
    if(p == freep && (p = morecore(nunits)) == 0)
      return 0;
  }
}
