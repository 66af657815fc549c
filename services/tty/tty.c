/* services/tty/tty.c: the console terminal: input path, read/write/poll,
 * termios and job-control ioctls.
 *
 * Layer: services (safe C). Three layers, bottom up:
 *  1. the serial interrupt (tty_console_input): only puts the byte in the
 *     raw ring and wakes tty-rx. It takes no other lock and sends no
 *     signal: interrupt context must not sleep or take process locks;
 *  2. the tty-rx kernel task: runs each raw byte through the line
 *     discipline under tty->lock (echo goes straight to the console), then,
 *     with the lock dropped, sends the signals the ldisc raised (^C ^\ ^Z)
 *     to the foreground process group and wakes readers and writers. A
 *     task rather than the reader does this so ^C works while nobody reads
 *     (the shell waiting in wait4 for a looping child);
 *  3. the file API (tty_read, tty_write, tty_poll, tty_ioctl), called by
 *     the device glue in tty_dev.c; it copies user memory only with no
 *     spinlock held, through small stack buffers.
 * Semantics are Linux's (drivers/tty/tty_io.c, tty_jobctrl.c,
 * n_tty.c n_tty_read for VMIN/VTIME). Simplifications are marked
 * "Simplified:". */
#include <fw/console.h>
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/time.h>

#include "proc/proc.h"
#include "proc/signal.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"
#include "tty/tty.h"

#define TTY_CHUNK 256 /* bytes moved per lock hold on read and write */

static struct tty console_tty;
static struct tty *hvc_tty; /* set once at boot, before user space */

struct tty *tty_console(void)
{
	return &console_tty;
}

void tty_set_hvc(struct tty *t)
{
	hvc_tty = t;
}

struct tty *tty_hvc(void)
{
	return hvc_tty;
}

/* ---- ldisc callbacks (tty->lock held) --------------------------------- */

static void tty_ld_output(struct ldisc *ld, struct fw_bytes bytes)
{
	struct tty *t = FW_CONTAINER_OF(ld, struct tty, ld);

	t->drv->write(t, bytes);
}

static void serial_write(struct tty *t, struct fw_bytes bytes)
{
	/* Gap: fw_console_write turns every "\n" into "\r\n" itself, so
	 * with OPOST|ONLCR the line is "\r\r\n" (harmless), and with OPOST
	 * off a bare "\n" still returns the carriage. A raw console write
	 * (framework) would fix both. */
	(void)t;
	fw_console_write(bytes);
}

static const struct tty_driver_ops serial_ops = {
	.write = serial_write,
};

static void tty_ld_signal(struct ldisc *ld, int sig)
{
	struct tty *t = FW_CONTAINER_OF(ld, struct tty, ld);

	if (sig > 0 && sig < 32)
		t->pending_sigs |= 1u << sig;
}

static const struct ldisc_ops tty_ld_ops = {
	.output = tty_ld_output,
	.signal = tty_ld_signal,
};

/* ---- signals ---------------------------------------------------------- */

/* Send the signals in mask to process group pgrp (no locks held). */
static void tty_send_sigs(int pgrp, uint32_t mask)
{
	if (pgrp <= 0)
		return;
	for (int sig = 1; sig < 32; sig++)
		if (mask & (1u << sig))
			(void)signal_send_pgrp(pgrp, sig);
}

/* Take the pending ISIG signals and the group to send them to. */
static uint32_t tty_take_sigs(struct tty *t, int *pgrp)
{
	uint32_t mask;

	fw_spin_lock(&t->lock);
	mask = t->pending_sigs;
	t->pending_sigs = 0;
	*pgrp = t->pgrp;
	fw_spin_unlock(&t->lock);
	return mask;
}

/* ---- input: interrupt and tty-rx -------------------------------------- */

/* Input, settings or flow state changed: wake readers, writers, pollers
 * (no tty lock held). */
static void tty_wake(struct tty *t)
{
	(void)fw_waitq_wake_all(&t->read_wait);
	(void)fw_waitq_wake_all(&t->write_wait);
	poll_wake(&t->poll);
	if (t->drv->state_changed)
		t->drv->state_changed(t);
}

/* A device interrupt: buffer the bytes, wake tty-rx. Nothing else. */
void tty_input(struct tty *t, struct fw_bytes bytes)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);

	for (size_t i = 0; i < fw_bytes_len(bytes); i++) {
		uint8_t c = 0;

		if (fw_bytes_get_u8(bytes, i, &c))
			break;
		if (t->rx_head - t->rx_tail < TTY_RX_RING) {
			t->rx[t->rx_head % TTY_RX_RING] = c;
			t->rx_head++;
		} else {
			t->rx_dropped++;
		}
	}
	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	(void)fw_waitq_wake_one(&t->rx_wait);
}

