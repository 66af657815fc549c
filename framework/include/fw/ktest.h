/* fw/ktest.h: in-kernel tests, run when `ktest` is on the command line.
 *
 * Layer: framework public API. A test is a function registered with
 * FW_KTEST; it reports failure with FW_KT_CHECK. Each prints one line,
 * "PASS ktest.<name>" or "FAIL ktest.<name>: why", the format every test
 * layer of this project shares. `ktest=<prefix>` runs a subset. */
#ifndef FW_KTEST_H
#define FW_KTEST_H

#include <fw/compiler.h>

struct fw_ktest_ctx {
	bool failed;      /* set by the first failing check */
	char why[160];    /* its message */
};

struct fw_ktest {
	const char *name;
	void (*fn)(struct fw_ktest_ctx *fw_kt_);
};

#define FW_KTEST(name_)                                                        \
	static void ktest_##name_(struct fw_ktest_ctx *fw_kt_);                     \
	static const struct fw_ktest ktest_reg_##name_                         \
		__attribute__((used, section(".ktest"), aligned(8))) = {       \
			#name_, ktest_##name_ };                               \
	static void ktest_##name_(struct fw_ktest_ctx *fw_kt_)

void fw_ktest_fail(struct fw_ktest_ctx *t, const char *file, int line,
		   const char *fmt, ...) FW_PRINTF(4, 5);

#define FW_KT_CHECK(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fw_ktest_fail(fw_kt_, __FILE__, __LINE__, "%s", #cond);     \
			return;                                                \
		}                                                              \
	} while (0)
#define FW_KT_CHECKF(cond, ...)                                                \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fw_ktest_fail(fw_kt_, __FILE__, __LINE__, __VA_ARGS__);     \
			return;                                                \
		}                                                              \
	} while (0)

/* Run every registered test whose name starts with prefix ("" = all).
 * Returns the number of failures. */
unsigned fw_ktest_run(const char *prefix, unsigned *passed);

#endif
