/* services/tty/tty.h: terminals: the console TTY and its Linux file API.
 *
 * Layer: services (safe C). A struct tty joins three things:
 *  - a driver side: bytes arrive from the serial interrupt
 *    (fw_console_set_input) into a small raw ring, and leave through
 *    fw_console_write;
 *  - the N_TTY line discipline (ldisc.h), run by a kernel task ("tty-rx"),
 *    never in interrupt context, so echo, ISIG signals and wakeups happen
 *    where locks may be taken and signals sent;
 *  - the POSIX job-control state: session, foreground process group,
 *    window size.
 * The file layer (services/fs, through tty_dev.c) calls tty_open,
 * tty_read, tty_write, tty_poll and tty_ioctl; the process service calls
 * tty_proc_exit when a session leader exits.
 *
 * Locking: tty->lock (spinlock, task context only) guards the ldisc, the
 * session/pgrp/winsize fields and pending_sigs; it is a leaf except for the
 * console's own output lock taken inside it (lock order: tty->lock, then
 * the framework console lock). tty->rx_lock (spinlock, irqsave) guards only
 * the raw ring shared with the interrupt handler and is never held with
 * tty->lock. Signals are sent after tty->lock is dropped, so the process
 * service may call into the tty while holding its own locks only if it
 * does not hold them while the tty sends signals (tty_proc_exit takes
 * tty->lock and sends after releasing it). read_mutex serialises readers
 * (Linux atomic_read_lock) and is taken before tty->lock.
 *
 * Folder services/tty: terminals -- the line discipline (ldisc.c,
 * host-tested), job control, the /dev/tty, console and ttyS0 devices.
 * Above proc (it signals process groups) and fs (its files). */
#ifndef SERVICES_TTY_H
#define SERVICES_TTY_H

#include <fw/compiler.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/uaccess.h>

#include "fs/event/poll.h"
#include "tty/ldisc.h"
#include "tty/uapi.h"

struct proc;
struct tty;
struct virtio_console;

/* The device side of a terminal. write runs with tty->lock (a spinlock)
 * held, from the line discipline's output: it must not sleep, and may drop
 * bytes when the device cannot take them (a console, like Linux's hvc
 * without flow control). */
struct tty_driver_ops {
	void (*write)(struct tty *t, struct fw_bytes bytes);
	/* How many more write calls (each at most LDISC_OBUF bytes, as the
	 * line discipline hands them out) the device takes now; NULL: any
	 * number. A driver with one wakes t->write_wait when room comes. */
	unsigned (*write_room)(struct tty *t);
	/* tty-rx took bytes from the raw ring (no lock held): a pty master
	 * waiting to write may go on. NULL: nothing to do. */
	void (*input_room)(struct tty *t);
	/* The last file open on t was closed (no lock held). NULL: nothing. */
	void (*last_close)(struct tty *t);
	/* Input, settings or flow state changed (no lock held): a pty master
	 * reading in packet mode looks again. NULL: nothing. */
	void (*state_changed)(struct tty *t);
};

#define TTY_RX_RING 1024 /* raw bytes buffered between IRQ and tty-rx */

/* Which device node a terminal was opened through: decides whether an
 * open may make it the controlling terminal (Linux tty_open: never for
 * /dev/tty and /dev/console). */
enum tty_node {
	TTY_NODE_CTTY,    /* 5:0 /dev/tty: the caller's controlling tty */
	TTY_NODE_CONSOLE, /* 5:1 /dev/console */
	TTY_NODE_SERIAL,  /* 4:64 /dev/ttyS0 */
	TTY_NODE_HVC,     /* 229:0 /dev/hvc0, a virtio console */
};

struct tty {
	const char *name; /* "ttyS0", for logs */
	const struct tty_driver_ops *drv;
	struct virtio_console *vcon; /* the hvc driver's state */

