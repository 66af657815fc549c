/* services/ipc/sem.c: System V semaphore sets: semget, semop, semtimedop,
 * semctl (man 2 semget, semop, semctl; Linux ipc/sem.c).
 *
 * Layer: services (safe C), see ipc.h. Each process's SEM_UNDO
 * adjustments are kept here; proc_exit hands them back through
 * ipc_proc_exit.
 *
 * Limits are Linux's classic defaults where they bound memory here:
 * SEMMSL 250 semaphores per set, SEMOPM 500 operations per call, SEMVMX
 * 32767, and at most SEM_SETS (256) sets at once (Linux: SEMMNI 32000);
 * beyond them semget says EINVAL or ENOSPC as Linux does at its limits.
 *
 * One mutex (sem_lock) guards every set, the id table and all undo
 * records; nothing sleeps while holding it. A semop that cannot proceed
 * records itself in the semaphore's semncnt/semzcnt, takes a reference
 * on the set (so IPC_RMID cannot free it under a sleeper) and sleeps on
 * the set's waitq until the set's generation changes; every change bumps
 * it and wakes all (simple and correct; Linux keeps per-semaphore queues
 * to wake only those that can proceed). Operations apply all or nothing,
 * in order, as Linux's perform_atomic_semop. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/list.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "ipc/ipc.h"
#include "proc/proc.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define SEMMSL 250
#define SEMOPM 500
#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEM_SETS 256

#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20
#define SEM_UNDO 0x1000

struct sem {
	int32_t val;
	int32_t pid;     /* last process to operate on it */
	uint32_t ncnt;   /* waiting for it to grow */
	uint32_t zcnt;   /* waiting for it to be zero */
};

struct sem_set {
	struct ipc_perm_k perm;
	int nsems;
	int64_t otime, ctime; /* seconds since the epoch */
	struct sem sems[SEMMSL];
	bool removed;
	unsigned refs;         /* the table's, and one per sleeper */
	uint64_t gen;          /* bumped on every change */
	struct fw_waitq wq;
	struct fw_list undos;  /* struct sem_undo.set_node */
};

/* A process's SEM_UNDO adjustments for one set. */
struct sem_undo {
	struct fw_list proc_node; /* on proc->sem_undos */
	struct fw_list set_node;  /* on set->undos */
	struct sem_set *set;
	int semid;
	int16_t adj[SEMMSL];
};

/* struct sembuf */
struct k_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

/* One call's operations, copied in (too big for the stack). */
struct sem_ops {
	struct k_sembuf op[SEMOPM];
};

/* struct semid64_ds (x86-64). */
struct k_semid64_ds {
	struct k_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};
FW_STATIC_ASSERT(sizeof(struct k_semid64_ds) == 104, "semid64_ds layout");

struct k_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume,
		semusz, semvmx, semaem;
};

static struct sem_set *sets[SEM_SETS];
static uint16_t slot_seq[SEM_SETS];
static struct fw_mutex sem_lock;

/* ---- ids -------------------------------------------------------------------- */

/* The live set semid names: 0 and *out, -EINVAL (no such id; Linux says
 * EINVAL, also for a removed one). sem_lock held. */
static int set_lookup(int semid, struct sem_set **out, int *slot_out)
{
	int slot = ipc_id_slot(semid, SEM_SETS);

	if (slot < 0 || !sets[slot] || !ipc_id_current(semid, &sets[slot]->perm))
		return -EINVAL;
	*out = sets[slot];
	if (slot_out)
		*slot_out = slot;
	return 0;
}

/* A change: waiters re-check. sem_lock held. */
static void changed(struct sem_set *s)
{
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
	fw_waitq_wake_all(&s->wq);
}

static void set_put(struct sem_set *s)
{
	if (--s->refs == 0)
		fw_free(s);
}

/* ---- semget ------------------------------------------------------------------ */

