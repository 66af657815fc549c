/* services/fs/procfs/procfs.c: the proc file system: its name space (lookup,
 * readdir, readlink), its open files (snapshots) and the text builder.
 *
 * Layer: services (safe C), a file system under the VFS. See procfs.h for
 * how nodes are named by inode number and why directories cache the
 * children they return. The contents come from procfs_sys.c (system-wide
 * files) and services/proc/procfs/pid.c (one process). Everything here
 * runs with vfs_ns_lock held except the file operations. */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/procfs/procfs.h"
#include "current/current.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/mount.h"

/* ---- text builder ---------------------------------------------------- */

void procfs_write(struct procfs_seq *s, struct fw_bytes b)
{
	size_t n = fw_bytes_len(b);

	if (s->overflow)
		return;
	if (n > fw_buf_len(s->buf) - s->len ||
	    fw_buf_copy_from(s->buf, s->len, b)) {
		s->overflow = true;
		return;
	}
	s->len += n;
}

void procfs_put_line(struct procfs_seq *s, const struct procfs_line *l, int n)
{
	struct fw_bytes line = FW_BYTES_OF_ARRAY(l->s);
	struct fw_bytes b;

	if (n <= 0)
		return;
	if ((size_t)n >= fw_bytes_len(line))
		n = (int)fw_bytes_len(line) - 1; /* no line of ours is this long */
	if (fw_bytes_sub(line, 0, (size_t)n, &b) == 0)
		procfs_write(s, b);
}

int procfs_reserve(struct procfs_seq *s, size_t n, struct fw_buf *out)
{
	if (s->overflow || n > fw_buf_len(s->buf) - s->len ||
	    fw_buf_sub(s->buf, s->len, n, out)) {
		s->overflow = true;
		return -ENOSPC;
	}
	s->len += n;
	return 0;
}

/* ---- node naming ----------------------------------------------------- */

struct procfs_id {
	int id;			/* pid or tid (PK_THREAD), 0 for system nodes */
	unsigned kind;		/* enum procfs_kind */
	bool thread;		/* under task/<tid> */
	unsigned fd;		/* fd/<n> */
};

static uint64_t encode(int id, unsigned kind, bool thread, unsigned fd)
{
	return ((uint64_t)(uint32_t)id << 32) |
	       ((uint64_t)((kind & 0x7fffu) | (thread ? PK_THREAD : 0)) << 16) |
	       (fd & 0xffffu);
}

static struct procfs_id decode(const struct inode *ino)
{
	unsigned k = (unsigned)(ino->ino >> 16) & 0xffffu;
	struct procfs_id id = {
		.id = (int)(uint32_t)(ino->ino >> 32),
		.kind = k & 0x7fffu,
		.thread = (k & PK_THREAD) != 0,
		.fd = (unsigned)(ino->ino & 0xffffu),
	};

	return id;
}

struct procfs_entry {
	char name[32];
	uint16_t kind;
	uint32_t mode;
};

#define REG (S_IFREG | 0444)
#define DIR (S_IFDIR | 0555)
#define LNK (S_IFLNK | 0777)

/* Every fixed directory entry, grouped by directory (entry_table gives
 * each directory's slice: services subscript arrays, not pointers). */
