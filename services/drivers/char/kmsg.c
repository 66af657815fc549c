/* services/drivers/char/kmsg.c: the kernel log for user space: /dev/kmsg
 * (1:11) and syslog(2), which dmesg, klogctl and syslog daemons use.
 *
 * Layer: services (safe C), a character device and a system call over the
 * framework's log ring (fw/log.h). Linux's formats and rules
 * (Documentation/ABI/testing/dev-kmsg, man 2 syslog):
 *  - /dev/kmsg: each read returns one record, "prio,seq,usec,-;text\n",
 *    starting with the oldest kept; a reader the ring overtook gets EPIPE
 *    once and goes on from the oldest; lseek(0, SEEK_SET/SEEK_DATA/
 *    SEEK_END) moves to the oldest / first after the last clear / next
 *    record; a write logs one line, "<N>" first sets its priority (user
 *    facility unless one is given). poll says POLLIN when a record waits.
 *  - syslog(2): READ consumes records (blocking), READ_ALL copies the
 *    newest that fit, "<N>[seconds.micros] text\n" each, READ_CLEAR also
 *    clears, CLEAR, CONSOLE_OFF/ON/LEVEL, SIZE_UNREAD, SIZE_BUFFER. As
 *    with Linux's dmesg_restrict = 0 anyone may READ_ALL and SIZE_BUFFER;
 *    the rest needs root (CAP_SYSLOG).
 * The framework wakes fw_log_waitq() within a timer tick of new lines;
 * blocking readers sleep there, and a small task forwards the wakeups to
 * the pollers. */
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/task.h>

#include "current/current.h"
#include "drivers/char/kmsg.h"
#include "fs/event/poll.h"
#include "fs/procfs/procfs.h"
#include "fs/vfs/chardev.h"
#include "fs/vfs/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define LOG_USER_FACILITY (1u << 3)
#define DEFAULT_USER_LEVEL 4 /* Linux's default_message_loglevel */
#define KMSG_WRITE_MAX 1024  /* Linux's LOG_LINE_MAX for a /dev/kmsg write */

static struct poll_head kmsg_poll;
static uint64_t syslog_seq;   /* next record syslog READ returns */
static uint64_t clear_seq;    /* first record after the last CLEAR */
static struct fw_mutex syslog_lock; /* guards syslog_seq, clear_seq */
static int console_saved;     /* the level CONSOLE_OFF replaced, 0: none */

/* One line of text from the ring into a kernel buffer. */
struct kmsg_line {
	char s[FW_LOG_TEXT_MAX + 64];
};

/* ---- /dev/kmsg ----------------------------------------------------------- */

static bool record_waiting(uint64_t seq)
{
	return fw_log_next_seq() > seq;
}

static long kmsg_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct fw_log_record r;
	struct kmsg_line line;
	struct fw_bytes out;
	int n;

	for (;;) {
		if (fw_log_read(f->priv, &r) == 0)
			break;
		if (atomic_load(&f->flags) & O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(fw_log_waitq(),
			      record_waiting(f->priv) || signal_pending_current());
		if (signal_pending_current() && !record_waiting(f->priv))
			return -ERESTARTSYS;
	}
	if (r.seq > f->priv) {
		/* Overwritten before this reader got to them: say so once,
		 * and go on from the oldest kept (Linux devkmsg_read). */
		f->priv = r.seq;
		return -EPIPE;
	}
	n = snprintf(line.s, sizeof line.s, "%u,%llu,%llu,-;%s\n",
		     (unsigned)r.prio, (unsigned long long)r.seq,
		     (unsigned long long)(r.ts_ns / 1000), r.text);
	if (n < 0 || (size_t)n >= sizeof line.s)
		n = (int)sizeof line.s - 1;
	if ((size_t)n > len)
		return -EINVAL; /* the whole record or nothing, as Linux */
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(line.s), 0, (size_t)n, &out) ||
	    fw_copy_out(buf, out))
		return -EFAULT;
	f->priv = r.seq + 1;
	return n;
}

/* "<N>" at the start of a written line: its priority, and the bytes the
 * prefix takes; no prefix: 0 bytes. */
static size_t parse_prio(const struct kmsg_line *l, size_t len, unsigned *prio)
{
	unsigned v = 0;
	size_t i = 1;

	if (len < 3 || l->s[0] != '<')
		return 0;
	while (i < len && i < 5 && l->s[i] >= '0' && l->s[i] <= '9')
		v = v * 10 + (unsigned)(l->s[i++] - '0');
	if (i == 1 || i >= len || l->s[i] != '>')
		return 0;
	*prio = v & 0x3FF;
	return i + 1;
}

