/* framework/ktest/ktest.c: the in-kernel test runner.
 *
 * Layer: framework. Tests register themselves in the .ktest section
 * (FW_KTEST); this walks the section in link order. */
#include <fw/ktest.h>
#include <fw/log.h>
#include <fw/string.h>

extern const struct fw_ktest __ktest_start[], __ktest_end[];

void fw_ktest_fail(struct fw_ktest_ctx *t, const char *file, int line,
		   const char *fmt, ...)
{
	char msg[120];
	va_list ap;

	if (t->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(t->why, sizeof t->why, "%s:%d: %s", file, line, msg);
	t->failed = true;
}

unsigned fw_ktest_run(const char *prefix, unsigned *passed)
{
	unsigned failed = 0;
	size_t plen = prefix ? strlen(prefix) : 0;

	*passed = 0;
	for (const struct fw_ktest *k = __ktest_start; k < __ktest_end; k++) {
		struct fw_ktest_ctx ctx = { 0 };
		if (plen && strncmp(k->name, prefix, plen) != 0)
			continue;
		/* crash_* tests end the machine on purpose (they check the
		 * panic report): run only when asked for by name. */
		if (strncmp(k->name, "crash_", 6) == 0 &&
		    (!plen || strncmp(prefix, "crash_", 6) != 0))
			continue;
		k->fn(&ctx);
		if (ctx.failed) {
			fw_printf("FAIL ktest.%s: %s\n", k->name, ctx.why);
			failed++;
		} else {
			fw_printf("PASS ktest.%s\n", k->name);
			(*passed)++;
		}
	}
	return failed;
}