static const struct procfs_entry entries[] = {
#define ROOT_FIRST 0
	{ "self", PK_SELF, LNK },
	{ "thread-self", PK_THREAD_SELF, LNK },
	{ "meminfo", PK_MEMINFO, REG },
	{ "cpuinfo", PK_CPUINFO, REG },
	{ "uptime", PK_UPTIME, REG },
	{ "loadavg", PK_LOADAVG, REG },
	{ "mounts", PK_MOUNTS_LINK, LNK },
	{ "version", PK_VERSION, REG },
	{ "filesystems", PK_FILESYSTEMS, REG },
	{ "stat", PK_STAT, REG },
	{ "cmdline", PK_CMDLINE, REG },
	{ "sys", PK_SYS, DIR },
	{ "net", PK_NET, DIR },
	{ "lock_stat", PK_LOCK_STAT, S_IFREG | 0600 },
	{ "kmsg", PK_KMSG, S_IFREG | 0400 },
	{ "sysvipc", PK_SYSVIPC, DIR },
	{ "keys", PK_KEYS, REG },
	{ "key-users", PK_KEY_USERS, REG },
#define ROOT_N 18
#define SYS_FIRST (ROOT_FIRST + ROOT_N)
	{ "kernel", PK_SYS_KERNEL, DIR },
	{ "vm", PK_SYS_VM, DIR },
	{ "fs", PK_SYS_FS, DIR },
#define SYS_N 3
#define SYSK_FIRST (SYS_FIRST + SYS_N)
	{ "ostype", PK_SYS_OSTYPE, REG },
	{ "osrelease", PK_SYS_OSRELEASE, REG },
	{ "version", PK_SYS_KVERSION, REG },
	{ "pid_max", PK_SYS_PIDMAX, REG },
	{ "hostname", PK_SYS_HOSTNAME, S_IFREG | 0644 },
	{ "domainname", PK_SYS_DOMAINNAME, S_IFREG | 0644 },
	{ "lock_stat", PK_SYS_LOCK_STAT, S_IFREG | 0644 },
	{ "keys", PK_SYS_KEYS, DIR },
#define SYSK_N 8
#define SYSVM_FIRST (SYSK_FIRST + SYSK_N)
	{ "drop_caches", PK_SYS_VM_DROP_CACHES, S_IFREG | 0200 },
	{ "dirty_expire_centisecs", PK_SYS_VM_DIRTY_EXPIRE, REG },
	{ "dirty_writeback_centisecs", PK_SYS_VM_DIRTY_WB, REG },
	{ "max_map_count", PK_SYS_VM_MAX_MAP_COUNT, REG },
#define SYSVM_N 4
#define SYSFS_FIRST (SYSVM_FIRST + SYSVM_N)
	{ "mqueue", PK_SYS_FS_MQUEUE, DIR },
#define SYSFS_N 1
#define SYSMQ_FIRST (SYSFS_FIRST + SYSFS_N)
	{ "msg_max", PK_SYS_MQ_MSG_MAX, S_IFREG | 0644 },
	{ "msgsize_max", PK_SYS_MQ_MSGSIZE_MAX, S_IFREG | 0644 },
	{ "queues_max", PK_SYS_MQ_QUEUES_MAX, S_IFREG | 0644 },
	{ "msg_default", PK_SYS_MQ_MSG_DEFAULT, S_IFREG | 0644 },
	{ "msgsize_default", PK_SYS_MQ_MSGSIZE_DEFAULT, S_IFREG | 0644 },
#define SYSMQ_N 5
#define SYSKEYS_FIRST (SYSMQ_FIRST + SYSMQ_N)
	{ "gc_delay", PK_SYS_KEYS_GC_DELAY, S_IFREG | 0644 },
	{ "maxbytes", PK_SYS_KEYS_MAXBYTES, S_IFREG | 0644 },
	{ "maxkeys", PK_SYS_KEYS_MAXKEYS, S_IFREG | 0644 },
	{ "persistent_keyring_expiry", PK_SYS_KEYS_PERSISTENT_EXPIRY, S_IFREG | 0644 },
	{ "root_maxbytes", PK_SYS_KEYS_ROOT_MAXBYTES, S_IFREG | 0644 },
	{ "root_maxkeys", PK_SYS_KEYS_ROOT_MAXKEYS, S_IFREG | 0644 },
#define SYSKEYS_N 6
#define SYSVIPC_FIRST (SYSKEYS_FIRST + SYSKEYS_N)
	{ "shm", PK_SYSVIPC_SHM, REG },
	{ "sem", PK_SYSVIPC_SEM, REG },
	{ "msg", PK_SYSVIPC_MSG, REG },
#define SYSVIPC_N 3
#define NET_FIRST (SYSVIPC_FIRST + SYSVIPC_N)
	{ "dev", PK_NET_DEV, REG },
	{ "arp", PK_NET_ARP, REG },
	{ "route", PK_NET_ROUTE, REG },
	{ "tcp", PK_NET_TCP, REG },
	{ "tcp6", PK_NET_TCP6, REG },
	{ "udp", PK_NET_UDP, REG },
	{ "udp6", PK_NET_UDP6, REG },
	{ "unix", PK_NET_UNIX, REG },
	{ "raw", PK_NET_RAW, REG },
	{ "pnp", PK_NET_PNP, REG },
#define NET_N 10
#define PID_FIRST (NET_FIRST + NET_N)
	/* /proc/<pid> is all but the last, /proc/<pid>/task/<tid> all but
	 * the first: fail-nth is a thread's, task/ a process's, as in Linux.
	 * Link modes are 0777 as Linux shows them; reading them is not
	 * limited to the owner here (Linux checks ptrace access). */
	{ "task", PK_PID_TASK, DIR },
	{ "stat", PK_PID_STAT, REG },
	{ "status", PK_PID_STATUS, REG },
	{ "limits", PK_PID_LIMITS, REG },
	{ "cmdline", PK_PID_CMDLINE, REG },
	{ "environ", PK_PID_ENVIRON, S_IFREG | 0400 },
	{ "comm", PK_PID_COMM, S_IFREG | 0644 },
	{ "exe", PK_PID_EXE, LNK },
	{ "cwd", PK_PID_CWD, LNK },
	{ "root", PK_PID_ROOT, LNK },
	{ "fd", PK_PID_FD, S_IFDIR | 0500 },
	{ "maps", PK_PID_MAPS, REG },
	{ "statm", PK_PID_STATM, REG },
	{ "syscall", PK_PID_SYSCALL, S_IFREG | 0400 },
	{ "mem", PK_PID_MEM, S_IFREG | 0600 },
	{ "pagemap", PK_PID_PAGEMAP, S_IFREG | 0400 },
	{ "mounts", PK_PID_MOUNTS, REG },
	{ "mountinfo", PK_PID_MOUNTINFO, REG },
	{ "mountstats", PK_PID_MOUNTSTATS, S_IFREG | 0400 },
	{ "auxv", PK_PID_AUXV, S_IFREG | 0400 },
	{ "oom_score", PK_PID_OOM_SCORE, REG },
	{ "oom_score_adj", PK_PID_OOM_SCORE_ADJ, S_IFREG | 0644 },
	{ "make-it-fail", PK_PID_MAKE_IT_FAIL, S_IFREG | 0644 },
	{ "fail-nth", PK_PID_FAIL_NTH, S_IFREG | 0644 },
#define PID_N 24
};

