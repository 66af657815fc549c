/* services/net/unix/unix_gc.c: collecting Unix sockets that only live in
 * flight.
 *
 * Layer: services (safe C), net, after Linux net/unix/garbage.c (the
 * simple pre-6.10 mark and sweep). A descriptor passed with SCM_RIGHTS is
 * a file reference held by a queued message. A socket whose file is
 * referenced only by such messages (file refs == times in flight) can
 * only be reached by receiving from a socket that holds it; if every
 * socket holding it is in the same state, nobody can, and the references
 * form a cycle that would never be freed (the simplest: a socket's own
 * descriptor sent into its own queue, then closed). So, under unix_lock:
 * those sockets are candidates; any candidate reachable from the queue of
 * a non-candidate (or of a candidate found live) is live; the remaining
 * candidates' queued messages are taken out and freed after the lock
 * drops, which breaks the cycles and lets the ordinary release free the
 * rest. A socket whose file a thread holds (a call in progress, or files
 * a recvmsg is installing) has more references than flights, so it is
 * never a candidate. Runs when a Unix socket's file is released while
 * anything is in flight. */
#include "net/unix/unix.h"

unsigned unix_inflight_total;
static bool unix_gc_running;

static struct unix_sock *file_unix(struct file *f)
{
	if (!f || !f->sock || f->sock->family != AF_UNIX)
		return NULL;
	return f->sock->un;
}

void unix_inflight_add(struct scm_files *fp)
{
	for (unsigned i = 0; i < fp->count && i < SCM_MAX_FD; i++) {
		struct unix_sock *u = file_unix(fp->f[i]);

		unix_inflight_total++;
		if (u)
			u->inflight++;
	}
}

void unix_inflight_sub(struct scm_files *fp)
{
	for (unsigned i = 0; i < fp->count && i < SCM_MAX_FD; i++) {
		struct unix_sock *u = file_unix(fp->f[i]);

		unix_inflight_total--;
		if (u)
			u->inflight--;
	}
}

/* Mark the candidates u's queue reaches; true if any was new. */
static bool mark_queue(struct unix_sock *u)
{
	struct unix_msg *m;
	bool changed = false;

	FW_LIST_FOR_EACH(m, &u->rcvq, node) {
		if (!m->fp)
			continue;
		for (unsigned i = 0; i < m->fp->count && i < SCM_MAX_FD; i++) {
			struct unix_sock *v = file_unix(m->fp->f[i]);

			if (v && v->gc_candidate && !v->gc_live) {
				v->gc_live = true;
				changed = true;
			}
		}
	}
	return changed;
}

/* A socket's queue and those of the connections waiting on it. */
static bool mark_from(struct unix_sock *u)
{
	struct unix_sock *e;
	bool changed = mark_queue(u);

	FW_LIST_FOR_EACH(e, &u->acceptq, accept_node)
		changed |= mark_queue(e);
	return changed;
}

static void purge_queue(struct unix_sock *u, struct fw_list *out)
{
	struct unix_msg *m, *t;

	FW_LIST_FOR_EACH_SAFE(m, t, &u->rcvq, node) {
		unix_msg_unlink(u, m);
		fw_list_add_tail(out, &m->node);
	}
}

void unix_gc(void)
{
	struct fw_list *all = unix_all_list();
	struct fw_list garbage;
	struct unix_sock *u, *e;
	struct unix_msg *m, *t;
	bool changed = true;

	fw_list_init(&garbage);
	fw_mutex_lock(&unix_lock);
	if (unix_gc_running || !unix_inflight_total) {
		fw_mutex_unlock(&unix_lock);
		return;
	}
	unix_gc_running = true;
	FW_LIST_FOR_EACH(u, all, all_node) {
		struct file *f = u->sk->file;

		u->gc_live = false;
		u->gc_candidate = u->inflight > 0 && f &&
				  atomic_load(&f->refs) == (int)u->inflight;
	}
	while (changed) {
		changed = false;
		FW_LIST_FOR_EACH(u, all, all_node)
			if (!u->gc_candidate || u->gc_live)
				changed |= mark_from(u);
	}
	FW_LIST_FOR_EACH(u, all, all_node) {
		if (!u->gc_candidate || u->gc_live)
			continue;
		purge_queue(u, &garbage);
		FW_LIST_FOR_EACH(e, &u->acceptq, accept_node)
			purge_queue(e, &garbage);
	}
	fw_mutex_unlock(&unix_lock);
	/* Dropping the references releases the sockets of the cycle; their
	 * own releases find unix_gc_running and do not recurse. */
	FW_LIST_FOR_EACH_SAFE(m, t, &garbage, node) {
		fw_list_del(&m->node);
		unix_msg_free(m);
	}
	fw_mutex_lock(&unix_lock);
	unix_gc_running = false;
	fw_mutex_unlock(&unix_lock);
}
