/* services/fs/procfs/procfs.h: the proc file system (mount -t proc proc /proc).
 *
 * Layer: services (safe C), a file system under the VFS. Nothing is stored:
 * every node is described by its inode number, which encodes what it is
 *
 *     ino = pid << 32 | kind << 16 | fd
 *
 * (pid 0 for the system-wide files), so lookups, readdir and readlink
 * compute their answers from the process table and the framework's
 * counters. Regular files are generated when opened: the text is formatted
 * into a heap buffer (struct procfs_snap, file->snap) and reads copy from
 * it at the file offset, so one open file reads one consistent snapshot,
 * as Linux's seq_file does for small files.
 *
 * Inode lifetime: the path walk drops the reference a lookup returns and
 * relies on the directory to keep the inode alive while vfs_ns_lock is
 * held (namei.c). So a procfs directory caches the children it handed out
 * in its tmpfs-style entry list (inode->dirents, struct tmpfs_dirent, each
 * holding a reference); this also lets getcwd and vfs_get_path find names
 * (tmpfs_name_of). Entries of processes that are gone, and of closed
 * descriptors under fd/, are dropped from the cache on the next lookup or
 * readdir of that directory; an inode someone still uses (an open file, a
 * cwd) lives on and then answers -ENOENT, as Linux's does. tmpfs_evict
 * frees the cache and the parent reference when the inode goes.
 *
 * Folder services/fs/procfs: the /proc file system and its system-wide
 * files (procfs_sys.c, procfs_cpuinfo.c); the per-process directories
 * are the process service's (services/proc/procfs/pid.c implements the
 * procfs_pid_* calls declared below). Calls the VFS core and tmpfs. */
#ifndef SERVICES_FS_PROCFS_H
#define SERVICES_FS_PROCFS_H

#include <fw/compiler.h>
#include <fw/string.h>

#include "fs/vfs/vfs.h"

#define PROC_SUPER_MAGIC 0x9fa0