FW_STATIC_ASSERT(FW_ARRAY_LEN(entries) == PID_FIRST + PID_N,
		 "procfs entry groups out of step");

struct entry_table {
	unsigned first;		/* index in entries[] */
	unsigned n;		/* how many */
};

/* The fixed entries of a directory node. */
static struct entry_table fixed_entries(const struct procfs_id *id)
{
	struct entry_table t = { 0, 0 };

	switch (id->kind) {
	case PK_ROOT:
		t = (struct entry_table){ ROOT_FIRST, ROOT_N };
		break;
	case PK_SYS:
		t = (struct entry_table){ SYS_FIRST, SYS_N };
		break;
	case PK_SYS_KERNEL:
		t = (struct entry_table){ SYSK_FIRST, SYSK_N };
		break;
	case PK_SYSVIPC:
		t = (struct entry_table){ SYSVIPC_FIRST, SYSVIPC_N };
		break;
	case PK_SYS_VM:
		t = (struct entry_table){ SYSVM_FIRST, SYSVM_N };
		break;
	case PK_SYS_FS:
		t = (struct entry_table){ SYSFS_FIRST, SYSFS_N };
		break;
	case PK_SYS_FS_MQUEUE:
		t = (struct entry_table){ SYSMQ_FIRST, SYSMQ_N };
		break;
	case PK_SYS_KEYS:
		t = (struct entry_table){ SYSKEYS_FIRST, SYSKEYS_N };
		break;
	case PK_NET:
		t = (struct entry_table){ NET_FIRST, NET_N };
		break;
	case PK_PID_DIR:
		t = (struct entry_table){ id->thread ? PID_FIRST + 1 : PID_FIRST,
					  PID_N - 1 };
		break;
	}
	return t;
}

