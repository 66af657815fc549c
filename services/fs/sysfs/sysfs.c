/* services/fs/sysfs/sysfs.c: the sys file system.
 *
 * Layer: services (safe C), a file system under the VFS; see sysfs.h.
 * Linux's /sys mirrors its device model; this one holds what programs
 * look for first and the framework can report truthfully:
 *
 *     /sys/devices/system/cpu/{online,possible,present,kernel_max}
 *     /sys/devices/system/cpu/cpuN/            (cpuN/online for N > 0)
 *     /sys/devices/virtual/block/vdX/{dev,size,ro,removable,uevent,...}
 *     /sys/devices/virtual/block/vdX/queue/{logical_block_size,...}
 *     /sys/block/vdX, /sys/class/block/vdX, /sys/dev/block/MAJ:MIN
 *                                              (links to the above)
 *     /sys/devices/virtual/tty/{tty,console,ptmx,ttyS0}/{dev,uevent},
 *     linked from /sys/class/tty/ and /sys/dev/char/MAJ:MIN
 *     /sys/kernel/mm/transparent_hugepage/{enabled,defrag}
 *     /sys/devices/system/cpu/cpuN/cache/indexM/  (sysfs_cache.c)
 *     /sys/devices/pci0000:00/DDDD:BB:DD.F/, /sys/bus/pci/ (sysfs_pci.c)
 *
 * (lscpu, stress-ng, nproc-style code and glibc's get_nprocs read the
 * CPUs; lsblk and udev-less tools the disks; allocators the huge page
 * policy, which says "never": there are no huge pages here). CPUs and
 * disks do not come and go here, so the tree is built once, at the first
 * mount, as directories with tmpfs-style entry lists; each regular file's
 * inode number says what it shows (SYSFS_FILE | attr << 16 | index, the
 * index of the CPU or disk) and its text is generated when it is opened,
 * as procfs does. Nothing can be
 * created, written, removed or renamed: the CPU files Linux lets root
 * write (cpuN/online, to take a CPU off line) are read-only, since this
 * kernel cannot do that. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>

#include "block/blkdev.h"
#include "fs/procfs/procfs.h"
#include "fs/sysfs/sysfs.h"
#include "fs/sysfs/sysfs_internal.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/namei.h"
#include "lib/kdev.h"
#include "lib/kpath.h"

enum sysfs_attr {
	SA_CPU_ONLINE = 1,	/* cpu/online: the CPU list */
	SA_CPU_POSSIBLE,	/* cpu/possible */
	SA_CPU_PRESENT,		/* cpu/present */
	SA_CPU_KERNEL_MAX,	/* cpu/kernel_max: the highest CPU number built for */
	SA_ONE_CPU_ONLINE,	/* cpu/cpuN/online: "1" */
	SA_BLK_DEV,		/* block/vdX/dev: "MAJ:MIN" */
	SA_BLK_SIZE,		/* size: 512-byte sectors */
	SA_BLK_RO,		/* ro: 0 or 1 */
	SA_BLK_REMOVABLE,	/* removable: 0 */
	SA_BLK_UEVENT,		/* uevent: MAJOR, MINOR, DEVNAME, DEVTYPE */
	SA_BLK_ZERO,		/* alignment_offset, discard_*: 0 */
	SA_BLK_SECTOR,		/* queue/{logical,physical}_block_size,
				 * hw_sector_size, minimum_io_size: 512 */
	SA_BLK_ROTATIONAL,	/* queue/rotational: 1, as virtio-blk's */
	SA_BLK_READ_AHEAD_KB,	/* queue/read_ahead_kb */
	SA_BLK_MAX_SECTORS_KB,	/* queue/max_sectors_kb */
	SA_BLK_SCHEDULER,	/* queue/scheduler: "[none]" */
	SA_THP_NEVER,		/* transparent_hugepage/{enabled,defrag} */
	SA_TTY_DEV,		/* tty/NAME/dev */
	SA_TTY_UEVENT,		/* tty/NAME/uevent */
};

/* The terminals every boot has (Linux's numbers; /dev/pts/N are not in
 * sysfs on Linux either). */
static const struct {
	const char *name;
	unsigned major, minor;
} ttys[] = {
	{ "tty", 5, 0 },
	{ "console", 5, 1 },
	{ "ptmx", 5, 2 },
	{ "ttyS0", 4, 64 },
};

#define SYSFS_FILE (1ull << 32) /* above every directory's inode number */
#define REG (S_IFREG | 0444)
#define DIR (S_IFDIR | 0755)
#define NAME(str) (&(const struct kname){ str })

