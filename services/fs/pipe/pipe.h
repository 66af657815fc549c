/* services/fs/pipe/pipe.h: pipes and FIFOs.
 *
 * Layer: services (safe C). A pipe is a 64 KiB ring of 16 frames (Linux's
 * default capacity), shared by its read and write files; a FIFO is a pipe
 * hung off a tmpfs inode and found by open(2).
 *
 * Folder services/fs/pipe: pipes and FIFOs (the ring arithmetic in
 * pipe_ring.h is host-tested). Kept in fs, not a separate IPC service:
 * the VFS opens FIFOs and pipes are files. Calls the VFS core, event/. */
#ifndef SERVICES_FS_PIPE_H
#define SERVICES_FS_PIPE_H

#include <stdatomic.h>

#include <fw/frame.h>
#include <fw/sync.h>

#include "fs/pipe/pipe_ring.h"
#include "fs/event/poll.h"
#include "fs/vfs/vfs.h"

struct pipe {
	_Atomic int refs;			/* files and the FIFO inode */
	struct fw_mutex lock;			/* serialises readers/writers copying */
	struct fw_frame *page[PIPE_RING_PAGES];	/* ring pages (lock), allocated lazily */
	/* Written under lock, read without it by wait conditions. */
	_Atomic uint64_t head;			/* bytes ever written */
	_Atomic uint64_t tail;			/* bytes ever read */
	_Atomic unsigned readers;		/* open read ends */
	_Atomic unsigned writers;		/* open write ends */
	_Atomic unsigned r_counter;		/* read opens ever (FIFO open waits) */
	_Atomic unsigned w_counter;		/* write opens ever */
	struct fw_waitq rd_wait;		/* readers wait for data / writers */
	struct fw_waitq wr_wait;		/* writers wait for room / readers */
	struct poll_head poll;			/* poll/select waiters */
};

extern const struct file_ops fifo_ops;

/* pipe2(2): a new pipe as a read file and a write file (flags: O_NONBLOCK;
 * O_CLOEXEC is the caller's). 0 or -ENOMEM. */
FW_MUST_CHECK int pipe_create(unsigned flags, struct file **rd,
			      struct file **wr);
void pipe_put(struct pipe *p);

#endif
