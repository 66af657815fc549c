/* services/tty/pty.c: Unix 98 pseudo-terminals: /dev/ptmx, /dev/pts/N and
 * the devpts file system.
 *
 * Layer: services (safe C). Linux semantics (drivers/tty/pty.c, man 7
 * pty). A pair is one struct pty: the slave is a full struct tty (N_TTY
 * line discipline, job control: everything tty.c does), the master is a
 * byte ring of what the slave's line discipline outputs (writes after
 * OPOST, and echo) plus the master's side of the ioctls.
 *
 *  master write -> tty_input_queue (slave's raw ring) -> tty-rx -> ldisc.
 *      Nothing is dropped: the slave is "transient", so tty-rx feeds the
 *      ldisc only as it has room, and a blocking master write waits for
 *      room in the raw ring (input_room), a non-blocking one returns a
 *      short count or -EAGAIN, as Linux's pty_write/n_tty_write do.
 *  slave output -> pty_master_push (under the slave's tty->lock) -> ring.
 *      A slave writer waits while the ring is full (write_room); echo that
 *      does not fit is dropped.
 *  master read: blocks while the ring is empty; -EIO once a slave was
 *      opened and every slave file is closed again (Linux
 *      TTY_OTHER_CLOSED); poll says POLLHUP then.
 *  master close: the slave is hung up (tty_hangup: SIGHUP+SIGCONT to the
 *      session leader, reads 0, writes -EIO) and /dev/pts/N disappears.
 *
 * Lifetime: pty->refs counts the master file, every terminal file open on
 * the slave (tty_dev.c tty_file_attach) and every process whose ctty it is
 * (tty_ctty_get/put, called by proc). All changes under pty_lock, so a
 * lookup by index never revives a pair being freed. The last put frees
 * the index, stops the slave's tty-rx task (tty_teardown) and frees it.
 *
 * Simplified: TIOCPKT is not supported (-ENOTTY); the master has its own
 * termios (TCGETS/TCSETS) that nothing uses; at most PTY_MAX pairs. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "fs/event/poll.h"
#include "fs/vfs/chardev.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"
#include "lib/kpath.h"
#include "proc/proc.h"
#include "tty/pty.h"
#include "tty/tty.h"

static struct fw_spinlock pty_lock; /* the table, every pty->refs */
static struct pty *pty_table[PTY_MAX];
static const struct tty_driver_ops pty_slave_ops;

static struct pty *pty_of(struct tty *t)
{
	if (!t || t->drv != &pty_slave_ops)
		return NULL;
	return FW_CONTAINER_OF(t, struct pty, slave);
}

int pty_index_of(struct tty *t)
{
	struct pty *p = pty_of(t);

	return p ? p->index : -1;
}

/* ---- references ---------------------------------------------------------- */

static void pty_get(struct pty *p)
{
	fw_spin_lock(&pty_lock);
	p->refs++;
	fw_spin_unlock(&pty_lock);
}

static void pty_put(struct pty *p)
{
	bool last;

	fw_spin_lock(&pty_lock);
	last = --p->refs == 0;
	if (last)
		pty_table[p->index] = NULL;
	fw_spin_unlock(&pty_lock);
	if (!last)
		return;
	tty_teardown(&p->slave);
	fw_free(p);
}

void tty_ctty_get(struct tty *t)
{
	struct pty *p = pty_of(t);

	if (p)
		pty_get(p);
}

void tty_ctty_put(struct tty *t)
{
	struct pty *p = pty_of(t);

	if (p)
		pty_put(p);
}

/* The pair with index idx whose master is open, referenced; or NULL. */
static struct pty *pty_lookup(unsigned idx)
{
	struct pty *p = NULL;

	if (idx >= PTY_MAX)
		return NULL;
	fw_spin_lock(&pty_lock);
	if (pty_table[idx] && pty_table[idx]->master_open) {
		p = pty_table[idx];
		p->refs++;
	}
	fw_spin_unlock(&pty_lock);
	return p;
}

/* ---- the slave's driver: output into the master's ring -------------------- */

static size_t ring_used(const struct pty *p)
{
	return p->out_head - p->out_tail;
}

/* Slave output (tty->lock held): into the master's ring; what does not
 * fit (echo only: writers wait for write_room) is dropped. */
static void pty_master_push(struct tty *t, struct fw_bytes bytes)
{
	struct pty *p = pty_of(t);

	for (size_t i = 0; i < fw_bytes_len(bytes); i++) {
		uint8_t c = 0;

		if (ring_used(p) >= PTY_BUF || fw_bytes_get_u8(bytes, i, &c))
			break;
		p->out[p->out_head % PTY_BUF] = c;
		p->out_head++;
	}
	(void)fw_waitq_wake_all(&p->mread_wait);
	poll_wake(&p->mpoll);
}