/* What a node is (bits 16..31 of its inode number). */
enum procfs_kind {
	PK_NONE = 0,
	PK_ROOT,		/* /proc */
	PK_SELF,		/* /proc/self -> <pid> */
	PK_THREAD_SELF,		/* /proc/thread-self -> <pid>/task/<tid> */
	PK_MEMINFO,
	PK_CPUINFO,
	PK_UPTIME,
	PK_LOADAVG,
	PK_MOUNTS_LINK,		/* /proc/mounts -> self/mounts */
	PK_VERSION,
	PK_CMDLINE,
	PK_FILESYSTEMS,
	PK_STAT,
	PK_LOCK_STAT,		/* /proc/lock_stat (fw/lockstat.h) */
	PK_KMSG,		/* /proc/kmsg: syslog(2)'s READ as a file */
	PK_SYS,			/* /proc/sys */
	PK_SYS_KERNEL,		/* /proc/sys/kernel */
	PK_SYS_OSTYPE,
	PK_SYS_OSRELEASE,
	PK_SYS_KVERSION,
	PK_SYS_PIDMAX,
	PK_SYS_HOSTNAME,	/* kernel/hostname, as sethostname(2) sets it */
	PK_SYS_DOMAINNAME,	/* kernel/domainname */
	PK_SYS_LOCK_STAT,	/* kernel/lock_stat: statistics on (1) or off */
	PK_SYS_VM,		/* /proc/sys/vm */
	PK_SYS_VM_DROP_CACHES,	/* write-only: drop clean caches */
	PK_SYS_VM_DIRTY_EXPIRE,	/* dirty_expire_centisecs (read-only) */
	PK_SYS_VM_DIRTY_WB,	/* dirty_writeback_centisecs (read-only) */
	PK_SYS_VM_MAX_MAP_COUNT, /* VMAs per address space (read-only) */
	PK_SYSVIPC,		/* /proc/sysvipc */
	PK_SYSVIPC_SHM,		/* one line per System V object */
	PK_SYSVIPC_SEM,
	PK_SYSVIPC_MSG,
	PK_PID_DIR,		/* /proc/<pid> (and task/<tid>) */
	PK_PID_STAT,
	PK_PID_STATUS,
	PK_PID_LIMITS,
	PK_PID_CMDLINE,
	PK_PID_ENVIRON,
	PK_PID_COMM,
	PK_PID_EXE,
	PK_PID_CWD,
	PK_PID_ROOT,
	PK_PID_FD,		/* /proc/<pid>/fd */
	PK_PID_FD_LINK,		/* /proc/<pid>/fd/<n> */
	PK_PID_MAPS,
	PK_PID_STATM,
	PK_PID_SYSCALL,		/* the system call a thread waits in */
	PK_PID_MOUNTS,
	PK_PID_MOUNTINFO,
	PK_PID_MOUNTSTATS,	/* "device X mounted on Y with fstype Z" */
	PK_PID_TASK,		/* /proc/<pid>/task */
	PK_PID_AUXV,		/* the auxiliary vector exec gave it */
	PK_PID_MEM,		/* its memory, at offsets that are addresses */
	PK_PID_PAGEMAP,		/* its pages' entries, 8 bytes per page */
	PK_PID_OOM_SCORE,	/* the OOM killer's view of it, 0..2000 */
	PK_PID_OOM_SCORE_ADJ,	/* -1000..1000, written to steer it */
	PK_PID_MAKE_IT_FAIL,	/* fault injection: this task may be failed */
	PK_PID_FAIL_NTH,	/* fault injection: its nth allocation fails */
	PK_NET,			/* /proc/net */
	PK_NET_DEV,		/* /proc/net/dev */
	PK_NET_ARP,		/* /proc/net/arp */
	PK_NET_ROUTE,		/* /proc/net/route */
	PK_NET_TCP,		/* /proc/net/tcp */
	PK_NET_TCP6,		/* /proc/net/tcp6 */
	PK_NET_UDP,		/* /proc/net/udp */
	PK_NET_UDP6,		/* /proc/net/udp6 */
	PK_NET_UNIX,		/* /proc/net/unix */
	PK_NET_RAW,		/* /proc/net/raw */
	PK_NET_PNP,		/* /proc/net/pnp */
	PK_SYS_FS,		/* /proc/sys/fs */
	PK_SYS_FS_MQUEUE,	/* /proc/sys/fs/mqueue: POSIX message queue
				 * limits (services/ipc/mqueue.c) */
	PK_SYS_MQ_MSG_MAX,
	PK_SYS_MQ_MSGSIZE_MAX,
	PK_SYS_MQ_QUEUES_MAX,
	PK_SYS_MQ_MSG_DEFAULT,
	PK_SYS_MQ_MSGSIZE_DEFAULT,
	PK_KEYS,		/* /proc/keys (services/keys) */
	PK_KEY_USERS,		/* /proc/key-users */
	PK_SYS_KEYS,		/* /proc/sys/kernel/keys: key quotas */
	PK_SYS_KEYS_MAXKEYS,
	PK_SYS_KEYS_MAXBYTES,
	PK_SYS_KEYS_ROOT_MAXKEYS,
	PK_SYS_KEYS_ROOT_MAXBYTES,
	PK_SYS_KEYS_GC_DELAY,
	PK_SYS_KEYS_PERSISTENT_EXPIRY,
};

/* Set in the kind of the nodes under task/<tid>: the pid field is then a
 * thread id, and the files describe that thread. */
#define PK_THREAD 0x8000u

/* Text being generated. Writes past the end set overflow; the generator
 * is then run again with a bigger buffer (procfs.c). */
struct procfs_seq {
	struct fw_buf buf;		/* the output buffer */
	size_t len;			/* bytes produced */
	bool overflow;			/* buf was too small */
};

/* The text an open file reads (file->snap). */
struct procfs_snap {
	struct fw_buf buf;		/* heap buffer, fw_buf_alloc */
	size_t len;			/* valid bytes in buf */
};

/* /proc/cpuinfo (procfs_cpuinfo.c). */
void procfs_gen_cpuinfo(struct procfs_seq *s);

/* Append formatted text (snprintf into a line buffer; a macro because
 * services may not walk a va_list). One call makes at most 511 bytes. */
struct procfs_line {
	char s[512];			/* one formatted piece of text */
};
#define procfs_printf(seq, ...)                                                \
	do {                                                                   \
		struct procfs_line procfs_l_;                                  \
		int procfs_n_ = snprintf(procfs_l_.s, sizeof(procfs_l_.s),     \
					 __VA_ARGS__);                         \
		procfs_put_line((seq), &procfs_l_, procfs_n_);                 \
	} while (0)
