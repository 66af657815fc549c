/* framework/task/task.c: kernel tasks, the context switch and preemption.
 *
 * Layer: framework. The mechanism half of scheduling: stacks, switching,
 * sleeping and waking, preemption on the timer tick. The policy (which task
 * next, on which CPU, how long a slice) is the fw_sched_ops a service
 * registers.
 *
 * State protocol (after Linux's try_to_wake_up):
 *  - `on_rq` is true while a task is runnable-accounted: in the policy's
 *    queue or running. It is changed only under the task's CPU rq_lock.
 *  - A task going to sleep sets state SLEEPING itself, then calls
 *    task_schedule(), which, under rq_lock, clears on_rq if the state is
 *    still SLEEPING. A waker takes the task's pi_lock, and under the rq_lock
 *    either finds on_rq still set (the task has not switched out; setting
 *    RUNNABLE is enough) or finds it cleared, waits for `on_cpu` to drop
 *    (the switch has finished) and enqueues it on a CPU of the policy's
 *    choice. Lock order: pi_lock, then rq_lock.
 *  - The rq_lock taken by the switching-out task is released by the task
 *    switched in (finish_switch), so no other CPU can pick the old task
 *    before its registers are saved. */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/time.h>
#include "internal/gdt.h"
#include "internal/lapic.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/time.h"
#include "internal/trap.h"
#include "internal/user.h"
#include "internal/vmspace.h"
#include "internal/heap.h"

static const struct fw_sched_ops *sched_ops;
static struct fw_task idle_tasks[FW_MAX_CPUS];
static uint64_t next_task_id = 1;

/* Detached tasks that died, waiting for their stacks to be reclaimed from
 * task context (freeing needs no IRQs-off context). */
static struct fw_spinlock reap_lock = FW_SPINLOCK_INIT("reap");
static struct fw_list reap_list = FW_LIST_HEAD_INIT(reap_list);

/* Per-CPU: the task switched away from, for finish_switch, and whether
 * finish_switch must queue it on another CPU (its affinity changed). */
static struct fw_task *switch_prev[FW_MAX_CPUS];
static bool switch_migrate[FW_MAX_CPUS];

int fw_sched_register(const struct fw_sched_ops *ops)
{
	if (sched_ops)
		return -EBUSY;
	sched_ops = ops;
	return 0;
}

bool task_sched_ready(void)
{
	return sched_ops != 0;
}

/* The policy's data inside a task is the run-queue link the framework's
 * switch code depends on, so only the policy's hooks may reach it: any
 * other caller (a service that is not the scheduler, or the policy outside
 * the run-queue lock) could relink a task while another CPU walks its
 * queue. */
struct fw_sched_entity *fw_task_sched(struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	if (FW_UNLIKELY(this_cpu()->in_sched_hook <= 0))
		fw_panic("fw_task_sched: called outside a fw_sched_ops hook "
			 "(only the scheduling policy may reach a task's "
			 "run-queue link, and only with its run queue locked)");
	return &t->se;
}

/* Calls of the policy's hooks that hand it a task, marked so that
 * fw_task_sched can tell them apart from everything else. */
#define SCHED_HOOK(call)                                                       \
	({                                                                     \
		this_cpu()->in_sched_hook++;                                   \
		__typeof__(call) hook_ret_ = (call);                           \
		this_cpu()->in_sched_hook--;                                   \
		hook_ret_;                                                     \
	})
#define SCHED_HOOK_VOID(call)                                                  \
	do {                                                                   \
		this_cpu()->in_sched_hook++;                                   \
		call;                                                          \
		this_cpu()->in_sched_hook--;                                   \
	} while (0)

struct fw_task *fw_sched_entity_task(struct fw_sched_entity *se)
{
	return FW_CONTAINER_OF(se, struct fw_task, se);
}

struct fw_task *fw_task_current(void)
{
	struct fw_task *t;
	__asm__ volatile("mov %%gs:%c1, %0"
			 : "=r"(t)
			 : "i"(__builtin_offsetof(struct percpu, current)));
	return t;
}

const char *fw_task_name(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return t->name;
}

/* Another CPU may read the name meanwhile (a lockup report): it sees
 * the old or the new bytes, always NUL-terminated within the array. */
