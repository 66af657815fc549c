/* fw/sync.h: spinlocks, mutexes and wait queues.
 *
 * Layer: framework public API. Rules (Asterinas concurrency.md, Linux):
 *  - a spinlock disables preemption while held; the _irqsave form also
 *    disables interrupts and must be used for data an IRQ handler touches;
 *  - never sleep (mutex, wait queue, fw_sleep_ns) while holding a spinlock:
 *    debug builds panic if you do;
 *  - write down the lock order where a second lock is taken.
 * The structs are visible so they can be embedded; their fields are not for
 * services. */
#ifndef FW_SYNC_H
#define FW_SYNC_H

#include <fw/compiler.h>
#include <fw/cpu.h>
#include <fw/list.h>

struct fw_task;

/* A ticket lock: FIFO-fair, so no CPU starves under contention. */
struct FW_CAPABILITY("spinlock") fw_spinlock {
	uint16_t __private next;  /* ticket handed to the next locker */
	uint16_t __private owner; /* ticket being served */
	int32_t __private cpu;    /* holder's CPU, -1 if free (debug) */
	const char *__private name; /* for deadlock and misuse reports */
};
#define FW_SPINLOCK_INIT(n) { 0, 0, -1, n }

void fw_spin_init(struct fw_spinlock *l, const char *name);
void fw_spin_lock(struct fw_spinlock *l) FW_ACQUIRES(l);
void fw_spin_unlock(struct fw_spinlock *l) FW_RELEASES(l);
bool fw_spin_trylock(struct fw_spinlock *l);
fw_irqflags_t fw_spin_lock_irqsave(struct fw_spinlock *l) FW_ACQUIRES(l);
void fw_spin_unlock_irqrestore(struct fw_spinlock *l, fw_irqflags_t flags)
	FW_RELEASES(l);
/* True if this CPU holds l (for FW_ASSERT in lock-requiring functions). */
bool fw_spin_held(const struct fw_spinlock *l);

/* A wait queue: tasks sleep on it until woken. */
struct fw_waitq {
	struct fw_spinlock __private lock; /* guards waiters */
	struct fw_list __private waiters;  /* struct fw__waiter.node */
};
#define FW_WAITQ_INIT(wq, n) { FW_SPINLOCK_INIT(n), FW_LIST_HEAD_INIT((wq).waiters) }
void fw_waitq_init(struct fw_waitq *wq, const char *name);

/* One sleeper's entry, on its own stack; used by FW_WAIT_EVENT. */
struct fw__waiter {
	struct fw_list node;  /* on fw_waitq.waiters */
	struct fw_task *task; /* who to wake */
};
void fw__waitq_prepare(struct fw_waitq *wq, struct fw__waiter *w);
void fw__waitq_sleep(struct fw_waitq *wq, struct fw__waiter *w);
int fw__waitq_sleep_timeout(struct fw_waitq *wq, struct fw__waiter *w,
			    uint64_t deadline_ns);
void fw__waitq_finish(struct fw_waitq *wq, struct fw__waiter *w);

/* Sleep until `cond` is true. The condition is checked first, then
 * re-evaluated after every wakeup; a wakeup between the check and the
 * sleep is not lost, because the task is marked sleeping before the check
 * (the Linux wait_event / prepare_to_wait pattern). */
#define FW_WAIT_EVENT(wq, cond)                                                \
	do {                                                                   \
		if (cond)                                                      \
			break; /* the common case: no queueing at all */       \
		struct fw__waiter fw_w_ = {0};                                 \
		for (;;) {                                                     \
			fw__waitq_prepare((wq), &fw_w_);                       \
			if (cond)                                              \
				break;                                         \
			fw__waitq_sleep((wq), &fw_w_);                         \
		}                                                              \
		fw__waitq_finish((wq), &fw_w_);                                \
	} while (0)

/* As FW_WAIT_EVENT, until the monotonic clock reaches deadline_ns; sets
 * `ret` to 0 if cond became true, -ETIMEDOUT otherwise. */
#define FW_WAIT_EVENT_DEADLINE(wq, cond, deadline_ns, ret)                     \
	do {                                                                   \
		(ret) = 0;                                                     \
		if (cond)                                                      \
			break;                                                 \
		struct fw__waiter fw_w_ = {0};                                 \
		for (;;) {                                                     \
			fw__waitq_prepare((wq), &fw_w_);                       \
			if (cond)                                              \
				break;                                         \
			if (fw__waitq_sleep_timeout((wq), &fw_w_,              \
						    (deadline_ns))) {          \
				(ret) = (cond) ? 0 : -ETIMEDOUT;               \
				break;                                         \
			}                                                      \
		}                                                              \
		fw__waitq_finish((wq), &fw_w_);                                \
	} while (0)

/* Wake one / all sleepers; returns how many were woken. Callable from IRQ
 * handlers. */
unsigned fw_waitq_wake_one(struct fw_waitq *wq);
unsigned fw_waitq_wake_all(struct fw_waitq *wq);

/* A sleeping lock for long critical sections in task context. Taking a
 * free mutex and releasing one nobody waits for are one atomic operation
 * each; only contention touches the wait queue. */
struct FW_CAPABILITY("mutex") fw_mutex {
	struct fw_task *__private owner;   /* holder, NULL if free (atomic) */
	struct fw_waitq __private waitq;   /* tasks waiting for it; its lock
					    * carries the mutex's name */
};
void fw_mutex_init(struct fw_mutex *m, const char *name);
void fw_mutex_lock(struct fw_mutex *m) FW_ACQUIRES(m);
bool fw_mutex_trylock(struct fw_mutex *m);
void fw_mutex_unlock(struct fw_mutex *m) FW_RELEASES(m);

#endif