void procfs_put_line(struct procfs_seq *s, const struct procfs_line *l, int n);
void procfs_write(struct procfs_seq *s, struct fw_bytes b);
/* Write 1, 2 or 3 to /proc/sys/vm/drop_caches (procfs_sys.c): 0 or
 * -EINVAL. */
FW_MUST_CHECK int procfs_drop_caches(unsigned long v);
/* procfs_lockstat.c: /proc/lock_stat, and a write to it (0: clear) or to
 * sys/kernel/lock_stat (is_switch: 0 off, 1 on). */
void procfs_gen_lock_stat(struct procfs_seq *s);
FW_MUST_CHECK int procfs_lock_stat_write(bool is_switch, uint64_t v);
/* Room for n more bytes at the end (the caller fills all of it): 0, or
 * -ENOSPC (overflow is set). */
FW_MUST_CHECK int procfs_reserve(struct procfs_seq *s, size_t n,
				 struct fw_buf *out);

/* The file operations of a generated file once f->snap holds its text:
 * read at the offset, seek, free the text. sysfs uses them too. */
long procfs_snap_read(struct file *f, fw_uptr_t buf, size_t len,
		      uint64_t *pos);
int64_t procfs_snap_llseek(struct file *f, int64_t off, int whence);
void procfs_snap_release(struct file *f);

/* A new proc superblock, or the existing one (Linux: one per pid
 * namespace, shared by every mount). 0 or -ENOMEM. */
FW_MUST_CHECK int procfs_get_sb(struct superblock **out);

/* ---- procfs_sys.c: files about the whole system -------------------------- */

/* Generate the text of a system-wide file (meminfo, cpuinfo, ...). */
FW_MUST_CHECK int procfs_gen_sys(struct procfs_seq *s, unsigned kind);
/* /proc/<pid>/mounts (and /proc/mounts), mountinfo or mountstats (kind:
 * PK_PID_MOUNTS, ...), as the process whose root is `root` sees them: the
 * mounts under its root, named from it. Takes vfs_ns_lock. */
FW_MUST_CHECK int procfs_gen_mounts(struct procfs_seq *s,
				    const struct vfs_path *root, unsigned kind);

/* ---- services/net/link/procnet.c: /proc/net ------------------------------ */

/* Generate a /proc/net file (PK_NET_*). */
FW_MUST_CHECK int procfs_gen_net(struct procfs_seq *s, unsigned kind);

/* ---- services/proc/procfs/pid.c: files about one process ----------------- */

/* The process pid (thread: the thread id) exists (live or zombie). */
bool procfs_pid_exists(int id, bool thread);
/* tid is a live thread of process pid. */
bool procfs_tid_of(int pid, int tid);
/* The owner of a file of mode under /proc/<pid> (thread: task/<tid>):
 * its effective ids, or root's for any but a 0555 directory while it is
 * not dumpable (Linux task_dump_owner). 0 or -ENOENT. */
FW_MUST_CHECK int procfs_pid_owner(int id, bool thread, uint32_t mode,
				   uint32_t *uid, uint32_t *gid);
/* The first open descriptor >= from of process id (thread: of the
 * thread's process): 0 with *fd, or -ENOENT. */
FW_MUST_CHECK int procfs_next_fd(int id, bool thread, unsigned from,
				 unsigned *fd);
/* The first live (not zombie) pid >= from: 0 with *pid, or -ENOENT. */
FW_MUST_CHECK int procfs_next_pid(int from, int *pid);
/* The first live thread id > after of process pid, or -ENOENT. */
FW_MUST_CHECK int procfs_next_tid(int pid, int after, int *tid);
/* Generate a per-process file (PK_PID_STAT...) of process id, or with
 * thread of thread id (task/<tid>/stat). -ENOENT if it is gone. */
FW_MUST_CHECK int procfs_gen_pid(struct procfs_seq *s, unsigned kind, int id,
				 bool thread);
/* A write to make-it-fail or fail-nth (PK_PID_MAKE_IT_FAIL,
 * PK_PID_FAIL_NTH) of process id (thread: thread id), as Linux checks it
 * (make-it-fail is 0 or 1 and needs CAP_SYS_RESOURCE): 0, -EINVAL,
 * -EPERM, or -ESRCH if it is gone. */
