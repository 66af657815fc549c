/* services/tty/pty.h: pseudo-terminal pairs and the devpts file system.
 *
 * Layer: services (safe C), internal to services/tty (pty.c, devpts.c). */
#ifndef SERVICES_TTY_PTY_H
#define SERVICES_TTY_PTY_H

#include "tty/tty.h"

#define PTY_MAX 256        /* pairs at most (Linux default: 4096) */
#define PTY_BUF 8192       /* master's read ring: slave output */
#define PTY_SLAVE_MAJOR 136

struct pty {
	struct tty slave;  /* the slave terminal; slave.lock guards the rest
			    * but refs and master_open (pty_lock) */
	char name[8];      /* "pts3" */
	int index;         /* N of /dev/pts/N */
	int refs;          /* pty_lock: master, slave files, cttys */
	bool master_open;  /* pty_lock: /dev/pts/N exists */
	bool locked;       /* TIOCSPTLCK: slave opens fail with -EIO */
	bool packet;       /* TIOCPKT: master reads carry a status byte */
	uint32_t uid, gid; /* owner of /dev/pts/N (the opener of ptmx) */
	struct termios mtio; /* the master's own termios (unused) */

	uint8_t out[PTY_BUF];  /* slave output for the master to read */
	uint32_t out_head, out_tail;
	struct fw_waitq mread_wait;  /* master readers */
	struct fw_waitq mwrite_wait; /* master writers: input room */
	struct poll_head mpoll;      /* master pollers */
};

/* Does pair idx exist with its master open? Then its owner. */
bool pty_devpts_node(unsigned idx, uint32_t *uid, uint32_t *gid);
/* Make the devpts superblock and hand it to the VFS (vfs_devpts_sb). */
FW_MUST_CHECK int devpts_init(void);

#endif