/* A decimal number without sign or leading zero, below 2^31. */
static bool parse_num(const struct kname *name, unsigned *out)
{
	uint64_t v = 0;
	size_t i;

	if (name->s[0] < '0' || name->s[0] > '9' ||
	    (name->s[0] == '0' && name->s[1]))
		return false;
	for (i = 0; i < sizeof(name->s) && name->s[i]; i++) {
		if (name->s[i] < '0' || name->s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(name->s[i] - '0');
		if (v > 0x7fffffff)
			return false;
	}
	*out = (unsigned)v;
	return true;
}

/* ---- the inode cache in each directory -------------------------------- */

extern const struct inode_ops procfs_iops;
static const struct file_ops procfs_file_ops;
static const struct file_ops procfs_mem_ops;
static const struct file_ops procfs_pagemap_ops;
static struct superblock *procfs_sb;

/* Forget a cached child. A directory's own cached children each hold a
 * reference on it (ino->parent), so they go first, recursively; otherwise
 * the pair keeps itself alive and every dead /proc/<pid> leaks. */
static void drop_entry(struct tmpfs_dirent *d)
{
	struct tmpfs_dirent *c, *tmp;

	fw_list_del(&d->node);
	if (S_ISDIR(d->inode->mode))
		FW_LIST_FOR_EACH_SAFE(c, tmp, &d->inode->dirents, node)
			drop_entry(c);
	inode_put(d->inode);
	fw_free(d);
}

/* Is the node still backed by something (its process, its descriptor)? */
static bool node_alive(const struct procfs_id *id)
{
	if (!id->id)
		return true;
	if (!procfs_pid_exists(id->id, id->thread))
		return false;
	if (id->kind == PK_PID_FD_LINK) {
		unsigned fd;

		return procfs_next_fd(id->id, id->thread, id->fd, &fd) == 0 &&
		       fd == id->fd;
	}
	return true;
}

/* Forget cached children whose process or descriptor went away (those of
 * the root, task/ and fd/ are the ones that come and go). */
static void prune(struct inode *dir)
{
	struct tmpfs_dirent *d, *tmp;

	FW_LIST_FOR_EACH_SAFE(d, tmp, &dir->dirents, node) {
		struct procfs_id cid = decode(d->inode);

		if (!node_alive(&cid))
			drop_entry(d);
	}
}

/* The child dir/name that is (id, kind, fd): the cached inode, or a new
 * one added to the cache. Returns it with a reference for the caller. */
static int get_child(struct inode *dir, const struct kname *name, int id,
		     unsigned kind, bool thread, unsigned fd, uint32_t mode,
		     struct inode **out)
{
	uint64_t ino_nr = encode(id, kind, thread, fd);
	struct tmpfs_dirent *d, *tmp;
	struct inode *ino;
	uint32_t uid = 0, gid = 0;

	if (id && procfs_pid_owner(id, thread, mode, &uid, &gid))
		return -ENOENT;
	FW_LIST_FOR_EACH_SAFE(d, tmp, &dir->dirents, node) {
		if (strcmp(d->name.s, name->s) != 0)
			continue;
		if (d->inode->ino == ino_nr) {
			d->inode->uid = uid; /* it may have changed its ids */
			d->inode->gid = gid;
			inode_get(d->inode);
			*out = d->inode;
			return 0;
		}
		drop_entry(d); /* stale: the name now means something else */
		break;
	}
	d = FW_NEW(struct tmpfs_dirent);
	if (!d)
		return -ENOMEM;
	ino = inode_alloc(dir->sb, mode);
	if (!ino) {
		fw_free(d);
		return -ENOMEM;
	}
	ino->ino = ino_nr;
	ino->iops = &procfs_iops;
	ino->uid = uid;
	ino->gid = gid;
	if (S_ISDIR(mode)) {
		ino->fops = &tmpfs_dir_ops; /* getdents through iops->iterate */
		ino->nlink = 2;
	} else {
		ino->fops = !S_ISREG(mode)		     ? NULL
			    : decode(ino).kind == PK_PID_MEM ? &procfs_mem_ops
			    : decode(ino).kind == PK_PID_PAGEMAP ? &procfs_pagemap_ops
			    : decode(ino).kind == PK_KMSG    ? &procfs_kmsg_ops
							     : &procfs_file_ops;
		ino->nlink = 1;
	}
	inode_get(dir);
	ino->parent = dir;
	d->name = *name;
	d->hash = kname_hash(name);
	d->inode = ino; /* the cache's reference (from inode_alloc) */
	d->cookie = dir->next_cookie++;
	fw_list_add_tail(&dir->dirents, &d->node);
	inode_get(ino);
	*out = ino;
	return 0;
}

/* ---- inode operations --------------------------------------------------- */

static int procfs_lookup(struct inode *dir, const struct kname *name,
			 struct inode **out)
{
	struct procfs_id id = decode(dir);
	struct entry_table t = fixed_entries(&id);
	unsigned n;

	if (!node_alive(&id))
		return -ENOENT;
	switch (id.kind) {
	case PK_ROOT:
		prune(dir);
		if (parse_num(name, &n)) {
			if (!procfs_pid_exists((int)n, false))
				return -ENOENT;
			return get_child(dir, name, (int)n, PK_PID_DIR, false, 0,
					 DIR, out);
		}
		break;
	case PK_PID_TASK:
		prune(dir);
		if (!parse_num(name, &n) || !procfs_tid_of(id.id, (int)n))
			return -ENOENT;
		return get_child(dir, name, (int)n, PK_PID_DIR, true, 0, DIR,
				 out);
	case PK_PID_FD:
		prune(dir);
		if (!parse_num(name, &n) || n > 0xffff ||
		    !node_alive(&(struct procfs_id){ id.id, PK_PID_FD_LINK,
						      id.thread, n }))
			return -ENOENT;
		return get_child(dir, name, id.id, PK_PID_FD_LINK, id.thread, n,
				 S_IFLNK | 0700, out);
	}
	for (unsigned i = t.first; i < t.first + t.n; i++) {
		const struct procfs_entry *e = &entries[i];

		if (strcmp(e->name, name->s) == 0)
			return get_child(dir, name, id.id, e->kind, id.thread, 0,
					 e->mode, out);
	}
	return -ENOENT;
}

/* Emit one numbered entry (a pid, tid or fd) at position pos. */
static bool emit_num(struct dir_ctx *ctx, unsigned num, uint64_t ino,
		     unsigned dtype, uint64_t next_pos)
{
	struct kname name;

	snprintf(name.s, sizeof(name.s), "%u", num);
	return ctx->emit(ctx, &name, ino, dtype, next_pos);
}

/* Positions: 0 ".", 1 "..", 2.. the fixed entries, then base + n for the
 * numbered entries (pid, tid or fd n), so a position survives entries
 * coming and going between two getdents calls. */
static int procfs_iterate(struct inode *dir, uint64_t *pos,
			  struct dir_ctx *ctx)
{
	static const struct kname dot = { "." }, dotdot = { ".." };
	struct procfs_id id = decode(dir);
	struct entry_table t = fixed_entries(&id);
	uint64_t base = 2 + t.n;

	if (!node_alive(&id))
		return -ENOENT;
	if (id.kind == PK_ROOT || id.kind == PK_PID_FD || id.kind == PK_PID_TASK)
		prune(dir);
	if (*pos == 0) {
		if (!ctx->emit(ctx, &dot, dir->ino, DT_DIR, 1))
			return ctx->err;
		*pos = 1;
	}
	if (*pos == 1) {
		struct inode *p = dir->parent ? dir->parent : dir;

		if (!ctx->emit(ctx, &dotdot, p->ino, DT_DIR, 2))
			return ctx->err;
		*pos = 2;
	}
	for (; *pos < base; ++*pos) {
		const struct procfs_entry *e = &entries[t.first + *pos - 2];
		struct kname name;

		fw_strlcpy(name.s, e->name, sizeof(name.s));
		if (!ctx->emit(ctx, &name,
			       encode(id.id, e->kind, id.thread, 0),
			       inode_dtype(e->mode), *pos + 1))
			return ctx->err;
	}
	for (;;) {
		uint64_t from = *pos - base; /* the next number to list */
		unsigned n;

		if (from > 0x7fffffff)
			return 0;
		switch (id.kind) {
		case PK_ROOT: {
			int pid;

			if (procfs_next_pid((int)from, &pid))
				return 0;
			n = (unsigned)pid;
			if (!emit_num(ctx, n, encode(pid, PK_PID_DIR, false, 0),
				      DT_DIR, base + n + 1))
				return ctx->err;
			break;
		}
		case PK_PID_TASK: {
			int tid;

			if (procfs_next_tid(id.id, (int)from - 1, &tid))
				return 0;
			n = (unsigned)tid;
			if (!emit_num(ctx, n, encode(tid, PK_PID_DIR, true, 0),
				      DT_DIR, base + n + 1))
				return ctx->err;
			break;
		}
		case PK_PID_FD:
			if (procfs_next_fd(id.id, id.thread, (unsigned)from, &n))
				return 0;
			if (!emit_num(ctx, n,
				      encode(id.id, PK_PID_FD_LINK, id.thread, n),
				      DT_LNK, base + n + 1))
				return ctx->err;
			break;
		default:
			return 0;
		}
		*pos = base + n + 1;
	}
}

static int procfs_readlink(struct inode *ino, struct kpath *out)
{
	struct procfs_id id = decode(ino);
	int tid = current_tid(); /* 0: a kernel task */

	switch (id.kind) {
	case PK_SELF:
		if (!tid)
			return -ENOENT;
		snprintf(out->s, sizeof(out->s), "%d", current_pid());
		return 0;
	case PK_THREAD_SELF:
		if (!tid)
			return -ENOENT;
		snprintf(out->s, sizeof(out->s), "%d/task/%d", current_pid(),
			 tid);
		return 0;
	case PK_MOUNTS_LINK:
		fw_strlcpy(out->s, "self/mounts", sizeof(out->s));
		return 0;
	case PK_PID_EXE:
	case PK_PID_CWD:
	case PK_PID_ROOT:
	case PK_PID_FD_LINK:
		return procfs_pid_readlink(id.kind, id.id, id.thread, id.fd, out);
	}
	return -EINVAL;
}

/* fd/<n>, cwd and root lead to the object itself (Linux's magic links:
 * a pipe, a deleted or an unreachable file opens through them); the
 * others are read as text. */
static int procfs_get_link_path(struct inode *ino, struct vfs_path *out)
{
	struct procfs_id id = decode(ino);

	if (id.kind != PK_PID_FD_LINK && id.kind != PK_PID_CWD &&
	    id.kind != PK_PID_ROOT)
		return 1;
	return procfs_pid_link_path(id.kind, id.id, id.thread, id.fd, out);
}

/* The name space is fixed: nothing can be created, removed or renamed. */
static int procfs_create(struct inode *dir, const struct kname *name,
			 uint32_t mode, uint32_t rdev, const struct cred *c,
			 struct inode **out)
{
	return -EACCES;
}

static int procfs_symlink(struct inode *dir, const struct kname *name,
			  const struct kpath *target, const struct cred *c,
			  struct inode **out)
{
	return -EPERM;
}

static int procfs_link(struct inode *dir, const struct kname *name,
		       struct inode *target)
{
	return -EPERM;
}

static int procfs_unlink(struct inode *dir, const struct kname *name)
{
	return -EPERM;
}

static int procfs_rename(struct inode *odir, const struct kname *oname,
			 struct inode *ndir, const struct kname *nname,
			 unsigned flags)
{
	return -EPERM;
}

/* The files a write means something to: vm/drop_caches, the lock
 * statistics' switch and table, fs/mqueue's limits, and the fault
 * injection knobs of a task (comm and the other sysctls are read-only in
 * this kernel). */
static bool mqueue_kind(unsigned kind)
{
	return kind >= PK_SYS_MQ_MSG_MAX && kind <= PK_SYS_MQ_MSGSIZE_DEFAULT;
}

static bool keys_kind(unsigned kind)
{
	return kind >= PK_SYS_KEYS_MAXKEYS &&
	       kind <= PK_SYS_KEYS_PERSISTENT_EXPIRY;
}

static bool writable_kind(unsigned kind)
{
	return mqueue_kind(kind) || keys_kind(kind) || kind == PK_SYS_VM_DROP_CACHES || kind == PK_PID_MAKE_IT_FAIL ||
	       kind == PK_PID_OOM_SCORE_ADJ || kind == PK_SYS_HOSTNAME ||
	       kind == PK_SYS_DOMAINNAME ||
	       kind == PK_PID_FAIL_NTH || kind == PK_LOCK_STAT ||
	       kind == PK_SYS_LOCK_STAT;
}

/* Only a writable file may be opened with O_TRUNC (`echo 3 >`); the size
 * means nothing to it, and Linux ignores it the same way. */
static int procfs_truncate(struct inode *ino, uint64_t size)
{
	return writable_kind(decode(ino).kind) ? 0 : -EACCES;
}

static bool procfs_dir_empty(struct inode *dir)
{
	return false;
}

/* A process's entries keep their modes: its owner could otherwise take
 * search permission off its /proc/<pid> and lock itself (and others) out
 * of what Linux always lets them see (proc_setattr: chmod is EPERM). */
static bool procfs_may_chmod(const struct inode *ino)
{
	unsigned kind = decode(ino).kind;

	return kind < PK_PID_DIR || kind > PK_PID_FAIL_NTH;
}

/* A process may always read and search its own fd/ (and a thread's
 * task/<tid>/fd/ in it), even when it is not dumpable and the directory
 * is root's 0500 (Linux proc_fd_permission). */
static bool procfs_may_access(const struct inode *ino, int mask)
{
	struct procfs_id id = decode(ino);
	int self = current_pid();

	if (id.kind != PK_PID_FD || (mask & MAY_WRITE) || self <= 0)
		return false;
	return id.thread ? procfs_tid_of(self, id.id) : id.id == self;
}

const struct inode_ops procfs_iops = {
	.lookup = procfs_lookup,
	.create = procfs_create,
	.symlink = procfs_symlink,
	.link = procfs_link,
	.unlink = procfs_unlink,
	.rename = procfs_rename,
	.readlink = procfs_readlink,
	.get_link_path = procfs_get_link_path,
	.truncate = procfs_truncate,
	.iterate = procfs_iterate,
	.dir_empty = procfs_dir_empty,
	.may_access = procfs_may_access,
	.may_chmod = procfs_may_chmod,
};

/* ---- open files --------------------------------------------------------- */

static int generate(const struct procfs_id *id, struct procfs_seq *s)
{
	switch (id->kind) {
	case PK_PID_MOUNTS:
	case PK_PID_MOUNTINFO:
	case PK_PID_MOUNTSTATS: {
		struct vfs_path root;
		int err = procfs_pid_root(id->id, id->thread, &root);

		if (err)
			return err;
		err = procfs_gen_mounts(s, &root, id->kind);
		vfs_path_put(&root);
		return err;
	}
	case PK_PID_STAT:
	case PK_PID_STATUS:
	case PK_PID_LIMITS:
	case PK_PID_CMDLINE:
	case PK_PID_ENVIRON:
	case PK_PID_COMM:
	case PK_PID_MAPS:
	case PK_PID_STATM:
	case PK_PID_SYSCALL:
	case PK_PID_AUXV:
	case PK_PID_OOM_SCORE:
	case PK_PID_OOM_SCORE_ADJ:
	case PK_PID_MAKE_IT_FAIL:
	case PK_PID_FAIL_NTH:
		return procfs_gen_pid(s, id->kind, id->id, id->thread);
	default:
		return procfs_gen_sys(s, id->kind);
	}
}

#define SNAP_MAX (16u << 20)

static int procfs_open(struct inode *ino, struct file *f)
{
	struct procfs_id id = decode(ino);
	struct procfs_snap *snap;
	size_t size = FW_PAGE_SIZE;
	int err;

	/* Linux lets root open the read-only files for writing and then
	 * fails the write; refusing the open keeps truncate and fallocate
	 * away too. */
	if ((f->fmode & FMODE_WRITE) && !writable_kind(id.kind))
		return -EACCES;
	snap = FW_NEW(struct procfs_snap);
	if (!snap)
		return -ENOMEM;
	for (;;) {
		struct procfs_seq s = { .len = 0, .overflow = false };

		err = fw_buf_alloc(size, &s.buf);
		if (err)
			break;
		err = generate(&id, &s);
		if (!err && !s.overflow) {
			snap->buf = s.buf;
			snap->len = s.len;
			f->snap = snap;
			return 0;
		}
		fw_buf_free(&s.buf);
		if (err)
			break;
		if (size >= SNAP_MAX) {
			err = -ENOMEM;
			break;
		}
		size *= 2;
	}
	fw_free(snap);
	return err;
}

/* fail-nth is read back through the descriptor it was written with
 * (pread at 0), to see whether the failure happened: a read from the
 * start generates its text again, as Linux's read of it is live. */
static int regenerate(struct file *f)
{
	struct procfs_id id = decode(f->path.inode);
	struct procfs_seq s = { .buf = f->snap->buf, .len = 0 };
	int err;

	if (id.kind != PK_PID_FAIL_NTH && id.kind != PK_PID_MAKE_IT_FAIL)
		return 0;
	err = generate(&id, &s);
	if (err)
		return err;
	f->snap->len = s.overflow ? 0 : s.len;
	return 0;
}

long procfs_snap_read(struct file *f, fw_uptr_t buf, size_t len,
		      uint64_t *pos)
{
	struct procfs_snap *snap = f->snap;
	struct fw_bytes b;
	size_t n;

	if (snap && *pos == 0) {
		int err = regenerate(f);

		if (err)
			return err;
	}
	if (!snap || *pos >= snap->len)
		return 0;
	n = snap->len - (size_t)*pos;
	if (n > len)
		n = len;
	if (fw_bytes_sub(fw_buf_as_bytes(snap->buf), (size_t)*pos, n, &b))
		return -EINVAL;
	if (fw_copy_out(buf, b))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

int64_t procfs_snap_llseek(struct file *f, int64_t off, int whence)
{
	switch (whence) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += (int64_t)f->pos;
		break;
	case SEEK_END:
		off += f->snap ? (int64_t)f->snap->len : 0;
		break;
	default:
		return -EINVAL;
	}
	return off < 0 ? -EINVAL : off;
}

void procfs_snap_release(struct file *f)
{
	if (!f->snap)
		return;
	fw_buf_free(&f->snap->buf);
	fw_free(f->snap);
	f->snap = NULL;
}

/* A name for kernel/hostname or domainname: up to the first newline,
 * what fits in 64 bytes (Linux's proc_dostring). */
static long write_uts(bool host, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	char text[65] = { 0 };
	size_t n = len < 64 ? len : 64, end = 0;
	struct fw_buf part;
	struct fw_bytes name;

	if (*pos)
		return -EINVAL; /* Linux: writes at an offset are not taken */
	if (fw_buf_sub(FW_BUF_OF_ARRAY(text), 0, n, &part) ||
	    fw_copy_in(part, buf))
		return -EFAULT;
	while (end < n && text[end] && text[end] != '\n')
		end++;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(text), 0, end, &name))
		return -EINVAL;
	procfs_set_uts(host, name);
	*pos += len;
	return (long)len;
}

