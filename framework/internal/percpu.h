/* internal/percpu.h: per-CPU data, reached through the GS base.
 *
 * Layer: framework internal. GS points at this CPU's struct percpu while in
 * the kernel, so fw_cpu_id() and the current task are one load each. The
 * first fields are at fixed offsets used by entry.asm. */
#ifndef INTERNAL_PERCPU_H
#define INTERNAL_PERCPU_H

#include <fw/cpu.h>
#include <fw/list.h>
#include <fw/sync.h>
#include <stdint.h>

struct fw_task;
struct fw_user_context;
struct fw_vmspace;

/* x86-64 task-state segment (SDM vol. 3, 8.7). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];      /* stack for entry from rings 0-2 */
	uint64_t reserved1;
	uint64_t ist[7];      /* interrupt stacks (double fault, NMI) */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;  /* beyond the limit: no I/O bitmap, no ports */
} __attribute__((packed));

struct trapframe;

struct percpu {
	/* Fixed offsets, used by assembly: */
	struct percpu *self;        /* 0: gs:0 gives the struct's address */
	uint64_t id;                /* 8: CPU number */
	uint64_t user_rsp_scratch;  /* 16: syscall entry scratch */
	uint64_t kernel_rsp;        /* 24: kernel rsp for syscall entry */
	struct fw_user_context *user_ctx; /* 32: context fw_user_run runs */
	uint64_t user_ksave_rsp;    /* 40: kernel rsp saved by arch_user_enter */
	uint64_t user_exit;         /* 48: why user mode was left (enum) */
	uint64_t user_vector;       /* 56: exception vector */
	uint64_t user_error;        /* 64: error code */
	uint64_t user_addr;         /* 72: CR2 for page faults */
	uint64_t fs_base_loaded;    /* FS base currently in the MSR */
	uint64_t gs_base_loaded;    /* user GS base in MSR_KERNEL_GS_BASE */
	bool irq_from_user;         /* the interrupt being handled hit user mode */
	struct fw_vmspace *vmspace; /* user space loaded in CR3, or NULL */
	struct fw_user_context *fpu_owner; /* whose state the FPU registers
					    * hold (not yet saved), or NULL */

	uint32_t apic_id;           /* local APIC id */
	int preempt_count;          /* >0: do not preempt */
	bool need_resched;          /* set by tick/wakeup, checked on irq exit */
	bool resched_lazy;          /* a wakeup queued a task here: switch when
				     * current next leaves user mode or sleeps */
	bool online;                /* finished bring-up */
	struct fw_task *current;    /* task running here */
	struct fw_task *idle;       /* this CPU's idle task */
	uint64_t slice_start_ns;    /* when current was switched in */
	uint64_t switch_wanted_ns;  /* when a tick first wanted a switch that
				     * has not happened yet; 0: none wanted */
	bool lockup_reported;       /* this wait was reported (lockup.c) */
	const struct trapframe *irq_tf; /* the interrupt being handled */
	int in_irq;                 /* >0: an interrupt handler runs here */

	/* run queue (policy data lives in services/sched) */
	struct fw_spinlock rq_lock; /* guards the policy's queue for this CPU */
	int in_sched_hook;          /* >0: a fw_sched_ops hook runs here */

	/* timers */
	struct fw_spinlock timer_lock; /* guards timers */
	struct fw_list timers;         /* armed ktimers, by deadline */
	bool in_timer_interrupt;       /* timer_interrupt is running callbacks:
					* it programs the LAPIC when done */

	uint64_t gdt[7];            /* null, kcode, kdata, udata, ucode, tss(2) */
	struct tss tss;
	uint64_t irq_count;         /* interrupts taken (stats) */
} __attribute__((aligned(64)));

FW_STATIC_ASSERT(__builtin_offsetof(struct percpu, user_ctx) == 32 &&
			 __builtin_offsetof(struct percpu, user_addr) == 72,
		 "entry.asm/user.asm use these offsets");

extern struct percpu percpu_area[FW_MAX_CPUS];
extern unsigned percpu_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* This CPU's number: one %gs-relative load (fw_cpu_id is the exported,
 * out-of-line form). */
static inline unsigned this_cpu_id(void)
{
	uint64_t id;
	__asm__ volatile("mov %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(__builtin_offsetof(struct percpu, id)));
	return (unsigned)id;
}

static inline struct percpu *cpu_data(unsigned id)
{
	return &percpu_area[id];
}

/* Set up this CPU's GS base and descriptor tables. */
void percpu_init(unsigned id, uint32_t apic_id);

#endif