size_t tty_input_queue(struct tty *t, struct fw_bytes bytes)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);
	size_t n = 0;

	while (n < fw_bytes_len(bytes) && t->rx_head - t->rx_tail < TTY_RX_RING) {
		uint8_t c = 0;

		if (fw_bytes_get_u8(bytes, n, &c))
			break;
		t->rx[t->rx_head % TTY_RX_RING] = c;
		t->rx_head++;
		n++;
	}
	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	if (n)
		(void)fw_waitq_wake_one(&t->rx_wait);
	return n;
}

size_t tty_input_room(struct tty *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);
	size_t room = TTY_RX_RING - (t->rx_head - t->rx_tail);

	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	return room;
}

/* The serial interrupt's callback. */
static void tty_console_input(char c)
{
	uint8_t b = (uint8_t)c;

	tty_input(&console_tty, FW_BYTES_OF_OBJ(&b));
}

/* How many raw bytes tty-rx may feed the line discipline now: any number
 * for a device that drops on overflow anyway, the ldisc's room for a
 * transient (pty) terminal, whose writer waits instead of losing data. */
static size_t tty_rx_budget(struct tty *t)
{
	size_t room;

	if (!t->transient)
		return TTY_CHUNK;
	fw_spin_lock(&t->lock);
	room = ldisc_receive_room(&t->ld);
	fw_spin_unlock(&t->lock);
	return room < TTY_CHUNK ? room : TTY_CHUNK;
}

static bool tty_rx_pending(struct tty *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);
	bool pending = t->rx_head != t->rx_tail;
	bool stop = t->rx_stop;

	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	return stop || (pending && tty_rx_budget(t) > 0);
}

static bool tty_rx_stopping(struct tty *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);
	bool stop = t->rx_stop;

	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	return stop;
}

struct tty_rx_chunk {
	uint8_t b[TTY_CHUNK]; /* raw bytes taken from the ring */
};

/* Move up to max raw bytes out of the ring; returns how many. */
static size_t tty_rx_take(struct tty *t, struct tty_rx_chunk *out, size_t max)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);
	size_t n = 0;

	while (n < max && n < TTY_CHUNK && t->rx_tail != t->rx_head) {
		out->b[n++] = t->rx[t->rx_tail % TTY_RX_RING];
		t->rx_tail++;
	}
	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	return n;
}

static void tty_rx_main(struct tty *t)
{
	struct tty_rx_chunk chunk;

	for (;;) {
		size_t n;
		uint32_t sigs;
		int pgrp = 0;

		FW_WAIT_EVENT(&t->rx_wait, tty_rx_pending(t));
		if (tty_rx_stopping(t))
			fw_task_exit(0);
		n = tty_rx_take(t, &chunk, tty_rx_budget(t));
		fw_spin_lock(&t->lock);
		for (size_t i = 0; i < n; i++)
			ldisc_receive(&t->ld, chunk.b[i]);
		fw_spin_unlock(&t->lock);
		if (n && t->drv->input_room)
			t->drv->input_room(t);
		sigs = tty_take_sigs(t, &pgrp);
		tty_send_sigs(pgrp, sigs);
		tty_wake(t);
	}
}

/* ---- background job access (Linux tty_jobctrl.c) ---------------------- */

/* Does the calling thread ignore or block sig (Linux is_ignored)? */
static bool tty_sig_ignored(struct proc *p, int sig)
{
	struct thread *th = thread_current();
	bool ign;

	if (th && (th->sigmask & sigbit(sig)))
		return true;
	if (!p->sighand)
		return false;
	fw_spin_lock(&p->sighand->lock);
	ign = p->sighand->action[sig].handler == SIG_IGN;
	fw_spin_unlock(&p->sighand->lock);
	return ign;
}

/* Linux __tty_check_change: may the caller use t as a foreground job?
 * 0 if t is not the caller's controlling tty, the tty has no foreground
 * group, or the caller is in it. A background caller: sig (SIGTTIN or
 * SIGTTOU) ignored or blocked -> -EIO for SIGTTIN, 0 (allowed) for
 * SIGTTOU; otherwise sig goes to the caller's whole process group and the
 * call returns -ERESTARTSYS, so it stops and restarts on SIGCONT.
 * Simplified: a process group is never treated as orphaned (Linux
 * returns -EIO there instead of sending a stop signal nobody would
 * answer with SIGCONT). */
static long tty_check_change(struct tty *t, int sig)
{
	struct proc *p = proc_current();
	int fg, pgid;
	bool bg;

	if (!p || p->ctty != t)
		return 0;
	fw_spin_lock(&t->lock);
	fg = t->pgrp;
	pgid = p->pgid;
	bg = t->session == p->sid && fg > 0 && pgid != fg;
	fw_spin_unlock(&t->lock);
	if (!bg)
		return 0;
	if (tty_sig_ignored(p, sig))
		return sig == TTY_SIGTTIN ? -EIO : 0;
	tty_send_sigs(pgid, 1u << sig);
	return -ERESTARTSYS;
}

/* ---- read ------------------------------------------------------------- */

