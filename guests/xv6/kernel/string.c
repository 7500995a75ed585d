// The few string and memory routines the kernel needs.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  if(((uint64)d | n) % 8 == 0){   // whole words: pages, mostly
    uint64 w = (uchar)c * 0x0101010101010101UL;
    for(uint i = 0; i < n; i += 8)
      *(uint64 *)(d + i) = w;
    return dst;
  }
  for(uint i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

int
memcmp(const void *v1, const void *v2, uint n)
{
  const uchar *a = v1, *b = v2;
  for(uint i = 0; i < n; i++)
    if(a[i] != b[i])
      return a[i] - b[i];
  return 0;
}

void *
memmove(void *dst, const void *src, uint n)
{
  const uchar *s = src;
  uchar *d = dst;
  if(s < d && s + n > d){   // overlap with dst above src: copy backwards
    while(n-- > 0)
      d[n] = s[n];
  } else {
    for(uint i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

// The compiler may emit calls to memcpy for structure copies.
void *
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
strncmp(const char *p, const char *q, uint n)
{
  for(; n > 0 && *p && *p == *q; n--, p++, q++)
    ;
  if(n == 0)
    return 0;
  return (uchar)*p - (uchar)*q;
}

char *
strncpy(char *s, const char *t, int n)
{
  char *os = s;
  while(n > 0 && (*s = *t) != 0){
    n--;
    s++;
    t++;
  }
  while(n-- > 0)
    *s++ = 0;
  return os;
}

// Like strncpy but always NUL-terminates.
char *
safestrcpy(char *s, const char *t, int n)
{
  char *os = s;
  if(n <= 0)
    return os;
  while(--n > 0 && (*s = *t) != 0){
    s++;
    t++;
  }
  *s = 0;
  return os;
}

int
strlen(const char *s)
{
  int n = 0;
  while(s[n])
    n++;
  return n;
}
