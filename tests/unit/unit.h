/*
 * A tiny header-only unit test framework for host-built tests.
 *
 *   TEST(parse_root) { CHECK(x); CHECK_EQ(a, b); }
 *   UNIT_MAIN("test_fdt", UNIT(parse_root), UNIT(...))
 *
 * Each test prints one line: "ok <program>.<test>" or
 * "FAIL <program>.<test>: <file:line: first failed check>".  UNIT_FAIL(fmt,
 * ...) fails unconditionally; UNIT_SKIP(why) turns the line into
 * "ok <program>.<test> # skip <why>".  The program exits 1 if any test
 * failed.  Checks do not stop the test; later failures are counted and go
 * to stderr.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_state {
	int failures;		/* failed checks in the running test */
	char first[512];	/* message of the first one */
	char skip[128];		/* set by UNIT_SKIP */
};

static struct unit_state unit_cur;

static inline void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void unit_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (unit_cur.failures++ == 0)
		snprintf(unit_cur.first, sizeof(unit_cur.first), "%s:%d: %s", file, line, msg);
	else
		fprintf(stderr, "  also %s:%d: %s\n", file, line, msg);
}

#define TEST(name) static void test_##name(void)
#define UNIT(name) { #name, test_##name }

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			unit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
	} while (0)

/* Compares as 64-bit integers; prints both values in decimal and hex. */
#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);   \
		if (unit_a_ != unit_b_)                                         \
			unit_fail(__FILE__, __LINE__,                           \
				  "CHECK_EQ(%s, %s) failed: %lld (0x%llx) != %lld (0x%llx)", \
				  #a, #b, unit_a_, (unsigned long long)unit_a_, \
				  unit_b_, (unsigned long long)unit_b_);        \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *unit_a_ = (a), *unit_b_ = (b);                      \
		if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0)      \
			unit_fail(__FILE__, __LINE__,                           \
				  "CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"", \
				  #a, #b, unit_a_ ? unit_a_ : "(null)",          \
				  unit_b_ ? unit_b_ : "(null)");                 \
	} while (0)

/* An unconditional failure with a printf-style message. */
#define UNIT_FAIL(...) unit_fail(__FILE__, __LINE__, __VA_ARGS__)

#define UNIT_SKIP(why) snprintf(unit_cur.skip, sizeof(unit_cur.skip), "%s", (why))

static inline int unit_run(const char *prog, const struct unit_test *tests, size_t n)
{
	size_t i;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		unit_cur.failures = 0;
		unit_cur.skip[0] = '\0';
		tests[i].fn();
		if (unit_cur.failures) {
			failed++;
			printf("FAIL %s.%s: %s", prog, tests[i].name, unit_cur.first);
			if (unit_cur.failures > 1)
				printf(" (and %d more)", unit_cur.failures - 1);
			printf("\n");
		} else if (unit_cur.skip[0]) {
			printf("ok %s.%s # skip %s\n", prog, tests[i].name, unit_cur.skip);
		} else {
			printf("ok %s.%s\n", prog, tests[i].name);
		}
	}
	return failed ? 1 : 0;
}

#define UNIT_MAIN(prog, ...)                                                    \
	int main(void)                                                          \
	{                                                                       \
		static const struct unit_test unit_tests_[] = { __VA_ARGS__ };  \
		return unit_run(prog, unit_tests_,                               \
				sizeof(unit_tests_) / sizeof(unit_tests_[0]));  \
	}

#endif