static const struct inode_ops sysfs_iops;
static const struct file_ops sysfs_file_ops;
static struct superblock *sysfs_sb;

/* ---- the files ----------------------------------------------------------- */

/* "0-N" or "0": the CPUs are numbered 0..fw_cpu_count()-1, all online
 * (Linux's cpulist format, lib/vsprintf.c %*pbl). */
static void gen_cpu_list(struct procfs_seq *s)
{
	unsigned n = fw_cpu_count();

	if (n > 1)
		procfs_printf(s, "0-%u\n", n - 1);
	else
		procfs_printf(s, "0\n");
}

/* The index-th disk (the order blkdev_nth gives), or NULL. */
static const struct blkdev *disk(unsigned index)
{
	return blkdev_nth(index);
}

static int generate(unsigned attr, unsigned index, struct procfs_seq *s)
{
	const struct blkdev *d = attr >= SA_BLK_DEV && attr <= SA_BLK_SCHEDULER
					 ? disk(index)
					 : NULL;

	if (attr >= SA_PCI_FIRST && attr <= SA_PCI_LAST)
		return sysfs_pci_generate(attr, index, s);
	if (attr >= SA_CACHE_FIRST && attr <= SA_CACHE_LAST)
		return sysfs_cache_generate(attr, index, s);
	if (attr >= SA_BLK_DEV && attr <= SA_BLK_SCHEDULER && !d)
		return -ENODEV;
	switch (attr) {
	case SA_BLK_DEV:
		procfs_printf(s, "%u:%u\n", dev_major(d->rdev),
			      dev_minor(d->rdev));
		return 0;
	case SA_BLK_SIZE:
		procfs_printf(s, "%llu\n", (unsigned long long)d->nr_sectors);
		return 0;
	case SA_BLK_RO:
		procfs_printf(s, "%d\n", d->read_only ? 1 : 0);
		return 0;
	case SA_BLK_REMOVABLE:
	case SA_BLK_ZERO:
		procfs_printf(s, "0\n");
		return 0;
	case SA_BLK_UEVENT:
		procfs_printf(s, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=disk\n",
			      dev_major(d->rdev), dev_minor(d->rdev), d->name);
		return 0;
	case SA_BLK_SECTOR:
		procfs_printf(s, "%u\n", BLKDEV_SECTOR);
		return 0;
	case SA_BLK_ROTATIONAL:
		procfs_printf(s, "1\n");
		return 0;
	case SA_BLK_READ_AHEAD_KB:
		procfs_printf(s, "128\n");
		return 0;
	case SA_BLK_MAX_SECTORS_KB:
		procfs_printf(s, "%u\n", d->max_segs * (unsigned)FW_PAGE_SIZE / 1024);
		return 0;
	case SA_BLK_SCHEDULER:
		procfs_printf(s, "[none]\n");
		return 0;
	case SA_THP_NEVER:
		procfs_printf(s, "always madvise [never]\n");
		return 0;
	case SA_TTY_DEV:
	case SA_TTY_UEVENT:
		if (index >= FW_ARRAY_LEN(ttys))
			return -ENODEV;
		if (attr == SA_TTY_DEV)
			procfs_printf(s, "%u:%u\n", ttys[index].major,
				      ttys[index].minor);
		else
			procfs_printf(s, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n",
				      ttys[index].major, ttys[index].minor,
				      ttys[index].name);
		return 0;
	case SA_CPU_ONLINE:
	case SA_CPU_POSSIBLE:
	case SA_CPU_PRESENT:
		gen_cpu_list(s);
		return 0;
	case SA_CPU_KERNEL_MAX:
		procfs_printf(s, "%u\n", FW_MAX_CPUS - 1);
		return 0;
	case SA_ONE_CPU_ONLINE:
		procfs_printf(s, "1\n");
		return 0;
	}
	return -EINVAL;
}

static int sysfs_open(struct inode *ino, struct file *f)
{
	struct procfs_snap *snap;
	struct procfs_seq s = { .len = 0, .overflow = false };
	int err;

	if (f->fmode & FMODE_WRITE)
		return -EACCES;
	snap = FW_NEW(struct procfs_snap);
	if (!snap)
		return -ENOMEM;
	err = fw_buf_alloc(FW_PAGE_SIZE, &s.buf);
	if (err) {
		fw_free(snap);
		return err;
	}
	err = generate((unsigned)(ino->ino >> 16) & 0xffffu,
		       (unsigned)ino->ino & 0xffffu, &s);
	if (!err && s.overflow)
		err = -EFBIG; /* no file here comes near a page */
	if (err) {
		fw_buf_free(&s.buf);
		fw_free(snap);
		return err;
	}
	snap->buf = s.buf;
	snap->len = s.len;
	f->snap = snap;
	return 0;
}

