/* services/fs/procfs/procfs_sys.c: the system-wide files of /proc: meminfo,
 * cpuinfo, uptime, loadavg, version, filesystems, stat, mounts and the
 * read-only part of /proc/sys/kernel.
 *
 * Layer: services (safe C), procfs contents. Formats follow proc(5) and
 * Linux 6.1's fs/proc/ sources, because tools (busybox free, top, uptime,
 * mount, df) parse them by field position. What this kernel does not
 * track is printed as 0 rather than invented; see the notes at each file. */
#include <fw/cpu.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/lockstat.h>
#include <fw/string.h>
#include <fw/time.h>
#include <fw/boot.h>
#include <fw/version.h>

#include "block/bcache.h"
#include "fs/cache/pagecache.h"
#include "fs/ext2/ext2.h"
#include "fs/vfs/chardev.h" /* dev_major, dev_minor */
#include "fs/vfs/mount.h"
#include "fs/procfs/procfs.h"

#define KERNEL_RELEASE "6.1.0-framekernel" /* as uname(2) says (proc/misc.c) */
#define KERNEL_UTS_VERSION "#1 SMP framekernel " FW_VERSION
#define USER_HZ 100ull
#define NS_PER_TICK (FW_NSEC_PER_SEC / USER_HZ)

extern struct superblock *devtmpfs_sb;

/* The name mount(2) and /proc/mounts use for sb's file system. */
static const char *fs_name(const struct superblock *sb)
{
	if (sb == devtmpfs_sb)
		return "devtmpfs";
	return sb->fstype ? sb->fstype : "none";
}

/* Pages of tmpfs data in every mounted tmpfs (Linux counts them in
 * Cached and Shmem). Each superblock counted once. */