/* A write to a writable file: one unsigned number, as Linux's
 * proc_dointvec and kstrtouint take it (blanks around it); oom_score_adj
 * takes a sign (kstrtoint). */
static long procfs_write_file(struct file *f, fw_uptr_t buf, size_t len,
			      uint64_t *pos)
{
	struct procfs_id id = decode(f->path.inode);
	char text[24] = { 0 };
	struct fw_buf part;
	uint64_t v = 0;
	size_t i = 0, n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;
	bool minus = false;
	int err;

	if (!writable_kind(id.kind))
		return -EINVAL;
	if (id.kind == PK_SYS_HOSTNAME || id.kind == PK_SYS_DOMAINNAME)
		return write_uts(id.kind == PK_SYS_HOSTNAME, buf, len, pos);
	if (fw_buf_sub(FW_BUF_OF_ARRAY(text), 0, n, &part) ||
	    fw_copy_in(part, buf))
		return -EFAULT;
	while (i < n && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i < n && text[i] == '-' && id.kind == PK_PID_OOM_SCORE_ADJ) {
		minus = true;
		i++;
	}
	if (i == n || text[i] < '0' || text[i] > '9')
		return -EINVAL;
	for (; i < n && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(text[i] - '0');
		if (v > 0xffffffffu) /* kstrtouint; proc_dointvec */
			return id.kind == PK_PID_FAIL_NTH ? -ERANGE : -EINVAL;
	}
	while (i < n && (text[i] == ' ' || text[i] == '\n'))
		i++;
	if (i < n)
		return -EINVAL;
	if (id.kind == PK_SYS_VM_DROP_CACHES)
		err = procfs_drop_caches((unsigned long)v);
	else if (mqueue_kind(id.kind))
		err = procfs_mqueue_write(id.kind, v);
	else if (keys_kind(id.kind))
		err = procfs_keys_write(id.kind, v);
	else if (id.kind == PK_LOCK_STAT || id.kind == PK_SYS_LOCK_STAT)
		err = procfs_lock_stat_write(id.kind == PK_SYS_LOCK_STAT, v);
	else if (id.kind == PK_PID_OOM_SCORE_ADJ)
		err = v > 1000 ? -EINVAL
			       : procfs_pid_set_oom_score_adj(
					 id.id, id.thread,
					 minus ? -(int)v : (int)v);
	else
		err = procfs_pid_set_fault(id.kind, id.id, id.thread, v);
	if (err)
		return err;
	*pos += len;
	return (long)len;
}