static unsigned pty_write_room(struct tty *t)
{
	struct pty *p = pty_of(t);

	return (unsigned)((PTY_BUF - ring_used(p)) / LDISC_OBUF);
}

static void pty_input_room(struct tty *t)
{
	struct pty *p = pty_of(t);

	(void)fw_waitq_wake_all(&p->mwrite_wait);
	poll_wake(&p->mpoll);
}

/* The slave's last close, or a change of its state (a master in packet
 * mode may have events to read): the master's readers look again. */
static void pty_wake_master(struct tty *t)
{
	struct pty *p = pty_of(t);

	(void)fw_waitq_wake_all(&p->mread_wait);
	poll_wake(&p->mpoll);
}

static const struct tty_driver_ops pty_slave_ops = {
	.write = pty_master_push,
	.write_room = pty_write_room,
	.input_room = pty_input_room,
	.last_close = pty_wake_master,
	.state_changed = pty_wake_master,
};

/* ---- /dev/ptmx: a new pair ------------------------------------------------ */

static const struct file_ops pty_master_fops;

static int ptmx_open(struct inode *ino, struct file *f)
{
	const struct cred *c = fs_cred();
	struct pty *p = FW_NEW(struct pty);
	int idx = -1, err;

	(void)ino;
	if (!p)
		return -ENOMEM;
	p->slave.transient = true;
	p->locked = true;
	p->uid = c->fsuid;
	p->gid = c->fsgid;
	p->mtio.c_cflag = B38400 | CS8 | CREAD; /* Linux pty master */
	fw_waitq_init(&p->mread_wait, "pty-mread");
	fw_waitq_init(&p->mwrite_wait, "pty-mwrite");
	poll_head_init(&p->mpoll);
	fw_spin_lock(&pty_lock);
	for (int i = 0; i < PTY_MAX; i++) {
		if (!pty_table[i]) {
			idx = i;
			break;
		}
	}
	if (idx >= 0) {
		p->index = idx;
		p->refs = 1; /* the master file */
		pty_table[idx] = p;
	}
	fw_spin_unlock(&pty_lock);
	if (idx < 0) {
		fw_free(p);
		return -ENOSPC;
	}
	snprintf(p->name, sizeof(p->name), "pts%d", idx);
	err = tty_setup(&p->slave, p->name, &pty_slave_ops);
	if (err) {
		fw_spin_lock(&pty_lock);
		pty_table[idx] = NULL;
		fw_spin_unlock(&pty_lock);
		fw_free(p);
		return err;
	}
	fw_spin_lock(&pty_lock);
	p->master_open = true;
	fw_spin_unlock(&pty_lock);
	f->ops = &pty_master_fops;
	f->tty = &p->slave;
	return 0;
}

static struct pty *master_of(struct file *f)
{
	return pty_of(f->tty);
}

static void pty_master_release(struct file *f)
{
	struct pty *p = master_of(f);

	if (!p)
		return;
	f->tty = NULL;
	fw_spin_lock(&pty_lock);
	p->master_open = false; /* /dev/pts/N goes away */
	fw_spin_unlock(&pty_lock);
	tty_hangup(&p->slave);
	pty_put(p);
}

/* ---- master read / write / poll ----------------------------------------- */

/* -EIO condition: a slave was opened and none is open now. t->lock. */
static bool slave_gone(struct tty *t)
{
	return t->ever_opened && t->opens == 0;
}

/* Packet-mode events waiting for the master (slave.lock held). */
static bool pkt_pending(const struct pty *p)
{
	return p->packet && p->slave.ld.pkt;
}

static bool master_readable(struct pty *p)
{
	bool r;

	fw_spin_lock(&p->slave.lock);
	r = ring_used(p) > 0 || slave_gone(&p->slave) || pkt_pending(p);
	fw_spin_unlock(&p->slave.lock);
	return r;
}

/* In packet mode (Linux's n_tty_read with ctrl.packet) every read starts
 * with a status byte: the pending TIOCPKT_* events alone (a read of 1),
 * else TIOCPKT_DATA (0) before the data. */
