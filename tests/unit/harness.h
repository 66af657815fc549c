/* tests/unit/harness.h: the tiny harness every host unit test uses.
 *
 * Layer: host tests only. Each case prints one line, "PASS suite.case" or
 * "FAIL suite.case: why", the format every test layer of this project shares
 * so `make test` can count them. The binary exits 1 if any case failed. */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

static int harness_failed;
static const char *harness_suite = "unit";
static int harness_case_failed;

#define TEST_SUITE(name) (harness_suite = (name))

/* Inside a case: record the first failure with its location and stop. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			harness_fail(__FILE__, __LINE__, #cond);               \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECKF(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			char harness_msg_[512];                                \
			snprintf(harness_msg_, sizeof harness_msg_,            \
				 __VA_ARGS__);                                 \
			harness_fail(__FILE__, __LINE__, harness_msg_);        \
			return;                                                \
		}                                                              \
	} while (0)

static const char *harness_why;
static char harness_why_buf[700];

static inline void harness_fail(const char *file, int line, const char *what)
{
	snprintf(harness_why_buf, sizeof harness_why_buf, "%s:%d: %s", file,
		 line, what);
	harness_why = harness_why_buf;
	harness_case_failed = 1;
}

/* Run one case: a void function using CHECK. */
#define RUN(fn)                                                                \
	do {                                                                   \
		harness_case_failed = 0;                                       \
		fn();                                                          \
		if (harness_case_failed) {                                     \
			harness_failed = 1;                                    \
			printf("FAIL %s.%s: %s\n", harness_suite, #fn,         \
			       harness_why);                                   \
		} else {                                                       \
			printf("PASS %s.%s\n", harness_suite, #fn);            \
		}                                                              \
		fflush(stdout);                                                \
	} while (0)

#define HARNESS_EXIT() return harness_failed ? 1 : 0

#endif