static bool tty_readable(struct tty *t)
{
	bool r;

	fw_spin_lock(&t->lock);
	r = ldisc_readable(&t->ld);
	fw_spin_unlock(&t->lock);
	return r;
}

/* Is t hung up for a file opened at hangup generation gen: for good (a
 * pty whose master closed), or since by vhangup? t->lock held. */
static bool hung_locked(const struct tty *t, uint32_t gen)
{
	return t->hung_up || gen != t->hangup_gen;
}

static bool tty_is_hung_up(struct tty *t, uint32_t gen)
{
	bool h;

	fw_spin_lock(&t->lock);
	h = hung_locked(t, gen);
	fw_spin_unlock(&t->lock);
	return h;
}

/* Wait until input is readable or a signal is pending; with a deadline
 * (0: none). Returns 0 (readable), -ERESTARTSYS (a signal: the syscall
 * layer restarts it under SA_RESTART or returns -EINTR, as Linux
 * n_tty_read), -ETIMEDOUT, or -EPIPE (hung up: the read ends, 0 bytes). */
static int tty_wait_input(struct tty *t, uint32_t gen, uint64_t deadline_ns)
{
	int ret = 0;

	if (deadline_ns) {
		FW_WAIT_EVENT_DEADLINE(&t->read_wait,
				       tty_readable(t) || tty_is_hung_up(t, gen) ||
					       signal_pending_current(),
				       deadline_ns, ret);
		if (ret)
			return ret;
	} else {
		FW_WAIT_EVENT(&t->read_wait,
			      tty_readable(t) || tty_is_hung_up(t, gen) ||
				      signal_pending_current());
	}
	if (tty_is_hung_up(t, gen))
		return -EPIPE;
	if (!tty_readable(t) && signal_pending_current())
		return -ERESTARTSYS;
	return 0;
}

/* Read up to want bytes from the ldisc and copy them to user buf.
 * Returns bytes moved (>= 0) or -EFAULT; *eol as ldisc_read. */
static long tty_read_chunk(struct tty *t, fw_uptr_t buf, size_t want,
			   bool *eol)
{
	uint8_t kbuf[TTY_CHUNK];
	struct fw_buf all = FW_BUF_OF_ARRAY(kbuf);
	struct fw_buf part;
	struct fw_bytes got;
	size_t n;

	if (want > TTY_CHUNK)
		want = TTY_CHUNK;
	if (fw_buf_sub(all, 0, want, &part))
		return -EINVAL;
	fw_spin_lock(&t->lock);
	n = ldisc_read(&t->ld, part, eol);
	fw_spin_unlock(&t->lock);
	if (n == 0)
		return 0;
	if (t->transient) /* room for input the writer is holding back */
		(void)fw_waitq_wake_one(&t->rx_wait);
	if (fw_bytes_sub(fw_buf_as_bytes(all), 0, n, &got))
		return -EINVAL;
	/* Simplified: bytes taken from the ldisc are lost on a fault (Linux
	 * copies out of its ring under a mutex and keeps them). */
	if (fw_copy_out(buf, got))
		return -EFAULT;
	return (long)n;
}

static long tty_read_canon(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
			   bool nonblock)
{
	size_t total = 0;

	for (;;) {
		bool eol = false;
		long n;

		if (!tty_readable(t)) {
			int err;

			if (total)
				break;
			if (nonblock)
				return -EAGAIN;
			err = tty_wait_input(t, gen, 0);
			if (err == -EPIPE)
				return 0;
			if (err)
				return err;
			continue;
		}
		n = tty_read_chunk(t, fw_uptr_add(buf, total), len - total,
				   &eol);
		if (n < 0)
			return total ? (long)total : n;
		total += (size_t)n;
		if (eol || total >= len)
			break;
	}
	return (long)total;
}

/* Non-canonical read, n_tty_read's VMIN/VTIME cases (termios(3)):
 *  MIN=0 TIME=0  return what is there, maybe 0;
 *  MIN>0 TIME=0  block until MIN bytes (or len, if smaller);
 *  MIN=0 TIME>0  wait up to TIME tenths for the first byte;
 *  MIN>0 TIME>0  block for the first byte, then until MIN bytes or TIME
 *                tenths pass without a new byte. */
static long tty_read_raw(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
			 bool nonblock, uint8_t vmin, uint8_t vtime)
{
	uint64_t tenth = 100 * FW_NSEC_PER_MSEC;
	size_t target = vmin ? vmin : 1;
	uint64_t deadline = 0;
	size_t total = 0;

	if (target > len)
		target = len;
	if (vmin == 0 && vtime)
		deadline = fw_time_ns() + vtime * tenth;
	for (;;) {
		int err;

		while (total < len) {
			long n = tty_read_chunk(t, fw_uptr_add(buf, total),
						len - total, NULL);

			if (n < 0)
				return total ? (long)total : n;
			if (n == 0)
				break;
			total += (size_t)n;
			if (vmin && vtime)
				deadline = fw_time_ns() + vtime * tenth;
		}
		if (total >= target)
			break;
		if (vmin == 0 && vtime == 0)
			break;
		if (nonblock)
			return total ? (long)total : -EAGAIN;
		err = tty_wait_input(t, gen, deadline);
		if (err == -ETIMEDOUT || err == -EPIPE)
			break;
		if (err)
			return total ? (long)total : err;
	}
	return (long)total;
}