static const struct file_ops procfs_file_ops = {
	.open = procfs_open,
	.read = procfs_snap_read,
	.write = procfs_write_file,
	.llseek = procfs_snap_llseek,
	.release = procfs_snap_release,
};

/* /proc/<pid>/mem: its own file operations, the bytes of the process's
 * memory at the file offset taken as an address (Linux's mem_rw). */
static int procfs_mem_open(struct inode *ino, struct file *f)
{
	struct procfs_id id = decode(ino);

	return procfs_pid_mem_get(id.id, id.thread, &f->mem_mm);
}

static long procfs_mem_read(struct file *f, fw_uptr_t buf, size_t len,
			    uint64_t *pos)
{
	return procfs_pid_mem_rw(f->mem_mm, buf, len, pos, false);
}

static long procfs_mem_write(struct file *f, fw_uptr_t buf, size_t len,
			     uint64_t *pos)
{
	return procfs_pid_mem_rw(f->mem_mm, buf, len, pos, true);
}

/* Any address: SEEK_SET and SEEK_CUR only (Linux's mem_lseek). */
static int64_t procfs_mem_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET)
		return off;
	if (whence == SEEK_CUR)
		return (int64_t)f->pos + off;
	return -EINVAL;
}

static void procfs_mem_release(struct file *f)
{
	procfs_pid_mem_put(f->mem_mm);
	f->mem_mm = NULL;
}

