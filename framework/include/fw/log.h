/* fw/log.h: the kernel log on the serial console.
 *
 * Layer: framework public API. Each line is stamped with the time since boot
 * ("[    1.234567] ") and filtered by level: `loglevel=N` on the command line
 * shows levels below N, `quiet` means loglevel=4 (errors only), as in Linux.
 * Lines from different CPUs never interleave. */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <fw/bytes.h>
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

/* The log as dmesg reads it (/dev/kmsg, syslog(2)): every line, whatever
 * the console showed, in a ring that keeps the latest few hundred. Each
 * record has a sequence number; text has no stamp and no newline. */
#define FW_LOG_TEXT_MAX 383
struct fw_log_record {
	uint64_t seq;
	uint64_t ts_ns;   /* fw_time_ns() when logged */
	uint8_t prio;     /* facility << 3 | level; the kernel's facility is 0 */
	uint16_t len;     /* bytes of text */
	char text[FW_LOG_TEXT_MAX + 1]; /* NUL-terminated */
};
/* The record with the smallest sequence number >= seq that the ring still
 * holds (out->seq says which: larger than seq if older ones were
 * overwritten): 0, or -EAGAIN if none has been logged yet. */
FW_MUST_CHECK int fw_log_read(uint64_t seq, struct fw_log_record *out);
/* The number the next record will get / of the oldest one kept. */
uint64_t fw_log_next_seq(void);
uint64_t fw_log_first_seq(void);
/* Woken (within a timer tick) after new records were added. */
struct fw_waitq *fw_log_waitq(void);
/* Log a line written by user space (/dev/kmsg) at priority prio. */
void fw_log_user(unsigned prio, struct fw_bytes text);
/* The console shows levels below this (1..8; loglevel= sets it at boot);
 * set it to level if that is in 1..8, and return the old one. */
int fw_log_console_level(int level);
/* Bytes of text the ring holds at most (syslog's SIZE_BUFFER). */
#define FW_LOG_BUFFER_BYTES (320 * (FW_LOG_TEXT_MAX + 1))

/* Print without stamp or filter: for program output such as test results and
 * the banner, which must reach the console even under `quiet`. */
void fw_printf(const char *fmt, ...) FW_PRINTF(1, 2);

#endif