static long sys_semget(const struct sys_args *a)
{
	int32_t key = (int32_t)a->arg[0];
	int nsems = (int)a->arg[1], flg = (int)a->arg[2];
	struct sem_set *s;
	long ret;

	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	fw_mutex_lock(&sem_lock);
	if (key != IPC_PRIVATE) {
		for (int i = 0; i < SEM_SETS; i++) {
			s = sets[i];
			if (!s || s->perm.key != key)
				continue;
			if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
				ret = -EEXIST;
			else if (nsems > s->nsems)
				ret = -EINVAL;
			else if (!ipc_may_flags(&s->perm, flg))
				ret = -EACCES;
			else
				ret = ipc_id(&s->perm, i);
			fw_mutex_unlock(&sem_lock);
			return ret;
		}
		if (!(flg & IPC_CREAT)) {
			fw_mutex_unlock(&sem_lock);
			return -ENOENT;
		}
	}
	if (nsems == 0) {
		fw_mutex_unlock(&sem_lock);
		return -EINVAL;
	}
	ret = -ENOSPC;
	for (int i = 0; i < SEM_SETS; i++) {
		if (sets[i])
			continue;
		s = FW_NEW(struct sem_set);
		if (!s) {
			ret = -ENOMEM;
			break;
		}
		ipc_perm_init(&s->perm, key, flg);
		s->perm.seq = slot_seq[i]++;
		s->nsems = nsems;
		s->ctime = ipc_now();
		s->refs = 1;
		fw_waitq_init(&s->wq, "semset");
		fw_list_init(&s->undos);
		sets[i] = s;
		ret = ipc_id(&s->perm, i);
		break;
	}
	fw_mutex_unlock(&sem_lock);
	return ret;
}

/* ---- undo records ------------------------------------------------------------ */

/* The caller's undo record for s (made if missing): NULL if out of
 * memory. sem_lock held. */
static struct sem_undo *undo_for(struct proc *p, struct sem_set *s, int semid)
{
	struct sem_undo *u;

	FW_LIST_FOR_EACH(u, &p->sem_undos, proc_node)
		if (u->set == s)
			return u;
	u = FW_NEW(struct sem_undo);
	if (!u)
		return NULL;
	u->set = s;
	u->semid = semid;
	fw_list_add_tail(&p->sem_undos, &u->proc_node);
	fw_list_add_tail(&s->undos, &u->set_node);
	return u;
}

static void undo_free(struct sem_undo *u)
{
	fw_list_del(&u->proc_node);
	fw_list_del(&u->set_node);
	fw_free(u);
}

/* SETVAL/SETALL: every process's adjustment of semaphore num (all of
 * them if num < 0) goes to zero, as Linux does. */
static void undo_clear(struct sem_set *s, int num)
{
	struct sem_undo *u;

	FW_LIST_FOR_EACH(u, &s->undos, set_node) {
		if (num < 0)
			memset(u->adj, 0, sizeof u->adj);
		else
			u->adj[num] = 0;
	}
}

void ipc_proc_exit(struct proc *p)
{
	struct sem_undo *u, *tmp;

	fw_mutex_lock(&sem_lock);
	FW_LIST_FOR_EACH_SAFE(u, tmp, &p->sem_undos, proc_node) {
		struct sem_set *s = u->set;

		/* Linux exit_sem: apply each adjustment, clamped to the
		 * semaphore's range. */
		for (int i = 0; i < s->nsems; i++) {
			int32_t v = s->sems[i].val + u->adj[i];

			if (!u->adj[i])
				continue;
			s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
			s->sems[i].pid = p->pid;
		}
		s->otime = ipc_now();
		changed(s);
		undo_free(u);
	}
	fw_mutex_unlock(&sem_lock);
}

/* ---- semop ----------------------------------------------------------------- */

/* Try all of ops on s, in order: 0 if done, -EAGAIN if one must wait
 * (nothing applied; *blocker says which), -ERANGE or -ENOMEM. */
