/* services/fs/vfs/fdtable.h: per-process descriptor tables and file-system
 * context (root, cwd, umask).
 *
 * Layer: services (safe C). The process service owns the pointers
 * (proc->files, proc->fs) and calls these functions on fork, clone, exec
 * and exit; the fs syscalls use them through proc_current(). */
#ifndef SERVICES_FS_FDTABLE_H
#define SERVICES_FS_FDTABLE_H

#include <stdatomic.h>

#include <fw/compiler.h>
#include <fw/sync.h>

#include "fs/vfs/vfs.h"

/* A table grows by chunks of FD_CHUNK descriptors, as far as the
 * caller's RLIMIT_NOFILE and FD_NR_OPEN (Linux's fs.nr_open here) allow.
 * poll(2) and select(2) handle the first FDTABLE_MAX. */
#define FD_CHUNK 1024
#define FD_NR_OPEN 65536
#define FDTABLE_MAX FD_CHUNK /* RLIMIT_NOFILE default; fd_set holds 1024 */

struct fd_chunk {
	struct file *fd[FD_CHUNK];		/* open file per descriptor, or NULL */
	uint64_t cloexec[FD_CHUNK / 64];	/* FD_CLOEXEC bits */
	uint64_t open[FD_CHUNK / 64];		/* which fd[] are set */
};

struct fdtable {
	_Atomic int refs;			/* processes sharing it (CLONE_FILES) */
	struct fw_spinlock lock;		/* guards the chunks */
	/* Chunk k holds descriptors k * FD_CHUNK ...; NULL until one of
	 * them is used (chunk 0 always there). */
	struct fd_chunk *chunk[FD_NR_OPEN / FD_CHUNK];
	/* Every descriptor below it is open (Linux's next_fd): where the
	 * search for the lowest free one starts. */
	int next_fd;
};

/* An empty table with one reference, or NULL (-ENOMEM). */
struct fdtable *fdtable_create(void);
/* A copy of src sharing its files (fork without CLONE_FILES): 0 or -ENOMEM. */
FW_MUST_CHECK int fdtable_fork(struct fdtable *src, struct fdtable **out);
void fdtable_get(struct fdtable *t);
/* Drop a reference; the last one closes every descriptor. */
void fdtable_put(struct fdtable *t);
/* execve: close the descriptors marked FD_CLOEXEC. */
void fdtable_close_on_exec(struct fdtable *t);

/* Install f at the lowest free descriptor >= 0; takes over the caller's
 * reference on success. flags: O_CLOEXEC. Returns the fd or -EMFILE. */
FW_MUST_CHECK int fd_install(struct fdtable *t, struct file *f, unsigned flags);
/* As fd_install, lowest free descriptor >= min. -EMFILE or -EINVAL. */
FW_MUST_CHECK int fd_install_from(struct fdtable *t, struct file *f,
				  unsigned flags, int min);
/* Put f at exactly fd, closing what was there (dup2). Takes the caller's
 * reference. 0 or -EBADF. */
FW_MUST_CHECK int fd_install_at(struct fdtable *t, int fd, struct file *f,
				unsigned flags);
/* Descriptors the caller may use: its RLIMIT_NOFILE, at most
 * FD_NR_OPEN. */
int fd_limit(void);
/* Is a descriptor free below the caller's limit? (open(2) asks first,
 * as Linux takes the descriptor before it looks up or creates anything:
 * EMFILE then leaves no file behind. Another thread may take the last
 * one meanwhile; the install still fails cleanly then.) */
bool fd_available(struct fdtable *t);
/* The lowest open descriptor >= from, or -1. */
int fdtable_next_fd(struct fdtable *t, int from);
/* The file at fd with a new reference, or NULL (the caller says -EBADF). */
struct file *fd_get(struct fdtable *t, int fd);
/* Close fd: 0 or -EBADF. */
FW_MUST_CHECK int fd_close(struct fdtable *t, int fd);
FW_MUST_CHECK int fd_get_cloexec(struct fdtable *t, int fd, bool *on);
FW_MUST_CHECK int fd_set_cloexec(struct fdtable *t, int fd, bool on);

/* The file-system context: where relative and absolute paths start. */
struct fs_context {
	_Atomic int refs;		/* processes sharing it (CLONE_FS) */
	struct fw_spinlock lock;	/* guards root, cwd, umask */
	struct vfs_path root;		/* "/" (chroot) */
	struct vfs_path cwd;		/* working directory */
	uint32_t umask;			/* default 022 */
};

/* A context at the root mount, cwd "/", umask 022; NULL if out of memory
 * or before vfs_init. */
struct fs_context *fs_context_create_root(void);
/* A copy (fork without CLONE_FS): 0 or -ENOMEM. */
FW_MUST_CHECK int fs_context_fork(struct fs_context *src,
				  struct fs_context **out);
void fs_context_get(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);
/* Referenced copies of root / cwd, for a path walk. */
void fs_context_root(struct fs_context *fs, struct vfs_path *out);
void fs_context_cwd(struct fs_context *fs, struct vfs_path *out);

#endif
