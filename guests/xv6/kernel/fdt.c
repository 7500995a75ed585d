// Just enough of a flattened device tree reader to learn the RAM range,
// the hart ids, the timer frequency and whether the harts have Sstc.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define FDT_MAGIC       0xd00dfeed
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

struct fdt_header {
  uint32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
  uint32 version, last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

struct bootinfo bootinfo;

static uint32
be32(const void *p)
{
  const uchar *b = p;
  return ((uint32)b[0] << 24) | ((uint32)b[1] << 16) | ((uint32)b[2] << 8) | b[3];
}

// Read a number of `cells` 32-bit cells.
static uint64
cells(const uchar *p, int n)
{
  uint64 v = 0;
  for(int i = 0; i < n; i++)
    v = (v << 32) | be32(p + 4 * i);
  return v;
}

static int
startswith(const char *s, const char *prefix)
{
  while(*prefix)
    if(*s++ != *prefix++)
      return 0;
  return 1;
}

// Does the ISA string "rv64imac_zicsr_sstc_..." name extension ext?
static int
isa_has(const char *isa, int len, const char *ext)
{
  int n = strlen(ext);
  for(int i = 0; i + n <= len; i++){
    if((i == 0 || isa[i - 1] == '_') && strncmp(isa + i, ext, n) == 0 &&
       (i + n == len || isa[i + n] == '_' || isa[i + n] == 0))
      return 1;
  }
  return 0;
}

// Does the NUL-separated string list contain s?
static int
strlist_has(const char *list, int len, const char *s)
{
  for(int i = 0; i < len; i += strlen(list + i) + 1)
    if(strncmp(list + i, s, MAXPATH) == 0)
      return 1;
  return 0;
}

// Properties of the node being walked, acted on at its end.
struct node {
  const char *name;
  const uchar *reg;
  int reglen;
  int is_cpu;
  int disabled;
  int sstc;
};

int
fdt_parse(void *dtb)
{
  const struct fdt_header *h = dtb;
  if(dtb == 0 || be32(&h->magic) != FDT_MAGIC)
    return -1;
  const uchar *p = (const uchar *)dtb + be32(&h->off_dt_struct);
  const char *strings = (const char *)dtb + be32(&h->off_dt_strings);
  int root_acells = 2, root_scells = 2, cpus_acells = 1;
  int depth = 0, all_sstc = 1;
  struct node stack[16];   // one per open node: children must not clobber parents
  struct node *n = &stack[0];
  const char *parent = "";   // name of the depth-1 node we are inside

  bootinfo.nharts = 0;
  bootinfo.ram_end = 0;
  for(;;){
    uint32 tok = be32(p);
    p += 4;
    if(tok == FDT_BEGIN_NODE){
      const char *name = (const char *)p;
      p += (strlen(name) + 1 + 3) & ~3;
      if(++depth >= (int)NELEM(stack))
        return -1;
      if(depth == 2)
        parent = name;
      n = &stack[depth];
      memset(n, 0, sizeof(*n));
      n->name = name;
    } else if(tok == FDT_PROP){
      uint32 len = be32(p), nameoff = be32(p + 4);
      const uchar *val = p + 8;
      const char *pname = strings + nameoff;
      p += 8 + ((len + 3) & ~3);
      if(depth == 1 && strncmp(pname, "#address-cells", 20) == 0)
        root_acells = be32(val);
      else if(depth == 1 && strncmp(pname, "#size-cells", 20) == 0)
        root_scells = be32(val);
      else if(depth == 2 && startswith(parent, "cpus") && strncmp(pname, "#address-cells", 20) == 0)
        cpus_acells = be32(val);
      else if(depth == 2 && startswith(parent, "cpus") && strncmp(pname, "timebase-frequency", 20) == 0)
        bootinfo.timebase = len == 8 ? cells(val, 2) : be32(val);
      else if(strncmp(pname, "reg", 4) == 0){
        n->reg = val;
        n->reglen = len;
      } else if(strncmp(pname, "device_type", 12) == 0 && strncmp((const char *)val, "cpu", 4) == 0)
        n->is_cpu = 1;
      else if(strncmp(pname, "status", 7) == 0 && strncmp((const char *)val, "okay", 5) != 0)
        n->disabled = 1;
      else if(strncmp(pname, "riscv,isa", 10) == 0)
        n->sstc |= isa_has((const char *)val, len, "sstc");
      else if(strncmp(pname, "riscv,isa-extensions", 21) == 0)
        n->sstc |= strlist_has((const char *)val, len, "sstc");
    } else if(tok == FDT_END_NODE){
      if(depth == 2 && startswith(n->name, "memory") && n->reg && bootinfo.ram_end == 0){
        bootinfo.ram_base = cells(n->reg, root_acells);
        bootinfo.ram_end = bootinfo.ram_base + cells(n->reg + 4 * root_acells, root_scells);
      }
      if(depth == 3 && startswith(parent, "cpus") && n->is_cpu && n->reg && !n->disabled){
        if(bootinfo.nharts < NCPU){
          bootinfo.hartids[bootinfo.nharts++] = cells(n->reg, cpus_acells);
          all_sstc &= n->sstc;
        }
      }
      n = &stack[--depth];
    } else if(tok == FDT_NOP){
      continue;
    } else {
      break;   // FDT_END or garbage
    }
  }
  bootinfo.has_sstc = bootinfo.nharts > 0 && all_sstc;
  if(bootinfo.timebase == 0)
    bootinfo.timebase = 10000000;   // QEMU virt's 10 MHz
  return bootinfo.ram_end ? 0 : -1;
}
