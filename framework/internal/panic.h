/* internal/panic.h: panic helpers for the trap and IPI paths. */
#ifndef INTERNAL_PANIC_H
#define INTERNAL_PANIC_H

#include <fw/compiler.h>
#include <stdbool.h>
#include <stdint.h>

struct trapframe;

bool panic_in_progress(void);
/* Halt this CPU for good (another CPU is panicking). */
FW_NORETURN void panic_park_cpu(void);
FW_NORETURN void panic_with_frame(const struct trapframe *tf, const char *fmt,
				  ...) FW_PRINTF(2, 3);
/* Name of the function containing addr, and the offset into it. */
const char *symbol_lookup(uint64_t addr, uint64_t *off);
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif
