/* tests/unit/fw_host_ext2.c: host stand-ins for what services/fs/ext2 and
 * services/block/bcache.c call: the heap, byte buffers, mutexes and wait
 * queues (single-threaded: a mutex taken twice, or a wait that would
 * sleep, is a deadlock and aborts), DMA buffers (malloc), frames, user
 * copies (a user address is a host pointer here), the log (kept, so tests
 * can check what a corrupt image logs), the VFS inode helpers, and a disk
 * whose rw op is pread/pwrite on an image file.
 *
 * Layer: host tests only. */
/* The kernel's uapi.h first (see ext2_test.c). */
#include "fs/vfs/vfs.h"
#include "block/bcache.h"
#include "current/current.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "fw_host_ext2.h"

char host_log[HOST_LOG_MAX];
int host_log_warnings;
int host_verbose;

/* ---- heap ---------------------------------------------------------------- */

/* FW_NEW: on the host, plain calloc (ASan finds what type partitions
 * contain in the kernel). */
void *fw__alloc_typed(struct fw__type_key *key)
{
	return calloc(1, key->size);
}

void fw_free(void *obj)
{
	free(obj);
}

int fw_buf_alloc(size_t len, struct fw_buf *out)
{
	void *p;

	if (len == 0 || len > (1u << 30))
		return -EINVAL;
	p = calloc(1, len);
	if (!p)
		return -ENOMEM;
	*out = fw__buf_make(p, len);
	return 0;
}

/* Uninitialized, as the kernel's: malloc, so a read before the copy
 * that fills it would show up under the sanitizers' eyes as garbage. */
int fw_buf_alloc_uninit(size_t len, struct fw_buf *out)
{
	void *p;

	if (len == 0 || len > (1u << 30))
		return -EINVAL;
	p = malloc(len);
	if (!p)
		return -ENOMEM;
	*out = fw__buf_make(p, len);
	return 0;
}

void fw_buf_free(struct fw_buf *buf)
{
	free(fw__buf_ptr(*buf));
	*buf = fw__buf_make(NULL, 0);
}

/* ---- log ----------------------------------------------------------------- */

void fw_vlog(enum fw_log_level level, const char *fmt, va_list ap)
{
	char line[512];
	size_t have = strlen(host_log);

	vsnprintf(line, sizeof(line), fmt, ap);
	if (level <= FW_LOG_WARN)
		host_log_warnings++;
	if (have + strlen(line) + 2 < sizeof(host_log)) {
		memcpy(host_log + have, line, strlen(line));
		host_log[have + strlen(line)] = '\n';
		host_log[have + strlen(line) + 1] = 0;
	}
	if (host_verbose)
		fprintf(stderr, "log%d: %s\n", (int)level, line);
}

void fw_log(enum fw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vlog(level, fmt, ap);
	va_end(ap);
}

void host_log_clear(void)
{
	host_log[0] = 0;
	host_log_warnings = 0;
}

/* ---- sync ---------------------------------------------------------------- */

void fw_mutex_init(struct fw_mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->waitq.lock.name = name;
}

void fw_mutex_lock(struct fw_mutex *m)
{
	if (m->owner) {
		fprintf(stderr, "host: mutex %s taken twice (deadlock)\n",
			m->waitq.lock.name ? m->waitq.lock.name : "?");
		abort();
	}
	m->owner = (struct fw_task *)m; /* any non-NULL marker */
}

bool fw_mutex_trylock(struct fw_mutex *m)
{
	if (m->owner)
		return false;
	fw_mutex_lock(m);
	return true;
}

void fw_mutex_unlock(struct fw_mutex *m)
{
	if (!m->owner) {
		fprintf(stderr, "host: mutex %s unlocked while free\n",
			m->waitq.lock.name ? m->waitq.lock.name : "?");
		abort();
	}
	m->owner = NULL;
}

void fw_spin_lock(struct fw_spinlock *l)
{
	(void)l;
}

void fw_spin_unlock(struct fw_spinlock *l)
{
	(void)l;
}