void fw_task_set_name(struct fw_task *t, const char *name)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	fw_strlcpy(t->name, name, sizeof t->name);
}

const char *task_name_or_boot(const struct fw_task *t)
{
	return t->name[0] ? t->name : "boot";
}

uint64_t fw_task_id(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return t->id;
}

unsigned fw_task_cpu(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
}

int fw_task_nice(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return __atomic_load_n(&t->se.nice, __ATOMIC_RELAXED);
}

void fw_task_set_nice(struct fw_task *t, int nice)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	/* The policy reads it at the next enqueue, under its lock. */
	__atomic_store_n(&t->se.nice, nice, __ATOMIC_RELAXED);
}

void fw_task_sched_class(const struct fw_task *t, uint32_t *klass,
			 uint32_t *prio)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	*klass = __atomic_load_n(&t->se.klass, __ATOMIC_RELAXED);
	*prio = __atomic_load_n(&t->se.prio, __ATOMIC_RELAXED);
}

bool fw_task_wake(struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return task_wake(t);
}

void fw_task_set_data(struct fw_task *t, struct fw_task_data *d)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	t->data = d;
}

struct fw_task_data *fw_task_current_data(void)
{
	return fw_task_current()->data;
}

struct fw_task_data *fw_task_data(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return t->data;
}

void fw_task_set_vmspace(struct fw_task *t, struct fw_vmspace *vs)
{
	struct fw_vmspace *old;
	fw_irqflags_t fl;

	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	vs = vmspace_of_handle(vs);
	vmspace_task_ref(vs, 1);
	/* The task's space and the one its CPU has loaded change with
	 * interrupts off: preempted between the two, the task would leave
	 * the CPU with the old space loaded and its own recorded. */
	fl = fw_irq_save();
	old = t->vmspace;
	t->vmspace = vs;
	if (t == fw_task_current())
		vmspace_switch(vs);
	fw_irq_restore(fl);
	vmspace_task_ref(old, -1);
}

uint64_t fw_task_runtime_ns(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	uint64_t ns = t->se.runtime_ns;
	fw_irqflags_t fl = fw_irq_save();
	struct percpu *c = this_cpu();

	if (c->current == t)
		ns += fw_time_ns() - c->slice_start_ns;
	fw_irq_restore(fl);
	return ns;
}

uint64_t fw_task_user_ns(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return t->user_ns;
}

uint64_t fw_task_preemptions(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return t->preemptions;
}

static void init_common(struct fw_task *t, const char *name)
{
	handle_init(&t->hdl, HANDLE_TASK);
	fw_spin_init(&t->pi_lock, "task");
	fw_waitq_init(&t->exit_wq, "task-exit");
	fw_list_init(&t->se.node);
	fw_list_init(&t->dead_node);
	fw_strlcpy(t->name, name, sizeof t->name);
	t->id = __atomic_fetch_add(&next_task_id, 1, __ATOMIC_RELAXED);
	t->pin_cpu = -1;
	t->allowed = ~0ull;
}

static void idle_init(unsigned cpu)
{
	struct fw_task *t = &idle_tasks[cpu];
	char name[16];

	snprintf(name, sizeof name, "idle/%u", cpu);
	init_common(t, name);
	t->state = TASK_RUNNABLE;
	t->on_cpu = 1;
	t->cpu = cpu;
	t->pin_cpu = (int)cpu;
	cpu_data(cpu)->current = t;
	cpu_data(cpu)->idle = t;
}

void task_init_boot(void)
{
	idle_init(0);
	lockup_init();
}

void task_init_ap(unsigned cpu)
{
	idle_init(cpu);
}

/* Wake cpu to look at its queue: a flag for this CPU, an IPI for others.
 * A task queued on this CPU while another runs here does not preempt the
 * waker in the kernel: the waker is often inside the very lock the woken
 * task wants next (a pipe's or socket's), and preempting it there costs
 * two more switches (the woken task blocks on the lock, the waker runs to
 * release it). The switch comes when the waker next leaves user mode (a
 * system call, an interrupt) or sleeps, as on Linux without kernel
 * preemption; a tick still ends a slice as before. */
static void resched_cpu(unsigned cpu)
{
	struct percpu *c = cpu_data(cpu);

	if (cpu == fw_cpu_id() && c->current != c->idle) {
		c->resched_lazy = true;
		return;
	}
	c->need_resched = true;
	if (cpu != fw_cpu_id())
		lapic_send_ipi(c->apic_id, VEC_IPI_RESCHED);
}

