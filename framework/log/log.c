/* framework/log/log.c: fw_log, the stamped and filtered kernel log.
 *
 * Layer: framework. Formats into a stack buffer first and writes the line
 * with one console_write, so lines from different CPUs never interleave;
 * every line also goes to the in-memory ring (ring.c) that dmesg reads,
 * whether or not the console shows it. */
#include <fw/boot.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/time.h>
#include "internal/console.h"
#include "internal/log.h"

#define LOG_LINE_MAX 512

static int log_threshold = 8; /* levels below this are printed */

void log_init_from_cmdline(void)
{
	uint64_t v;

	if (fw_boot_opt_has("quiet"))
		log_threshold = 4;
	if (fw_boot_opt_u64("loglevel", &v) == 0)
		log_threshold = v > 8 ? 8 : (int)v;
}

int fw_log_console_level(int level)
{
	int old = __atomic_load_n(&log_threshold, __ATOMIC_RELAXED);

	if (level >= 1 && level <= 8)
		__atomic_store_n(&log_threshold, level, __ATOMIC_RELAXED);
	return old;
}

/* One line at syslog priority prio (facility << 3 | level): into the
 * ring always, onto the console if the level passes the threshold. */
static void log_vemit(unsigned prio, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	uint64_t ns = fw_time_ns();
	int stamp, n;

	stamp = snprintf(line, sizeof line, "[%5llu.%06llu] ",
			 (unsigned long long)(ns / 1000000000ull),
			 (unsigned long long)(ns / 1000ull % 1000000ull));
	n = stamp + vsnprintf(line + stamp, sizeof line - (size_t)stamp, fmt, ap);
	if (n > LOG_LINE_MAX - 2)
		n = LOG_LINE_MAX - 2;
	while (n > stamp && line[n - 1] == '\n')
		n--;
	log_ring_store(prio, ns, line + stamp, (size_t)(n - stamp));
	if ((int)(prio & 7) >= __atomic_load_n(&log_threshold, __ATOMIC_RELAXED))
		return;
	line[n++] = '\n';
	console_write(line, (size_t)n);
}

void log_emit(unsigned prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit(prio, fmt, ap);
	va_end(ap);
}

void fw_vlog(enum fw_log_level level, const char *fmt, va_list ap)
{
	log_vemit((unsigned)level & 7, fmt, ap);
}

void fw_log(enum fw_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit((unsigned)level & 7, fmt, ap);
	va_end(ap);
}

void fw_printf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	console_write(buf, (size_t)n);
}