static int try_ops(struct sem_set *s, int semid, const struct sem_ops *ops,
		   int n, int *blocker)
{
	struct proc *p = proc_current();
	struct sem_undo *u = NULL;
	int i, err = 0;

	for (i = 0; i < n; i++) {
		struct k_sembuf op = ops->op[i];
		int32_t v = s->sems[op.sem_num].val;
		if (op.sem_op < 0 && v + op.sem_op < 0) {
			err = -EAGAIN;
			break;
		}
		if (op.sem_op == 0 && v != 0) {
			err = -EAGAIN;
			break;
		}
		if (v + op.sem_op > SEMVMX) {
			err = -ERANGE;
			break;
		}
		if ((op.sem_flg & SEM_UNDO) && op.sem_op) {
			if (!u && !(u = undo_for(p, s, semid))) {
				err = -ENOMEM;
				break;
			}
			int32_t adj = u->adj[op.sem_num] - op.sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				err = -ERANGE;
				break;
			}
			u->adj[op.sem_num] = (int16_t)adj;
		}
		s->sems[op.sem_num].val = v + op.sem_op;
	}
	if (err) {
		*blocker = i;
		/* Roll back what was applied, newest first. */
		while (i-- > 0) {
			struct k_sembuf op = ops->op[i];

			s->sems[op.sem_num].val -= op.sem_op;
			if ((op.sem_flg & SEM_UNDO) && op.sem_op && u)
				u->adj[op.sem_num] = (int16_t)(u->adj[op.sem_num] +
							       op.sem_op);
		}
		return err;
	}
	for (i = 0; i < n; i++)
		s->sems[ops->op[i].sem_num].pid = p->pid;
	s->otime = ipc_now();
	changed(s);
	return 0;
}

static long do_semtimedop(int semid, fw_uptr_t usops, long nsops,
			  uint64_t deadline)
{
	struct sem_ops *ops;
	struct sem_set *s;
	bool alter = false;
	long ret;

	if (nsops < 1)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	ops = FW_NEW(struct sem_ops);
	if (!ops)
		return -ENOMEM;
	for (long i = 0; i < nsops; i++) {
		if (FW_COPY_IN_OBJ(&ops->op[i],
				   fw_uptr_add(usops, (uint64_t)i * sizeof ops->op[0]))) {
			fw_free(ops);
			return -EFAULT;
		}
	}
	fw_mutex_lock(&sem_lock);
	ret = set_lookup(semid, &s, NULL);
	for (long i = 0; !ret && i < nsops; i++) {
		if (ops->op[i].sem_num >= s->nsems)
			ret = -EFBIG;
		else if (ops->op[i].sem_op)
			alter = true;
	}
	if (!ret && !ipc_may(&s->perm, alter ? 2 : 4))
		ret = -EACCES;
	while (!ret) {
		int blocker = 0, wret = 0;
		uint64_t seen;
		struct k_sembuf op;
		struct sem *b;

		ret = try_ops(s, semid, ops, (int)nsops, &blocker);
		if (ret != -EAGAIN)
			break;
		op = ops->op[blocker];
		if (op.sem_flg & IPC_NOWAIT)
			break;
		/* Sleep until the set changes; count as waiting on the
		 * semaphore that blocked (semctl GETNCNT/GETZCNT). */
		b = &s->sems[op.sem_num];
		if (op.sem_op)
			b->ncnt++;
		else
			b->zcnt++;
		s->refs++;
		seen = s->gen;
		fw_mutex_unlock(&sem_lock);
		if (deadline == UINT64_MAX)
			FW_WAIT_EVENT(&s->wq,
				      __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != seen ||
					      signal_pending_current());
		else
			FW_WAIT_EVENT_DEADLINE(&s->wq,
					       __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != seen ||
						       signal_pending_current(),
					       deadline, wret);
		fw_mutex_lock(&sem_lock);
		if (op.sem_op)
			b->ncnt--;
		else
			b->zcnt--;
		if (s->removed) {
			set_put(s);
			ret = -EIDRM;
			break;
		}
		set_put(s);
		if (s->gen != seen)
			ret = 0; /* retry */
		else if (signal_pending_current())
			ret = -EINTR; /* semop is never restarted (signal(7)) */
		else if (wret)
			ret = -EAGAIN; /* timed out */
	}
	fw_mutex_unlock(&sem_lock);
	fw_free(ops);
	return ret;
}

static long sys_semop(const struct sys_args *a)
{
	return do_semtimedop((int)a->arg[0], fw_uptr(a->arg[1]), (long)a->arg[2],
			     UINT64_MAX);
}

