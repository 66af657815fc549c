/* services/proc/futex.c: fast user-space mutexes (futex(2)).
 *
 * Layer: services (safe C). Waiters hang on hash buckets keyed by where the
 * futex word lives: for FUTEX_PRIVATE_FLAG the (address space, address)
 * pair, otherwise the physical frame and offset, so processes sharing a
 * MAP_SHARED page meet on it. A bucket is guarded by a mutex, not a
 * spinlock, because the futex word is read from user memory with the lock
 * held (the check-and-sleep must be atomic against FUTEX_WAKE) and that
 * read may fault the page in. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/list.h>
#include <fw/sync.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define NBUCKETS 64

struct futex_key {
	const struct mm *mm;        /* private: the address space */
	const struct fw_frame *frame; /* shared: the frame */
	uint64_t addr;              /* private: uaddr; shared: offset */
};

struct futex_waiter {
	struct fw_list node;        /* on a bucket */
	struct futex_key key;
	uint32_t bitset;
	bool woken;
	struct fw_task *task;
	struct fw_waitq wq;         /* the waiter sleeps on its own queue */
};

struct bucket {
	struct fw_mutex lock;
	struct fw_list waiters;
};

static struct bucket buckets[NBUCKETS];
static bool buckets_ready;

static void buckets_init(void)
{
	for (int i = 0; i < NBUCKETS; i++) {
		fw_mutex_init(&buckets[i].lock, "futex");
		fw_list_init(&buckets[i].waiters);
	}
	buckets_ready = true;
}

static unsigned bucket_of(const struct futex_key *k)
{
	uint64_t h = k->addr * 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 58) % NBUCKETS;
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->frame == b->frame && a->addr == b->addr;
}

static int make_key(uint64_t uaddr, bool private, struct futex_key *k)
{
	struct mm *mm = proc_current()->mm;
	uint32_t probe;

	if (uaddr & 3)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&probe, fw_uptr(uaddr))) /* faults the page in */
		return -EFAULT;
	*k = (struct futex_key){ 0 };
	if (private) {
		k->mm = mm;
		k->addr = uaddr;
		return 0;
	}
	struct fw_frame *f;
	if (fw_vmspace_query(mm->vs, uaddr & ~0xfffull, &f, 0))
		return -EFAULT;
	k->frame = f;
	k->addr = uaddr & 0xfff;
	return 0;
}

static long futex_wait(uint64_t uaddr, bool private, uint32_t val,
		       uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { 0 };
	struct bucket *b;
	uint32_t cur;
	int err, ret;

	if (!bitset)
		return -EINVAL;
	if ((err = make_key(uaddr, private, &w.key)))
		return err;
	b = &buckets[bucket_of(&w.key)];
	fw_mutex_lock(&b->lock);
	if (FW_COPY_IN_OBJ(&cur, fw_uptr(uaddr))) {
		fw_mutex_unlock(&b->lock);
		return -EFAULT;
	}
	if (cur != val) {
		fw_mutex_unlock(&b->lock);
		return -EAGAIN;
	}
	w.bitset = bitset;
	w.task = fw_task_current();
	fw_waitq_init(&w.wq, "futex-wait");
	fw_list_add_tail(&b->waiters, &w.node);
	fw_mutex_unlock(&b->lock);

	FW_WAIT_EVENT_DEADLINE(&w.wq,
			       __atomic_load_n(&w.woken, __ATOMIC_ACQUIRE) ||
				       signal_pending_current(),
			       deadline, ret);

	/* A requeue may have moved us to another bucket: lock the one our
	 * key maps to now, and check it did not change meanwhile. */
	for (;;) {
		b = &buckets[bucket_of(&w.key)];
		fw_mutex_lock(&b->lock);
		if (&buckets[bucket_of(&w.key)] == b)
			break;
		fw_mutex_unlock(&b->lock);
	}
	if (!w.woken)
		fw_list_del(&w.node);
	fw_mutex_unlock(&b->lock);
	if (w.woken)
		return 0;
	return ret ? -ETIMEDOUT : -EINTR;
}