static const struct file_ops sysfs_file_ops = {
	.open = sysfs_open,
	.read = procfs_snap_read,
	.llseek = procfs_snap_llseek,
	.release = procfs_snap_release,
};

/* ---- the name space: fixed ------------------------------------------------ */

/* The errors Linux's VFS gives where kernfs has no operation: creating a
 * file EACCES (vfs_create), mkdir, mknod, symlink, link, unlink and
 * rename EPERM. */
static int sysfs_create(struct inode *dir, const struct kname *name,
			uint32_t mode, uint32_t rdev, const struct cred *c,
			struct inode **out)
{
	return S_ISREG(mode) ? -EACCES : -EPERM;
}

static int sysfs_symlink(struct inode *dir, const struct kname *name,
			 const struct kpath *target, const struct cred *c,
			 struct inode **out)
{
	return -EPERM;
}

static int sysfs_link(struct inode *dir, const struct kname *name,
		      struct inode *target)
{
	return -EPERM;
}

static int sysfs_unlink(struct inode *dir, const struct kname *name)
{
	return -EPERM;
}

static int sysfs_rename(struct inode *odir, const struct kname *oname,
			struct inode *ndir, const struct kname *nname,
			unsigned flags)
{
	return -EPERM;
}

static int sysfs_truncate(struct inode *ino, uint64_t size)
{
	return -EACCES;
}

static bool sysfs_dir_empty(struct inode *dir)
{
	return fw_list_empty(&dir->dirents);
}

/* A link's target, kept in ino->link when the tree was built. */
static int sysfs_readlink(struct inode *ino, struct kpath *out)
{
	if (!ino->link)
		return -EINVAL;
	*out = *ino->link;
	return 0;
}

static const struct inode_ops sysfs_link_iops = {
	.readlink = sysfs_readlink,
};

static const struct inode_ops sysfs_iops = {
	.lookup = tmpfs_dir_lookup,
	.create = sysfs_create,
	.symlink = sysfs_symlink,
	.link = sysfs_link,
	.unlink = sysfs_unlink,
	.rename = sysfs_rename,
	.truncate = sysfs_truncate,
	.iterate = tmpfs_dir_iterate,
	.dir_empty = sysfs_dir_empty,
};

/* ---- building the tree ----------------------------------------------------- */

/* A new node named name in dir (NULL for the root): a directory, a
 * link (add_link), or the file showing attr of CPU or disk index. The
 * tree keeps the only reference, in dir's entry list, for good. */
struct inode *sysfs_add_node(struct inode *dir, const struct kname *name,
			      uint32_t mode, unsigned attr, unsigned index)
{
	struct inode *ino = inode_alloc(sysfs_sb, mode);

	if (!ino)
		return NULL;
	ino->iops = &sysfs_iops;
	if (S_ISDIR(mode)) {
		ino->fops = &tmpfs_dir_ops;
		ino->nlink = 2;
	} else if (S_ISLNK(mode)) {
		ino->iops = &sysfs_link_iops;
		ino->nlink = 1;
	} else {
		ino->ino = SYSFS_FILE | (uint64_t)attr << 16 | index;
		ino->fops = &sysfs_file_ops;
		ino->nlink = 1;
	}
	if (!dir) {
		ino->parent = ino; /* ".." of the root is itself (no reference) */
		return ino;
	}
	if (tmpfs_dir_add(dir, name, ino)) {
		inode_put(ino);
		return NULL;
	}
	inode_put(ino); /* the entry holds it now */
	inode_get(dir);
	ino->parent = dir;
	if (S_ISDIR(mode))
		dir->nlink++;
	return ino;
}

/* /sys/devices/system/cpu under root; false if memory ran out. */
static bool build_cpus(struct inode *root)
{
	struct inode *devices = sysfs_add_node(root, NAME("devices"), DIR, 0, 0);
	struct inode *system =
		devices ? sysfs_add_node(devices, NAME("system"), DIR, 0, 0) : NULL;
	struct inode *cpu = system ? sysfs_add_node(system, NAME("cpu"), DIR, 0, 0) : NULL;

	if (!cpu || !sysfs_add_node(cpu, NAME("online"), REG, SA_CPU_ONLINE, 0) ||
	    !sysfs_add_node(cpu, NAME("possible"), REG, SA_CPU_POSSIBLE, 0) ||
	    !sysfs_add_node(cpu, NAME("present"), REG, SA_CPU_PRESENT, 0) ||
	    !sysfs_add_node(cpu, NAME("kernel_max"), REG, SA_CPU_KERNEL_MAX, 0))
		return false;
	for (unsigned i = 0; i < fw_cpu_count(); i++) {
		struct kname name;
		struct inode *d;

		snprintf(name.s, sizeof(name.s), "cpu%u", i);
		d = sysfs_add_node(cpu, &name, DIR, 0, 0);
		/* Linux has no cpu0/online where the boot CPU cannot go off
		 * line, as on x86 by default. */
		if (!d || (i > 0 && !sysfs_add_node(d, NAME("online"), REG,
					      SA_ONE_CPU_ONLINE, i)) ||
		    !sysfs_cache_build(d, i))
			return false;
	}
	return true;
}

