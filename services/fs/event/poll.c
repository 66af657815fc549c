/* services/fs/event/poll.c: poll heads and waiters (see poll.h for the design).
 *
 * Layer: services (safe C), VFS. Lock order: head->lock, then the waiter's
 * fw_waitq lock (inside fw_waitq_wake_all). */
#include <fw/heap.h>

#include "fs/event/poll.h"
#include "current/current.h"
#include "fs/vfs/vfs.h"

void poll_head_init(struct poll_head *h)
{
	fw_spin_init(&h->lock, "poll_head");
	fw_list_init(&h->entries);
}

void poll_wait(struct poll_table *pt, struct poll_head *h)
{
	struct poll_entry *e;
	fw_irqflags_t fl;

	if (!pt || !pt->w)
		return;
	e = FW_NEW(struct poll_entry);
	if (!e) {
		pt->w->err = -ENOMEM;
		return;
	}
	e->head = h;
	e->waiter = pt->w;
	/* The head lives in an object the file keeps alive (a pipe, a
	 * tty): hold the file until the entry is gone, as Linux does. */
	e->file = pt->file;
	if (e->file)
		file_get(e->file);
	fw_list_add_tail(&pt->w->entries, &e->waiter_node);
	fl = fw_spin_lock_irqsave(&h->lock);
	fw_list_add_tail(&h->entries, &e->head_node);
	fw_spin_unlock_irqrestore(&h->lock, fl);
}

void poll_wake(struct poll_head *h)
{
	struct poll_entry *e;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&h->lock);

	FW_LIST_FOR_EACH(e, &h->entries, head_node) {
		atomic_store(&e->waiter->triggered, true);
		fw_waitq_wake_all(&e->waiter->wq);
		if (e->waiter->forward)
			poll_wake(e->waiter->forward);
	}
	fw_spin_unlock_irqrestore(&h->lock, fl);
}

void poll_waiter_init(struct poll_waiter *w)
{
	fw_waitq_init(&w->wq, "poll");
	atomic_init(&w->triggered, false);
	fw_list_init(&w->entries);
	w->err = 0;
	w->forward = NULL;
}

void poll_waiter_finish(struct poll_waiter *w)
{
	struct poll_entry *e, *tmp;

	FW_LIST_FOR_EACH_SAFE(e, tmp, &w->entries, waiter_node) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&e->head->lock);

		fw_list_del(&e->head_node);
		fw_spin_unlock_irqrestore(&e->head->lock, fl);
		fw_list_del(&e->waiter_node);
		file_put(e->file);
		fw_free(e);
	}
}

int poll_waiter_sleep(struct poll_waiter *w, uint64_t deadline_ns)
{
	int ret = 0;

	if (deadline_ns == UINT64_MAX)
		FW_WAIT_EVENT(&w->wq, atomic_load(&w->triggered) ||
					      signal_pending_current());
	else
		FW_WAIT_EVENT_DEADLINE(&w->wq,
				       atomic_load(&w->triggered) ||
					       signal_pending_current(),
				       deadline_ns, ret);
	atomic_store(&w->triggered, false);
	return ret;
}