/* Wake up to n waiters with key k (matching bitset); move up to n2 more to
 * key k2 when k2 is given (requeue). Returns how many were woken (+moved,
 * as Linux counts for CMP_REQUEUE). Both buckets are locked, lower index
 * first, so a requeued waiter is never out of reach of a waker. */
static long wake_keyed(const struct futex_key *k, int n, uint32_t bitset,
		       const struct futex_key *k2, int n2)
{
	unsigned i1 = bucket_of(k), i2 = k2 ? bucket_of(k2) : i1;
	struct bucket *b = &buckets[i1], *b2 = &buckets[i2];
	struct futex_waiter *w, *tmp;
	long woken = 0, moved = 0;

	fw_mutex_lock(&buckets[i1 < i2 ? i1 : i2].lock);
	if (i1 != i2)
		fw_mutex_lock(&buckets[i1 < i2 ? i2 : i1].lock);
	FW_LIST_FOR_EACH_SAFE(w, tmp, &b->waiters, node)
	{
		if (!key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		if (woken < n) {
			fw_list_del(&w->node);
			__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
			fw_waitq_wake_all(&w->wq);
			fw_task_wake(w->task);
			woken++;
		} else if (k2 && moved < n2) {
			fw_list_del(&w->node);
			w->key = *k2;
			fw_list_add_tail(&b2->waiters, &w->node);
			moved++;
		}
	}
	if (i1 != i2)
		fw_mutex_unlock(&buckets[i1 < i2 ? i2 : i1].lock);
	fw_mutex_unlock(&buckets[i1 < i2 ? i1 : i2].lock);
	return woken + moved;
}

int futex_wake_addr(uint64_t uaddr, int n)
{
	struct futex_key k;
	long woken;

	if (!buckets_ready)
		return 0;
	/* Thread exit: the tid word is usually private (pthread), but we do
	 * not know; wake both kinds. */
	if (make_key(uaddr, true, &k))
		return 0;
	woken = wake_keyed(&k, n, ~0u, 0, 0);
	if (!make_key(uaddr, false, &k))
		woken += wake_keyed(&k, n, ~0u, 0, 0);
	return (int)woken;
}

static long sys_futex(const struct sys_args *a)
{
	uint64_t uaddr = a->arg[0];
	int op = (int)a->arg[1];
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	uint32_t val = (uint32_t)a->arg[2];
	uint64_t deadline = ~0ull, ns;
	struct futex_key k, k2;
	long err;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (a->arg[3]) {
			struct k_timespec ts;
			if (FW_COPY_IN_OBJ(&ts, fw_uptr(a->arg[3])))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
			    ts.tv_nsec >= 1000000000)
				return -EINVAL;
			ns = (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC +
			     (uint64_t)ts.tv_nsec;
			if (cmd == FUTEX_WAIT) {
				deadline = fw_time_ns() + ns;
			} else if (op & FUTEX_CLOCK_REALTIME) {
				uint64_t now = fw_time_realtime_ns();
				deadline = fw_time_ns() + (ns > now ? ns - now : 0);
			} else {
				deadline = ns;
			}
		}
		return futex_wait(uaddr, private, val, deadline,
				  cmd == FUTEX_WAIT ? ~0u : (uint32_t)a->arg[5]);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if ((err = make_key(uaddr, private, &k)))
			return err;
		return wake_keyed(&k, (int)val,
				  cmd == FUTEX_WAKE ? ~0u : (uint32_t)a->arg[5],
				  0, 0);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((err = make_key(uaddr, private, &k)) ||
		    (err = make_key(a->arg[4], private, &k2)))
			return err;
		if (cmd == FUTEX_CMP_REQUEUE) {
			uint32_t cur;
			if (FW_COPY_IN_OBJ(&cur, fw_uptr(uaddr)))
				return -EFAULT;
			if (cur != (uint32_t)a->arg[5])
				return -EAGAIN;
		}
		return wake_keyed(&k, (int)val, ~0u, &k2, (int)a->arg[3]);
	}
	return -ENOSYS;
}

static const struct sys_entry futex_syscalls[] = {
	{ __NR_futex, "futex", sys_futex },
};

void futex_syscalls_init(void)
{
	buckets_init();
	SYSCALL_REGISTER_TABLE(futex_syscalls);
}