static uint64_t tmpfs_pages(void)
{
	struct superblock *seen[32];
	unsigned nseen = 0;
	uint64_t pages = 0;
	struct mount *m = NULL;

	fw_mutex_lock(&vfs_ns_lock);
	while ((m = vfs_mount_next(m)) != NULL) {
		bool dup = false;

		if (m->sb->magic != TMPFS_MAGIC)
			continue;
		for (unsigned i = 0; i < nseen; i++)
			dup |= seen[i] == m->sb;
		if (dup)
			continue;
		if (nseen < FW_ARRAY_LEN(seen))
			seen[nseen++] = m->sb;
		pages += atomic_load(&m->sb->nr_pages);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	return pages;
}

static void kb(struct procfs_seq *s, const char *label, uint64_t kbytes)
{
	procfs_printf(s, "%-16s%8llu kB\n", label, (unsigned long long)kbytes);
}

/* Memory: the frame allocator's counters (all RAM, in pages) and the
 * kernel heap. tmpfs pages are shared memory, counted in Cached and Shmem
 * as Linux does, and not in MemAvailable; the page cache of disk files is
 * Cached too, and its clean pages count as available (the reclaimer gives
 * them back when memory runs short), its pages written through shared
 * mappings as Dirty; the block cache is Buffers (and Dirty), and not in
 * MemAvailable, as it only shrinks to its own limit. The cache has one
 * LRU list, not Linux's active and inactive ones: its pages are all
 * shown as Inactive(file). */
static void gen_meminfo(struct procfs_seq *s)
{
	uint64_t total = fw_frames_total() * (FW_PAGE_SIZE / 1024);
	uint64_t free = fw_frames_free() * (FW_PAGE_SIZE / 1024);
	uint64_t shmem = tmpfs_pages() * (FW_PAGE_SIZE / 1024);
	uint64_t cached = pcache_pages() * (FW_PAGE_SIZE / 1024);
	uint64_t marked = pcache_marked_pages() * (FW_PAGE_SIZE / 1024);
	uint64_t slab = fw_heap_used() / 1024;
	uint64_t buffers = bcache_units() * (BCACHE_UNIT / 1024);
	uint64_t used = total > free ? total - free : 0;

	kb(s, "MemTotal:", total);
	kb(s, "MemFree:", free);
	kb(s, "MemAvailable:", free + cached - marked);
	kb(s, "Buffers:", buffers);
	kb(s, "Cached:", shmem + cached);
	kb(s, "SwapCached:", 0);
	kb(s, "Active:", shmem);
	kb(s, "Inactive:", cached);
	kb(s, "Active(anon):", shmem);
	kb(s, "Inactive(anon):", 0);
	kb(s, "Active(file):", 0);
	kb(s, "Inactive(file):", cached);
	kb(s, "Unevictable:", 0);
	kb(s, "Mlocked:", 0);
	kb(s, "SwapTotal:", 0);
	kb(s, "SwapFree:", 0);
	kb(s, "Dirty:", bcache_dirty_units() * (BCACHE_UNIT / 1024) + marked);
	kb(s, "Writeback:", 0);
	kb(s, "AnonPages:", used > shmem + cached + slab + buffers ?
				    used - shmem - cached - slab - buffers : 0);
	kb(s, "Mapped:", 0);
	kb(s, "Shmem:", shmem);
	kb(s, "KReclaimable:", 0);
	kb(s, "Slab:", slab);
	kb(s, "SReclaimable:", 0);
	kb(s, "SUnreclaim:", slab);
	kb(s, "KernelStack:", 0);
	kb(s, "PageTables:", 0);
	kb(s, "NFS_Unstable:", 0);
	kb(s, "Bounce:", 0);
	kb(s, "WritebackTmp:", 0);
	kb(s, "CommitLimit:", total);
	kb(s, "Committed_AS:", used);
	kb(s, "VmallocTotal:", 0);
	kb(s, "VmallocUsed:", 0);
	kb(s, "VmallocChunk:", 0);
	kb(s, "Percpu:", 0);
	procfs_printf(s, "HugePages_Total:       0\nHugePages_Free:        0\n"
			 "HugePages_Rsvd:        0\nHugePages_Surp:        0\n");
	kb(s, "Hugepagesize:", 2048);
	kb(s, "Hugetlb:", 0);
}

/* Idle time: what the CPUs did not spend running user threads (kernel
 * work outside them is counted as idle: there is no per-CPU idle clock
 * exported to services). */
static uint64_t idle_ns(uint64_t up_ns, uint64_t busy_ns)
{
	uint64_t all = up_ns * fw_cpu_count();

	return all > busy_ns ? all - busy_ns : 0;
}

static void gen_uptime(struct procfs_seq *s)
{
	struct procfs_task_stats st;
	uint64_t up = fw_time_ns(), idle;

	procfs_task_stats(&st);
	idle = idle_ns(up, st.busy_ns);
	procfs_printf(s, "%llu.%02llu %llu.%02llu\n",
		      (unsigned long long)(up / FW_NSEC_PER_SEC),
		      (unsigned long long)(up % FW_NSEC_PER_SEC / NS_PER_TICK),
		      (unsigned long long)(idle / FW_NSEC_PER_SEC),
		      (unsigned long long)(idle % FW_NSEC_PER_SEC / NS_PER_TICK));
}

/* No load average is kept (the scheduler policy would have to sample its
 * run queues): 0.00. "running/total" counts the reader as running and
 * every user thread as a task; the last field is the highest pid in use
 * (Linux: the last pid allocated). */
static void gen_loadavg(struct procfs_seq *s)
{
	struct procfs_task_stats st;

	procfs_task_stats(&st);
	procfs_printf(s, "0.00 0.00 0.00 1/%u %d\n", st.nthreads, st.max_pid);
}

/* CPU times in USER_HZ ticks. All user-thread time is "user" (the
 * framework does not split user and kernel time) and is spread evenly
 * over the CPUs for the per-CPU lines. btime is the boot time in
 * seconds since the epoch. */
static void gen_stat(struct procfs_seq *s)
{
	struct procfs_task_stats st;
	uint64_t up = fw_time_ns();
	uint64_t now = fw_time_realtime_ns();
	unsigned ncpu = fw_cpu_count();
	uint64_t busy, idle;

	procfs_task_stats(&st);
	busy = st.busy_ns / NS_PER_TICK;
	idle = idle_ns(up, st.busy_ns) / NS_PER_TICK;
	procfs_printf(s, "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n",
		      (unsigned long long)busy, (unsigned long long)idle);
	for (unsigned i = 0; i < ncpu; i++)
		procfs_printf(s, "cpu%u %llu 0 0 %llu 0 0 0 0 0 0\n", i,
			      (unsigned long long)(busy / ncpu),
			      (unsigned long long)(idle / ncpu));
	procfs_printf(s, "intr 0\nctxt 0\nbtime %llu\nprocesses %d\n"
			 "procs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		      (unsigned long long)((now - (now > up ? up : now)) /
					   FW_NSEC_PER_SEC),
		      st.max_pid);
}

/* Where mount m sits as seen from a root whose absolute path is top_name:
 * 0 and its path, or -ENOENT when it is outside (above or beside) that
 * root. vfs_ns_lock held. */