long tty_read(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
	      bool nonblock)
{
	uint8_t vmin, vtime;
	bool canon;
	long ret;

	if (len == 0 || tty_is_hung_up(t, gen))
		return 0; /* Linux hung_up_tty_read */
	/* Linux n_tty_read: a background reader gets SIGTTIN, or -EIO. */
	ret = tty_check_change(t, TTY_SIGTTIN);
	if (ret)
		return ret;
	fw_mutex_lock(&t->read_mutex);
	fw_spin_lock(&t->lock);
	canon = (t->ld.tio.c_lflag & ICANON) != 0;
	vmin = t->ld.tio.c_cc[VMIN];
	vtime = t->ld.tio.c_cc[VTIME];
	fw_spin_unlock(&t->lock);
	if (canon)
		ret = tty_read_canon(t, gen, buf, len, nonblock);
	else
		ret = tty_read_raw(t, gen, buf, len, nonblock, vmin, vtime);
	fw_mutex_unlock(&t->read_mutex);
	return ret;
}

/* ---- write ------------------------------------------------------------ */

/* Whether n bytes may go out now: output is not stopped (^S) and the
 * device has room for what the line discipline makes of them (OPOST may
 * double them, and it hands them out LDISC_OBUF at a time). tty->lock. */
static bool can_output(struct tty *t, size_t n)
{
	unsigned need = (unsigned)((2 * n + LDISC_OBUF - 1) / LDISC_OBUF);

	return !t->ld.stopped &&
	       (!t->drv->write_room || t->drv->write_room(t) >= need);
}

static bool try_output(struct tty *t, size_t n)
{
	bool ok;

	fw_spin_lock(&t->lock);
	ok = can_output(t, n);
	fw_spin_unlock(&t->lock);
	return ok;
}

long tty_write(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
	       bool nonblock)
{
	uint8_t kbuf[TTY_CHUNK];
	struct fw_buf all = FW_BUF_OF_ARRAY(kbuf);
	size_t done = 0;
	bool tostop;

	/* Linux n_tty_write: a background writer under TOSTOP. */
	fw_spin_lock(&t->lock);
	tostop = (t->ld.tio.c_lflag & TOSTOP) != 0;
	if (hung_locked(t, gen)) {
		fw_spin_unlock(&t->lock);
		return -EIO; /* Linux hung_up_tty_write */
	}
	fw_spin_unlock(&t->lock);
	if (tostop && len) {
		long err = tty_check_change(t, TTY_SIGTTOU);

		if (err)
			return err;
	}
	while (done < len) {
		size_t n = len - done;
		struct fw_buf part;

		if (n > TTY_CHUNK)
			n = TTY_CHUNK;
		if (fw_buf_sub(all, 0, n, &part))
			break;
		if (fw_copy_in(part, fw_uptr_add(buf, done)))
			return done ? (long)done : -EFAULT;
		/* Wait while output is stopped or the device is full; the
		 * check and the write are one lock hold, so nothing else
		 * (echo) takes the room in between. */
		fw_spin_lock(&t->lock);
		while (!can_output(t, n) || hung_locked(t, gen)) {
			fw_spin_unlock(&t->lock);
			if (tty_is_hung_up(t, gen))
				return done ? (long)done : -EIO;
			if (nonblock)
				return done ? (long)done : -EAGAIN;
			FW_WAIT_EVENT(&t->write_wait,
				      try_output(t, n) || tty_is_hung_up(t, gen) ||
					      signal_pending_current());
			if (signal_pending_current())
				return done ? (long)done : -ERESTARTSYS;
			fw_spin_lock(&t->lock);
		}
		ldisc_write(&t->ld, fw_buf_as_bytes(part));
		fw_spin_unlock(&t->lock);
		done += n;
	}
	return (long)done;
}

/* ---- poll ------------------------------------------------------------- */

unsigned tty_poll(struct tty *t, uint32_t gen, struct poll_table *pt)
{
	unsigned mask = 0;

	poll_wait(pt, &t->poll); /* before reading the state: no lost wake */
	fw_spin_lock(&t->lock);
	if (hung_locked(t, gen)) {
		/* Linux hung_up_tty_poll */
		fw_spin_unlock(&t->lock);
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM |
		       POLLWRNORM;
	}
	if (ldisc_readable(&t->ld))
		mask |= POLLIN | POLLRDNORM;
	if (can_output(t, 1))
		mask |= POLLOUT | POLLWRNORM;
	fw_spin_unlock(&t->lock);
	return mask;
}

/* ---- job control ------------------------------------------------------ */