FW_MUST_CHECK int procfs_pid_set_fault(unsigned kind, int id, bool thread,
				       uint64_t v);
/* A write to oom_score_adj of process id (thread: of the thread's
 * process), as Linux's __set_oom_adj: -EINVAL outside -1000..1000, -EACCES
 * below the lowest a privileged writer allowed without
 * CAP_SYS_RESOURCE, -ESRCH if it is gone. */
FW_MUST_CHECK int procfs_pid_set_oom_score_adj(int id, bool thread, int v);
/* /proc/sysvipc/{shm,sem,msg} (services/ipc): a header, then a line per
 * segment, set or queue, in Linux's columns (ipcs reads them). */
void procfs_gen_sysvipc(struct procfs_seq *s, unsigned kind);
/* /proc/sys/fs/mqueue/<kind> (PK_SYS_MQ_*), and root's write of v to
 * it: 0 or -EINVAL outside Linux's range (services/ipc/mqueue.c). */
void procfs_gen_mqueue(struct procfs_seq *s, unsigned kind);
FW_MUST_CHECK int procfs_mqueue_write(unsigned kind, uint64_t v);
/* /proc/keys, /proc/key-users and /proc/sys/kernel/keys/<kind>
 * (PK_SYS_KEYS_*), and root's write of v to the last: 0 or -EINVAL
 * outside Linux's range (services/keys/keys.c). */
void procfs_gen_keys(struct procfs_seq *s);
void procfs_gen_key_users(struct procfs_seq *s);
void procfs_gen_keys_sysctl(struct procfs_seq *s, unsigned kind);
FW_MUST_CHECK int procfs_keys_write(unsigned kind, uint64_t v);
/* /proc/kmsg's file operations (services/drivers/char/kmsg.c, which
 * keeps syslog(2)'s reader position). */
extern const struct file_ops procfs_kmsg_ops;
/* /proc/<pid>/mem (services/proc/procfs/pid.c): the address space of
 * process id for a caller that may ptrace it (-EACCES; -ENOENT if gone),
 * referenced from open to release, as Linux's mm_access: an exec after
 * the open does not show through it. rw moves bytes at the address *pos
 * (ptrace's FOLL_FORCE: breakpoints into program text), -EIO if none. */
struct mm;
FW_MUST_CHECK int procfs_pid_mem_get(int id, bool thread, struct mm **out);
void procfs_pid_mem_put(struct mm *mm);
long procfs_pid_mem_rw(struct mm *mm, fw_uptr_t buf, size_t len,
		       uint64_t *pos, bool write);
/* /proc/<pid>/pagemap of that address space (mm_pagemap_read): frame
 * numbers if the opener had CAP_SYS_ADMIN (show_pfn, decided at open). */
long procfs_pid_pagemap_read(struct mm *mm, fw_uptr_t buf, size_t len,
			     uint64_t *pos, bool show_pfn);
bool procfs_may_see_pfn(void);
/* The host or domain name (services/proc, which keeps them for uname):
 * shown with a newline; set by a write of /proc/sys/kernel/hostname or
 * domainname (at most 64 bytes are kept, as Linux's proc_dostring). */
void procfs_gen_uts(struct procfs_seq *s, bool host);
void procfs_set_uts(bool host, struct fw_bytes name);
/* Totals over every live process, for /proc/stat, uptime and loadavg. */
struct procfs_task_stats {
	uint64_t busy_ns;		/* CPU time used by user threads */
	unsigned nprocs;		/* live processes */
	unsigned nthreads;		/* their threads */
	int max_pid;			/* highest pid in use */
};
void procfs_task_stats(struct procfs_task_stats *st);
/* Target of a per-process link (exe, cwd, root, fd/<n>). Called with
 * vfs_ns_lock held. */
FW_MUST_CHECK int procfs_pid_readlink(unsigned kind, int id, bool thread,
				      unsigned fd, struct kpath *out);
/* What fd/<n>, cwd or root of a process stands for, referenced (the
 * inode operation get_link_path). Called with vfs_ns_lock held. */
FW_MUST_CHECK int procfs_pid_link_path(unsigned kind, int id, bool thread,
				       unsigned fd, struct vfs_path *out);
/* The process's root directory (chroot), referenced. -ENOENT for a
 * zombie. */
FW_MUST_CHECK int procfs_pid_root(int id, bool thread, struct vfs_path *out);

#endif
