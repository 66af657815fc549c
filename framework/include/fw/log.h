/* fw/log.h: the kernel log on the serial console.
 *
 * Layer: framework public API. Each line is stamped with the time since boot
 * ("[    1.234567] ") and filtered by level: `loglevel=N` on the command line
 * shows levels below N, `quiet` means loglevel=4 (errors only), as in Linux.
 * Lines from different CPUs never interleave. */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <fw/compiler.h>
#include <stdarg.h>

enum fw_log_level {
	FW_LOG_EMERG = 0,
	FW_LOG_ERR = 3,
	FW_LOG_WARN = 4,
	FW_LOG_NOTICE = 5,
	FW_LOG_INFO = 6,
	FW_LOG_DEBUG = 7,
};

/* Print one log line at `level` (a trailing newline is added if missing). */
void fw_log(enum fw_log_level level, const char *fmt, ...) FW_PRINTF(2, 3);
void fw_vlog(enum fw_log_level level, const char *fmt, va_list ap);

#define fw_err(...) fw_log(FW_LOG_ERR, __VA_ARGS__)
#define fw_warn(...) fw_log(FW_LOG_WARN, __VA_ARGS__)
#define fw_info(...) fw_log(FW_LOG_INFO, __VA_ARGS__)
#define fw_dbg(...) fw_log(FW_LOG_DEBUG, __VA_ARGS__)

/* Print without stamp or filter: for program output such as test results and
 * the banner, which must reach the console even under `quiet`. */
void fw_printf(const char *fmt, ...) FW_PRINTF(1, 2);

#endif