static long pty_master_read(struct file *f, fw_uptr_t buf, size_t len,
			    uint64_t *pos)
{
	struct pty *p = master_of(f);
	uint8_t kbuf[256];
	size_t total = 0;

	(void)pos;
	if (!p)
		return -EIO;
	while (total < len) {
		size_t n = 0;
		bool gone;
		struct fw_bytes got;

		fw_spin_lock(&p->slave.lock);
		if (total == 0 && pkt_pending(p)) {
			kbuf[0] = p->slave.ld.pkt;
			p->slave.ld.pkt = 0;
			fw_spin_unlock(&p->slave.lock);
			if (fw_bytes_sub(FW_BYTES_OF_ARRAY(kbuf), 0, 1, &got) ||
			    fw_copy_out(buf, got))
				return -EFAULT;
			return 1;
		}
		if (total == 0 && p->packet && ring_used(p))
			kbuf[n++] = 0; /* TIOCPKT_DATA */
		while (n < sizeof kbuf && n < len - total && ring_used(p)) {
			kbuf[n++] = p->out[p->out_tail % PTY_BUF];
			p->out_tail++;
		}
		gone = slave_gone(&p->slave);
		fw_spin_unlock(&p->slave.lock);
		if (n) {
			/* room for the slave's writers */
			(void)fw_waitq_wake_all(&p->slave.write_wait);
			poll_wake(&p->slave.poll);
			if (fw_bytes_sub(FW_BYTES_OF_ARRAY(kbuf), 0, n, &got) ||
			    fw_copy_out(fw_uptr_add(buf, total), got))
				return total ? (long)total : -EFAULT;
			total += n;
			continue;
		}
		if (total)
			break;
		if (gone)
			return -EIO;
		if (f->flags & TTY_O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(&p->mread_wait,
			      master_readable(p) || signal_pending_current());
		if (!master_readable(p))
			return -ERESTARTSYS;
	}
	return (long)total;
}

static long pty_master_write(struct file *f, fw_uptr_t buf, size_t len,
			     uint64_t *pos)
{
	struct pty *p = master_of(f);
	uint8_t kbuf[256];
	size_t done = 0;

	(void)pos;
	if (!p)
		return -EIO;
	while (done < len) {
		size_t n = len - done, off = 0;
		struct fw_buf part;

		if (n > sizeof kbuf)
			n = sizeof kbuf;
		if (fw_buf_sub(FW_BUF_OF_ARRAY(kbuf), 0, n, &part))
			break;
		if (fw_copy_in(part, fw_uptr_add(buf, done)))
			return done ? (long)done : -EFAULT;
		while (off < n) {
			struct fw_bytes rest;
			size_t q;

			if (fw_bytes_sub(fw_buf_as_bytes(part), off, n - off,
					 &rest))
				return done ? (long)done : -EINVAL;
			q = tty_input_queue(&p->slave, rest);
			off += q;
			done += q;
			if (q)
				continue;
			if (f->flags & TTY_O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			FW_WAIT_EVENT(&p->mwrite_wait,
				      tty_input_room(&p->slave) > 0 ||
					      signal_pending_current());
			if (tty_input_room(&p->slave) == 0)
				return done ? (long)done : -ERESTARTSYS;
		}
	}
	return (long)done;
}

static unsigned pty_master_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = master_of(f);
	unsigned mask = 0;

	if (!p)
		return POLLERR;
	poll_wait(pt, &p->mpoll);
	fw_spin_lock(&p->slave.lock);
	if (ring_used(p))
		mask |= POLLIN | POLLRDNORM;
	if (pkt_pending(p))
		mask |= POLLPRI | POLLIN | POLLRDNORM;
	if (slave_gone(&p->slave))
		mask |= POLLHUP;
	fw_spin_unlock(&p->slave.lock);
	if (tty_input_room(&p->slave) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* ---- master ioctls ------------------------------------------------------ */

#define TIOCGPTLCK 0x80045439u /* _IOR('T', 0x39, int) */
#define TIOCPKT 0x5420
#define TIOCGPKT 0x80045438u   /* _IOR('T', 0x38, int) */
#define TIOCGPTPEER 0x5441     /* _IO('T', 0x41) */
#define PTY_O_ACCMODE 3u
#define PTY_O_CLOEXEC 02000000u

/* TIOCGPTPEER: open the slave through devpts, as Linux does from the
 * devpts mount the master came from (here: /dev/pts, where the init
 * scripts mount it). */
static long pty_open_peer(struct pty *p, uint64_t arg)
{
	unsigned flags = (unsigned)arg;
	struct kpath *path;
	struct file *sf;
	int err, fd;

	if (arg & ~(uint64_t)(PTY_O_ACCMODE | TTY_O_NONBLOCK | TTY_O_NOCTTY |
			      PTY_O_CLOEXEC))
		return -EINVAL;
	path = kpath_alloc();
	if (!path)
		return -ENOMEM;
	snprintf(path->s, sizeof(path->s), "/dev/pts/%d", p->index);
	err = vfs_open_kernel(path, flags & ~PTY_O_CLOEXEC, &sf);
	kpath_free(path);
	if (err)
		return err;
	fd = fd_install(current_files(), sf, flags & PTY_O_CLOEXEC);
	if (fd < 0)
		file_put(sf);
	return fd;
}

static long pty_master_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pty *p = master_of(f);
	int v;

	if (!p)
		return -EIO;
	switch (cmd) {
	case TIOCGPTN: {
		unsigned idx = (unsigned)p->index;

		return FW_COPY_OUT_OBJ(fw_uptr(arg), &idx);
	}
	case TIOCSPTLCK:
		if (FW_COPY_IN_OBJ(&v, fw_uptr(arg)))
			return -EFAULT;
		fw_spin_lock(&p->slave.lock);
		p->locked = v != 0;
		fw_spin_unlock(&p->slave.lock);
		return 0;
	case TIOCGPTLCK:
		fw_spin_lock(&p->slave.lock);
		v = p->locked;
		fw_spin_unlock(&p->slave.lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case TIOCGPTPEER:
		return pty_open_peer(p, arg);
	case TIOCPKT: /* Linux pty_set_pktmode: events start afresh */
		if (FW_COPY_IN_OBJ(&v, fw_uptr(arg)))
			return -EFAULT;
		fw_spin_lock(&p->slave.lock);
		if (v && !p->packet)
			p->slave.ld.pkt = 0;
		p->packet = v != 0;
		fw_spin_unlock(&p->slave.lock);
		return 0;
	case TIOCGPKT:
		fw_spin_lock(&p->slave.lock);
		v = p->packet;
		fw_spin_unlock(&p->slave.lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case TIOCSWINSZ:
	case TIOCGWINSZ:
		/* the slave's size */
		return tty_ioctl(&p->slave, tty_hangup_gen(&p->slave), cmd, arg);
	case FIONREAD:
		fw_spin_lock(&p->slave.lock);
		v = (int)ring_used(p);
		fw_spin_unlock(&p->slave.lock);
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case TCGETS:
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &p->mtio);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return FW_COPY_IN_OBJ(&p->mtio, fw_uptr(arg)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_ops pty_master_fops = {
	.read = pty_master_read,
	.write = pty_master_write,
	.ioctl = pty_master_ioctl,
	.poll = pty_master_poll,
	.release = pty_master_release,
};

static const struct file_ops ptmx_fops = {
	.open = ptmx_open,
	.read = pty_master_read,
	.write = pty_master_write,
	.ioctl = pty_master_ioctl,
	.poll = pty_master_poll,
	.release = pty_master_release,
};

/* ---- the slave side ------------------------------------------------------ */

static int pty_slave_open(struct inode *ino, struct file *f)
{
	struct proc *me = proc_current();
	struct pty *p = pty_lookup(dev_minor(ino->rdev));
	struct tty *t;
	bool locked;

	if (!p)
		return -EIO;
	t = &p->slave;
	fw_spin_lock(&t->lock);
	locked = p->locked;
	fw_spin_unlock(&t->lock);
	if (locked) {
		pty_put(p);
		return -EIO;
	}
	tty_file_attach(f, t);
	pty_put(p); /* the file holds its own reference now */
	/* Linux tty_open: a session leader without a terminal acquires a
	 * terminal that has no session, unless O_NOCTTY. */
	if (!(f->flags & TTY_O_NOCTTY) && me && me->pid == me->sid &&
	    !me->ctty) {
		fw_spin_lock(&t->lock);
		if (t->session == 0 && !t->hung_up) {
			t->session = me->sid;
			t->pgrp = me->pgid;
			tty_ctty_get(t);
			(void)proc_set_ctty(me, t);
		}
		fw_spin_unlock(&t->lock);
	}
	return 0;
}

static const struct file_ops pty_slave_fops = {
	.open = pty_slave_open,
	.read = tty_file_read,
	.write = tty_file_write,
	.ioctl = tty_file_ioctl,
	.poll = tty_file_poll,
	.release = tty_file_release,
};

/* ---- devpts -------------------------------------------------------------- */

bool pty_devpts_node(unsigned idx, uint32_t *uid, uint32_t *gid)
{
	bool ok = false;

	if (idx >= PTY_MAX)
		return false;
	fw_spin_lock(&pty_lock);
	if (pty_table[idx] && pty_table[idx]->master_open) {
		*uid = pty_table[idx]->uid;
		*gid = pty_table[idx]->gid;
		ok = true;
	}
	fw_spin_unlock(&pty_lock);
	return ok;
}

int pty_init(void)
{
	int err;

	fw_spin_init(&pty_lock, "pty");
	err = chardev_register(5, 2, 1, &ptmx_fops);
	if (!err)
		err = chardev_register(PTY_SLAVE_MAJOR, 0, PTY_MAX,
				       &pty_slave_fops);
	if (!err)
		err = devpts_init();
	return err;
}
