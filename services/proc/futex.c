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
#include <fw/heap.h>
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

/* Take a queued waiter off its bucket, unless a waker already did. A
 * requeue may have moved it to another bucket: lock the one its key maps
 * to now, and check it did not change meanwhile. */
static void unqueue(struct futex_waiter *w)
{
	struct bucket *b;

	for (;;) {
		b = &buckets[bucket_of(&w->key)];
		fw_mutex_lock(&b->lock);
		if (&buckets[bucket_of(&w->key)] == b)
			break;
		fw_mutex_unlock(&b->lock);
	}
	if (!w->woken)
		fw_list_del(&w->node);
	fw_mutex_unlock(&b->lock);
}

/* Queue w (key set) on its bucket if the futex word still holds val:
 * 0, -EAGAIN or -EFAULT. */
static int queue_if(struct futex_waiter *w, uint64_t uaddr, uint32_t val)
{
	struct bucket *b = &buckets[bucket_of(&w->key)];
	uint32_t cur;

	fw_mutex_lock(&b->lock);
	if (FW_COPY_IN_OBJ(&cur, fw_uptr(uaddr))) {
		fw_mutex_unlock(&b->lock);
		return -EFAULT;
	}
	if (cur != val) {
		fw_mutex_unlock(&b->lock);
		return -EAGAIN;
	}
	w->task = fw_task_current();
	fw_waitq_init(&w->wq, "futex-wait");
	fw_list_add_tail(&b->waiters, &w->node);
	fw_mutex_unlock(&b->lock);
	return 0;
}

static long futex_wait(uint64_t uaddr, bool private, uint32_t val,
		       uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { 0 };
	int err, ret;

	if (!bitset)
		return -EINVAL;
	if ((err = make_key(uaddr, private, &w.key)))
		return err;
	w.bitset = bitset;
	if ((err = queue_if(&w, uaddr, val)))
		return err;

	FW_WAIT_EVENT_DEADLINE(&w.wq,
			       __atomic_load_n(&w.woken, __ATOMIC_ACQUIRE) ||
				       signal_pending_current(),
			       deadline, ret);

	unqueue(&w);
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

/* futex_waitv(2) (Linux 5.16): wait on up to 128 futexes at once; the
 * result is the index of one that was woken. */
#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_MASK 0x03
#define FUTEX2_PRIVATE 128
#define WAITV_CLOCK_REALTIME 0
#define WAITV_CLOCK_MONOTONIC 1

struct k_futex_waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

struct futex_vec {
	struct futex_waiter w[FUTEX_WAITV_MAX];
};

static bool vec_woken(const struct futex_vec *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (__atomic_load_n(&v->w[i].woken, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* The absolute timeout on clockid as a monotonic deadline: 0 or -errno. */
static int waitv_deadline(uint64_t uts, int clockid, uint64_t *deadline)
{
	struct k_timespec ts;
	uint64_t ns;

	*deadline = UINT64_MAX;
	if (!uts)
		return 0;
	if (FW_COPY_IN_OBJ(&ts, fw_uptr(uts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	ns = (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	if (clockid == WAITV_CLOCK_MONOTONIC) {
		*deadline = ns;
	} else if (clockid == WAITV_CLOCK_REALTIME) {
		uint64_t now = fw_time_realtime_ns();
		*deadline = fw_time_ns() + (ns > now ? ns - now : 0);
	} else {
		return -EINVAL;
	}
	return 0;
}

static long sys_futex_waitv(const struct sys_args *a)
{
	unsigned n = (unsigned)a->arg[1];
	struct futex_vec *v;
	uint64_t deadline;
	unsigned queued = 0;
	long ret;
	int wret = 0;

	if (a->arg[2] || n < 1 || n > FUTEX_WAITV_MAX)
		return -EINVAL;
	ret = waitv_deadline(a->arg[3], (int)a->arg[4], &deadline);
	if (ret)
		return ret;
	v = FW_NEW(struct futex_vec);
	if (!v)
		return -ENOMEM;
	/* Check and queue each; a mismatch undoes the ones queued. */
	for (unsigned i = 0; i < n; i++) {
		struct k_futex_waitv e;

		if (FW_COPY_IN_OBJ(&e, fw_uptr_add(fw_uptr(a->arg[0]),
						   (uint64_t)i * sizeof e))) {
			ret = -EFAULT;
			break;
		}
		if (e.reserved || (e.flags & ~(uint32_t)(FUTEX2_SIZE_MASK | FUTEX2_PRIVATE)) ||
		    (e.flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32 ||
		    e.val > UINT32_MAX) {
			ret = -EINVAL;
			break;
		}
		v->w[i].bitset = ~0u;
		ret = make_key(e.uaddr, e.flags & FUTEX2_PRIVATE, &v->w[i].key);
		if (!ret)
			ret = queue_if(&v->w[i], e.uaddr, (uint32_t)e.val);
		if (ret)
			break;
		queued++;
	}
	if (!ret) {
		/* Every waker also wakes the task, so one queue serves. */
		FW_WAIT_EVENT_DEADLINE(&v->w[0].wq,
				       vec_woken(v, n) || signal_pending_current(),
				       deadline, wret);
	}
	for (unsigned i = 0; i < queued; i++)
		unqueue(&v->w[i]);
	/* One woken while the rest were queued wins over a later mismatch,
	 * as Linux's futex_unqueue_multiple. */
	if (!ret || ret == -EAGAIN) {
		if (!ret)
			ret = wret ? -ETIMEDOUT : -ERESTARTSYS;
		for (unsigned i = 0; i < queued; i++) {
			if (v->w[i].woken) {
				ret = (long)i;
				break;
			}
		}
	}
	fw_free(v);
	return ret;
}

static const struct sys_entry futex_syscalls[] = {
	{ __NR_futex, "futex", sys_futex },
	{ __NR_futex_waitv, "futex_waitv", sys_futex_waitv },
};

void futex_syscalls_init(void)
{
	buckets_init();
	SYSCALL_REGISTER_TABLE(futex_syscalls);
}
