/* tests/unit/fw_host_net.c: host stand-ins for what the network stack
 * (services/net, its link/ and inet/ folders) calls, so its receive and
 * socket paths run in one host process.
 *
 * Layer: host tests only. How faithful each piece is:
 *  - heap: calloc/free, with a count of live objects and buffers so a
 *    test can check that closing everything freed everything;
 *  - spinlocks: tickets as in the kernel but single-threaded, so taking a
 *    held lock (a deadlock on one CPU), releasing a free one, copying
 *    from or to user memory, taking a mutex or sleeping while one is
 *    held abort;
 *  - mutexes: an owner marker; taking one twice aborts;
 *  - wait queues never sleep: a wait whose condition is false aborts
 *    (callers must use non-blocking sockets); wakes do nothing;
 *  - tasks are never run (the net and arpd tasks: the test calls
 *    tcp_timers_run, arp_tick and inet_softirq itself);
 *  - time is host_now_ns, a counter the test advances; fw_sleep_ns
 *    advances it;
 *  - user memory is host memory (a user address is a host pointer);
 *  - the caller is root with every capability, process id 100;
 *  - files, fd tables, poll heads and procfs lines: the stack only
 *    reaches them through socket_file, SCM_RIGHTS and /proc, which the
 *    fuzzer does not use: they abort, or do nothing (poll, procfs). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fw/boot.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/event/poll.h"
#include "fs/procfs/procfs.h"
#include "fs/sys_util.h"
#include "fs/vfs/fdtable.h"
#include "net/socket.h"
#include "net/unix/unix_diag.h"

#include "fw_host_net.h"

long host_live_objs;
long host_live_bufs;
uint64_t host_now_ns = 1000ull * FW_NSEC_PER_SEC;
int host_net_verbose;
static int spin_depth;

static void die(const char *what)
{
	fprintf(stderr, "host: %s\n", what);
	abort();
}

/* ---- heap ---------------------------------------------------------------- */

void *fw__alloc_typed(struct fw__type_key *key)
{
	void *p = calloc(1, key->size);

	if (p)
		host_live_objs++;
	return p;
}

void fw_free(void *obj)
{
	if (obj)
		host_live_objs--;
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
	host_live_bufs++;
	*out = fw__buf_make(p, len);
	return 0;
}

/* Not cleared: filled with a pattern instead, so a sender that lets an
 * unfilled byte out shows it in the frames the harness checks. */
int fw_buf_alloc_uninit(size_t len, struct fw_buf *out)
{
	int err = fw_buf_alloc(len, out);

	if (!err)
		memset(fw__buf_ptr(*out), 0xa5, len);
	return err;
}

void fw_buf_free(struct fw_buf *buf)
{
	if (fw__buf_ptr(*buf))
		host_live_bufs--;
	free(fw__buf_ptr(*buf));
	*buf = fw__buf_make(NULL, 0);
}

/* ---- log ----------------------------------------------------------------- */

