/* fw/panic.h: stop the machine with a reason.
 *
 * Layer: framework public API. fw_panic prints the message, the CPU, the
 * current task and a symbolized backtrace, stops the other CPUs and halts
 * (or, with `fw.exit=...` on the command line, as a test run has, powers
 * off with code 3 so the runner sees it at once). For kernel invariants, not for user input. */
#ifndef FW_PANIC_H
#define FW_PANIC_H

#include <fw/compiler.h>

FW_NORETURN void fw_panic(const char *fmt, ...) FW_PRINTF(1, 2);

/* Services never call these themselves: the bounds, _Bool and enum checks
 * the compiler inserts into services (Makefile, SERVICES_HARDEN) call
 * __ubsan_handle_out_of_bounds_abort and
 * __ubsan_handle_load_invalid_value_abort before a bad access, and they
 * panic naming the source line (framework/panic/ubsan.c). The recoverable
 * __ubsan_handle_out_of_bounds and __ubsan_handle_load_invalid_value panic
 * the same way. */

/* Kernel invariants, checked in debug builds (FW_DEBUG=1). Never use on
 * values user space controls: return -EINVAL/-EFAULT instead. */
#if FW_DEBUG
#define FW_ASSERT(cond)                                                        \
	do {                                                                   \
		if (FW_UNLIKELY(!(cond)))                                      \
			fw_panic("assertion failed: %s at %s:%d", #cond,       \
				 __FILE__, __LINE__);                          \
	} while (0)
#else
#define FW_ASSERT(cond) ((void)sizeof(cond))
#endif

#endif
