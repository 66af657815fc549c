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
	uint64_t id;				/* unique: the order in which
						 * splice locks two pipes */
};

extern const struct file_ops fifo_ops;

/* pipe2(2): a new pipe as a read file and a write file (flags: O_NONBLOCK;
 * O_CLOEXEC is the caller's). 0 or -ENOMEM. */
FW_MUST_CHECK int pipe_create(unsigned flags, struct file **rd,
			      struct file **wr);
void pipe_put(struct pipe *p);

/* splice(2), tee(2), vmsplice(2) on the pipe side (pipe_splice.c, after
 * Linux fs/splice.c). nonblock: SPLICE_F_NONBLOCK (or O_NONBLOCK where
 * Linux takes it), which only stops waits on the pipe; the other file
 * may still block. All return bytes moved, 0 at end of input, or -errno
 * (-ERESTARTSYS when a signal ended a wait before anything moved). */
/* in -> p: at most len bytes, and no more than p has room for, read at
 * *off of in (advanced; NULL: in's file position). -EPIPE (and SIGPIPE)
 * without readers. */
long pipe_splice_in(struct pipe *p, struct file *in, uint64_t *off,
		    size_t len, bool nonblock);
/* p -> out: at most len bytes, written at *off of out (NULL: its
 * position); what out did not take stays in p. */
long pipe_splice_out(struct pipe *p, struct file *out, uint64_t *off,
		     size_t len, bool nonblock);
/* ip -> op (ip != op); tee: copy, leaving the bytes in ip. */
long pipe_splice_pipe(struct pipe *ip, struct pipe *op, size_t len,
		      bool nonblock, bool tee);
/* vmsplice: the user iovec array (checked by the caller) into p, or p
 * into it. */
long pipe_vmsplice_in(struct pipe *p, fw_uptr_t uiov, uint64_t cnt,
		      bool nonblock);
long pipe_vmsplice_out(struct pipe *p, fw_uptr_t uiov, uint64_t cnt,
		       bool nonblock);

#endif