static bool allowed_on(const struct fw_task *t, unsigned cpu)
{
	return (__atomic_load_n(&t->allowed, __ATOMIC_RELAXED) >> cpu) & 1;
}

static uint64_t online_mask(void)
{
	uint64_t mask = 0;

	for (unsigned cpu = 0; cpu < percpu_online; cpu++)
		if (cpu_data(cpu)->online)
			mask |= 1ull << cpu;
	return mask;
}

static unsigned pick_cpu(struct fw_task *t)
{
	unsigned cpu;
	uint64_t ok;

	if (t->pin_cpu >= 0)
		return (unsigned)t->pin_cpu;
	cpu = sched_ops->select_cpu(t, fw_cpu_id());
	if (cpu < percpu_online && cpu_data(cpu)->online && allowed_on(t, cpu))
		return cpu;
	/* The policy's hint is stale or wrong: the first allowed CPU. */
	ok = online_mask() & __atomic_load_n(&t->allowed, __ATOMIC_RELAXED);
	return ok ? (unsigned)__builtin_ctzll(ok) : fw_cpu_id();
}

static void enqueue_on(unsigned cpu, struct fw_task *t)
{
	struct percpu *c = cpu_data(cpu);

	fw_spin_lock(&c->rq_lock);
	t->cpu = cpu;
	t->state = TASK_RUNNABLE;
	t->on_rq = true;
	SCHED_HOOK_VOID(sched_ops->enqueue(cpu, t));
	fw_spin_unlock(&c->rq_lock);
	resched_cpu(cpu);
}

/* Runs on the new task's stack right after arch_switch. */
static void finish_switch(void)
{
	struct percpu *c = this_cpu();
	struct fw_task *prev = switch_prev[c->id];
	bool migrate = switch_migrate[c->id];
	bool reap = false;

	switch_migrate[c->id] = false;
	fw_spin_unlock(&c->rq_lock);
	if (prev->state != TASK_DEAD) {
		/* From here another CPU may run prev: its registers are
		 * saved. */
		__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
		if (migrate) {
			/* Runnable but no longer allowed here, so it was
			 * not queued here: queue it where it may run. The
			 * pi_lock keeps wakeups and affinity changes out. */
			fw_spin_lock(&prev->pi_lock);
			enqueue_on(pick_cpu(prev), prev);
			fw_spin_unlock(&prev->pi_lock);
		}
		return;
	}
	/* A dead task: once on_cpu is 0 its joiner may free it, so the
	 * store, the look at `detached` and the wakeup all happen under its
	 * pi_lock, which fw_task_join and fw_task_detach take before they
	 * act (a joiner freed the task while this wakeup still ran: seen
	 * with 8 CPUs). */
	fw_spin_lock(&prev->pi_lock);
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	if (prev->detached)
		reap = true;
	else
		fw_waitq_wake_all(&prev->exit_wq);
	fw_spin_unlock(&prev->pi_lock);
	if (reap) {
		fw_spin_lock(&reap_lock);
		if (fw_list_empty(&prev->dead_node))
			fw_list_add_tail(&reap_list, &prev->dead_node);
		fw_spin_unlock(&reap_lock);
	}
}

