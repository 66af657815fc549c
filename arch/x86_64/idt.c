/* arch/x86_64/idt.c: the interrupt descriptor table and trap dispatch.
 *
 * Layer: arch (framework TCB). One IDT shared by all CPUs. Exceptions from
 * kernel mode are either recovered through the exception table (fault-safe
 * user copies and probes) or fatal: the report names the exception, the
 * registers, CR2 for page faults, and a symbolized backtrace. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/panic.h>
#include "internal/gdt.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/panic.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/time.h"
#include "internal/trap.h"
#include "internal/user.h"

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[256];

struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check",
	"machine check", "SIMD FP error", "virtualization",
	"control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = isr_table[v];
		idt[v].off_lo = a & 0xFFFF;
		idt[v].sel = GDT_KCODE;
		idt[v].ist = v == VEC_DF ? IST_DOUBLE_FAULT
			     : v == VEC_NMI ? IST_NMI : 0;
		/* int3 and into may be used from user mode (debuggers,
		 * __builtin_trap variants): DPL 3; everything else DPL 0, so
		 * `int $n` from user space is a #GP. */
		idt[v].type = (v == 3 || v == 4) ? 0xEE : 0x8E;
		idt[v].off_mid = (a >> 16) & 0xFFFF;
		idt[v].off_hi = a >> 32;
		idt[v].zero = 0;
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}

uint64_t extable_fixup(uint64_t rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end;
	     e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

void trap_print_frame(const struct trapframe *tf)
{
	fw_printf("  rip %016llx  rsp %016llx  rflags %016llx\n"
		  "  rax %016llx  rbx %016llx  rcx %016llx\n"
		  "  rdx %016llx  rsi %016llx  rdi %016llx\n"
		  "  rbp %016llx  r8  %016llx  r9  %016llx\n"
		  "  r10 %016llx  r11 %016llx  r12 %016llx\n"
		  "  r13 %016llx  r14 %016llx  r15 %016llx\n"
		  "  cs %04llx ss %04llx  cr2 %016llx  cr3 %016llx\n",
		  (unsigned long long)tf->rip, (unsigned long long)tf->rsp,
		  (unsigned long long)tf->rflags, (unsigned long long)tf->rax,
		  (unsigned long long)tf->rbx, (unsigned long long)tf->rcx,
		  (unsigned long long)tf->rdx, (unsigned long long)tf->rsi,
		  (unsigned long long)tf->rdi, (unsigned long long)tf->rbp,
		  (unsigned long long)tf->r8, (unsigned long long)tf->r9,
		  (unsigned long long)tf->r10, (unsigned long long)tf->r11,
		  (unsigned long long)tf->r12, (unsigned long long)tf->r13,
		  (unsigned long long)tf->r14, (unsigned long long)tf->r15,
		  (unsigned long long)tf->cs, (unsigned long long)tf->ss,
		  (unsigned long long)x86_read_cr2(),
		  (unsigned long long)x86_read_cr3());
}

static void exception(struct trapframe *tf)
{
	uint64_t fix;

	if (tf->vector == VEC_NMI && panic_in_progress())
		panic_park_cpu();
	if (tf->vector == VEC_PF && (fix = extable_fixup(tf->rip)) != 0) {
		tf->rip = fix;
		return;
	}
	if (tf->vector == VEC_PF)
		panic_with_frame(tf, "page fault at %#llx (%s %s, %s mode)",
				 (unsigned long long)x86_read_cr2(),
				 tf->error & 1 ? "protection violation on"
					       : "non-present page on",
				 tf->error & 16  ? "instruction fetch"
				 : tf->error & 2 ? "write"
						 : "read",
				 tf->error & 4 ? "user" : "kernel");
	if (tf->vector == VEC_DF && tf->rsp >= KSTACK_AREA && tf->rsp < MMIO_AREA &&
	    ((tf->rsp - KSTACK_AREA) & (KSTACK_SLOT_SIZE - 1)) < PAGE_SIZE + 512)
		panic_with_frame(tf, "kernel stack overflow (double fault: the "
				 "stack ran into its guard page)");
	panic_with_frame(tf, "%s (vector %llu, error %#llx)",
			 exception_names[tf->vector],
			 (unsigned long long)tf->vector,
			 (unsigned long long)tf->error);
}

void trap_dispatch(struct trapframe *tf)
{
	struct percpu *cpu;

	if (tf->vector < 32) {
		if (!(tf->cs & 3)) {
			exception(tf);
			return;
		}
		if (tf->vector == VEC_NMI && panic_in_progress())
			panic_park_cpu();
		user_trap(tf); /* the process service decides (signals) */
	}
	cpu = this_cpu();
	cpu->irq_count++;
	cpu->irq_from_user = tf->cs & 3; /* for the tick's CPU-time sample */
	cpu->irq_tf = tf;                /* for the soft-lockup report */
	cpu->in_irq++;
	switch (tf->vector) {
	case VEC_TIMER:
		lapic_eoi();
		timer_interrupt();
		break;
	case VEC_IPI_RESCHED:
		lapic_eoi();
		cpu->need_resched = true;
		break;
	case VEC_IPI_TLB:
		tlb_shootdown_interrupt();
		lapic_eoi();
		break;
	case VEC_IPI_STOP:
		panic_park_cpu();
		break;
	case VEC_SPURIOUS:
		cpu->in_irq--;
		return; /* no EOI for spurious interrupts (SDM 10.9) */
	default:
		if (tf->vector >= VEC_IRQ_FIRST && tf->vector <= VEC_IRQ_LAST)
			irq_dispatch((unsigned)tf->vector);
		lapic_eoi();
		break;
	}
	cpu->in_irq--;
	if (tf->cs & 3)
		user_trap(tf); /* fw_user_run returns; it preempts if needed */
	/* Preempt only if the interrupted code had interrupts on (it was not
	 * inside an irqsave section) and is not inside a spinlock. */
	if (cpu->need_resched && cpu->preempt_count == 0 &&
	    (tf->rflags & X86_RFLAGS_IF))
		task_preempt();
}