void fw_waitq_init(struct fw_waitq *wq, const char *name)
{
	(void)wq;
	(void)name;
}

unsigned fw_waitq_wake_all(struct fw_waitq *wq)
{
	(void)wq;
	return 0;
}

unsigned fw_waitq_wake_one(struct fw_waitq *wq)
{
	(void)wq;
	return 0;
}

void fw__waitq_prepare(struct fw_waitq *wq, struct fw__waiter *w)
{
	(void)wq;
	(void)w;
}

void fw__waitq_sleep(struct fw_waitq *wq, struct fw__waiter *w)
{
	(void)wq;
	(void)w;
	fprintf(stderr, "host: a wait would sleep forever (single-threaded)\n");
	abort();
}

void fw__waitq_finish(struct fw_waitq *wq, struct fw__waiter *w)
{
	(void)wq;
	(void)w;
}

/* ---- tasks and time ------------------------------------------------------ */

int fw__task_spawn(const char *name, fw__task_fn fn, void *arg, int cpu,
		   struct fw_task **out)
{
	static int dummy;

	(void)name;
	(void)fn;
	(void)arg;
	(void)cpu;
	*out = (struct fw_task *)&dummy; /* never run: tests sync by hand */
	return 0;
}

void fw_task_detach(struct fw_task *t)
{
	(void)t;
}

int fw_task_join(struct fw_task *t, int *code)
{
	(void)t;
	if (code)
		*code = 0;
	return 0;
}

/* One task: the test's. */
struct fw_task *fw_task_current(void)
{
	static int me;

	return (struct fw_task *)&me;
}

int fw__waitq_sleep_timeout(struct fw_waitq *wq, struct fw__waiter *w,
			    uint64_t deadline_ns)
{
	(void)wq;
	(void)w;
	(void)deadline_ns;
	return 1; /* nothing else runs: the deadline has come */
}

void fw_sleep_ns(uint64_t ns)
{
	(void)ns;
}

uint64_t fw_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t fw_time_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t fw_frames_total(void)
{
	return 4096; /* 16 MiB: the cache's limit is an eighth of it (256) */
}

/* ---- frames ---------------------------------------------- */

struct fw_frame {
	uint8_t b[FW_PAGE_SIZE];
	int refs;
};

int fw_frame_alloc(unsigned flags, struct fw_frame **out)
{
	struct fw_frame *f = calloc(1, sizeof(*f));

	(void)flags;
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	*out = f;
	return 0;
}

void fw_frame_get(struct fw_frame *f)
{
	f->refs++;
}

void fw_frame_put(struct fw_frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

int fw_frame_read(const struct fw_frame *f, size_t off, struct fw_buf dst)
{
	size_t n = fw_buf_len(dst);

	if (off > FW_PAGE_SIZE || n > FW_PAGE_SIZE - off)
		return -EINVAL;
	memcpy(fw__buf_ptr(dst), f->b + off, n);
	return 0;
}

/* No IOMMU on the host: the image-file disk copies into the frame. */
int fw_frame_dma_map(struct fw_frame *f)
{
	(void)f;
	return 0;
}

void fw_frame_dma_unmap(struct fw_frame *f)
{
	(void)f;
}

int fw_frame_write(struct fw_frame *f, size_t off, struct fw_bytes src)
{
	size_t n = fw_bytes_len(src);

	if (off > FW_PAGE_SIZE || n > FW_PAGE_SIZE - off)
		return -EINVAL;
	if (n)
		memcpy(f->b + off, fw__bytes_ptr(src), n);
	return 0;
}

const uint8_t *host_frame_bytes(const struct fw_frame *f)
{
	return f->b;
}

uint8_t *host_frame_bytes_rw(struct fw_frame *f)
{
	return f->b;
}

unsigned host_frame_mapcount; /* what every frame says: set by a test */

unsigned fw_frame_mapcount(const struct fw_frame *f)
{
	(void)f;
	return host_frame_mapcount;
}

fw_frame_reclaim_fn host_reclaim_fn;

void fw_frame_set_reclaim(fw_frame_reclaim_fn fn)
{
	host_reclaim_fn = fn;
}

uint64_t fw_frames_free(void)
{
	return fw_frames_total();
}

int fw_frame_copy_out(fw_uptr_t dst, const struct fw_frame *f, size_t off,
		      size_t len)
{
	if (!dst.addr || off > FW_PAGE_SIZE || len > FW_PAGE_SIZE - off)
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst.addr, f->b + off, len);
	return 0;
}

