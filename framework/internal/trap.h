/* internal/trap.h: the interrupt frame and vector assignments. */
#ifndef INTERNAL_TRAP_H
#define INTERNAL_TRAP_H

#include <stdint.h>

/* Pushed by entry.asm (general registers) and the CPU (from rip on). */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_PF 14
#define VEC_NMI 2
#define VEC_DF 8
#define VEC_IRQ_FIRST 48      /* device lines: 48..239 */
#define VEC_IRQ_LAST 239
#define VEC_TIMER 240
#define VEC_IPI_RESCHED 241
#define VEC_IPI_TLB 242
#define VEC_IPI_STOP 243
#define VEC_SPURIOUS 255

void idt_init(void);  /* build the shared IDT (boot CPU) */
void idt_load(void);  /* load it on this CPU */
void trap_dispatch(struct trapframe *tf);

/* Exception-table lookup: the fixup address for a faulting rip, or 0. */
uint64_t extable_fixup(uint64_t rip);

/* Fault-safe one-byte probes (entry.asm): 0 or -EFAULT. */
int arch_probe_write8(uint64_t addr, uint8_t v);
int arch_probe_read8(uint64_t addr, uint8_t *out);

/* Print a frame's registers (panic and exception reports). */
void trap_print_frame(const struct trapframe *tf);

/* Device interrupt dispatch (framework/irq). */
void irq_dispatch(unsigned vector);

#endif
