/* services/ipc/msg.c: System V message queues: msgget, msgsnd, msgrcv,
 * msgctl (man 2 msgget, msgop, msgctl; Linux ipc/msg.c).
 *
 * Layer: services (safe C), see ipc.h. Linux's default limits: a message
 * holds at most MSGMAX (8192) bytes, a queue MSGMNB (16384) bytes unless
 * root raises msg_qbytes, and as many messages as it has bytes; at most
 * MSG_QUEUES (32000, Linux's MSGMNI) queues at once.
 *
 * One mutex (msg_lock) guards every queue; nothing sleeps holding it.
 * Senders waiting for room and receivers waiting for a message sleep on
 * the queue's waitq until its generation changes (every send, receive,
 * IPC_SET and IPC_RMID bumps it and wakes all), holding a reference so
 * IPC_RMID cannot free it under them; they then see EIDRM. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/list.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "ipc/ipc.h"
#include "proc/proc.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define MSGMAX 8192
#define MSGMNB 16384
#define MSG_QUEUES 32000 /* Linux MSGMNI */
#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13

struct msg {
	struct fw_list node; /* on queue->msgs, oldest first */
	int64_t type;
	size_t len;
	struct fw_buf text;  /* len bytes (none when len is 0) */
};

struct msg_queue {
	struct ipc_perm_k perm;
	struct fw_list msgs;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	int64_t stime, rtime, ctime;
	bool removed;
	unsigned refs;   /* the table's, and one per sleeper */
	uint64_t gen;
	struct fw_waitq wq;
};

/* struct msqid64_ds (x86-64). */
struct k_msqid64_ds {
	struct k_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};
FW_STATIC_ASSERT(sizeof(struct k_msqid64_ds) == 120, "msqid64_ds layout");

struct k_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

static struct msg_queue *queues[MSG_QUEUES];
static uint16_t slot_seq[MSG_QUEUES];
static struct fw_mutex msg_lock;

static int queue_lookup(int id, struct msg_queue **out, int *slot_out)
{
	int slot = ipc_id_slot(id, MSG_QUEUES);

	if (slot < 0 || !queues[slot] || !ipc_id_current(id, &queues[slot]->perm))
		return -EINVAL;
	*out = queues[slot];
	if (slot_out)
		*slot_out = slot;
	return 0;
}

static void changed(struct msg_queue *q)
{
	__atomic_store_n(&q->gen, q->gen + 1, __ATOMIC_RELEASE);
	fw_waitq_wake_all(&q->wq);
}

static void msg_free(struct msg *m)
{
	if (m->len)
		fw_buf_free(&m->text);
	fw_free(m);
}

static void queue_put(struct msg_queue *q)
{
	struct msg *m, *tmp;

	if (--q->refs)
		return;
	FW_LIST_FOR_EACH_SAFE(m, tmp, &q->msgs, node) {
		fw_list_del(&m->node);
		msg_free(m);
	}
	fw_free(q);
}

/* Sleep until q changes (or a signal or q's removal): 0 to look again,
 * -EIDRM, -EINTR. msg_lock held; dropped while asleep. */
static int wait_change(struct msg_queue *q)
{
	uint64_t seen = q->gen;
	int ret = 0;

	q->refs++;
	fw_mutex_unlock(&msg_lock);
	FW_WAIT_EVENT(&q->wq, __atomic_load_n(&q->gen, __ATOMIC_ACQUIRE) != seen ||
				      signal_pending_current());
	fw_mutex_lock(&msg_lock);
	if (q->removed)
		ret = -EIDRM;
	else if (q->gen == seen && signal_pending_current())
		ret = -EINTR; /* never restarted, SA_RESTART or not (signal(7)) */
	queue_put(q);
	return ret;
}

static long sys_msgget(const struct sys_args *a)
{
	int32_t key = (int32_t)a->arg[0];
	int flg = (int)a->arg[1];
	struct msg_queue *q;
	long ret;

	fw_mutex_lock(&msg_lock);
	if (key != IPC_PRIVATE) {
		for (int i = 0; i < MSG_QUEUES; i++) {
			q = queues[i];
			if (!q || q->perm.key != key)
				continue;
			if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
				ret = -EEXIST;
			else if (!ipc_may_flags(&q->perm, flg))
				ret = -EACCES;
			else
				ret = ipc_id(&q->perm, i);
			fw_mutex_unlock(&msg_lock);
			return ret;
		}
		if (!(flg & IPC_CREAT)) {
			fw_mutex_unlock(&msg_lock);
			return -ENOENT;
		}
	}
	ret = -ENOSPC;
	for (int i = 0; i < MSG_QUEUES; i++) {
		if (queues[i])
			continue;
		q = FW_NEW(struct msg_queue);
		if (!q) {
			ret = -ENOMEM;
			break;
		}
		ipc_perm_init(&q->perm, key, flg);
		q->perm.seq = slot_seq[i]++;
		fw_list_init(&q->msgs);
		q->qbytes = MSGMNB;
		q->ctime = ipc_now();
		q->refs = 1;
		fw_waitq_init(&q->wq, "msgq");
		queues[i] = q;
		ret = ipc_id(&q->perm, i);
		break;
	}
	fw_mutex_unlock(&msg_lock);
	return ret;
}