/* The core: switch to the next task. Interrupts must be off. */
static void schedule_locked(bool preempted)
{
	struct percpu *c = this_cpu();
	struct fw_task *prev = c->current, *next;
	uint64_t now = fw_time_ns();

	fw_spin_lock(&c->rq_lock);
	c->need_resched = false;
	c->resched_lazy = false;
	c->switch_wanted_ns = 0;
	c->lockup_reported = false;
	prev->se.runtime_ns += now - c->slice_start_ns;
	if (prev != c->idle) {
		/* A preempted task stays queued whatever its state: it was
		 * stopped between marking itself sleeping and checking its
		 * wait condition, and must get to finish that check. A
		 * runnable one whose affinity no longer includes this CPU is
		 * moved by finish_switch, once its registers are saved. */
		if (prev->state == TASK_RUNNABLE && !allowed_on(prev, c->id)) {
			prev->on_rq = false;
			switch_migrate[c->id] = true;
		} else if (prev->state == TASK_RUNNABLE ||
		    (preempted && prev->state == TASK_SLEEPING))
			SCHED_HOOK_VOID(sched_ops->enqueue((unsigned)c->id, prev));
		else
			prev->on_rq = false;
	}
	next = SCHED_HOOK(sched_ops->pick_next((unsigned)c->id));
	if (!next)
		next = c->idle;
	if (next == prev) {
		fw_spin_unlock(&c->rq_lock);
		return;
	}
	if (preempted)
		prev->preemptions++;
	c->slice_start_ns = now;
	next->on_cpu = 1;
	next->cpu = (unsigned)c->id;
	c->current = next;
	gdt_set_kernel_stack(next->stack_top);
	/* Next's space against the one this CPU has loaded (it returns
	 * early when they are the same), not against prev's record: the
	 * loaded space is what next would otherwise run in. */
	vmspace_switch(next->vmspace);
	switch_prev[c->id] = prev;
	user_fpu_switch_out(); /* live FPU state never migrates */
	arch_switch(&prev->saved_rsp, next->saved_rsp);
	finish_switch();
}

void task_schedule(void)
{
	fw_irqflags_t fl = fw_irq_save();
	if (FW_UNLIKELY(this_cpu()->preempt_count != 0))
		fw_panic("scheduling while atomic (preempt count %d): a task "
			 "slept holding a spinlock",
			 this_cpu()->preempt_count);
	schedule_locked(false);
	fw_irq_restore(fl);
}

void task_preempt(void)
{
	fw_irqflags_t fl = fw_irq_save(); /* already off in a handler */
	schedule_locked(true);
	fw_irq_restore(fl);
}

void fw_task_yield(void)
{
	/* The rest of the slice is given up, so the policy queues the task
	 * behind its peers (a tick on this CPU may write it too: the same). */
	__atomic_store_n(&fw_task_current()->se.slice_left_ns, 0,
			 __ATOMIC_RELAXED);
	task_schedule();
}

uint64_t fw_task_affinity(const struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	return __atomic_load_n(&t->allowed, __ATOMIC_RELAXED);
}

int fw_task_set_affinity(struct fw_task *t, uint64_t mask)
{
	struct percpu *c;
	fw_irqflags_t fl;
	bool requeue = false;

	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	mask &= online_mask();
	if (!mask || t->pin_cpu >= 0)
		return -EINVAL;
	/* Under t's pi_lock no wakeup or migration moves t, so t->cpu is
	 * where it runs or is queued; its run-queue lock makes on_rq and
	 * on_cpu say which. */
	fl = fw_spin_lock_irqsave(&t->pi_lock);
	__atomic_store_n(&t->allowed, mask, __ATOMIC_RELAXED);
	c = cpu_data(t->cpu);
	fw_spin_lock(&c->rq_lock);
	if (!((mask >> t->cpu) & 1)) {
		if (t->on_cpu) {
			c->need_resched = true; /* schedule_locked moves it */
			if (t->cpu != fw_cpu_id())
				lapic_send_ipi(c->apic_id, VEC_IPI_RESCHED);
		} else if (t->on_rq && t->state == TASK_RUNNABLE) {
			SCHED_HOOK_VOID(sched_ops->dequeue(t->cpu, t));
			t->on_rq = false;
			requeue = true;
		}
	}
	fw_spin_unlock(&c->rq_lock);
	if (requeue)
		enqueue_on(pick_cpu(t), t);
	fw_spin_unlock_irqrestore(&t->pi_lock, fl);
	if (t == fw_task_current() && !allowed_on(t, fw_cpu_id()))
		task_schedule();
	return 0;
}

