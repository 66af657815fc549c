/* services/fs/tmpfs/memfd.c: memfd_create(2) and file sealing.
 *
 * Layer: services (safe C), tmpfs. A memfd is a regular tmpfs file that
 * no directory names, on a tmpfs of its own (Linux: shm_mnt), opened read
 * and write; /proc/<pid>/fd shows it as "/memfd:NAME (deleted)". Its
 * pages are mapped and written as any tmpfs file's.
 *
 * Seals (fcntl F_ADD_SEALS, F_GET_SEALS) forbid changes from then on, for
 * every opener: F_SEAL_SHRINK and F_SEAL_GROW the size, F_SEAL_WRITE the
 * contents (refused while a shared writable mapping exists: EBUSY),
 * F_SEAL_FUTURE_WRITE new writes and writable mappings, F_SEAL_SEAL more
 * seals. Every tmpfs file has seals (F_SEAL_SEAL, so none can be added);
 * a memfd made with MFD_ALLOW_SEALING starts without any. tmpfs_file.c
 * and the memory service's mmap enforce them. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>
#include <fw/uaccess.h>
#include "current/current.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/mount.h"

#define MFD_CLOEXEC 0x0001u
#define MFD_ALLOW_SEALING 0x0002u
#define MFD_HUGETLB 0x0004u
#define MFD_NAME_MAX 249 /* NAME_MAX less "memfd:" */
#define SEALS_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
		   F_SEAL_FUTURE_WRITE)

static struct superblock *memfd_sb;

/* The memfds' and shared anonymous memory's file system, made at the
 * first call (vfs_ns_lock). No size= limit, as Linux's shm_mnt: memory
 * itself is the limit (a fault the allocator cannot serve goes to the OOM
 * killer, a write says ENOSPC). */
static struct superblock *memfd_fs(void)
{
	fw_mutex_lock(&vfs_ns_lock);
	if (!memfd_sb) {
		memfd_sb = tmpfs_create(vfs_anon_dev(), S_IFDIR | 01777);
		if (memfd_sb)
			atomic_store(&memfd_sb->max_pages, 0);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	return memfd_sb;
}

/* An open file (O_RDWR) of a new unlinked regular file on memfd_fs,
 * named `name` for /proc (NULL: none), or NULL without memory. */
static struct file *unlinked_file(const char *name, bool sealable)
{
	struct superblock *sb = memfd_fs();
	struct vfs_path path = { 0 };
	struct inode *ino;
	struct file *f;

	if (!sb)
		return NULL;
	fw_mutex_lock(&vfs_ns_lock);
	ino = tmpfs_new_unlinked(sb->root, S_IFREG | 0777, fs_cred());
	fw_mutex_unlock(&vfs_ns_lock);
	if (!ino)
		return NULL;
	ino->nlink = 0;
	if (sealable)
		ino->seals = 0;
	path.inode = ino;
	f = file_alloc(&path, ino->fops, O_RDWR | O_LARGEFILE);
	inode_put(ino); /* the file holds it now */
	if (!f)
		return NULL;
	f->name = FW_NEW(struct kname);
	if (f->name)
		snprintf(f->name->s, sizeof f->name->s, "%s", name);
	return f;
}

int tmpfs_shmem_file(uint64_t size, struct file **out)
{
	struct file *f;

	if (size > TMPFS_MAX_FILE_SIZE)
		return -ENOMEM;
	f = unlinked_file("dev/zero", false);
	if (!f)
		return -ENOMEM;
	f->path.inode->size = size;
	*out = f;
	return 0;
}

long sys_memfd_create(const struct sys_args *a)
{
	char name[MFD_NAME_MAX + 1], label[sizeof name + 6];
	unsigned flags = (unsigned)a->arg[1];
	struct file *f;
	long n;
	int fd;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL; /* no hugetlbfs here */
	n = fw_copy_in_str(FW_BUF_OF_ARRAY(name), fw_uptr(a->arg[0]));
	if (n == -ENAMETOOLONG)
		return -EINVAL; /* Linux: a name over 249 bytes */
	if (n < 0)
		return n;
	if (!fd_available(sys_files()))
		return -EMFILE;
	snprintf(label, sizeof label, "memfd:%s", name);
	f = unlinked_file(label, flags & MFD_ALLOW_SEALING);
	if (!f)
		return -ENOMEM;
	fd = fd_install(sys_files(), f, flags & MFD_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* Seals belong to tmpfs files (shmem in Linux); others have none to
 * show or take: EINVAL. */
static bool sealable(const struct file *f)
{
	const struct inode *ino = f->path.inode;

	return ino && S_ISREG(ino->mode) && ino->iops == &tmpfs_iops;
}

long tmpfs_get_seals(struct file *f)
{
	long seals;

	if (!sealable(f))
		return -EINVAL;
	fw_mutex_lock(&f->path.inode->lock);
	seals = f->path.inode->seals;
	fw_mutex_unlock(&f->path.inode->lock);
	return seals;
}

/* Linux memfd_add_seals: only through a descriptor open for writing, no
 * unknown bits, none after F_SEAL_SEAL, and F_SEAL_WRITE not while a
 * shared writable mapping exists. */
long tmpfs_add_seals(struct file *f, uint64_t seals)
{
	struct inode *ino = f->path.inode;
	long err = 0;

	if (!sealable(f))
		return -EINVAL;
	if (!(f->fmode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~(uint64_t)SEALS_ALL)
		return -EINVAL;
	fw_mutex_lock(&ino->lock);
	if (ino->seals & F_SEAL_SEAL)
		err = -EPERM;
	else if ((seals & F_SEAL_WRITE) && atomic_load(&ino->mmap_writable) > 0)
		err = -EBUSY;
	else
		ino->seals |= (uint32_t)seals;
	fw_mutex_unlock(&ino->lock);
	return err;
}