static long sys_msgsnd(const struct sys_args *a)
{
	int id = (int)a->arg[0], flg = (int)a->arg[3];
	fw_uptr_t up = fw_uptr(a->arg[1]);
	long size = (long)a->arg[2];
	struct msg_queue *q;
	struct msg *m;
	int64_t type;
	long ret;

	if (size < 0 || size > MSGMAX)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&type, up))
		return -EFAULT;
	if (type < 1)
		return -EINVAL;
	m = FW_NEW(struct msg);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->len = (size_t)size;
	if (size && fw_buf_alloc((size_t)size, &m->text)) {
		fw_free(m);
		return -ENOMEM;
	}
	if (size && fw_copy_in(m->text, fw_uptr_add(up, sizeof type))) {
		msg_free(m);
		return -EFAULT;
	}
	fw_mutex_lock(&msg_lock);
	for (;;) {
		ret = queue_lookup(id, &q, NULL);
		if (ret)
			break;
		if (!ipc_may(&q->perm, 2)) {
			ret = -EACCES;
			break;
		}
		/* Room: bytes, and (as Linux) no more messages than bytes. */
		if (q->cbytes + (uint64_t)size <= q->qbytes && q->qnum + 1 <= q->qbytes) {
			fw_list_add_tail(&q->msgs, &m->node);
			q->cbytes += (uint64_t)size;
			q->qnum++;
			q->lspid = current_pid();
			q->stime = ipc_now();
			changed(q);
			m = NULL;
			break;
		}
		if (flg & IPC_NOWAIT) {
			ret = -EAGAIN;
			break;
		}
		ret = wait_change(q);
		if (ret)
			break;
	}
	fw_mutex_unlock(&msg_lock);
	if (m)
		msg_free(m);
	return ret;
}

/* The message msgrcv's type and flags pick, or NULL. */
static struct msg *pick(struct msg_queue *q, int64_t want, int flg)
{
	struct msg *m, *best = NULL;

	FW_LIST_FOR_EACH(m, &q->msgs, node) {
		if (want == 0)
			return m;
		if (want > 0) {
			if ((m->type == want) != ((flg & MSG_EXCEPT) != 0))
				return m;
		} else if (m->type <= -want && (!best || m->type < best->type)) {
			best = m; /* the lowest type <= |want|, oldest first */
		}
	}
	return best;
}

static long sys_msgrcv(const struct sys_args *a)
{
	int id = (int)a->arg[0], flg = (int)a->arg[4];
	fw_uptr_t up = fw_uptr(a->arg[1]);
	long size = (long)a->arg[2];
	int64_t want = (int64_t)a->arg[3];
	struct msg_queue *q;
	struct msg *m = NULL;
	long ret;

	if (size < 0)
		return -EINVAL;
	if (flg & MSG_COPY)
		return -ENOSYS; /* checkpoint/restore's peek: not here */
	fw_mutex_lock(&msg_lock);
	for (;;) {
		ret = queue_lookup(id, &q, NULL);
		if (ret)
			break;
		if (!ipc_may(&q->perm, 4)) {
			ret = -EACCES;
			break;
		}
		m = pick(q, want, flg);
		if (m) {
			if (m->len > (size_t)size && !(flg & MSG_NOERROR)) {
				m = NULL;
				ret = -E2BIG; /* the message stays */
				break;
			}
			fw_list_del(&m->node);
			q->cbytes -= m->len;
			q->qnum--;
			q->lrpid = current_pid();
			q->rtime = ipc_now();
			changed(q);
			break;
		}
		if (flg & IPC_NOWAIT) {
			ret = -ENOMSG;
			break;
		}
		ret = wait_change(q);
		if (ret)
			break;
	}
	fw_mutex_unlock(&msg_lock);
	if (!m)
		return ret;
	/* Copied out after dequeuing, as Linux: a bad buffer loses it. */
	size_t n = m->len < (size_t)size ? m->len : (size_t)size;
	struct fw_bytes text;
	ret = (long)n;
	if (FW_COPY_OUT_OBJ(up, &m->type))
		ret = -EFAULT;
	else if (n && (fw_bytes_sub(fw_buf_as_bytes(m->text), 0, n, &text) ||
		       fw_copy_out(fw_uptr_add(up, sizeof m->type), text)))
		ret = -EFAULT;
	msg_free(m);
	return ret;
}