static int mount_point_name(struct mount *m, const struct kpath *top_name,
			    struct kpath *out)
{
	struct vfs_path top = { vfs_root_mount, vfs_root_mount->sb->root };
	size_t n = strnlen(top_name->s, sizeof(top_name->s)), i = 0;
	int err;

	if (!m->parent || !m->mountpoint) {
		fw_strlcpy(out->s, "/", sizeof(out->s));
	} else {
		struct vfs_path at = { m->parent, m->mountpoint };

		err = vfs_path_name(&at, &top, out);
		if (err)
			return err;
	}
	if (n == 1) /* the reader's root is the real one */
		return 0;
	/* Under the reader's root: drop that prefix ("/" if it is the root
	 * itself). */
	if (strncmp(out->s, top_name->s, n) != 0 ||
	    (out->s[n] != '/' && out->s[n] != 0))
		return -ENOENT;
	if (out->s[n] == 0) {
		fw_strlcpy(out->s, "/", sizeof(out->s));
		return 0;
	}
	do
		out->s[i] = out->s[i + n];
	while (out->s[i++]);
	return 0;
}

/* Per-mount options as /proc/mounts shows them. */
static void mount_opts(struct procfs_seq *s, const struct mount *m)
{
	procfs_printf(s, "%s%s%s%s", (m->flags & MS_RDONLY) ? "ro" : "rw",
		      (m->flags & MS_NOSUID) ? ",nosuid" : "",
		      (m->flags & MS_NODEV) ? ",nodev" : "",
		      (m->flags & MS_NOEXEC) ? ",noexec" : "");
}

int procfs_gen_mounts(struct procfs_seq *s, const struct vfs_path *root,
		      unsigned kind)
{
	struct vfs_path top = { vfs_root_mount, vfs_root_mount->sb->root };
	struct kpath *path = kpath_alloc(), *top_name = kpath_alloc();
	struct mount *m = NULL;
	int err = -ENOMEM;

	if (!path || !top_name)
		goto out;
	fw_mutex_lock(&vfs_ns_lock);
	err = vfs_path_name(root, &top, top_name);
	while (!err && (m = vfs_mount_next(m)) != NULL) {
		const char *name = fs_name(m->sb);
		const char *source = m->sb->source[0] ? m->sb->source : name;

		if (mount_point_name(m, top_name, path))
			continue;
		if (kind == PK_PID_MOUNTSTATS) {
			/* Linux show_vfsstat: no file system here keeps
			 * statistics (NFS would add its own after this) */
			procfs_printf(s, "device %s mounted on %s with fstype %s\n",
				      source, path->s, name);
		} else if (kind == PK_PID_MOUNTINFO) {
			/* Linux proc_pid_mountinfo(5): ID, parent ID,
			 * major:minor, root of the mount within its file
			 * system, mount point, options, no optional
			 * fields, "-", type, source, superblock options. */
			procfs_printf(s, "%d %d %u:%u / %s ", m->id,
				      m->parent ? m->parent->id : m->id,
				      dev_major(m->sb->dev),
				      dev_minor(m->sb->dev), path->s);
			mount_opts(s, m);
			procfs_printf(s, " - %s %s %s\n", name, source,
				      (m->flags & MS_RDONLY) ? "ro" : "rw");
		} else {
			procfs_printf(s, "%s %s %s ", source, path->s, name);
			mount_opts(s, m);
			procfs_printf(s, " 0 0\n");
		}
	}
	fw_mutex_unlock(&vfs_ns_lock);
out:
	kpath_free(top_name);
	kpath_free(path);
	return err;
}

