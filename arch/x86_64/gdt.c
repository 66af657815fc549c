/* arch/x86_64/gdt.c: per-CPU GDT and TSS, and the per-CPU GS base.
 *
 * Layer: arch (framework TCB). Selector layout is fixed by syscall/sysret
 * (SDM vol. 2, SYSRET): kernel code 0x08, kernel data 0x10, user data 0x18
 * (|3), user code 0x20 (|3), TSS 0x28. The TSS holds the ring-0 stack for
 * interrupts from user mode and the IST stacks for double fault and NMI,
 * which must never run on a possibly broken task stack. */
#include <arch/x86.h>
#include <fw/string.h>
#include "internal/percpu.h"
#include "internal/gdt.h"

struct percpu percpu_area[FW_MAX_CPUS];

/* One 8 KiB stack per CPU for each of double fault and NMI. */
static uint8_t df_stacks[FW_MAX_CPUS][8192] __attribute__((aligned(16)));
static uint8_t nmi_stacks[FW_MAX_CPUS][8192] __attribute__((aligned(16)));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void percpu_init(unsigned id, uint32_t apic_id)
{
	struct percpu *p = &percpu_area[id];
	uint64_t tss = (uint64_t)(uintptr_t)&p->tss;
	struct gdt_ptr gp;

	p->self = p;
	p->id = id;
	p->apic_id = apic_id;
	fw_spin_init(&p->rq_lock, "runqueue");
	fw_spin_init(&p->timer_lock, "timers");
	fw_list_init(&p->timers);

	p->gdt[0] = 0;
	p->gdt[1] = 0x00AF9A000000FFFFull; /* kernel code, 64-bit */
	p->gdt[2] = 0x00CF92000000FFFFull; /* kernel data */
	p->gdt[3] = 0x00CFF2000000FFFFull; /* user data, DPL 3 */
	p->gdt[4] = 0x00AFFA000000FFFFull; /* user code, 64-bit, DPL 3 */
	/* 64-bit TSS descriptor (16 bytes): type 9, present. */
	p->gdt[5] = (sizeof(struct tss) - 1) | ((tss & 0xFFFFFF) << 16) |
		    (0x89ull << 40) | (((tss >> 24) & 0xFF) << 56);
	p->gdt[6] = tss >> 32;

	memset(&p->tss, 0, sizeof p->tss);
	p->tss.ist[IST_DOUBLE_FAULT - 1] =
		(uint64_t)(uintptr_t)&df_stacks[id][sizeof df_stacks[id]];
	p->tss.ist[IST_NMI - 1] =
		(uint64_t)(uintptr_t)&nmi_stacks[id][sizeof nmi_stacks[id]];
	p->tss.iomap_base = sizeof(struct tss);

	gp.limit = sizeof p->gdt - 1;
	gp.base = (uint64_t)(uintptr_t)p->gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w2"
			 :
			 : "m"(gp), "r"((uint64_t)GDT_KDATA), "r"(GDT_TSS)
			 : "rax", "memory");
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0) : "memory");
	x86_wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
	x86_wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
	struct percpu *p = this_cpu();
	p->tss.rsp[0] = rsp0;
	p->kernel_rsp = rsp0;
}
