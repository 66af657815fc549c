/* services/tty/tty_dev.c: the terminal character devices, glued to the VFS.
 *
 * Layer: services (safe C). Registers four devices with the VFS
 * character-device registry (services/fs/vfs/chardev.h):
 *   5:0   /dev/tty      the caller's controlling terminal (-ENXIO if none)
 *   5:1   /dev/console  the console; opening it never makes it the
 *                       controlling tty (Linux tty_open)
 *   4:64  /dev/ttyS0    the same console tty, as a serial line; a session
 *                       leader without a ctty acquires it on open
 *   229:0 /dev/hvc0     the first virtio console (-ENXIO without one),
 *                       acquired as a ctty like ttyS0
 * Each node has its own file_ops, so open needs no device-number decoding.
 * The file keeps its terminal in f->tty (services/fs/vfs/vfs.h).
 *
 * Blocking reads and writes never hold VFS locks (vfs.h: terminals are
 * streams; pos_lock is not taken for them). */
#include <fw/errno.h>

#include "fs/vfs/chardev.h"
#include "fs/event/poll.h"
#include "fs/vfs/vfs.h"
#include "proc/proc.h"
#include "tty/tty.h"

static bool tty_file_nonblock(struct file *f)
{
	return (f->flags & TTY_O_NONBLOCK) != 0;
}

void tty_file_attach(struct file *f, struct tty *t)
{
	tty_ctty_get(t);
	fw_spin_lock(&t->lock);
	t->opens++;
	t->ever_opened = true;
	f->priv = t->hangup_gen; /* hung up by any later vhangup */
	fw_spin_unlock(&t->lock);
	f->tty = t;
}

void tty_file_release(struct file *f)
{
	struct tty *t = f->tty;
	bool last;

	if (!t)
		return;
	f->tty = NULL;
	fw_spin_lock(&t->lock);
	last = --t->opens == 0;
	fw_spin_unlock(&t->lock);
	if (last && t->drv->last_close)
		t->drv->last_close(t);
	tty_ctty_put(t);
}

static int tty_file_open_node(struct file *f, enum tty_node node)
{
	struct tty *t = NULL;
	int err = tty_open(node, f->flags, &t);

	if (err)
		return err;
	tty_file_attach(f, t);
	return 0;
}

static int tty_open_ctty(struct inode *ino, struct file *f)
{
	(void)ino;
	return tty_file_open_node(f, TTY_NODE_CTTY);
}

static int tty_open_console(struct inode *ino, struct file *f)
{
	(void)ino;
	return tty_file_open_node(f, TTY_NODE_CONSOLE);
}

static int tty_open_serial(struct inode *ino, struct file *f)
{
	(void)ino;
	return tty_file_open_node(f, TTY_NODE_SERIAL);
}

static int tty_open_hvc(struct inode *ino, struct file *f)
{
	(void)ino;
	return tty_file_open_node(f, TTY_NODE_HVC);
}

long tty_file_read(struct file *f, fw_uptr_t buf, size_t len,
			  uint64_t *pos)
{
	(void)pos;
	if (!f->tty)
		return -EIO;
	return tty_read(f->tty, (uint32_t)f->priv, buf, len,
			tty_file_nonblock(f));
}

long tty_file_write(struct file *f, fw_uptr_t buf, size_t len,
			   uint64_t *pos)
{
	(void)pos;
	if (!f->tty)
		return -EIO;
	return tty_write(f->tty, (uint32_t)f->priv, buf, len,
			 tty_file_nonblock(f));
}

long tty_file_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	if (!f->tty)
		return -EIO;
	return tty_ioctl(f->tty, (uint32_t)f->priv, cmd, arg);
}

unsigned tty_file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->tty)
		return POLLERR;
	return tty_poll(f->tty, (uint32_t)f->priv, pt);
}

#define TTY_FILE_OPS(open_fn)                                                  \
	{                                                                      \
		.open = open_fn, .read = tty_file_read,                        \
		.write = tty_file_write, .ioctl = tty_file_ioctl,              \
		.poll = tty_file_poll, .release = tty_file_release,            \
	}

static const struct file_ops tty_ctty_fops = TTY_FILE_OPS(tty_open_ctty);
static const struct file_ops tty_console_fops = TTY_FILE_OPS(tty_open_console);
static const struct file_ops tty_serial_fops = TTY_FILE_OPS(tty_open_serial);
static const struct file_ops tty_hvc_fops = TTY_FILE_OPS(tty_open_hvc);

int tty_dev_register(void)
{
	int err;

	err = chardev_register(5, 0, 1, &tty_ctty_fops);
	if (err)
		return err;
	err = chardev_register(5, 1, 1, &tty_console_fops);
	if (err)
		return err;
	err = chardev_register(4, 64, 1, &tty_serial_fops);
	if (err)
		return err;
	err = chardev_register(229, 0, 1, &tty_hvc_fops);
	if (err)
		return err;
	return pty_init();
}