int procfs_gen_sys(struct procfs_seq *s, unsigned kind)
{
	switch (kind) {
	case PK_MEMINFO:
		gen_meminfo(s);
		return 0;
	case PK_NET_DEV:
	case PK_NET_ARP:
	case PK_NET_ROUTE:
	case PK_NET_TCP:
	case PK_NET_TCP6:
	case PK_NET_UDP:
	case PK_NET_UDP6:
	case PK_NET_UNIX:
	case PK_NET_RAW:
	case PK_NET_PNP:
		return procfs_gen_net(s, kind);
	case PK_CPUINFO:
		procfs_gen_cpuinfo(s);
		return 0;
	case PK_UPTIME:
		gen_uptime(s);
		return 0;
	case PK_LOADAVG:
		gen_loadavg(s);
		return 0;
	case PK_STAT:
		gen_stat(s);
		return 0;
	case PK_LOCK_STAT:
		procfs_gen_lock_stat(s);
		return 0;
	case PK_SYS_LOCK_STAT:
		procfs_printf(s, "%d\n", fw_lockstat_enabled() ? 1 : 0);
		return 0;
	case PK_VERSION:
		procfs_printf(s, "Linux version " KERNEL_RELEASE
				 " (framekernel) (gcc) " KERNEL_UTS_VERSION "\n");
		return 0;
	case PK_CMDLINE:
		procfs_printf(s, "%s\n", fw_boot_cmdline());
		return 0;
	case PK_FILESYSTEMS:
		/* What mount(2) accepts (vfs_get_sb, and ext2/3/4 on a
		 * block device), plus pipefs as Linux; Debian's rc scripts
		 * look here before mounting devpts. */
		procfs_printf(s, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tramfs\n"
				 "nodev\tdevtmpfs\nnodev\tproc\nnodev\tpipefs\n"
				 "nodev\tdevpts\n\text3\n\text2\n\text4\n");
		return 0;
	case PK_SYS_OSTYPE:
		procfs_printf(s, "Linux\n");
		return 0;
	case PK_SYS_OSRELEASE:
		procfs_printf(s, KERNEL_RELEASE "\n");
		return 0;
	case PK_SYS_KVERSION:
		procfs_printf(s, KERNEL_UTS_VERSION "\n");
		return 0;
	case PK_SYS_PIDMAX:
		procfs_printf(s, "32768\n"); /* PID_MAX in proc/proc.c */
		return 0;
	case PK_SYSVIPC_SHM:
	case PK_SYSVIPC_SEM:
	case PK_SYSVIPC_MSG:
		procfs_gen_sysvipc(s, kind);
		return 0;
	case PK_SYS_MQ_MSG_MAX:
	case PK_SYS_MQ_MSGSIZE_MAX:
	case PK_SYS_MQ_QUEUES_MAX:
	case PK_SYS_MQ_MSG_DEFAULT:
	case PK_SYS_MQ_MSGSIZE_DEFAULT:
		procfs_gen_mqueue(s, kind);
		return 0;
	case PK_KEYS:
		procfs_gen_keys(s);
		return 0;
	case PK_KEY_USERS:
		procfs_gen_key_users(s);
		return 0;
	case PK_SYS_KEYS_MAXKEYS:
	case PK_SYS_KEYS_MAXBYTES:
	case PK_SYS_KEYS_ROOT_MAXKEYS:
	case PK_SYS_KEYS_ROOT_MAXBYTES:
	case PK_SYS_KEYS_GC_DELAY:
	case PK_SYS_KEYS_PERSISTENT_EXPIRY:
		procfs_gen_keys_sysctl(s, kind);
		return 0;
	case PK_SYS_HOSTNAME:
	case PK_SYS_DOMAINNAME:
		procfs_gen_uts(s, kind == PK_SYS_HOSTNAME);
		return 0;
	case PK_SYS_VM_DROP_CACHES:
		procfs_printf(s, "0\n"); /* what Linux shows root */
		return 0;
	case PK_SYS_VM_DIRTY_EXPIRE:
		/* The block cache's and the page cache's flushers write
		 * what has been dirty this long (BCACHE_EXPIRE_NS). */
		procfs_printf(s, "%llu\n",
			      (unsigned long long)(BCACHE_EXPIRE_NS / 10000000ull));
		return 0;
	case PK_SYS_VM_MAX_MAP_COUNT:
		procfs_printf(s, "65530\n"); /* VMA_MAX_COUNT in mm/vma.h */
		return 0;
	case PK_SYS_VM_DIRTY_WB:
		procfs_printf(s, "500\n"); /* they wake every 5 s */
		return 0;
	}
	return -EINVAL;
}

/* vm/drop_caches: 1 drops the clean pages of the page cache and the clean
 * units of the block cache, 2 the inodes nobody uses, 3 both; 4 (Linux:
 * stop logging the drops) is accepted and does nothing. Dirty data stays:
 * sync(1) first, as Linux's documentation says. */
int procfs_drop_caches(unsigned long v)
{
	struct blkdev *d;

	if (v < 1 || v > 4)
		return -EINVAL;
	if (v & 2)
		ext2_prune_all(); /* their pages go with them */
	if (v & 1) {
		(void)pcache_reclaim(UINT64_MAX);
		for (unsigned i = 0; (d = blkdev_nth(i)) != NULL; i++)
			bcache_drop_clean(d);
	}
	return 0;
}