static long kmsg_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct kmsg_line line;
	unsigned prio = LOG_USER_FACILITY | DEFAULT_USER_LEVEL;
	size_t n = len, skip;
	struct fw_buf in;
	struct fw_bytes text;

	if (len > KMSG_WRITE_MAX)
		return -EINVAL;
	if (n > sizeof line.s - 1)
		n = sizeof line.s - 1;
	if (fw_buf_sub(FW_BUF_OF_ARRAY(line.s), 0, n, &in) || fw_copy_in(in, buf))
		return -EFAULT;
	line.s[n] = 0;
	skip = parse_prio(&line, n, &prio);
	/* User space may not pose as the kernel (facility 0). */
	if ((prio >> 3) == 0)
		prio |= LOG_USER_FACILITY;
	while (n > skip && line.s[n - 1] == '\n')
		n--;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(line.s), skip, n - skip, &text))
		return -EINVAL;
	fw_log_user(prio, text);
	return (long)len;
}

static int64_t kmsg_llseek(struct file *f, int64_t off, int whence)
{
	if (off)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
		f->priv = fw_log_first_seq();
		return 0;
	case SEEK_DATA:
		fw_mutex_lock(&syslog_lock);
		f->priv = clear_seq;
		fw_mutex_unlock(&syslog_lock);
		return 0;
	case SEEK_END:
		f->priv = fw_log_next_seq();
		return 0;
	}
	return -EINVAL;
}

static unsigned kmsg_poll_mask(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &kmsg_poll);
	if (f->priv < fw_log_first_seq())
		return POLLIN | POLLRDNORM | POLLERR | POLLPRI;
	return record_waiting(f->priv) ? POLLIN | POLLRDNORM : 0;
}

static int kmsg_open(struct inode *ino, struct file *f)
{
	f->priv = fw_log_first_seq();
	return 0;
}

static const struct file_ops kmsg_ops = {
	.open = kmsg_open,
	.read = kmsg_read,
	.write = kmsg_write,
	.llseek = kmsg_llseek,
	.poll = kmsg_poll_mask,
};

/* Forwards the framework's "new lines" wakeups to poll/select/epoll. */
static void kmsg_poll_main(struct poll_head *h)
{
	uint64_t seen = fw_log_next_seq();

	for (;;) {
		FW_WAIT_EVENT(fw_log_waitq(), fw_log_next_seq() != seen);
		seen = fw_log_next_seq();
		poll_wake(h);
	}
}

/* ---- syslog(2) --------------------------------------------------------- */

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10
#define CONSOLE_LOGLEVEL_MIN 1

/* r as syslog(2) prints it; its length. */
static int syslog_format(const struct fw_log_record *r, struct kmsg_line *out)
{
	int n = snprintf(out->s, sizeof out->s, "<%u>[%5llu.%06llu] %s\n",
			 (unsigned)r->prio,
			 (unsigned long long)(r->ts_ns / 1000000000ull),
			 (unsigned long long)(r->ts_ns / 1000ull % 1000000ull),
			 r->text);
	if (n < 0 || (size_t)n >= sizeof out->s)
		n = (int)sizeof out->s - 1;
	return n;
}

/* Bytes records [from, to) take as syslog text. */
static uint64_t text_size(uint64_t from, uint64_t to)
{
	struct fw_log_record r;
	struct kmsg_line line;
	uint64_t total = 0;

	for (uint64_t seq = from; seq < to && fw_log_read(seq, &r) == 0;
	     seq = r.seq + 1)
		total += (uint64_t)syslog_format(&r, &line);
	return total;
}

/* Copy records from seq on, while whole lines fit in len bytes; returns
 * bytes copied (or -EFAULT) and the next unread record in *next. */
static long copy_records(uint64_t seq, fw_uptr_t buf, size_t len,
			 uint64_t *next)
{
	struct fw_log_record r;
	struct kmsg_line line;
	struct fw_bytes out;
	size_t done = 0;

	*next = seq;
	while (fw_log_read(*next, &r) == 0) {
		int n = syslog_format(&r, &line);
		if ((size_t)n > len - done)
			break;
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(line.s), 0, (size_t)n, &out) ||
		    fw_copy_out(fw_uptr_add(buf, done), out))
			return done ? (long)done : -EFAULT;
		done += (size_t)n;
		*next = r.seq + 1;
	}
	return (long)done;
}

/* READ_ALL: the newest records since the last clear that fit in len. */
static long read_all(fw_uptr_t buf, size_t len, bool clear)
{
	uint64_t end = fw_log_next_seq(), start, next;
	long n;

	fw_mutex_lock(&syslog_lock);
	start = clear_seq > fw_log_first_seq() ? clear_seq : fw_log_first_seq();
	/* Drop the oldest until the rest fits (Linux syslog_print_all). */
	while (start < end && text_size(start, end) > len)
		start++;
	n = copy_records(start, buf, len, &next);
	if (clear && n >= 0)
		clear_seq = end;
	fw_mutex_unlock(&syslog_lock);
	return n;
}