/* The read-only file name in dir showing attr of CPU or disk index. */
struct inode *sysfs_add_file(struct inode *dir, const char *name,
			      unsigned attr, unsigned index)
{
	struct kname n;

	snprintf(n.s, sizeof(n.s), "%s", name);
	return sysfs_add_node(dir, &n, REG, attr, index);
}

/* A symbolic link name in dir to target (a path relative to dir). */
bool sysfs_add_link(struct inode *dir, const char *name, const char *target)
{
	struct kname n;
	struct inode *ino;

	snprintf(n.s, sizeof(n.s), "%s", name);
	ino = sysfs_add_node(dir, &n, S_IFLNK | 0777, 0, 0);
	if (!ino)
		return false;
	ino->link = kpath_alloc();
	if (!ino->link)
		return false;
	snprintf(ino->link->s, sizeof(ino->link->s), "%s", target);
	ino->size = strnlen(ino->link->s, sizeof(ino->link->s));
	return true;
}

/* A directory name in dir, or the one already there. */
struct inode *sysfs_subdir(struct inode *dir, const char *name)
{
	struct kname n;
	struct tmpfs_dirent *d;

	if (!dir)
		return NULL;
	snprintf(n.s, sizeof(n.s), "%s", name);
	FW_LIST_FOR_EACH(d, &dir->dirents, node)
		if (strcmp(d->name.s, n.s) == 0)
			return d->inode;
	return sysfs_add_node(dir, &n, DIR, 0, 0);
}

/* One disk's directory under devices/virtual/block and the links Linux
 * has to it (block/, class/block/, dev/block/MAJ:MIN). */
static bool build_disk(struct inode *root, unsigned i, const struct blkdev *d)
{
	static const struct { const char *name; unsigned attr; } files[] = {
		{ "dev", SA_BLK_DEV },
		{ "size", SA_BLK_SIZE },
		{ "ro", SA_BLK_RO },
		{ "removable", SA_BLK_REMOVABLE },
		{ "uevent", SA_BLK_UEVENT },
		{ "alignment_offset", SA_BLK_ZERO },
		{ "discard_alignment", SA_BLK_ZERO },
	}, queue[] = {
		{ "logical_block_size", SA_BLK_SECTOR },
		{ "physical_block_size", SA_BLK_SECTOR },
		{ "hw_sector_size", SA_BLK_SECTOR },
		{ "minimum_io_size", SA_BLK_SECTOR },
		{ "optimal_io_size", SA_BLK_ZERO },
		{ "discard_granularity", SA_BLK_ZERO },
		{ "discard_max_bytes", SA_BLK_ZERO },
		{ "rotational", SA_BLK_ROTATIONAL },
		{ "read_ahead_kb", SA_BLK_READ_AHEAD_KB },
		{ "max_sectors_kb", SA_BLK_MAX_SECTORS_KB },
		{ "scheduler", SA_BLK_SCHEDULER },
	};
	struct inode *virt = sysfs_subdir(sysfs_subdir(root, "devices"), "virtual");
	struct inode *blk = virt ? sysfs_subdir(virt, "block") : NULL;
	struct inode *dir = blk ? sysfs_subdir(blk, d->name) : NULL;
	struct inode *q = dir ? sysfs_subdir(dir, "queue") : NULL;
	struct inode *devblk = sysfs_subdir(sysfs_subdir(root, "dev"), "block");
	struct inode *cls = sysfs_subdir(sysfs_subdir(root, "class"), "block");
	struct inode *top = sysfs_subdir(root, "block");
	char target[64], devno[16];

	if (!q || !devblk || !cls || !top)
		return false;
	for (unsigned k = 0; k < FW_ARRAY_LEN(files); k++)
		if (!sysfs_add_file(dir, files[k].name, files[k].attr, i))
			return false;
	for (unsigned k = 0; k < FW_ARRAY_LEN(queue); k++)
		if (!sysfs_add_file(q, queue[k].name, queue[k].attr, i))
			return false;
	snprintf(target, sizeof target, "../devices/virtual/block/%s", d->name);
	if (!sysfs_add_link(top, d->name, target))
		return false;
	snprintf(target, sizeof target, "../../devices/virtual/block/%s",
		 d->name);
	snprintf(devno, sizeof devno, "%u:%u", dev_major(d->rdev),
		 dev_minor(d->rdev));
	return sysfs_add_link(cls, d->name, target) && sysfs_add_link(devblk, devno, target);
}

