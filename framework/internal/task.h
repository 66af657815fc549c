/* internal/task.h: the task structure and scheduler core entry points. */
#ifndef INTERNAL_TASK_H
#define INTERNAL_TASK_H

#include <fw/sched.h>
#include <fw/sync.h>
#include <fw/task.h>
#include "internal/handle.h"

enum task_state {
	TASK_RUNNABLE = 0, /* running or waiting for a CPU */
	TASK_SLEEPING = 1, /* waiting for a wakeup */
	TASK_DEAD = 2,     /* exited; stack still in use until switched out */
};

struct fw_task {
	uint64_t saved_rsp;          /* arch_switch's save slot */
	uint64_t stack_top;          /* initial rsp / TSS rsp0 */
	uint64_t stack_slot;         /* kstack.c slot, 0 for boot stacks */
	struct fw_sched_entity se;   /* the policy's data */
	struct fw_spinlock pi_lock;  /* serializes wakeups of this task */
	int state;                   /* enum task_state */
	bool on_rq;                  /* runnable-accounted (queued or running) */
	int on_cpu;                  /* still executing (till switch completes) */
	unsigned cpu;                /* CPU it runs / is queued on */
	int pin_cpu;                 /* -1, or the only CPU it may run on */
	uint64_t allowed;            /* CPUs it may run on (fw_task_set_affinity;
				      * written under pi_lock) */
	uint64_t id;
	char name[24];
	fw__task_fn fn;
	void *arg;
	int exit_code;
	bool started;                /* fw_task_start'ed (or a CPU's own) */
	bool detached;
	bool joined;
	struct fw_waitq exit_wq;     /* joiners */
	uint64_t preemptions;
	uint64_t user_ns;            /* of its CPU time, in user mode (tick) */
	struct fw_list dead_node;    /* on the reap list once dead+detached */
	struct fw_task_data *data;   /* the owning service's per-task data */
	struct fw_vmspace *vmspace;  /* user space to activate, or NULL */
	/* Fault injection (mm/failinject.c): inside a system call of its
	 * own (set by fw_user_run), marked make-it-fail, fail-nth. */
	bool fail_scope;
	bool make_it_fail;
	uint32_t fail_nth;
	struct handle hdl;           /* HANDLE_TASK until freed */
};

void task_init_boot(void);         /* the boot CPU's context becomes idle */
void task_init_ap(unsigned cpu);   /* an AP's context becomes its idle */
FW_NORETURN void task_idle_loop(void);
void task_preempt(void);           /* from an interrupt, need_resched set */
void task_tick(void);              /* scheduler tick, interrupt context */
/* The soft-lockup detector (lockup.c): read watchdog_thresh= at boot;
 * each tick tells whether it wants this CPU to switch; the threshold and
 * the number of reports, for the ktest. */
struct percpu;
void lockup_init(void);
void lockup_tick(struct percpu *c, bool switch_wanted, uint64_t now);
uint64_t lockup_set_threshold(uint64_t ns);
uint64_t lockup_report_count(void);
bool task_wake(struct fw_task *t); /* SLEEPING -> RUNNABLE */
void task_set_sleeping(void);      /* current -> SLEEPING (before a check) */
void task_schedule(void);          /* give up the CPU (voluntary) */
const char *task_name_or_boot(const struct fw_task *t);
bool task_sched_ready(void);

/* Kernel stacks with guard pages (kstack.c). */
int kstack_alloc(uint64_t *slot, uint64_t *top);
void kstack_free(uint64_t slot);

void arch_switch(uint64_t *save_rsp, uint64_t new_rsp);
void arch_task_trampoline(void);

#endif
