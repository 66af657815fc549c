/* internal/log.h: log set-up hooks for the boot sequence. */
#ifndef INTERNAL_LOG_H
#define INTERNAL_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <fw/compiler.h>

void log_init_from_cmdline(void);

/* A log line at syslog priority prio (facility << 3 | level). */
void log_emit(unsigned prio, const char *fmt, ...) FW_PRINTF(2, 3);

/* The ring (ring.c): set up its waitq (boot, before tasks); store one
 * line's text (no stamp, no newline); CPU 0's tick wakes the waiters of
 * fw_log_waitq() if lines came since the last tick. */
void log_ring_init(void);
void log_ring_store(unsigned prio, uint64_t ts_ns, const char *text,
		    size_t len);
void log_tick(void);

#endif
