/* The few string functions the guests use (and that GCC may emit calls to). */
#ifndef GT_STRING_H
#define GT_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* First occurrence of needle in hay, or NULL. */
const char *strstr_const(const char *hay, const char *needle);

#endif
