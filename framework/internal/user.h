/* internal/user.h: user-mode entry plumbing between arch and framework. */
#ifndef INTERNAL_USER_H
#define INTERNAL_USER_H

#include <stdint.h>

struct fw_user_context;
struct trapframe;

void arch_user_enter(struct fw_user_context *ctx, uint64_t *tss_rsp0);
void arch_user_leave(void) __attribute__((noreturn));
void syscall_entry(void);
unsigned long arch_copy_user(void *dst, const void *src, unsigned long n);
unsigned long arch_clear_user(void *dst, unsigned long n);

/* Save the FPU registers to their owner context, if any (context
 * switch: a context's live state never leaves its CPU). IRQs off. */
void user_fpu_switch_out(void);
/* Per-CPU set-up: syscall MSRs, FPU control bits. */
void user_cpu_init(void);
/* An exception or interrupt arrived from user mode (trap_dispatch). */
void user_trap(struct trapframe *tf) __attribute__((noreturn));

#endif