int tty_open(enum tty_node node, unsigned oflags, struct tty **out)
{
	struct proc *p = proc_current();
	struct tty *t = node == TTY_NODE_HVC ? hvc_tty : &console_tty;

	if (!t)
		return -ENXIO; /* no virtio console */
	if (node == TTY_NODE_CTTY) {
		/* Linux tty_open_current_tty: -ENXIO without a ctty. */
		if (!p || !p->ctty)
			return -ENXIO;
		*out = p->ctty;
		return 0;
	}
	if ((node == TTY_NODE_SERIAL || node == TTY_NODE_HVC) &&
	    !(oflags & TTY_O_NOCTTY) && p &&
	    p->pid == p->sid && !p->ctty) {
		fw_spin_lock(&t->lock);
		if (t->session == 0 && !t->hung_up) {
			t->session = p->sid;
			t->pgrp = p->pgid;
			tty_ctty_get(t);
			(void)proc_set_ctty(p, t); /* it had none */
		}
		fw_spin_unlock(&t->lock);
	}
	*out = t;
	return 0;
}

/* TIOCSCTTY (Linux tiocsctty). Simplified: stealing (arg 1) is allowed
 * to uid 0 only, standing in for CAP_SYS_ADMIN; the old session's
 * members keep a stale ctty pointer. */
static long tty_set_ctty(struct tty *t, uint64_t arg)
{
	struct proc *p = proc_current();
	long ret = 0;

	if (!p)
		return -EPERM;
	if (p->pid == p->sid && p->ctty == t)
		return 0;
	if (p->pid != p->sid || p->ctty)
		return -EPERM;
	fw_spin_lock(&t->lock);
	if (t->session && t->session != p->sid &&
	    !(arg == 1 && cred_capable(&p->cred, CAP_SYS_ADMIN))) {
		ret = -EPERM;
	} else if (t->hung_up) {
		ret = -EIO;
	} else {
		t->session = p->sid;
		t->pgrp = p->pgid;
		tty_ctty_get(t);
		(void)proc_set_ctty(p, t); /* it had none */
	}
	fw_spin_unlock(&t->lock);
	return ret;
}

/* Drop the terminal of session leader p: SIGHUP and SIGCONT to the
 * foreground group (Linux disassociate_ctty). */
static void tty_hangup_session(struct tty *t, int sid)
{
	int pgrp = 0;

	fw_spin_lock(&t->lock);
	if (t->session == sid) {
		pgrp = t->pgrp;
		t->session = 0;
		t->pgrp = 0;
	}
	fw_spin_unlock(&t->lock);
	tty_send_sigs(pgrp, 1u << TTY_SIGHUP | 1u << TTY_SIGCONT);
}

int tty_foreground_pgrp(struct tty *t)
{
	int pgrp;

	fw_spin_lock(&t->lock);
	pgrp = t->pgrp;
	fw_spin_unlock(&t->lock);
	return pgrp;
}

void tty_proc_exit(struct proc *p)
{
	if (!p || !p->ctty || p->pid != p->sid)
		return;
	tty_hangup_session(p->ctty, p->sid);
}

static long tty_notty(struct tty *t)
{
	struct proc *p = proc_current();

	if (!p || p->ctty != t)
		return -ENOTTY;
	if (p->pid == p->sid)
		tty_hangup_session(t, p->sid);
	tty_ctty_put(proc_set_ctty(p, NULL));
	return 0;
}

/* Is t the caller's controlling terminal, of the caller's session? */
static bool tty_is_ctty(struct tty *t, struct proc *p)
{
	return p && p->ctty == t && t->session == p->sid;
}

static long tty_get_int(struct tty *t, uint64_t arg, int which)
{
	struct proc *p = proc_current();
	int v;

	fw_spin_lock(&t->lock);
	if (!p || p->ctty != t || (which == TIOCGSID && !t->session)) {
		fw_spin_unlock(&t->lock);
		return -ENOTTY;
	}
	v = which == TIOCGSID ? t->session : t->pgrp;
	fw_spin_unlock(&t->lock);
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
}

/* TIOCSPGRP (Linux tiocspgrp; tty_ioctl has done the background check).
 * Simplified: the group is not checked to exist in the caller's session
 * (-ESRCH/-EPERM in Linux). */
static long tty_set_pgrp(struct tty *t, uint64_t arg)
{
	struct proc *p = proc_current();
	int pgrp;
	long ret = 0;

	if (FW_COPY_IN_OBJ(&pgrp, fw_uptr(arg)))
		return -EFAULT;
	fw_spin_lock(&t->lock);
	if (!tty_is_ctty(t, p))
		ret = -ENOTTY;
	else if (pgrp < 0)
		ret = -EINVAL;
	else
		t->pgrp = pgrp;
	fw_spin_unlock(&t->lock);
	return ret;
}

/* ---- termios ---------------------------------------------------------- */

/* What the termios lock (TIOCSLCKTRMIOS) holds stays as it is (Linux
 * unset_locked_termios). tty->lock held. */