/* READ: wait for unread records, then consume those that fit. */
static long read_consume(fw_uptr_t buf, size_t len)
{
	uint64_t next;
	long n;

	for (;;) {
		fw_mutex_lock(&syslog_lock);
		if (syslog_seq < fw_log_first_seq())
			syslog_seq = fw_log_first_seq();
		if (record_waiting(syslog_seq))
			break;
		fw_mutex_unlock(&syslog_lock);
		FW_WAIT_EVENT(fw_log_waitq(),
			      record_waiting(syslog_seq) || signal_pending_current());
		if (signal_pending_current())
			return -ERESTARTSYS;
	}
	n = copy_records(syslog_seq, buf, len, &next);
	if (n > 0)
		syslog_seq = next;
	fw_mutex_unlock(&syslog_lock);
	return n;
}

/* Bytes of text not yet taken by a READ (SYSLOG_ACTION_SIZE_UNREAD). */
static uint64_t unread_size(void)
{
	uint64_t size;

	fw_mutex_lock(&syslog_lock);
	size = text_size(syslog_seq, fw_log_next_seq());
	fw_mutex_unlock(&syslog_lock);
	return size;
}

static bool syslog_privileged(void)
{
	return cred_capable(fs_cred(), CAP_SYSLOG) ||
	       cred_capable(fs_cred(), CAP_SYS_ADMIN);
}

static long sys_syslog(const struct sys_args *a)
{
	int type = (int)a->arg[0];
	fw_uptr_t buf = fw_uptr(a->arg[1]);
	int len = (int)a->arg[2];
	bool privileged = syslog_privileged();

	if (type == SYSLOG_ACTION_CLOSE || type == SYSLOG_ACTION_OPEN)
		return 0;
	if (!privileged && type != SYSLOG_ACTION_READ_ALL &&
	    type != SYSLOG_ACTION_SIZE_BUFFER)
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!a->arg[1] || len < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
		if (type == SYSLOG_ACTION_READ)
			return read_consume(buf, (size_t)len);
		return read_all(buf, (size_t)len, type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR:
		fw_mutex_lock(&syslog_lock);
		clear_seq = fw_log_next_seq();
		fw_mutex_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		fw_mutex_lock(&syslog_lock);
		if (!console_saved)
			console_saved = fw_log_console_level(CONSOLE_LOGLEVEL_MIN);
		fw_mutex_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		fw_mutex_lock(&syslog_lock);
		if (console_saved)
			fw_log_console_level(console_saved);
		console_saved = 0;
		fw_mutex_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		fw_mutex_lock(&syslog_lock);
		/* Linux: the level at least the minimum; console on again. */
		fw_log_console_level(len < CONSOLE_LOGLEVEL_MIN ? CONSOLE_LOGLEVEL_MIN
								: len);
		console_saved = 0;
		fw_mutex_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (long)unread_size();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return FW_LOG_BUFFER_BYTES;
	}
	return -EINVAL;
}

/* /proc/kmsg (Linux's fs/proc/kmsg.c): syslog(2)'s READ as a file, for
 * klogd: each read takes the records not read yet (one reader's take is
 * gone for the next), blocking until there are some, -EAGAIN when
 * non-blocking; poll says POLLIN while some wait. Only for a caller with
 * CAP_SYSLOG (or CAP_SYS_ADMIN), checked at open. */
static int proc_kmsg_open(struct inode *ino, struct file *f)
{
	return syslog_privileged() ? 0 : -EPERM;
}

static long proc_kmsg_read(struct file *f, fw_uptr_t buf, size_t len,
			   uint64_t *pos)
{
	if (len == 0)
		return 0;
	if ((atomic_load(&f->flags) & O_NONBLOCK) && !unread_size())
		return -EAGAIN;
	return read_consume(buf, len);
}

static unsigned proc_kmsg_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &kmsg_poll);
	return unread_size() ? POLLIN | POLLRDNORM : 0;
}

const struct file_ops procfs_kmsg_ops = {
	.open = proc_kmsg_open,
	.read = proc_kmsg_read,
	.poll = proc_kmsg_poll,
};

static const struct sys_entry kmsg_syscalls[] = {
	{ __NR_syslog, "syslog", sys_syslog },
};

void kmsg_init(void)
{
	struct fw_task *t;

	fw_mutex_init(&syslog_lock, "syslog");
	poll_head_init(&kmsg_poll);
	SYSCALL_REGISTER_TABLE(kmsg_syscalls);
	if (chardev_register(1, 11, 1, &kmsg_ops))
		fw_err("kmsg: could not register /dev/kmsg");
	if (FW_TASK_SPAWN("kmsg-poll", kmsg_poll_main, &kmsg_poll, -1, &t))
		fw_err("kmsg: no task for poll wakeups; poll on /dev/kmsg "
		       "will not wake");
	else
		fw_task_detach(t);
}