static void fill_stat(const struct msg_queue *q, struct k_msqid64_ds *ds)
{
	*ds = (struct k_msqid64_ds){ 0 };
	ipc_perm_out(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static long msg_info(int cmd, fw_uptr_t buf)
{
	struct k_msginfo mi = {
		.msgpool = MSG_QUEUES * MSGMNB / 1024, .msgmap = MSGMNB,
		.msgmax = MSGMAX, .msgmnb = MSGMNB, .msgmni = MSG_QUEUES,
		.msgssz = 16, .msgtql = MSGMNB, .msgseg = 0xffff,
	};
	int highest = 0, inuse = 0, nmsgs = 0, bytes = 0;

	fw_mutex_lock(&msg_lock);
	for (int i = 0; i < MSG_QUEUES; i++) {
		if (!queues[i])
			continue;
		highest = i;
		inuse++;
		nmsgs += (int)queues[i]->qnum;
		bytes += (int)queues[i]->cbytes;
	}
	fw_mutex_unlock(&msg_lock);
	if (cmd == MSG_INFO) {
		/* Linux: MSG_INFO reports use in these three. */
		mi.msgpool = inuse;
		mi.msgmap = nmsgs;
		mi.msgtql = bytes;
	}
	if (FW_COPY_OUT_OBJ(buf, &mi))
		return -EFAULT;
	return highest;
}

static long sys_msgctl(const struct sys_args *a)
{
	int id = (int)a->arg[0], cmd = (int)a->arg[1] & ~IPC_64;
	fw_uptr_t buf = fw_uptr(a->arg[2]);
	struct k_msqid64_ds ds;
	struct msg_queue *q;
	int slot;
	long ret;

	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return msg_info(cmd, buf);
	if (cmd == IPC_SET && FW_COPY_IN_OBJ(&ds, buf))
		return -EFAULT;
	fw_mutex_lock(&msg_lock);
	if (cmd == MSG_STAT || cmd == MSG_STAT_ANY) {
		slot = id;
		if (slot < 0 || slot >= MSG_QUEUES || !queues[slot]) {
			ret = -EINVAL;
			goto out;
		}
		q = queues[slot];
		if (cmd == MSG_STAT && !ipc_may(&q->perm, 4)) {
			ret = -EACCES;
			goto out;
		}
		fill_stat(q, &ds);
		ret = ipc_id(&q->perm, slot);
		fw_mutex_unlock(&msg_lock);
		return FW_COPY_OUT_OBJ(buf, &ds) ? -EFAULT : ret;
	}
	ret = queue_lookup(id, &q, &slot);
	if (ret)
		goto out;
	switch (cmd) {
	case IPC_STAT:
		if (!ipc_may(&q->perm, 4)) {
			ret = -EACCES;
			break;
		}
		fill_stat(q, &ds);
		fw_mutex_unlock(&msg_lock);
		return FW_COPY_OUT_OBJ(buf, &ds) ? -EFAULT : 0;
	case IPC_SET:
		if (!ipc_owner_or_root(&q->perm)) {
			ret = -EPERM;
			break;
		}
		/* Raising the limit past MSGMNB is for root (CAP_SYS_RESOURCE). */
		if (ds.msg_qbytes > MSGMNB && ds.msg_qbytes > q->qbytes &&
		    !cred_capable(fs_cred(), CAP_SYS_RESOURCE)) {
			ret = -EPERM;
			break;
		}
		ipc_perm_set(&q->perm, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		changed(q); /* a sender may fit now */
		break;
	case IPC_RMID:
		if (!ipc_owner_or_root(&q->perm)) {
			ret = -EPERM;
			break;
		}
		queues[slot] = NULL;
		q->removed = true;
		changed(q);
		queue_put(q);
		break;
	default:
		ret = -EINVAL;
	}
out:
	fw_mutex_unlock(&msg_lock);
	return ret;
}

static const struct sys_entry msg_syscalls[] = {
	{ __NR_msgget, "msgget", sys_msgget },
	{ __NR_msgsnd, "msgsnd", sys_msgsnd },
	{ __NR_msgrcv, "msgrcv", sys_msgrcv },
	{ __NR_msgctl, "msgctl", sys_msgctl },
};

void ipc_msg_init(void)
{
	fw_mutex_init(&msg_lock, "sysv-msg");
	SYSCALL_REGISTER_TABLE(msg_syscalls);
}

void ipc_msg_proc(struct procfs_seq *s)
{
	fw_mutex_lock(&msg_lock);
	for (int i = 0; i < MSG_QUEUES; i++) {
		const struct msg_queue *q = queues[i];

		if (!q)
			continue;
		/* Linux's sysvipc_msg_proc_show */
		procfs_printf(s, "%10d %10d  %4o  %10llu %10llu %5d %5d %5u %5u %5u %5u %10lld %10lld %10lld\n",
			      q->perm.key, ipc_id(&q->perm, i), q->perm.mode,
			      (unsigned long long)q->cbytes,
			      (unsigned long long)q->qnum, q->lspid, q->lrpid,
			      q->perm.uid, q->perm.gid, q->perm.cuid,
			      q->perm.cgid, (long long)q->stime,
			      (long long)q->rtime, (long long)q->ctime);
	}
	fw_mutex_unlock(&msg_lock);
}