static void keep_locked(const struct tty *t, struct termios *n)
{
	const struct termios *old = &t->ld.tio, *lk = &t->locked;

	n->c_iflag = (n->c_iflag & ~lk->c_iflag) | (old->c_iflag & lk->c_iflag);
	n->c_oflag = (n->c_oflag & ~lk->c_oflag) | (old->c_oflag & lk->c_oflag);
	n->c_cflag = (n->c_cflag & ~lk->c_cflag) | (old->c_cflag & lk->c_cflag);
	n->c_lflag = (n->c_lflag & ~lk->c_lflag) | (old->c_lflag & lk->c_lflag);
	n->c_line = lk->c_line ? old->c_line : n->c_line;
	for (unsigned i = 0; i < NCCS; i++)
		n->c_cc[i] = lk->c_cc[i] ? old->c_cc[i] : n->c_cc[i];
}

static long tty_set_termios(struct tty *t, uint64_t arg, bool flush)
{
	struct termios tio;

	if (FW_COPY_IN_OBJ(&tio, fw_uptr(arg)))
		return -EFAULT;
	/* TCSETSW and TCSETSF wait for output to drain: output is written
	 * synchronously, so it already has. */
	fw_spin_lock(&t->lock);
	if (flush)
		ldisc_flush_input(&t->ld);
	keep_locked(t, &tio);
	ldisc_set_termios(&t->ld, &tio);
	fw_spin_unlock(&t->lock);
	/* ICANON off or a new VMIN may make a sleeping reader's data ready;
	 * IXON off may restart output. */
	tty_wake(t);
	return 0;
}

/* TCGETA: the termios seen through the old struct termio. */
static long tty_get_termio(struct tty *t, uint64_t arg)
{
	struct termio tio;

	fw_spin_lock(&t->lock);
	tio.c_iflag = (uint16_t)t->ld.tio.c_iflag;
	tio.c_oflag = (uint16_t)t->ld.tio.c_oflag;
	tio.c_cflag = (uint16_t)t->ld.tio.c_cflag;
	tio.c_lflag = (uint16_t)t->ld.tio.c_lflag;
	tio.c_line = t->ld.tio.c_line;
	for (unsigned i = 0; i < NCC; i++)
		tio.c_cc[i] = t->ld.tio.c_cc[i];
	fw_spin_unlock(&t->lock);
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &tio);
}

/* TCSETA, TCSETAW, TCSETAF: a struct termio replaces the low 16 bits of
 * each flag word and the first 8 control characters (Linux
 * user_termio_to_kernel_termios); the rest stays. */
static long tty_set_termio(struct tty *t, uint64_t arg, bool flush)
{
	struct termio tio;
	struct termios n;

	if (FW_COPY_IN_OBJ(&tio, fw_uptr(arg)))
		return -EFAULT;
	fw_spin_lock(&t->lock);
	n = t->ld.tio;
	n.c_iflag = (n.c_iflag & 0xffff0000u) | tio.c_iflag;
	n.c_oflag = (n.c_oflag & 0xffff0000u) | tio.c_oflag;
	n.c_cflag = (n.c_cflag & 0xffff0000u) | tio.c_cflag;
	n.c_lflag = (n.c_lflag & 0xffff0000u) | tio.c_lflag;
	n.c_line = tio.c_line;
	for (unsigned i = 0; i < NCC; i++)
		n.c_cc[i] = tio.c_cc[i];
	if (flush)
		ldisc_flush_input(&t->ld);
	keep_locked(t, &n);
	ldisc_set_termios(&t->ld, &n);
	fw_spin_unlock(&t->lock);
	tty_wake(t);
	return 0;
}

static long tty_set_winsize(struct tty *t, uint64_t arg)
{
	struct winsize ws;
	bool changed;
	int pgrp;

	if (FW_COPY_IN_OBJ(&ws, fw_uptr(arg)))
		return -EFAULT;
	fw_spin_lock(&t->lock);
	changed = ws.ws_row != t->ws.ws_row || ws.ws_col != t->ws.ws_col ||
		  ws.ws_xpixel != t->ws.ws_xpixel ||
		  ws.ws_ypixel != t->ws.ws_ypixel;
	t->ws = ws;
	pgrp = t->pgrp;
	fw_spin_unlock(&t->lock);
	if (changed)
		tty_send_sigs(pgrp, 1u << TTY_SIGWINCH);
	return 0;
}

/* struct serial_struct (linux/serial.h), 72 bytes on x86-64: enough for
 * TIOCGSERIAL, which busybox cttyhack uses to find /dev/ttyS<line>. */