unsigned host_unmap_calls;

void vfs_unmap_page(struct inode *ino, uint64_t idx, struct fw_frame *fr)
{
	(void)ino;
	(void)idx;
	(void)fr;
	host_unmap_calls++;
}

void vfs_unmap_mapping(struct inode *ino, uint64_t from)
{
	(void)ino;
	(void)from;
	host_unmap_calls++;
}

/* ---- user memory (host pointers) ----------------------------------------- */

int fw_copy_in(struct fw_buf dst, fw_uptr_t src)
{
	if (!src.addr)
		return -EFAULT;
	if (fw_buf_len(dst))
		memcpy(fw__buf_ptr(dst), (const void *)(uintptr_t)src.addr, fw_buf_len(dst));
	return 0;
}

int fw_copy_out(fw_uptr_t dst, struct fw_bytes src)
{
	if (!dst.addr)
		return -EFAULT;
	if (fw_bytes_len(src))
		memcpy((void *)(uintptr_t)dst.addr, fw__bytes_ptr(src), fw_bytes_len(src));
	return 0;
}

int fw_clear_user(fw_uptr_t dst, size_t n)
{
	if (!dst.addr)
		return -EFAULT;
	memset((void *)(uintptr_t)dst.addr, 0, n);
	return 0;
}

/* ---- the caller (services/current/current.h, for services/fs/vfs/limits.c) */

/* No process: no RLIMIT_FSIZE, only the file system's own maximum. */
uint64_t current_rlimit(unsigned resource)
{
	(void)resource;
	return RLIM_INFINITY;
}

void signal_send_current_thread(int sig)
{
	(void)sig;
}

/* ---- VFS inode helpers (services/fs/vfs/inode.c's, minus tmpfs) -------------- */

const struct file_ops tmpfs_dir_ops;
struct cred host_cred;		/* who the file system thinks is calling */

const struct cred *fs_cred(void)
{
	return &host_cred;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return c->fsgid == gid;
}
struct fw_mutex vfs_ns_lock;
long host_live_inodes;

struct fs_time fs_now(void)
{
	uint64_t ns = fw_time_realtime_ns();
	struct fs_time t = { (int64_t)(ns / 1000000000ull), (uint32_t)(ns % 1000000000ull) };

	return t;
}

struct inode *inode_alloc(struct superblock *sb, uint32_t mode)
{
	struct inode *ino = calloc(1, sizeof(*ino));
	struct fs_time now = fs_now();

	if (!ino)
		return NULL;
	atomic_init(&ino->refs, 1);
	ino->sb = sb;
	ino->ino = atomic_fetch_add(&sb->next_ino, 1);
	ino->mode = mode;
	ino->atime = ino->mtime = ino->ctime = now;
	fw_mutex_init(&ino->lock, "inode");
	fw_list_init(&ino->i_mmap);
	fw_list_init(&ino->dirents);
	host_live_inodes++;
	return ino;
}

void inode_get(struct inode *ino)
{
	atomic_fetch_add(&ino->refs, 1);
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	if (ino->sb->sops && ino->sb->sops->put) {
		ino->sb->sops->put(ino);
		return;
	}
	if (atomic_fetch_sub(&ino->refs, 1) == 1)
		inode_release(ino);
}

void inode_release(struct inode *ino)
{
	if (ino->parent && ino->parent != ino)
		inode_put(ino->parent);
	host_live_inodes--;
	free(ino);
}

void inode_touch(struct inode *ino, bool a, bool m, bool c)
{
	struct fs_time now = fs_now();

	if (a)
		ino->atime = now;
	if (m)
		ino->mtime = now;
	if (c)
		ino->ctime = now;
}