/* The terminals' directories and their links. */
static bool build_ttys(struct inode *root)
{
	struct inode *dir = sysfs_subdir(sysfs_subdir(sysfs_subdir(root, "devices"), "virtual"),
				   "tty");
	struct inode *cls = sysfs_subdir(sysfs_subdir(root, "class"), "tty");
	struct inode *chr = sysfs_subdir(sysfs_subdir(root, "dev"), "char");
	char target[64], devno[16];

	if (!dir || !cls || !chr)
		return false;
	for (unsigned i = 0; i < FW_ARRAY_LEN(ttys); i++) {
		struct inode *d = sysfs_subdir(dir, ttys[i].name);

		if (!d || !sysfs_add_file(d, "dev", SA_TTY_DEV, i) ||
		    !sysfs_add_file(d, "uevent", SA_TTY_UEVENT, i))
			return false;
		snprintf(target, sizeof target, "../../devices/virtual/tty/%s",
			 ttys[i].name);
		snprintf(devno, sizeof devno, "%u:%u", ttys[i].major,
			 ttys[i].minor);
		if (!sysfs_add_link(cls, ttys[i].name, target) ||
		    !sysfs_add_link(chr, devno, target))
			return false;
	}
	return true;
}

/* Every disk, the empty dev/block and class/block if there is none
 * (lsblk wants them), the terminals, and the huge page policy. */
static bool build_rest(struct inode *root)
{
	struct inode *thp;
	const struct blkdev *d;

	if (!sysfs_subdir(sysfs_subdir(root, "dev"), "block") ||
	    !sysfs_subdir(sysfs_subdir(root, "class"), "block") || !sysfs_subdir(root, "block"))
		return false;
	for (unsigned i = 0; (d = disk(i)) != NULL; i++)
		if (!build_disk(root, i, d))
			return false;
	if (!build_ttys(root) || !sysfs_pci_build(root))
		return false;
	thp = sysfs_subdir(sysfs_subdir(sysfs_subdir(root, "kernel"), "mm"),
		     "transparent_hugepage");
	return thp && sysfs_add_node(thp, NAME("enabled"), REG, SA_THP_NEVER, 0) &&
	       sysfs_add_node(thp, NAME("defrag"), REG, SA_THP_NEVER, 0);
}

/* Undo a tree half built when memory ran out: leaves first, since each
 * node holds a reference on its directory (tmpfs_evict lets go of it). */
static void drop_tree(struct inode *dir)
{
	struct tmpfs_dirent *d, *tmp;

	FW_LIST_FOR_EACH_SAFE(d, tmp, &dir->dirents, node) {
		fw_list_del(&d->node);
		if (S_ISDIR(d->inode->mode))
			drop_tree(d->inode);
		inode_put(d->inode);
		fw_free(d);
	}
}

int sysfs_get_sb(struct superblock **out)
{
	struct superblock *sb;
	struct inode *root;

	/* Called from mount(2) without vfs_ns_lock; take it so two first
	 * mounts do not both build one. */
	fw_mutex_lock(&vfs_ns_lock);
	if (sysfs_sb) {
		*out = sysfs_sb;
		fw_mutex_unlock(&vfs_ns_lock);
		return 0;
	}
	sb = FW_NEW(struct superblock);
	if (!sb) {
		fw_mutex_unlock(&vfs_ns_lock);
		return -ENOMEM;
	}
	sb->dev = vfs_anon_dev();
	sb->magic = SYSFS_MAGIC;
	sb->fstype = "sysfs";
	atomic_init(&sb->next_ino, 1);
	sysfs_sb = sb; /* add_node allocates in it */
	root = sysfs_add_node(NULL, NAME(""), DIR, 0, 0);
	if (!root || !build_cpus(root) || !build_rest(root)) {
		if (root) {
			drop_tree(root);
			inode_put(root);
		}
		sysfs_sb = NULL;
		fw_free(sb);
		fw_mutex_unlock(&vfs_ns_lock);
		return -ENOMEM;
	}
	sb->root = root;
	*out = sb;
	fw_mutex_unlock(&vfs_ns_lock);
	return 0;
}
