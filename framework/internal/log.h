/* internal/log.h: log set-up hooks for the boot sequence. */
#ifndef INTERNAL_LOG_H
#define INTERNAL_LOG_H

void log_init_from_cmdline(void);

#endif
