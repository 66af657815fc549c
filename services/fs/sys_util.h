/* services/fs/sys_util.h: helpers shared by the file-system syscalls.
 *
 * Layer: services (safe C), syscall glue: argument decoding from user
 * space, fd and path lookups for the calling process. */
#ifndef SERVICES_FS_SYS_UTIL_H
#define SERVICES_FS_SYS_UTIL_H

#include "fs/vfs/fdtable.h"
#include "fs/vfs/namei.h"
#include "current/current.h"
#include "syscall/syscall.h"

/* The calling process's file for fd with a reference, or NULL. */
struct file *sys_fget(int fd);
struct fdtable *sys_files(void);

/* Resolve a user path relative to dirfd and reference the result.
 * lookup: LOOKUP_* flags; empty_ok: AT_EMPTY_PATH (an empty path means
 * dirfd itself). */
FW_MUST_CHECK int sys_lookup(int dirfd, fw_uptr_t upath, unsigned lookup,
			     bool empty_ok, struct vfs_path *out);

/* Open the inode at p (found by a file handle) with open(2) flags and
 * install a descriptor: the fd, or -errno (sys_open.c). */
long sys_open_resolved(const struct vfs_path *p, unsigned flags);

/* The parent directory walk for create/remove/rename. On success
 * vfs_ns_lock is held until sys_parent_end. */
struct parent_ctx {
	struct nameidata nd;
	struct kpath *p;
	struct vfs_path dir;		/* unreferenced; valid under the lock */
	struct kname last;
	enum last_type type;
	bool trailing;
	bool locked;
};
FW_MUST_CHECK int sys_parent_begin(int dirfd, fw_uptr_t upath,
				   struct parent_ctx *c);
void sys_parent_end(struct parent_ctx *c);

/* Read a timespec-style timeout: UINT64_MAX for none. */
uint64_t sys_deadline_from_ns(int64_t sec, int64_t nsec);

#endif