	/* tty->lock */
	struct fw_spinlock lock;
	struct ldisc ld;        /* line discipline state and termios */
	struct winsize ws;      /* TIOCGWINSZ */
	struct termios locked;  /* TIOCSLCKTRMIOS: set bits and nonzero
				 * characters keep their values */
	int session;            /* sid of the controlling session, 0: none */
	int pgrp;               /* foreground process group, 0: none */
	uint32_t pending_sigs;  /* 1 << sig raised by the ldisc, to send */
	bool hung_up;           /* tty_hangup: reads 0, writes -EIO */
	uint32_t hangup_gen;    /* + 1 at each hangup: a file opened at an
				 * older one is hung up (vhangup) */
	unsigned opens;         /* open files (tty_dev.c) */
	bool ever_opened;       /* opens was ever > 0 */

	/* Set by the owner before tty_setup: a terminal that goes away
	 * again (a pty). Its input is flow-controlled (tty-rx feeds the
	 * line discipline only as it has room, nothing is dropped) and its
	 * tty-rx task is joined by tty_teardown. */
	bool transient;

	struct fw_mutex read_mutex;  /* one reader at a time */
	struct fw_waitq read_wait;   /* readers and pollers: input arrived */
	struct fw_waitq write_wait;  /* writers: output restarted (^Q), room */
	struct poll_head poll;       /* poll/select: input, mode, ^S/^Q */

	/* tty->rx_lock (irqsave): the raw ring filled by the interrupt */
	struct fw_spinlock rx_lock;
	uint8_t rx[TTY_RX_RING]; /* raw bytes */
	uint32_t rx_head;        /* next slot the IRQ fills */
	uint32_t rx_tail;        /* next byte tty-rx takes */
	uint32_t rx_dropped;     /* bytes lost to a full ring */
	bool rx_stop;            /* tty_teardown: tty-rx ends */
	struct fw_waitq rx_wait; /* tty-rx sleeps here */
	struct fw_task *rx_task; /* runs the line discipline */
};

/* Set up the console tty, install the serial input callback, start the
 * tty-rx task and register the character devices 5:0, 5:1 and 4:64 with
 * the VFS (see tty_dev.c). Call once at boot, after the scheduler runs
 * and before the first user process opens /dev/console. */
void tty_init(void);

/* The console terminal (the serial port). */
struct tty *tty_console(void);

/* A driver's terminal: set up t (zeroed by the caller) and start its
 * line-discipline task. 0 or -errno. */
FW_MUST_CHECK int tty_setup(struct tty *t, const char *name,
			    const struct tty_driver_ops *drv);
/* Bytes typed on t's device; callable from interrupt context. Bytes that
 * do not fit the raw ring are dropped and counted. */
void tty_input(struct tty *t, struct fw_bytes bytes);
/* Queue as many bytes as the raw ring takes, dropping none; returns how
 * many (a pty master write waits for input_room and retries the rest). */
size_t tty_input_queue(struct tty *t, struct fw_bytes bytes);
/* Free bytes in the raw ring. */
size_t tty_input_room(struct tty *t);
/* Hang t up (Linux tty_vhangup, for a pty whose master closed): the
 * session loses it (its leader gets SIGHUP and SIGCONT), buffered input
 * is dropped, and from now on reads return 0, writes -EIO, poll says
 * POLLHUP. */
void tty_hangup(struct tty *t);
/* The hangup generation a file opened now belongs to (tty_file_attach
 * keeps it in f->priv; the calls below take it as gen). */
uint32_t tty_hangup_gen(struct tty *t);
/* Stop and join the tty-rx task of a transient t (no lock held, nobody
 * using t any more); the caller then frees t. */
void tty_teardown(struct tty *t);
/* Make t the terminal behind /dev/hvc0 (the first virtio console). */
void tty_set_hvc(struct tty *t);
/* The /dev/hvc0 terminal, or NULL when there is none. */
struct tty *tty_hvc(void);

