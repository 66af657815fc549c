/* services/ipc/ipc.h: System V IPC: semaphore sets (sem.c), message
 * queues (msg.c), shared memory (shm.c), and what they share (ipc.c);
 * POSIX message queues (mqueue.c).
 *
 * Layer: services (safe C), above proc. Folder services/ipc: System V
 * IPC; it may include proc, fs (procfs: /proc/sysvipc), mm, current and
 * lib. ipc_proc_exit is declared
 * in services/proc/proc.h, which calls it (proc sits below ipc). */
#ifndef SERVICES_IPC_H
#define SERVICES_IPC_H

#include <fw/compiler.h>

#define IPCMNI 32768 /* id = seq * IPCMNI + slot, as Linux */

#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_NOWAIT 04000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3
#define IPC_64 0x100

/* An object's key, owner, creator and mode, and the sequence number its
 * slot had when it was made (so a stale id fails). */
struct ipc_perm_k {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq;
};

/* struct ipc64_perm (x86-64). */
struct k_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
};
FW_STATIC_ASSERT(sizeof(struct k_ipc64_perm) == 48, "ipc64_perm layout");

/* Owner and creator = the caller's effective ids, mode = flg & 0777. */
void ipc_perm_init(struct ipc_perm_k *p, int32_t key, int flg);
/* Linux ipcperms: the caller has the rwx bits `want` (4 read, 2 write or
 * alter) on p (root always); _flags: those asked by a get call's flags. */
bool ipc_may(const struct ipc_perm_k *p, unsigned want);
bool ipc_may_flags(const struct ipc_perm_k *p, int flg);
/* IPC_SET and IPC_RMID: the owner, the creator or root. */
bool ipc_owner_or_root(const struct ipc_perm_k *p);
void ipc_perm_out(const struct ipc_perm_k *p, struct k_ipc64_perm *out);
/* IPC_SET: new owner ids and permission bits. */
void ipc_perm_set(struct ipc_perm_k *p, const struct k_ipc64_perm *in);
/* The id of the object in slot; the slot an id names in a table of
 * nslots (-1 if none), and whether the object there is still the one the
 * id was given for (its sequence number). */
int ipc_id(const struct ipc_perm_k *p, int slot);
int ipc_id_slot(int id, int nslots);
bool ipc_id_current(int id, const struct ipc_perm_k *p);
/* Seconds since the epoch, for the *_time fields. */
int64_t ipc_now(void);

/* The /proc/sysvipc lines of each kind (procfs_gen_sysvipc, ipc.c). */
struct procfs_seq;
void ipc_shm_proc(struct procfs_seq *s);
void ipc_sem_proc(struct procfs_seq *s);
void ipc_msg_proc(struct procfs_seq *s);

/* Register the semaphore and message-queue calls. */
void ipc_init(void);
void ipc_sem_init(void);
void ipc_msg_init(void);
void ipc_shm_init(void);
void ipc_mqueue_init(void);

#endif