void fw_task_set_sched_class(struct fw_task *t, uint32_t klass,
			     uint32_t prio)
{
	struct percpu *c;
	fw_irqflags_t fl;
	bool queued;
	unsigned cpu;

	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	/* As in fw_task_set_affinity: under pi_lock t stays on t->cpu. */
	fl = fw_spin_lock_irqsave(&t->pi_lock);
	cpu = t->cpu;
	c = cpu_data(cpu);
	fw_spin_lock(&c->rq_lock);
	queued = t->on_rq && !t->on_cpu && sched_ops;
	if (queued)
		SCHED_HOOK_VOID(sched_ops->dequeue(cpu, t));
	__atomic_store_n(&t->se.klass, klass, __ATOMIC_RELAXED);
	__atomic_store_n(&t->se.prio, prio, __ATOMIC_RELAXED);
	if (queued)
		SCHED_HOOK_VOID(sched_ops->enqueue(cpu, t));
	fw_spin_unlock(&c->rq_lock);
	/* Here the choice is made again at once, not lazily as after a
	 * wakeup: a task raised above the caller runs before the caller's
	 * system call returns, as on Linux. The last unlock preempts. */
	if (cpu == fw_cpu_id())
		c->need_resched = true;
	fw_spin_unlock_irqrestore(&t->pi_lock, fl);
	if (cpu != fw_cpu_id())
		resched_cpu(cpu);
}

void task_tick(void)
{
	struct percpu *c = this_cpu();
	struct fw_task *curr = c->current;
	uint64_t now = fw_time_ns();
	bool preempt;

	if (!sched_ops)
		return;
	fw_spin_lock(&c->rq_lock);
	if (curr == c->idle)
		preempt = sched_ops->nr_queued((unsigned)c->id) > 0;
	else
		preempt = SCHED_HOOK(sched_ops->tick((unsigned)c->id, curr,
						     now - c->slice_start_ns));
	curr->se.runtime_ns += now - c->slice_start_ns;
	/* User or system time is sampled here, as Linux's tick accounting
	 * does: the time since the last tick or switch goes to the mode the
	 * tick interrupted. Measuring every user-mode stay instead costs two
	 * clock reads per system call. */
	if (c->irq_from_user)
		curr->user_ns += now - c->slice_start_ns;
	c->slice_start_ns = now;
	fw_spin_unlock(&c->rq_lock);
	lockup_tick(c, preempt, now);
	if (preempt)
		c->need_resched = true;
}

void task_set_sleeping(void)
{
	__atomic_store_n(&fw_task_current()->state, TASK_SLEEPING,
			 __ATOMIC_SEQ_CST);
}

bool task_wake(struct fw_task *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->pi_lock);
	struct percpu *c;
	bool woke = false;

	if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_SLEEPING)
		goto out;
	c = cpu_data(t->cpu);
	fw_spin_lock(&c->rq_lock);
	if (t->on_rq) {
		/* Not switched out yet: it will see RUNNABLE and carry on. */
		t->state = TASK_RUNNABLE;
		fw_spin_unlock(&c->rq_lock);
		woke = true;
		goto out;
	}
	fw_spin_unlock(&c->rq_lock);
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		x86_pause();
	enqueue_on(pick_cpu(t), t);
	woke = true;
out:
	fw_spin_unlock_irqrestore(&t->pi_lock, fl);
	return woke;
}

/* A task that ended and was joined or reaped: its stack, its hold on
 * an address space, and the object. */
static void task_free(struct fw_task *t)
{
	vmspace_task_ref(t->vmspace, -1);
	kstack_free(t->stack_slot);
	handle_kill(&t->hdl);
	kheap_free_typed(t);
}

static void reap_dead(void)
{
	for (;;) {
		struct fw_task *t;
		fw_spin_lock(&reap_lock);
		t = FW_LIST_FIRST(&reap_list, struct fw_task, dead_node);
		if (t)
			fw_list_del(&t->dead_node);
		fw_spin_unlock(&reap_lock);
		if (!t)
			return;
		task_free(t);
	}
}

void task_first_entry(fw__task_fn fn, void *arg);
void task_first_entry(fw__task_fn fn, void *arg)
{
	finish_switch();
	x86_sti();
	fn(arg);
	fw_task_exit(0);
}

int fw__task_create(const char *name, fw__task_fn fn, void *arg, int cpu,
		    struct fw_task **out)
{
	struct fw_task *t;
	uint64_t *sp;