struct tty_serial_struct {
	int32_t type;            /* PORT_16550A = 4 */
	int32_t line;            /* 0: ttyS0 */
	uint32_t port;           /* 0x3f8 */
	int32_t irq;             /* 4 */
	int32_t flags;
	int32_t xmit_fifo_size;
	int32_t custom_divisor;
	int32_t baud_base;
	uint16_t close_delay;
	uint8_t io_type;
	uint8_t reserved_char;
	int32_t hub6;
	uint16_t closing_wait;
	uint16_t closing_wait2;
	uint64_t iomem_base;     /* a pointer in Linux; always 0 here */
	uint16_t iomem_reg_shift;
	uint32_t port_high;
	uint64_t iomap_base;
};
FW_STATIC_ASSERT(sizeof(struct tty_serial_struct) == 72,
		 "struct serial_struct is 72 bytes on x86-64");

static long tty_get_serial(uint64_t arg)
{
	struct tty_serial_struct ss = {
		.type = 4,
		.line = 0,
		.port = 0x3f8,
		.irq = 4,
		.xmit_fifo_size = 16,
		.baud_base = 115200,
	};

	return FW_COPY_OUT_OBJ(fw_uptr(arg), &ss);
}

/* The ioctls that change the terminal: a background caller gets SIGTTOU
 * first (Linux tty_check_change in set_termios, tiocspgrp, tty_ioctl's
 * break handling and n_tty_ioctl_helper's TCXONC and TCFLSH). TIOCSWINSZ
 * is not one of them in Linux (tiocswinsz does no check). */
static bool tty_ioctl_changes(unsigned cmd)
{
	switch (cmd) {
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
	case TIOCSPGRP:
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
	case TIOCSETD:
		return true;
	default:
		return false;
	}
}

long tty_ioctl(struct tty *t, uint32_t gen, unsigned cmd, uint64_t arg)
{
	/* Linux hung_up_tty_ioctl */
	if (tty_is_hung_up(t, gen))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	if (tty_ioctl_changes(cmd)) {
		long err = tty_check_change(t, TTY_SIGTTOU);

		/* Linux tiocspgrp turns -EIO (orphaned group) into -ENOTTY. */
		if (err == -EIO && cmd == TIOCSPGRP)
			return -ENOTTY;
		if (err)
			return err;
	}
	switch (cmd) {
	case TCGETS: {
		struct termios tio;

		fw_spin_lock(&t->lock);
		tio = t->ld.tio;
		fw_spin_unlock(&t->lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &tio);
	}
	case TCSETS:
	case TCSETSW:
		return tty_set_termios(t, arg, false);
	case TCSETSF:
		return tty_set_termios(t, arg, true);
	case TCGETA:
		return tty_get_termio(t, arg);
	case TIOCGLCKTRMIOS: {
		struct termios lk;

		fw_spin_lock(&t->lock);
		lk = t->locked;
		fw_spin_unlock(&t->lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &lk);
	}
	case TIOCSLCKTRMIOS: {
		struct termios lk;

		if (!cred_capable(&proc_current()->cred, CAP_SYS_ADMIN))
			return -EPERM;
		if (FW_COPY_IN_OBJ(&lk, fw_uptr(arg)))
			return -EFAULT;
		fw_spin_lock(&t->lock);
		t->locked = lk;
		fw_spin_unlock(&t->lock);
		return 0;
	}
	case TCSETA:
	case TCSETAW:
		return tty_set_termio(t, arg, false);
	case TCSETAF:
		return tty_set_termio(t, arg, true);
	case TIOCGWINSZ: {
		struct winsize ws;

		fw_spin_lock(&t->lock);
		ws = t->ws;
		fw_spin_unlock(&t->lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &ws);
	}
	case TIOCSWINSZ:
		return tty_set_winsize(t, arg);
	case TIOCGPGRP:
		return tty_get_int(t, arg, TIOCGPGRP);
	case TIOCGSID:
		return tty_get_int(t, arg, TIOCGSID);
	case TIOCSPGRP:
		return tty_set_pgrp(t, arg);
	case TIOCSCTTY:
		return tty_set_ctty(t, arg);
	case TIOCNOTTY:
		return tty_notty(t);
	case FIONREAD: {
		int n;

		fw_spin_lock(&t->lock);
		n = (int)ldisc_avail(&t->ld);
		fw_spin_unlock(&t->lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &n);
	}
	case TIOCOUTQ: {
		int n = 0; /* output is written synchronously */

		return FW_COPY_OUT_OBJ(fw_uptr(arg), &n);
	}
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		fw_spin_lock(&t->lock);
		if (arg == TCIFLUSH || arg == TCIOFLUSH)
			ldisc_flush_input(&t->ld);
		if (arg == TCOFLUSH || arg == TCIOFLUSH)
			t->ld.pkt |= TIOCPKT_FLUSHWRITE; /* output: none kept */
		fw_spin_unlock(&t->lock);
		tty_wake(t); /* a pty master in packet mode learns of it */
		return 0;
	case TCXONC:
		if (arg > TCION)
			return -EINVAL;
		if (arg == TCOOFF || arg == TCOON) {
			fw_spin_lock(&t->lock);
			ldisc_set_stopped(&t->ld, arg == TCOOFF);
			fw_spin_unlock(&t->lock);
			tty_wake(t);
		}
		/* Simplified: TCIOFF/TCION (send VSTOP/VSTART) do nothing;
		 * there is no input flow control on the console. */
		return 0;
	case TCSBRK:
	case TCSBRKP:
		return 0; /* tcdrain(): output is already drained */
	case TIOCGETD: {
		int ldisc_nr = 0; /* N_TTY */

		return FW_COPY_OUT_OBJ(fw_uptr(arg), &ldisc_nr);
	}
	case TIOCSETD: {
		int ldisc_nr;

		if (FW_COPY_IN_OBJ(&ldisc_nr, fw_uptr(arg)))
			return -EFAULT;
		return ldisc_nr == 0 ? 0 : -EINVAL;
	}
	case TIOCGSERIAL:
		return tty_get_serial(arg);
	default:
		return -ENOTTY;
	}
}

