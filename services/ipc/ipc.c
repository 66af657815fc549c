/* services/ipc/ipc.c: System V IPC: what its objects share (ids, owners,
 * permission bits: Linux ipc/util.c) and the service's start-up.
 *
 * Layer: services (safe C), above proc; see ipc.h. Semaphore sets are in
 * sem.c, message queues in msg.c, shared memory in shm.c. */
#include <fw/time.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "ipc/ipc.h"

void ipc_perm_init(struct ipc_perm_k *p, int32_t key, int flg)
{
	const struct cred *c = fs_cred();

	p->key = key;
	p->uid = p->cuid = c->euid;
	p->gid = p->cgid = c->egid;
	p->mode = (uint32_t)flg & 0777;
}

bool ipc_may(const struct ipc_perm_k *p, unsigned want)
{
	const struct cred *c = fs_cred();
	unsigned granted = p->mode;

	if (cred_capable(c, CAP_IPC_OWNER))
		return true;
	if (c->euid == p->uid || c->euid == p->cuid)
		granted >>= 6;
	else if (c->egid == p->gid || c->egid == p->cgid)
		granted >>= 3;
	return (want & ~granted & 7) == 0;
}

bool ipc_may_flags(const struct ipc_perm_k *p, int flg)
{
	return ipc_may(p, (unsigned)((flg >> 6) | (flg >> 3) | flg) & 7);
}

bool ipc_owner_or_root(const struct ipc_perm_k *p)
{
	const struct cred *c = fs_cred();
	return cred_capable(c, CAP_SYS_ADMIN) || c->euid == p->uid || c->euid == p->cuid;
}

void ipc_perm_out(const struct ipc_perm_k *p, struct k_ipc64_perm *out)
{
	*out = (struct k_ipc64_perm){ 0 };
	out->key = p->key;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->mode = p->mode;
	out->seq = p->seq;
}

void ipc_perm_set(struct ipc_perm_k *p, const struct k_ipc64_perm *in)
{
	p->uid = in->uid;
	p->gid = in->gid;
	p->mode = (p->mode & ~0777u) | (in->mode & 0777u);
}

int ipc_id(const struct ipc_perm_k *p, int slot)
{
	return (int)p->seq * IPCMNI + slot;
}

int ipc_id_slot(int id, int nslots)
{
	return id < 0 || id % IPCMNI >= nslots ? -1 : id % IPCMNI;
}

bool ipc_id_current(int id, const struct ipc_perm_k *p)
{
	return p && p->seq == id / IPCMNI;
}

int64_t ipc_now(void)
{
	return (int64_t)(fw_time_realtime_ns() / FW_NSEC_PER_SEC);
}

void ipc_init(void)
{
	ipc_sem_init();
	ipc_msg_init();
	ipc_shm_init();
	ipc_mqueue_init();
}

/* /proc/sysvipc: Linux's headers (ipc/util.c sysvipc_proc_open), then
 * the lines each kind writes. */
void procfs_gen_sysvipc(struct procfs_seq *s, unsigned kind)
{
	switch (kind) {
	case PK_SYSVIPC_SHM:
		procfs_printf(s, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
		ipc_shm_proc(s);
		break;
	case PK_SYSVIPC_SEM:
		procfs_printf(s, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
		ipc_sem_proc(s);
		break;
	case PK_SYSVIPC_MSG:
		procfs_printf(s, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
		ipc_msg_proc(s);
		break;
	}
}