/* Open the terminal behind node for the calling process. For
 * TTY_NODE_CTTY: the caller's controlling tty, -ENXIO if it has none. For
 * TTY_NODE_SERIAL without O_NOCTTY, a session leader with no controlling
 * tty and a tty with no session acquires it (Linux tty_open). Returns 0
 * and the tty in *out. */
FW_MUST_CHECK int tty_open(enum tty_node node, unsigned oflags,
			   struct tty **out);

/* The file calls of a terminal take the hangup generation of the file
 * (gen): a file of an older one is hung up (reads 0, writes -EIO).
 *
 * read(2): blocking per ICANON / VMIN / VTIME. Returns bytes read, 0 at
 * end of file (VEOF on an empty line, or VMIN=0 with nothing to read),
 * -EAGAIN if nonblock and nothing is there, -ERESTARTSYS if a signal came
 * before any byte (the syscall layer makes it -EINTR or a restart),
 * -EFAULT. A background process group reading its controlling tty gets
 * SIGTTIN and -ERESTARTSYS, or -EIO if it ignores or blocks SIGTTIN. */
long tty_read(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
	      bool nonblock);

/* write(2): output with OPOST processing; waits while output is stopped
 * (^S). Returns bytes written, -EAGAIN, -ERESTARTSYS or -EFAULT (the
 * latter two only if nothing was written). Under TOSTOP a background
 * process group gets SIGTTOU and -ERESTARTSYS (unless it ignores or
 * blocks SIGTTOU: then the write goes ahead). */
long tty_write(struct tty *t, uint32_t gen, fw_uptr_t buf, size_t len,
	       bool nonblock);

/* file_ops.poll: register pt on the tty's poll head (woken on input,
 * termios changes, ^S/^Q), then return the POLL* mask: POLLIN|POLLRDNORM
 * when a read would not block, POLLOUT|POLLWRNORM unless output is
 * stopped. pt may be NULL (just the mask). */
unsigned tty_poll(struct tty *t, uint32_t gen, struct poll_table *pt);

/* ioctl(2) on a terminal: TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ,
 * TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP, TIOCSCTTY, TIOCNOTTY, TIOCGSID,
 * FIONREAD, TCFLSH, TCXONC, TCSBRK, TCSBRKP, TIOCOUTQ, TIOCGETD,
 * TIOCSETD, TIOCGSERIAL. Anything else: -ENOTTY. arg is the raw third
 * argument (a user address for most). The ones that change the terminal
 * (TCSETS*, TIOCSPGRP, TCFLSH, TCXONC, TCSBRK*, TIOCSETD) send SIGTTOU to
 * a background caller and return -ERESTARTSYS, unless it ignores or
 * blocks SIGTTOU. */
long tty_ioctl(struct tty *t, uint32_t gen, unsigned cmd, uint64_t arg);

/* tty_proc_exit and tty_foreground_pgrp, which the process service
 * calls: declared in services/proc/proc.h (proc sits below tty). */

/* Internal (tty_dev.c): register the terminal character devices with
 * the VFS. 0 or -errno. */
FW_MUST_CHECK int tty_dev_register(void);

/* Internal (tty_dev.c, for pty.c): the file operations of a terminal file
 * whose f->tty is set. tty_file_attach counts an open and takes the ctty
 * reference the file keeps (tty_ctty_get); tty_file_release undoes it. */
struct file;
void tty_file_attach(struct file *f, struct tty *t);
long tty_file_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos);
long tty_file_write(struct file *f, fw_uptr_t buf, size_t len,
		    uint64_t *pos);
long tty_file_ioctl(struct file *f, unsigned cmd, uint64_t arg);
unsigned tty_file_poll(struct file *f, struct poll_table *pt);
void tty_file_release(struct file *f);

/* Internal (pty.c): the pty index of t, or -1 for other terminals. */
int pty_index_of(struct tty *t);
/* Internal (pty.c): register /dev/ptmx, the slaves and devpts. */
FW_MUST_CHECK int pty_init(void);

#endif