void fw_vlog(enum fw_log_level level, const char *fmt, va_list ap)
{
	if (host_net_verbose) {
		fprintf(stderr, "log%d: ", (int)level);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

void fw_log(enum fw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vlog(level, fmt, ap);
	va_end(ap);
}

/* ---- locks --------------------------------------------------------------- */

void fw_spin_init(struct fw_spinlock *l, const char *name)
{
	memset(l, 0, sizeof(*l));
	l->cpu = -1;
	l->name = name;
}

void fw_spin_lock(struct fw_spinlock *l)
{
	if (l->next != l->owner) {
		fprintf(stderr, "host: spinlock %s taken while held (deadlock)\n",
			l->name ? l->name : "?");
		abort();
	}
	l->next++;
	spin_depth++;
}

void fw_spin_unlock(struct fw_spinlock *l)
{
	if (l->next == l->owner) {
		fprintf(stderr, "host: spinlock %s released while free\n",
			l->name ? l->name : "?");
		abort();
	}
	l->owner++;
	spin_depth--;
}

fw_irqflags_t fw_spin_lock_irqsave(struct fw_spinlock *l)
{
	fw_spin_lock(l);
	return 0;
}

void fw_spin_unlock_irqrestore(struct fw_spinlock *l, fw_irqflags_t flags)
{
	(void)flags;
	fw_spin_unlock(l);
}

bool fw_spin_held(const struct fw_spinlock *l)
{
	return l->next != l->owner;
}

static void may_sleep(const char *what)
{
	if (spin_depth) {
		fprintf(stderr, "host: %s with a spinlock held\n", what);
		abort();
	}
}

void fw_mutex_init(struct fw_mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->waitq.lock.name = name;
}

void fw_mutex_lock(struct fw_mutex *m)
{
	may_sleep("mutex taken");
	if (m->owner) {
		fprintf(stderr, "host: mutex %s taken twice (deadlock)\n",
			m->waitq.lock.name ? m->waitq.lock.name : "?");
		abort();
	}
	m->owner = (struct fw_task *)m; /* any non-NULL marker */
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

void fw_waitq_init(struct fw_waitq *wq, const char *name)
{
	fw_spin_init(&wq->lock, name);
	fw_list_init(&wq->waiters);
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
	die("a wait would sleep forever (single-threaded; use non-blocking sockets)");
}

int fw__waitq_sleep_timeout(struct fw_waitq *wq, struct fw__waiter *w,
			    uint64_t deadline_ns)
{
	(void)wq;
	(void)w;
	(void)deadline_ns;
	die("a wait would sleep (single-threaded; use non-blocking sockets)");
	return 0;
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
	*out = (struct fw_task *)&dummy; /* never run: the test drives it */
	return 0;
}

void fw_task_detach(struct fw_task *t)
{
	(void)t;
}

void fw_sleep_ns(uint64_t ns)
{
	may_sleep("sleep");
	host_now_ns += ns;
}

uint64_t fw_time_ns(void)
{
	return host_now_ns;
}

uint64_t fw_time_realtime_ns(void)
{
	return host_now_ns;
}

/* ---- user memory (host pointers) ----------------------------------------- */

int fw_copy_in(struct fw_buf dst, fw_uptr_t src)
{
	may_sleep("copy from user");
	if (!src.addr)
		return -EFAULT;
	if (fw_buf_len(dst))
		memcpy(fw__buf_ptr(dst), (const void *)(uintptr_t)src.addr,
		       fw_buf_len(dst));
	return 0;
}

int fw_copy_out(fw_uptr_t dst, struct fw_bytes src)
{
	may_sleep("copy to user");
	if (!dst.addr)
		return -EFAULT;
	if (fw_bytes_len(src))
		memcpy((void *)(uintptr_t)dst.addr, fw__bytes_ptr(src),
		       fw_bytes_len(src));
	return 0;
}

long fw_copy_in_str(struct fw_buf dst, fw_uptr_t src)
{
	const char *s = (const char *)(uintptr_t)src.addr;
	size_t n = fw_buf_len(dst);
	size_t len;

	may_sleep("copy from user");
	if (!s)
		return -EFAULT;
	len = strnlen(s, n);
	if (len == n)
		return -ENAMETOOLONG;
	memcpy(fw__buf_ptr(dst), s, len + 1);
	return (long)len;
}

/* ---- the caller ---------------------------------------------------------- */

static const struct cred root = { .cap_eff = CAP_FULL_SET,
				  .cap_prm = CAP_FULL_SET };

const struct cred *fs_cred(void)
{
	return &root;
}

int current_pid(void)
{
	return 100;
}

bool signal_pending_current(void)
{
	return false;
}

void signal_send_current_thread(int sig)
{
	(void)sig; /* SIGPIPE: nobody to deliver it to */
}

/* ---- files, polls and /proc: not reached by the fuzzer ------------------- */

/* AF_UNIX is not in this build: NETLINK_SOCK_DIAG finds no socket (the
 * fuzzer's netlink socket is NETLINK_ROUTE anyway). */
int unix_diag_dump(struct nl_out *o, struct fw_bytes req, uint32_t seq,
		   int32_t portid, unsigned *pos, bool *more)
{
	(void)o, (void)req, (void)seq, (void)portid, (void)pos;
	*more = false;
	return 0;
}

int unix_diag_get(struct nl_out *o, struct fw_bytes req, uint32_t seq,
		  int32_t portid)
{
	(void)o, (void)req, (void)seq, (void)portid;
	return -ENOENT;
}

void poll_head_init(struct poll_head *h)
{
	fw_spin_init(&h->lock, "poll");
	fw_list_init(&h->entries);
}

void poll_wait(struct poll_table *pt, struct poll_head *h)
{
	(void)pt;
	(void)h;
}

void poll_wake(struct poll_head *h)
{
	(void)h;
}

void procfs_put_line(struct procfs_seq *s, const struct procfs_line *l, int n)
{
	(void)s;
	(void)l;
	(void)n;
}

struct inode *inode_alloc(struct superblock *sb, uint32_t mode)
{
	(void)sb;
	(void)mode;
	die("inode_alloc: socket files are not used on the host");
	return NULL;
}

void inode_put(struct inode *ino)
{
	(void)ino;
	die("inode_put: socket files are not used on the host");
}

struct file *file_alloc(const struct vfs_path *p, const struct file_ops *ops,
			unsigned flags)
{
	(void)p;
	(void)ops;
	(void)flags;
	die("file_alloc: socket files are not used on the host");
	return NULL;
}

void file_get(struct file *f)
{
	(void)f;
	die("file_get: no files on the host");
}

void file_put(struct file *f)
{
	(void)f;
	die("file_put: no files on the host");
}

struct file *sys_fget(int fd)
{
	(void)fd;
	return NULL;
}

struct fdtable *current_files(void)
{
	die("current_files: no fd table on the host");
	return NULL;
}

int fd_install(struct fdtable *t, struct file *f, unsigned flags)
{
	(void)t;
	(void)f;
	(void)flags;
	die("fd_install: no fd table on the host");
	return -EMFILE;
}

int fd_close(struct fdtable *t, int fd)
{
	(void)t;
	(void)fd;
	die("fd_close: no fd table on the host");
	return -EBADF;
}

long sock_generic_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	(void)s;
	(void)cmd;
	(void)arg;
	return -ENOIOCTLCMD;
}

/* The kernel command line: empty on the host, so the lossy-link knobs
 * (netem.c) stay off and ip= (ipconfig.c) does nothing. */
long fw_boot_opt_copy(const char *key, struct fw_buf out)
{
	(void)key;
	(void)out;
	return -ENOENT;
}

int fw_boot_opt_u64(const char *key, uint64_t *out)
{
	(void)key;
	(void)out;
	return -ENOENT;
}

size_t fw_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}
