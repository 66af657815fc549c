/* services/fs/vfs/namei.h: path name resolution.
 *
 * Layer: services (safe C), VFS. A walk runs with vfs_ns_lock held from
 * start to end, so inodes and mounts it passes need no references; the
 * caller takes references on the result (vfs_path_get) before unlocking.
 * Rules followed (path_resolution(7)): "." and "..", ".." at a mount root
 * goes to the covered directory of the parent mount, ".." at the process
 * root stays there, at most 40 symlinks per resolution (-ELOOP), search
 * (x) permission on every directory walked, components over NAME_MAX give
 * -ENAMETOOLONG, a non-directory in the middle gives -ENOTDIR, and a
 * trailing slash means the last component must be a directory (and makes
 * a symlink there be followed). */
#ifndef SERVICES_FS_NAMEI_H
#define SERVICES_FS_NAMEI_H

#include "fs/vfs/vfs.h"

extern struct fw_mutex vfs_ns_lock;

#define LOOKUP_FOLLOW 1u	/* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 2u	/* the result must be a directory */

enum last_type {
	LAST_NORM,		/* an ordinary name */
	LAST_ROOT,		/* the path was "/" (only slashes) */
	LAST_DOT,		/* "." */
	LAST_DOTDOT,		/* ".." */
};

struct nameidata {
	struct vfs_path root;		/* the process root (referenced) */
	struct vfs_path start;		/* base of relative paths (referenced) */
	const struct cred *cred;	/* who is asking */
	unsigned links;			/* symlinks followed so far */
	struct kpath *tmp;		/* symlink scratch; NULL until a link */
	struct vfs_path held;		/* the last magic link's target
					 * (referenced; nothing else holds it) */
	/* Set by namei_resolve/namei_open when the result was found by name
	 * (not "/", "." or ".."): where, for vfs_get_path. Unreferenced. */
	bool have_last;
	struct vfs_path last_dir;
	struct kname last_name;
};

/* Set up a walk relative to dirfd (AT_FDCWD: the cwd) for the current
 * process. -EBADF (bad dirfd), -ENOTDIR (dirfd not a directory, checked
 * only if path is relative and non-empty), -ENOMEM. */
FW_MUST_CHECK int nd_init(struct nameidata *nd, int dirfd,
			  const struct kpath *path);
/* As nd_init from an explicit context (exec, boot). */
FW_MUST_CHECK int nd_init_fs(struct nameidata *nd, struct fs_context *fs);
void nd_fini(struct nameidata *nd);

/* vfs_ns_lock held for all below. p may be rewritten (symlinks). */

/* Walk all but the last component; *dir is where the last name lives. */
FW_MUST_CHECK int namei_parent(struct nameidata *nd, struct kpath *p,
			       struct vfs_path *dir, struct kname *last,
			       enum last_type *type, bool *trailing);
/* Walk the whole path. */
FW_MUST_CHECK int namei_resolve(struct nameidata *nd, struct kpath *p,
				unsigned flags, struct vfs_path *out);
/* The open(2) walk: resolve, creating a regular file under O_CREAT
 * (mode already masked by umask). *created says whether it did. */
FW_MUST_CHECK int namei_open(struct nameidata *nd, struct kpath *p,
			     unsigned flags, uint32_t mode,
			     struct vfs_path *out, bool *created);
/* dir/name with mounts crossed ("." / ".." not allowed here). */
FW_MUST_CHECK int namei_child(struct nameidata *nd, const struct vfs_path *dir,
			      const struct kname *name, struct vfs_path *out);
struct vfs_path namei_dotdot(const struct nameidata *nd, struct vfs_path cur);

/* Whether a sticky directory forbids removing ino from it (Linux
 * check_sticky). */
bool namei_sticky_denied(const struct inode *dir, const struct inode *ino,
			 const struct cred *c);

/* The root mount (vfs_init). */
extern struct mount *vfs_root_mount;

#endif
