/* services/ipc/shm.c: System V shared memory (shmget, shmat, shmdt,
 * shmctl), after Linux ipc/shm.c.
 *
 * Layer: services (safe C), ipc. A segment's pages are a frame list
 * (mm/shm_map.c), allocated zeroed by shmget; shmat maps them into the
 * caller as one shared VMA whose pages hold their own references, so fork
 * shares an attachment and exit or munmap ends it like any mapping. The
 * number of attachments is read off the first page's reference count
 * (every attachment maps every page); a segment removed while attached
 * (IPC_RMID) keeps only that first page, marked SHM_DEST with its key
 * gone, and is freed by the next shm call that finds it unattached, as
 * Linux frees it at the last detach. Segments are at most 256 MiB
 * (SHMMAX here; Linux's default has no practical limit), and their pages
 * are never swapped, so SHM_LOCK and SHM_UNLOCK only check permission. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "ipc/ipc.h"
#include "mm/mm.h"
#include "mm/uapi.h"
#include "proc/proc.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define SHM_SEGS 4096			/* SHMMNI */
#define SHMMIN 1
#define SHMMAX ((uint64_t)FRAME_LIST_MAX * FW_PAGE_SIZE)
#define SHMALL_PAGES ((uint64_t)FRAME_LIST_MAX * 4)

#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHM_DEST 01000			/* in shm_perm.mode */
#define SHM_LOCKED 02000
#define SHMLBA FW_PAGE_SIZE

struct shm_seg {
	struct ipc_perm_k perm;
	uint64_t size;			/* bytes asked for */
	struct frame_list *pages;	/* NULL once removed (then first) */
	struct fw_frame *first;		/* the first page, referenced */
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
};

struct k_shmid64_ds {
	struct k_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};
FW_STATIC_ASSERT(sizeof(struct k_shmid64_ds) == 112, "shmid64_ds layout");

struct k_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1, unused2, unused3, unused4;
};

struct k_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static struct shm_seg *segs[SHM_SEGS];
static uint16_t slot_seq[SHM_SEGS];
static struct fw_mutex shm_lock;
static uint64_t shm_pages_total;	/* pages of live segments */