/* ---- setup ------------------------------------------------------------ */

int tty_setup(struct tty *t, const char *name,
	      const struct tty_driver_ops *drv)
{
	struct termios tio;
	int err;

	t->name = name;
	t->drv = drv;
	fw_spin_init(&t->lock, "tty");
	fw_spin_init(&t->rx_lock, "tty-rx");
	fw_mutex_init(&t->read_mutex, "tty-read");
	fw_waitq_init(&t->read_wait, "tty-read");
	fw_waitq_init(&t->write_wait, "tty-write");
	fw_waitq_init(&t->rx_wait, "tty-rx");
	poll_head_init(&t->poll);
	ldisc_default_termios(&tio);
	ldisc_init(&t->ld, &tty_ld_ops, &tio);
	t->ws.ws_row = 24;
	t->ws.ws_col = 80;

	err = FW_TASK_SPAWN("tty-rx", tty_rx_main, t, -1, &t->rx_task);
	if (err)
		return err;
	if (!t->transient)
		fw_task_detach(t->rx_task);
	return 0;
}

/* Linux's __tty_hangup: for good (a pty whose master closed) or, by
 * vhangup, for the files open now only (the next open works again). */
static void hangup(struct tty *t, bool for_good)
{
	int sid, dropped;

	fw_spin_lock(&t->lock);
	if (for_good)
		t->hung_up = true;
	t->hangup_gen++;
	sid = t->session;
	t->session = 0;
	t->pgrp = 0;
	ldisc_flush_input(&t->ld);
	fw_spin_unlock(&t->lock);
	tty_wake(t);
	dropped = proc_session_hangup(sid, t);
	while (dropped-- > 0)
		tty_ctty_put(t);
}

void tty_hangup(struct tty *t)
{
	hangup(t, true);
}

uint32_t tty_hangup_gen(struct tty *t)
{
	uint32_t g;

	fw_spin_lock(&t->lock);
	g = t->hangup_gen;
	fw_spin_unlock(&t->lock);
	return g;
}

/* vhangup(2), Linux's tty_vhangup_self: the caller's controlling
 * terminal is hung up as if the line dropped: the session loses it (its
 * leader gets SIGHUP and SIGCONT), pending input goes, and every file
 * open on it now reads 0 and writes -EIO; opening it again gives a
 * working terminal (login and getty do so after vhangup). Needs
 * CAP_SYS_TTY_CONFIG; without a controlling terminal there is nothing
 * to do. */
static long sys_vhangup(const struct sys_args *a)
{
	struct proc *p = proc_current();
	struct tty *t;

	(void)a;
	if (!cred_capable(&p->cred, CAP_SYS_TTY_CONFIG))
		return -EPERM;
	t = p->ctty;
	if (!t)
		return 0;
	tty_ctty_get(t); /* the hangup drops the session's references */
	hangup(t, false);
	tty_ctty_put(t);
	return 0;
}

static const struct sys_entry tty_syscalls[] = {
	{ __NR_vhangup, "vhangup", sys_vhangup },
};

void tty_teardown(struct tty *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->rx_lock);

	t->rx_stop = true;
	fw_spin_unlock_irqrestore(&t->rx_lock, fl);
	(void)fw_waitq_wake_all(&t->rx_wait);
	if (fw_task_join(t->rx_task, NULL))
		fw_err("tty %s: cannot join tty-rx", t->name);
	t->rx_task = NULL;
}

unsigned tty_devnum(struct tty *t)
{
	int idx = pty_index_of(t);

	if (idx >= 0)
		return 136u << 8 | (unsigned)idx; /* minors < 256 */
	if (t == hvc_tty)
		return 229u << 8;
	return 4u << 8 | 64u;
}

void tty_init(void)
{
	int err = tty_setup(&console_tty, "ttyS0", &serial_ops);

	if (err) {
		fw_err("tty: cannot start tty-rx: %d", err);
		return;
	}
	fw_console_set_input(tty_console_input);
	SYSCALL_REGISTER_TABLE(tty_syscalls);
	err = tty_dev_register();
	if (err)
		fw_err("tty: cannot register devices: %d", err);
}
