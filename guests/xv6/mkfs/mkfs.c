// mkfs: build an xv6 file system image on the host.
//   mkfs fs.img file...
// The files go into the root directory under their base names, with a
// leading '_' dropped (so build/_cat becomes /cat).
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/types.h"
#include "kernel/fs.h"
// T_DIR and T_FILE as in kernel/stat.h, whose struct stat clashes with the host's.
#define T_DIR  1
#define T_FILE 2
#include "kernel/param.h"

_Static_assert(BSIZE % sizeof(struct dinode) == 0, "inodes must fill blocks");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must fill blocks");

#define NINODES 200

static int fsfd;
static struct superblock sb;
static uint freeinode = 1;   // next inode number to hand out
static uint freeblock;       // next data block to hand out
static uint nmeta;           // boot, super, log, inode and bitmap blocks

// On-disk integers are little-endian, as on RISC-V.
static ushort
xshort(ushort x)
{
  ushort y;
  uchar *a = (uchar *)&y;
  a[0] = x;
  a[1] = x >> 8;
  return y;
}

static uint
xint(uint x)
{
  uint y;
  uchar *a = (uchar *)&y;
  for(int i = 0; i < 4; i++)
    a[i] = x >> (8 * i);
  return y;
}

static void
die(const char *s)
{
  perror(s);
  exit(1);
}

static void
wsect(uint sec, const void *buf)
{
  if(lseek(fsfd, (off_t)sec * BSIZE, SEEK_SET) != (off_t)sec * BSIZE)
    die("lseek");
  if(write(fsfd, buf, BSIZE) != BSIZE)
    die("write");
}

static void
rsect(uint sec, void *buf)
{
  if(lseek(fsfd, (off_t)sec * BSIZE, SEEK_SET) != (off_t)sec * BSIZE)
    die("lseek");
  if(read(fsfd, buf, BSIZE) != BSIZE)
    die("read");
}

static void
winode(uint inum, const struct dinode *ip)
{
  char buf[BSIZE];
  uint bn = IBLOCK(inum, sb);
  rsect(bn, buf);
  ((struct dinode *)buf)[inum % IPB] = *ip;
  wsect(bn, buf);
}

static void
rinode(uint inum, struct dinode *ip)
{
  char buf[BSIZE];
  rsect(IBLOCK(inum, sb), buf);
  *ip = ((struct dinode *)buf)[inum % IPB];
}

static uint
ialloc(ushort type)
{
  uint inum = freeinode++;
  struct dinode din;
  memset(&din, 0, sizeof(din));
  din.type = xshort(type);
  din.nlink = xshort(1);
  din.size = xint(0);
  winode(inum, &din);
  return inum;
}

// Append n bytes to inode inum, allocating blocks sequentially.
static void
iappend(uint inum, const void *data, int n)
{
  const char *p = data;
  struct dinode din;
  char buf[BSIZE];
  uint indirect[NINDIRECT];

  rinode(inum, &din);
  uint off = xint(din.size);
  while(n > 0){
    uint fbn = off / BSIZE, x;
    assert(fbn < MAXFILE);
    if(fbn < NDIRECT){
      if(xint(din.addrs[fbn]) == 0)
        din.addrs[fbn] = xint(freeblock++);
      x = xint(din.addrs[fbn]);
    } else {
      if(xint(din.addrs[NDIRECT]) == 0)
        din.addrs[NDIRECT] = xint(freeblock++);
      rsect(xint(din.addrs[NDIRECT]), (char *)indirect);
      if(indirect[fbn - NDIRECT] == 0){
        indirect[fbn - NDIRECT] = xint(freeblock++);
        wsect(xint(din.addrs[NDIRECT]), (char *)indirect);
      }
      x = xint(indirect[fbn - NDIRECT]);
    }
    uint n1 = BSIZE - off % BSIZE;
    if(n1 > (uint)n)
      n1 = n;
    rsect(x, buf);
    memcpy(buf + off % BSIZE, p, n1);
    wsect(x, buf);
    n -= n1;
    off += n1;
    p += n1;
  }
  din.size = xint(off);
  winode(inum, &din);
  if(freeblock > sb.size){
    fprintf(stderr, "mkfs: image too small\n");
    exit(1);
  }
}

static void
adddirent(uint dir, uint inum, const char *name)
{
  struct dirent de;
  memset(&de, 0, sizeof(de));
  de.inum = xshort(inum);
  strncpy(de.name, name, DIRSIZ);
  iappend(dir, &de, sizeof(de));
}

// Mark the first `used` blocks allocated in the free bitmap.
static void
balloc(uint used)
{
  uchar buf[BSIZE];
  assert(used < BPB);
  memset(buf, 0, BSIZE);
  for(uint i = 0; i < used; i++)
    buf[i / 8] |= 1 << (i % 8);
  wsect(sb.bmapstart, buf);
}

int
main(int argc, char *argv[])
{
  if(argc < 2){
    fprintf(stderr, "usage: mkfs fs.img files...\n");
    return 1;
  }
  fsfd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0666);
  if(fsfd < 0)
    die(argv[1]);

  uint nlog = LOGSIZE + 1;   // header block plus data
  uint ninodeblocks = NINODES / IPB + 1;
  uint nbitmap = FSSIZE / BPB + 1;
  nmeta = 2 + nlog + ninodeblocks + nbitmap;

  sb.magic = FSMAGIC;
  sb.size = xint(FSSIZE);
  sb.nblocks = xint(FSSIZE - nmeta);
  sb.ninodes = xint(NINODES);
  sb.nlog = xint(nlog);
  sb.logstart = xint(2);
  sb.inodestart = xint(2 + nlog);
  sb.bmapstart = xint(2 + nlog + ninodeblocks);
  freeblock = nmeta;

  char zeroes[BSIZE];
  memset(zeroes, 0, sizeof(zeroes));
  for(uint i = 0; i < FSSIZE; i++)
    wsect(i, zeroes);
  char buf[BSIZE];
  memset(buf, 0, sizeof(buf));
  memmove(buf, &sb, sizeof(sb));
  wsect(1, buf);

  uint rootino = ialloc(T_DIR);
  assert(rootino == ROOTINO);
  adddirent(rootino, rootino, ".");
  adddirent(rootino, rootino, "..");

  for(int i = 2; i < argc; i++){
    const char *name = strrchr(argv[i], '/');
    name = name ? name + 1 : argv[i];
    if(*name == '_')
      name++;
    if(strlen(name) > DIRSIZ){
      fprintf(stderr, "mkfs: name too long: %s\n", name);
      return 1;
    }
    int fd = open(argv[i], O_RDONLY);
    if(fd < 0)
      die(argv[i]);
    uint inum = ialloc(T_FILE);
    adddirent(rootino, inum, name);
    int n;
    while((n = read(fd, buf, sizeof(buf))) > 0)
      iappend(inum, buf, n);
    close(fd);
  }

  // Round the root directory's size up to a whole block.
  struct dinode din;
  rinode(rootino, &din);
  uint off = ((xint(din.size) / BSIZE) + 1) * BSIZE;
  din.size = xint(off);
  winode(rootino, &din);

  balloc(freeblock);
  printf("mkfs: %u blocks: %u meta (%u log, %u inode, %u bitmap), %u used by files\n",
         FSSIZE, nmeta, nlog, ninodeblocks, nbitmap, freeblock - nmeta);
  return 0;
}