static uint64_t npages(const struct shm_seg *s)
{
	return (s->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
}

/* Every attachment maps the first page: its references are ours (the
 * frame list's while the segment lives, and s->first) and theirs. */
static uint64_t nattch(const struct shm_seg *s)
{
	return fw_frame_refcount(s->first) - (s->pages ? 2 : 1);
}

static void seg_free(int slot)
{
	struct shm_seg *s = segs[slot];

	segs[slot] = NULL;
	if (s->pages)
		shm_pages_total -= npages(s);
	fw_frame_put(s->first);
	frame_list_free(s->pages);
	fw_free(s);
}

/* Removed segments nobody has attached any more go now. shm_lock held. */
static void sweep(void)
{
	for (int i = 0; i < SHM_SEGS; i++)
		if (segs[i] && (segs[i]->perm.mode & SHM_DEST) &&
		    nattch(segs[i]) == 0)
			seg_free(i);
}

static int seg_lookup(int id, int *slot_out)
{
	int slot = ipc_id_slot(id, SHM_SEGS);

	if (slot < 0 || !segs[slot] || !ipc_id_current(id, &segs[slot]->perm))
		return -EINVAL;
	*slot_out = slot;
	return 0;
}

static long seg_create(int32_t key, uint64_t size, int flg)
{
	struct shm_seg *s;
	int slot = -1;
	long err;

	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	for (int i = 0; i < SHM_SEGS && slot < 0; i++)
		if (!segs[i])
			slot = i;
	if (slot < 0)
		return -ENOSPC;
	if (shm_pages_total + (size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE >
	    SHMALL_PAGES)
		return -ENOSPC;
	s = FW_NEW(struct shm_seg);
	if (!s)
		return -ENOMEM;
	s->size = size;
	err = frame_list_alloc(npages(s), &s->pages);
	if (err) {
		fw_free(s);
		return err;
	}
	s->first = frame_list_get(s->pages, 0);
	fw_frame_get(s->first);
	ipc_perm_init(&s->perm, key, flg);
	s->perm.seq = slot_seq[slot]++;
	s->ctime = ipc_now();
	s->cpid = proc_current()->pid;
	segs[slot] = s;
	shm_pages_total += npages(s);
	return ipc_id(&s->perm, slot);
}

static long sys_shmget(const struct sys_args *a)
{
	int32_t key = (int32_t)a->arg[0];
	uint64_t size = a->arg[1];
	int flg = (int)a->arg[2];
	long ret;

	fw_mutex_lock(&shm_lock);
	sweep();
	if (key != IPC_PRIVATE) {
		for (int i = 0; i < SHM_SEGS; i++) {
			struct shm_seg *s = segs[i];

			if (!s || s->perm.key != key || (s->perm.mode & SHM_DEST))
				continue;
			if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
				ret = -EEXIST;
			else if (size > s->size)
				ret = -EINVAL;
			else if (!ipc_may_flags(&s->perm, flg))
				ret = -EACCES;
			else
				ret = ipc_id(&s->perm, i);
			fw_mutex_unlock(&shm_lock);
			return ret;
		}
		if (!(flg & IPC_CREAT)) {
			fw_mutex_unlock(&shm_lock);
			return -ENOENT;
		}
	}
	ret = seg_create(key, size, flg);
	fw_mutex_unlock(&shm_lock);
	return ret;
}

static long sys_shmat(const struct sys_args *a)
{
	int id = (int)a->arg[0], flg = (int)a->arg[2];
	uint64_t addr = a->arg[1], start = 0;
	unsigned prot = PROT_READ;
	struct shm_seg *s;
	int slot, err;

	if (addr & (SHMLBA - 1)) {
		if (!(flg & SHM_RND))
			return -EINVAL;
		addr &= ~(uint64_t)(SHMLBA - 1);
	}
	if ((flg & SHM_REMAP) && !addr)
		return -EINVAL;
	if (!(flg & SHM_RDONLY))
		prot |= PROT_WRITE;
	if (flg & SHM_EXEC)
		prot |= PROT_EXEC;
	fw_mutex_lock(&shm_lock);
	err = seg_lookup(id, &slot);
	if (err)
		goto out_unlock;
	s = segs[slot];
	err = -EACCES;
	if (!ipc_may(&s->perm, (flg & SHM_RDONLY) ? 4 : 6))
		goto out_unlock;
	err = -EIDRM;
	if (!s->pages)
		goto out_unlock; /* removed: only its last attachments live on */
	/* Linux: a fixed address must be free unless SHM_REMAP. */
	err = -EINVAL;
	if (addr && !(flg & SHM_REMAP) &&
	    !mm_range_free(proc_current()->mm, addr, npages(s) * FW_PAGE_SIZE))
		goto out_unlock;
	err = mm_shm_attach(proc_current()->mm, s->pages, addr, addr != 0, prot,
			    &start);
	if (!err) {
		s->atime = ipc_now();
		s->lpid = proc_current()->pid;
	}
out_unlock:
	fw_mutex_unlock(&shm_lock);
	return err ? err : (long)start;
}

static long sys_shmdt(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	struct fw_frame *first = NULL;
	int err;

	if (addr & (SHMLBA - 1))
		return -EINVAL;
	fw_mutex_lock(&shm_lock);
	err = mm_shm_detach(proc_current()->mm, addr, &first);
	for (int i = 0; !err && i < SHM_SEGS; i++)
		if (segs[i] && segs[i]->first == first) {
			segs[i]->dtime = ipc_now();
			segs[i]->lpid = proc_current()->pid;
			break;
		}
	if (first)
		fw_frame_put(first);
	sweep();
	fw_mutex_unlock(&shm_lock);
	return err;
}

static void stat_out(const struct shm_seg *s, struct k_shmid64_ds *ds)
{
	*ds = (struct k_shmid64_ds){ 0 };
	ipc_perm_out(&s->perm, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = nattch(s);
}

static long shm_info(int cmd, fw_uptr_t buf)
{
	int highest = 0, used = 0;

	for (int i = 0; i < SHM_SEGS; i++)
		if (segs[i]) {
			highest = i;
			used++;
		}
	if (cmd == IPC_INFO) {
		struct k_shminfo64 in = {
			.shmmax = SHMMAX, .shmmin = SHMMIN, .shmmni = SHM_SEGS,
			.shmseg = SHM_SEGS, .shmall = SHMALL_PAGES,
		};

		if (FW_COPY_OUT_OBJ(buf, &in))
			return -EFAULT;
	} else {
		struct k_shm_info in = { .used_ids = used,
					 .shm_tot = shm_pages_total,
					 .shm_rss = shm_pages_total };

		if (FW_COPY_OUT_OBJ(buf, &in))
			return -EFAULT;
	}
	return highest; /* Linux: the highest slot in use */
}

static long sys_shmctl(const struct sys_args *a)
{
	int id = (int)a->arg[0], cmd = (int)a->arg[1] & ~IPC_64;
	fw_uptr_t buf = fw_uptr(a->arg[2]);
	struct k_shmid64_ds ds;
	struct shm_seg *s;
	int slot;
	long ret = 0;

	fw_mutex_lock(&shm_lock);
	sweep();
	if (cmd == IPC_INFO || cmd == SHM_INFO) {
		ret = shm_info(cmd, buf);
		goto out;
	}
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY) {
		/* By slot, not id; the id comes back (Linux shm_stat). */
		ret = -EINVAL;
		if (id < 0 || id >= SHM_SEGS || !segs[id])
			goto out;
		s = segs[id];
		ret = -EACCES;
		if (cmd == SHM_STAT && !ipc_may(&s->perm, 4))
			goto out;
		stat_out(s, &ds);
		ret = FW_COPY_OUT_OBJ(buf, &ds) ? -EFAULT : ipc_id(&s->perm, id);
		goto out;
	}
	ret = seg_lookup(id, &slot);
	if (ret)
		goto out;
	s = segs[slot];
	switch (cmd) {
	case IPC_STAT:
		if (!ipc_may(&s->perm, 4)) {
			ret = -EACCES;
			break;
		}
		stat_out(s, &ds);
		ret = FW_COPY_OUT_OBJ(buf, &ds) ? -EFAULT : 0;
		break;
	case IPC_SET:
		if (FW_COPY_IN_OBJ(&ds, buf)) {
			ret = -EFAULT;
			break;
		}
		if (!ipc_owner_or_root(&s->perm)) {
			ret = -EPERM;
			break;
		}
		/* The permission bits only: SHM_DEST and SHM_LOCKED stay. */
		ds.shm_perm.mode = (ds.shm_perm.mode & 0777) |
				   (s->perm.mode & ~0777u);
		ipc_perm_set(&s->perm, &ds.shm_perm);
		s->perm.mode = ds.shm_perm.mode;
		s->ctime = ipc_now();
		break;
	case IPC_RMID:
		if (!ipc_owner_or_root(&s->perm)) {
			ret = -EPERM;
			break;
		}
		s->perm.mode |= SHM_DEST;
		s->perm.key = IPC_PRIVATE;
		s->ctime = ipc_now();
		/* The pages live on in the attachments; only the first is
		 * kept here, to count them. */
		shm_pages_total -= npages(s);
		frame_list_free(s->pages);
		s->pages = NULL;
		sweep();
		break;
	case SHM_LOCK:
	case SHM_UNLOCK:
		if (!ipc_owner_or_root(&s->perm) &&
		    !cred_capable(fs_cred(), CAP_IPC_LOCK)) {
			ret = -EPERM;
			break;
		}
		if (cmd == SHM_LOCK)
			s->perm.mode |= SHM_LOCKED;
		else
			s->perm.mode &= ~(uint32_t)SHM_LOCKED;
		break;
	default:
		ret = -EINVAL;
	}
out:
	fw_mutex_unlock(&shm_lock);
	return ret;
}

static const struct sys_entry shm_syscalls[] = {
	{ __NR_shmget, "shmget", sys_shmget },
	{ __NR_shmat, "shmat", sys_shmat },
	{ __NR_shmdt, "shmdt", sys_shmdt },
	{ __NR_shmctl, "shmctl", sys_shmctl },
};

void ipc_shm_init(void)
{
	fw_mutex_init(&shm_lock, "sysv-shm");
	SYSCALL_REGISTER_TABLE(shm_syscalls);
}

void ipc_shm_proc(struct procfs_seq *s)
{
	fw_mutex_lock(&shm_lock);
	for (int i = 0; i < SHM_SEGS; i++) {
		const struct shm_seg *g = segs[i];

		if (!g)
			continue;
		/* Linux's sysvipc_shm_proc_show */
		procfs_printf(s, "%10d %10d  %4o %21llu %5d %5d  %5llu %5u %5u %5u %5u %10lld %10lld %10lld %21llu %21llu\n",
			      g->perm.key, ipc_id(&g->perm, i), g->perm.mode,
			      (unsigned long long)g->size, g->cpid, g->lpid,
			      (unsigned long long)nattch(g), g->perm.uid,
			      g->perm.gid, g->perm.cuid, g->perm.cgid,
			      (long long)g->atime, (long long)g->dtime,
			      (long long)g->ctime,
			      (unsigned long long)(g->pages ? npages(g) * FW_PAGE_SIZE : 0),
			      0ull);
	}
	fw_mutex_unlock(&shm_lock);
}
