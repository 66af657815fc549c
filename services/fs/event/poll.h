/* services/fs/event/poll.h: waiting on many files at once (poll, select).
 *
 * Layer: services (safe C), VFS. The framework's wait queues put one task
 * on one queue; poll needs one task on many. So every pollable object owns
 * a poll_head (a list of poll entries under a spinlock) and calls
 * poll_wake() wherever its state changes. A poll/select call keeps one
 * poll_waiter on its stack: a private fw_waitq plus a "triggered" flag.
 * The first pass over the files registers one poll_entry per (file head,
 * waiter) through poll_wait(); poll_wake() sets the flag of every
 * registered waiter and wakes its private queue. The caller then sleeps
 * with FW_WAIT_EVENT_DEADLINE(&w.wq, w.triggered || signal pending, ...),
 * clears the flag and polls again. No wakeup is lost: a file's poll op
 * registers before it reads its state, and the flag is set before the wake.
 * poll_waiter_finish() unhooks all entries (under each head's lock) before
 * the stack frame goes away, so no head ever points at a dead waiter.
 *
 * Folder services/fs/event: waiting on files -- poll/select (poll.c,
 * sys_poll.c), epoll and eventfd, with their system calls. Calls the VFS
 * core and current/current.h (signals, the temporary signal mask). */
#ifndef SERVICES_FS_POLL_H
#define SERVICES_FS_POLL_H

#include <stdatomic.h>

#include <fw/list.h>
#include <fw/sync.h>

struct file;

struct poll_head {
	struct fw_spinlock lock;	/* guards entries; IRQ-safe */
	struct fw_list entries;		/* struct poll_entry.head_node */
};

struct poll_waiter {
	struct fw_waitq wq;		/* the poller sleeps here */
	atomic_bool triggered;		/* some head woke since last clear */
	struct fw_list entries;		/* struct poll_entry.waiter_node */
	int err;			/* -ENOMEM if a registration failed */
	/* Also wake this head on every trigger (NULL: none). An epoll
	 * registration forwards its file's wakeups to the epoll instance;
	 * epoll_ctl refuses cycles, so the chain ends. */
	struct poll_head *forward;
};

struct poll_entry {
	struct fw_list head_node;	/* on head->entries */
	struct fw_list waiter_node;	/* on waiter->entries */
	struct poll_head *head;
	struct poll_waiter *waiter;
	struct file *file;		/* keeps head's owner alive */
};

/* Passed to file_ops.poll; w is NULL when no registration is wanted. */
struct poll_table {
	struct poll_waiter *w;
	struct file *file;		/* the file being polled */
};

void poll_head_init(struct poll_head *h);
/* Register the poller on h (no-op if pt or pt->w is NULL). */
void poll_wait(struct poll_table *pt, struct poll_head *h);
/* State behind h changed: wake every registered poller. IRQ-safe. */
void poll_wake(struct poll_head *h);

void poll_waiter_init(struct poll_waiter *w);
void poll_waiter_finish(struct poll_waiter *w);
/* Sleep until triggered, a signal, or the monotonic deadline (UINT64_MAX:
 * none). Returns 0 or -ETIMEDOUT and clears the trigger; the caller polls
 * again and checks for signals itself. */
int poll_waiter_sleep(struct poll_waiter *w, uint64_t deadline_ns);

#endif
