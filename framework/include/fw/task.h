/* fw/task.h: kernel tasks (threads of control inside the kernel).
 *
 * Layer: framework public API. The framework owns stacks, contexts and the
 * switch; which task runs next is the scheduler service's choice
 * (fw/sched.h). Every task has a 16 KiB kernel stack with an unmapped guard
 * page below it, so an overflow faults instead of corrupting memory. */
#ifndef FW_TASK_H
#define FW_TASK_H

#include <fw/compiler.h>

struct fw_task;
typedef void (*fw__task_fn)(void *arg);

/* Start a task running fn(arg) on any CPU (cpu < 0) or the given one.
 * Returns 0 and the task in *out, -ENOMEM, or -EINVAL for a bad cpu.
 * The creator must fw_task_join() it (or fw_task_detach()). */
FW_MUST_CHECK int fw__task_spawn(const char *name, fw__task_fn fn, void *arg,
				 int cpu, struct fw_task **out);

/* Typed front end: fn must be `void fn(T *arg)` for the type of arg; the
 * compiler checks that, so a service needs no void * conversions. */
#define FW_TASK_SPAWN(name, fn, arg, cpu, out)                                 \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                        \
				  __typeof__(&(fn)),                           \
				  void (*)(__typeof__(arg))),                  \
			  "task function must take the argument's type"),      \
	 fw__task_spawn((name), (fw__task_fn)(void (*)(void))(fn), (void *)(arg),      \
			(cpu), (out)))

/* As FW_TASK_SPAWN, but the task does not run until fw_task_start: a
 * service first makes everything else that can fail, and then starts a
 * task nobody has seen yet, or discards it (Linux's copy_process, then
 * wake_up_new_task). fw_task_discard frees a task never started. */
#define FW_TASK_CREATE(name, fn, arg, cpu, out)                                \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                        \
				  __typeof__(&(fn)),                           \
				  void (*)(__typeof__(arg))),                  \
			  "task function must take the argument's type"),      \
	 fw__task_create((name), (fw__task_fn)(void (*)(void))(fn),           \
			 (void *)(arg), (cpu), (out)))
FW_MUST_CHECK int fw__task_create(const char *name, fw__task_fn fn, void *arg,
				  int cpu, struct fw_task **out);
void fw_task_start(struct fw_task *t);
void fw_task_discard(struct fw_task *t);

/* End the current task with a code for fw_task_join. */
FW_NORETURN void fw_task_exit(int code);

/* Wait for t to end, store its exit code in *code (if not NULL) and free
 * it. Returns 0, or -EINVAL if t is the caller or already joined. */
FW_MUST_CHECK int fw_task_join(struct fw_task *t, int *code);

/* Let t free itself when it ends; it must not be joined afterwards. */
void fw_task_detach(struct fw_task *t);

struct fw_task *fw_task_current(void);
const char *fw_task_name(const struct fw_task *t);
/* Rename it (a process service: the program it now runs, as Linux's comm
 * is the task's name). */
void fw_task_set_name(struct fw_task *t, const char *name);
uint64_t fw_task_id(const struct fw_task *t);
/* The CPU t last ran on (or is queued on). */
unsigned fw_task_cpu(const struct fw_task *t);
/* t's nice value, -20..19 (set clamps), for the scheduling policy to
 * weigh; it takes effect from t's next slice. */
int fw_task_nice(const struct fw_task *t);
void fw_task_set_nice(struct fw_task *t, int nice);
/* t's scheduling class and priority in it, which only the policy
 * interprets (services/sched: Linux's policy numbers and real-time
 * priorities); both 0 for a new task. Setting them takes t out of its
 * CPU's queue and puts it back (so it moves to its new place at once)
 * and makes that CPU choose again. */
void fw_task_sched_class(const struct fw_task *t, uint32_t *klass,
			 uint32_t *prio);
void fw_task_set_sched_class(struct fw_task *t, uint32_t klass,
			     uint32_t prio);

/* The CPUs t may run on, as a mask: bit n is CPU n (FW_MAX_CPUS is 64).
 * Every task starts with all CPUs allowed. Setting keeps only online CPUs
 * and returns -EINVAL if none is left, or for a task bound to one CPU by
 * fw__task_spawn. A task queued on a CPU no longer allowed is moved at
 * once; one running there is interrupted and moves at its next switch;
 * the caller itself has moved when this returns. The scheduling policy
 * sees the mask in select_cpu (fw/sched.h); the framework enforces it. */
uint64_t fw_task_affinity(const struct fw_task *t);
FW_MUST_CHECK int fw_task_set_affinity(struct fw_task *t, uint64_t mask);

/* Give up the CPU and the rest of the slice to another runnable task,
 * if any (sched_yield(2)). */
void fw_task_yield(void);

/* Sleep for at least ns nanoseconds of monotonic time. */
void fw_sleep_ns(uint64_t ns);

/* Wake t if it sleeps in FW_WAIT_EVENT or fw_sleep_ns (it re-checks its
 * condition: how signals interrupt a blocking system call). Returns true
 * if it was asleep. Callable from interrupt handlers. */
bool fw_task_wake(struct fw_task *t);

/* Per-task data owned by a service: the framework stores the pointer and
 * never looks inside. Services define `struct fw_task_data` themselves
 * (the process service: its thread), so no void * is involved. */
struct fw_task_data;
void fw_task_set_data(struct fw_task *t, struct fw_task_data *d);
struct fw_task_data *fw_task_data(const struct fw_task *t);
/* fw_task_data(fw_task_current()), without the handle check the running
 * task cannot fail (the hot path of every system call). */
struct fw_task_data *fw_task_current_data(void);

/* The user address space to activate whenever t runs (NULL: kernel only).
 * Setting it for the calling task activates it at once. */
struct fw_vmspace;
void fw_task_set_vmspace(struct fw_task *t, struct fw_vmspace *vs);

/* CPU time t has consumed, in nanoseconds (its slice now running counts
 * when t is the caller), and the part of it spent in user mode (sampled
 * at the scheduler tick, 250 Hz, like Linux's tick-based accounting). */
uint64_t fw_task_runtime_ns(const struct fw_task *t);
uint64_t fw_task_user_ns(const struct fw_task *t);

/* How many times t has been switched out involuntarily (preempted). */
uint64_t fw_task_preemptions(const struct fw_task *t);

#endif
