#ifndef XV6_BUF_H
#define XV6_BUF_H

struct buf {
  int valid;          // data has been read from disk
  int disk;           // the disk owns it (request in flight)
  uint dev;
  uint blockno;
  struct sleeplock lock;
  uint refcnt;
  struct buf *prev;   // LRU list
  struct buf *next;
  uchar data[BSIZE];
};

#endif