static long sys_semtimedop(const struct sys_args *a)
{
	struct k_timespec ts;
	uint64_t deadline = UINT64_MAX;

	if (a->arg[3]) {
		if (FW_COPY_IN_OBJ(&ts, fw_uptr(a->arg[3])))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = fw_time_ns() + (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC +
			   (uint64_t)ts.tv_nsec;
	}
	return do_semtimedop((int)a->arg[0], fw_uptr(a->arg[1]), (long)a->arg[2],
			     deadline);
}

/* ---- semctl ------------------------------------------------------------------ */

static void fill_stat(const struct sem_set *s, struct k_semid64_ds *ds)
{
	*ds = (struct k_semid64_ds){ 0 };
	ipc_perm_out(&s->perm, &ds->sem_perm);
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->ctime;
	ds->sem_nsems = (uint64_t)s->nsems;
}

static long sem_info(int cmd, fw_uptr_t buf)
{
	struct k_seminfo si = {
		.semmap = SEM_SETS * SEMMSL, .semmni = SEM_SETS,
		.semmns = SEM_SETS * SEMMSL, .semmnu = SEM_SETS * SEMMSL,
		.semmsl = SEMMSL, .semopm = SEMOPM, .semume = SEMOPM,
		.semusz = 20, .semvmx = SEMVMX, .semaem = SEMAEM,
	};
	int highest = 0, inuse = 0, nsems = 0;

	fw_mutex_lock(&sem_lock);
	for (int i = 0; i < SEM_SETS; i++) {
		if (!sets[i])
			continue;
		highest = i;
		inuse++;
		nsems += sets[i]->nsems;
	}
	fw_mutex_unlock(&sem_lock);
	if (cmd == SEM_INFO) {
		/* Linux: SEM_INFO reports use, not limits, in these two. */
		si.semusz = inuse;
		si.semaem = nsems;
	}
	if (FW_COPY_OUT_OBJ(buf, &si))
		return -EFAULT;
	return highest;
}

/* The unsigned short array of GETALL/SETALL. */
struct sem_vals {
	uint16_t v[SEMMSL];
};

static long sys_semctl(const struct sys_args *a)
{
	int semid = (int)a->arg[0], num = (int)a->arg[1];
	int cmd = (int)a->arg[2] & ~IPC_64;
	uint64_t arg = a->arg[3];
	struct k_semid64_ds ds;
	struct sem_vals vals;
	struct sem_set *s;
	int slot;
	long ret = 0;

	if (cmd == IPC_INFO || cmd == SEM_INFO)
		return sem_info(cmd, fw_uptr(arg));
	fw_mutex_lock(&sem_lock);
	if (cmd == SEM_STAT || cmd == SEM_STAT_ANY) {
		/* semid is a table index here; the id is the result. */
		slot = semid;
		if (slot < 0 || slot >= SEM_SETS || !sets[slot]) {
			fw_mutex_unlock(&sem_lock);
			return -EINVAL;
		}
		s = sets[slot];
		ret = cmd == SEM_STAT && !ipc_may(&s->perm, 4) ? -EACCES : ipc_id(&s->perm, slot);
		if (ret >= 0)
			fill_stat(s, &ds);
		fw_mutex_unlock(&sem_lock);
		if (ret >= 0 && FW_COPY_OUT_OBJ(fw_uptr(arg), &ds))
			return -EFAULT;
		return ret;
	}
	ret = set_lookup(semid, &s, &slot);
	if (ret)
		goto out;
	switch (cmd) {
	case IPC_RMID: {
		struct sem_undo *u, *tmp;

		if (!ipc_owner_or_root(&s->perm)) {
			ret = -EPERM;
			break;
		}
		FW_LIST_FOR_EACH_SAFE(u, tmp, &s->undos, set_node)
			undo_free(u);
		sets[slot] = NULL;
		s->removed = true;
		changed(s); /* sleepers see removed: EIDRM */
		set_put(s);
		break;
	}
	case IPC_SET:
		if (!ipc_owner_or_root(&s->perm)) {
			ret = -EPERM;
			break;
		}
		fw_mutex_unlock(&sem_lock);
		if (FW_COPY_IN_OBJ(&ds, fw_uptr(arg)))
			return -EFAULT;
		fw_mutex_lock(&sem_lock);
		if (set_lookup(semid, &s, NULL)) {
			ret = -EINVAL;
			break;
		}
		ipc_perm_set(&s->perm, &ds.sem_perm);
		s->ctime = ipc_now();
		break;
	case IPC_STAT:
		if (!ipc_may(&s->perm, 4)) {
			ret = -EACCES;
			break;
		}
		fill_stat(s, &ds);
		fw_mutex_unlock(&sem_lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &ds) ? -EFAULT : 0;
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		if (num < 0 || num >= s->nsems) {
			ret = -EINVAL;
			break;
		}
		if (!ipc_may(&s->perm, 4)) {
			ret = -EACCES;
			break;
		}
		ret = cmd == GETVAL	 ? s->sems[num].val
		      : cmd == GETPID	 ? s->sems[num].pid
		      : cmd == GETNCNT ? (long)s->sems[num].ncnt
				       : (long)s->sems[num].zcnt;
		break;
	case GETALL:
		if (!ipc_may(&s->perm, 4)) {
			ret = -EACCES;
			break;
		}
		memset(&vals, 0, sizeof vals);
		for (int i = 0; i < s->nsems; i++)
			vals.v[i] = (uint16_t)s->sems[i].val;
		{
			int n = s->nsems;
			struct fw_bytes b;
			fw_mutex_unlock(&sem_lock);
			if (fw_bytes_sub(FW_BYTES_OF_ARRAY(vals.v), 0,
					 (size_t)n * sizeof vals.v[0], &b) ||
			    fw_copy_out(fw_uptr(arg), b))
				return -EFAULT;
			return 0;
		}
	case SETVAL:
		if (num < 0 || num >= s->nsems) {
			ret = -EINVAL;
			break;
		}
		if ((int)arg < 0 || (int)arg > SEMVMX) {
			ret = -ERANGE;
			break;
		}
		if (!ipc_may(&s->perm, 2)) {
			ret = -EACCES;
			break;
		}
		s->sems[num].val = (int32_t)arg;
		s->sems[num].pid = proc_current()->pid;
		undo_clear(s, num);
		s->ctime = ipc_now();
		changed(s);
		break;
	case SETALL: {
		int n = s->nsems;
		struct fw_buf b;

		if (!ipc_may(&s->perm, 2)) {
			ret = -EACCES;
			break;
		}
		fw_mutex_unlock(&sem_lock);
		if (fw_buf_sub(FW_BUF_OF_ARRAY(vals.v), 0,
			       (size_t)n * sizeof vals.v[0], &b) ||
		    fw_copy_in(b, fw_uptr(arg)))
			return -EFAULT;
		for (int i = 0; i < n; i++)
			if (vals.v[i] > SEMVMX)
				return -ERANGE;
		fw_mutex_lock(&sem_lock);
		if (set_lookup(semid, &s, NULL) || s->nsems != n) {
			ret = -EIDRM;
			break;
		}
		for (int i = 0; i < n; i++) {
			s->sems[i].val = vals.v[i];
			s->sems[i].pid = proc_current()->pid;
		}
		undo_clear(s, -1);
		s->ctime = ipc_now();
		changed(s);
		break;
	}
	default:
		ret = -EINVAL;
	}
out:
	fw_mutex_unlock(&sem_lock);
	return ret;
}

static const struct sys_entry sem_syscalls[] = {
	{ __NR_semget, "semget", sys_semget },
	{ __NR_semop, "semop", sys_semop },
	{ __NR_semtimedop, "semtimedop", sys_semtimedop },
	{ __NR_semctl, "semctl", sys_semctl },
};

void ipc_sem_init(void)
{
	fw_mutex_init(&sem_lock, "sysv-sem");
	SYSCALL_REGISTER_TABLE(sem_syscalls);
}

void ipc_sem_proc(struct procfs_seq *s)
{
	fw_mutex_lock(&sem_lock);
	for (int i = 0; i < SEM_SETS; i++) {
		const struct sem_set *m = sets[i];

		if (!m)
			continue;
		/* Linux's sysvipc_sem_proc_show */
		procfs_printf(s, "%10d %10d  %4o %10d %5u %5u %5u %5u %10lld %10lld\n",
			      m->perm.key, ipc_id(&m->perm, i), m->perm.mode,
			      m->nsems, m->perm.uid, m->perm.gid, m->perm.cuid,
			      m->perm.cgid, (long long)m->otime,
			      (long long)m->ctime);
	}
	fw_mutex_unlock(&sem_lock);
}