static const struct file_ops procfs_mem_ops = {
	.open = procfs_mem_open,
	.read = procfs_mem_read,
	.write = procfs_mem_write,
	.llseek = procfs_mem_llseek,
	.release = procfs_mem_release,
};

/* /proc/<pid>/pagemap: the same reference to the address space as mem;
 * whether frame numbers show is the opener's privilege (Linux keeps the
 * opener's credentials in the file), kept in f->priv. */
static int procfs_pagemap_open(struct inode *ino, struct file *f)
{
	f->priv = procfs_may_see_pfn();
	return procfs_mem_open(ino, f);
}

static long procfs_pagemap_read(struct file *f, fw_uptr_t buf, size_t len,
				uint64_t *pos)
{
	return procfs_pid_pagemap_read(f->mem_mm, buf, len, pos, f->priv != 0);
}

static const struct file_ops procfs_pagemap_ops = {
	.open = procfs_pagemap_open,
	.read = procfs_pagemap_read,
	.llseek = procfs_mem_llseek,
	.release = procfs_mem_release,
};

/* ---- the superblock ----------------------------------------------------- */

int procfs_get_sb(struct superblock **out)
{
	struct superblock *sb;
	struct inode *root;

	/* Called from mount(2) without vfs_ns_lock; take it so two first
	 * mounts do not both build one. */
	fw_mutex_lock(&vfs_ns_lock);
	if (procfs_sb) {
		*out = procfs_sb;
		fw_mutex_unlock(&vfs_ns_lock);
		return 0;
	}
	sb = FW_NEW(struct superblock);
	if (!sb)
		goto out_nomem;
	sb->dev = vfs_anon_dev();
	sb->magic = PROC_SUPER_MAGIC;
	sb->fstype = "proc";
	root = inode_alloc(sb, DIR);
	if (!root) {
		fw_free(sb);
		goto out_nomem;
	}
	root->ino = encode(0, PK_ROOT, false, 0);
	root->iops = &procfs_iops;
	root->fops = &tmpfs_dir_ops;
	root->nlink = 2;
	root->parent = root; /* ".." of a root is itself (no reference) */
	sb->root = root;
	procfs_sb = sb;
	*out = sb;
	fw_mutex_unlock(&vfs_ns_lock);
	return 0;
out_nomem:
	fw_mutex_unlock(&vfs_ns_lock);
	return -ENOMEM;
}