	if (!sched_ops)
		fw_panic("fw_task_spawn before a scheduler policy is registered");
	if (cpu >= (int)percpu_online)
		return -EINVAL;
	reap_dead();
	t = KHEAP_NEW(struct fw_task);
	if (!t)
		return -ENOMEM;
	if (kstack_alloc(&t->stack_slot, &t->stack_top)) {
		kheap_free_typed(t);
		return -ENOMEM;
	}
	init_common(t, name);
	t->fn = fn;
	t->arg = arg;
	t->pin_cpu = cpu;
	/* The frame arch_switch pops: r15 r14 r13 r12 rbx rbp, then ret. */
	sp = (uint64_t *)(uintptr_t)t->stack_top;
	/* After the pops and the ret, rsp = stack_top, so the trampoline's
	 * call enters task_first_entry with rsp = 16n - 8, as the ABI wants
	 * (aligned locals, e.g. the FPU image, rely on it). */
	*--sp = (uint64_t)(uintptr_t)arch_task_trampoline;
	*--sp = 0;                         /* rbp */
	*--sp = 0;                         /* rbx */
	*--sp = (uint64_t)(uintptr_t)fn;   /* r12 */
	*--sp = (uint64_t)(uintptr_t)arg;  /* r13 */
	*--sp = 0;                         /* r14 */
	*--sp = 0;                         /* r15 */
	t->saved_rsp = (uint64_t)(uintptr_t)sp;
	t->se.slice_left_ns = 0;
	*out = t;
	return 0;
}

void fw_task_start(struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	if (t->started)
		fw_panic("fw_task_start: task %s was started already", t->name);
	t->started = true;
	fw_irqflags_t fl = fw_irq_save();
	enqueue_on(pick_cpu(t), t);
	fw_irq_restore(fl);
}

void fw_task_discard(struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	if (t->started)
		fw_panic("fw_task_discard: task %s has run", t->name);
	task_free(t);
}

int fw__task_spawn(const char *name, fw__task_fn fn, void *arg, int cpu,
		   struct fw_task **out)
{
	int err = fw__task_create(name, fn, arg, cpu, out);

	if (!err)
		fw_task_start(*out);
	return err;
}

void fw_task_exit(int code)
{
	struct fw_task *t = fw_task_current();

	if (t->stack_slot == 0 && t->fn == 0)
		fw_panic("fw_task_exit called by the idle/boot task");
	t->exit_code = code;
	x86_cli();
	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_RELEASE);
	schedule_locked(false);
	fw_panic("a dead task was scheduled again");
}

int fw_task_join(struct fw_task *t, int *code)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	if (t == fw_task_current() || t->joined || t->detached)
		return -EINVAL;
	t->joined = true;
	FW_WAIT_EVENT(&t->exit_wq,
		      __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_DEAD &&
			      !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE));
	/* finish_switch may still be waking us under t's pi_lock: wait it
	 * out before the task goes. */
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->pi_lock);
	fw_spin_unlock_irqrestore(&t->pi_lock, fl);
	if (code)
		*code = t->exit_code;
	task_free(t);
	return 0;
}

void fw_task_detach(struct fw_task *t)
{
	HANDLE_CHECK(t, HANDLE_TASK, "fw_task");
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->pi_lock);
	bool dead = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_DEAD &&
		    !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
	t->detached = true;
	fw_spin_unlock_irqrestore(&t->pi_lock, fl);
	if (dead) {
		fw_spin_lock(&reap_lock);
		if (fw_list_empty(&t->dead_node))
			fw_list_add_tail(&reap_list, &t->dead_node);
		fw_spin_unlock(&reap_lock);
	}
}

void task_idle_loop(void)
{
	struct percpu *c = this_cpu();

	c->slice_start_ns = fw_time_ns();
	for (;;) {
		x86_cli();
		if (c->need_resched || (sched_ops && sched_ops->nr_queued((unsigned)c->id))) {
			schedule_locked(false);
			x86_sti();
			continue;
		}
		x86_sti_hlt(); /* an interrupt (timer, IPI) ends the halt */
	}
}

static void sleep_wakeup(struct fw_task *t)
{
	task_wake(t);
}

void fw_sleep_ns(uint64_t ns)
{
	struct fw_task *self = fw_task_current();
	uint64_t deadline = fw_time_ns() + ns;
	struct ktimer timer;

	KTIMER_INIT(&timer, sleep_wakeup, self);
	while (fw_time_ns() < deadline) {
		task_set_sleeping();
		ktimer_arm(&timer, deadline);
		if (fw_time_ns() < deadline)
			task_schedule();
		__atomic_store_n(&self->state, TASK_RUNNABLE, __ATOMIC_RELEASE);
		(void)ktimer_cancel(&timer);
	}
}
