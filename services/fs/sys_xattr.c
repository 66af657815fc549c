/* services/fs/sys_xattr.c: the extended-attribute system calls.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/xattr.c). Neither
 * tmpfs nor ext2 here stores extended attributes, so these answer as
 * Linux does for a file system without xattr handlers: after the file is
 * found and the arguments are checked, get/set/remove fail with
 * EOPNOTSUPP (programs such as ls and cp treat that as "none") and list
 * returns an empty list. */
#include <fw/errno.h>
#include <fw/uaccess.h>

#include "fs/sys_calls.h"
#include "fs/sys_util.h"
#include "fs/vfs/vfs.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2

/* The file the call names: a path (following a final symlink or not) or,
 * for the f* forms, a descriptor. */
enum target { FOLLOW, NOFOLLOW, FD };

static long find(enum target t, uint64_t arg, struct vfs_path *out)
{
	struct file *f;

	if (t != FD)
		return sys_lookup(AT_FDCWD, fw_uptr(arg),
				  t == FOLLOW ? LOOKUP_FOLLOW : 0, false, out);
	f = sys_fget((int)arg);
	if (!f)
		return -EBADF;
	*out = f->path;
	vfs_path_get(out);
	file_put(f);
	return out->inode ? 0 : -EBADF;
}

/* Linux copies the name first and answers ERANGE for "" or one longer
 * than XATTR_NAME_MAX. */
static long check_name(fw_uptr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = fw_copy_in_str(FW_BUF_OF_ARRAY(name), uname);

	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

static long do_get(enum target t, const struct sys_args *a)
{
	struct vfs_path p;
	long err = find(t, a->arg[0], &p);

	if (err)
		return err;
	err = check_name(fw_uptr(a->arg[1]));
	vfs_path_put(&p);
	return err ? err : -EOPNOTSUPP;
}

static long do_set(enum target t, const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[4];
	struct vfs_path p;
	long err;

	if (flags & ~(unsigned)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = find(t, a->arg[0], &p);
	if (err)
		return err;
	err = check_name(fw_uptr(a->arg[1]));
	if (!err && a->arg[3] > XATTR_SIZE_MAX)
		err = -E2BIG;
	vfs_path_put(&p);
	return err ? err : -EOPNOTSUPP;
}

static long do_list(enum target t, const struct sys_args *a)
{
	struct vfs_path p;
	long err = find(t, a->arg[0], &p);

	if (err)
		return err;
	vfs_path_put(&p);
	return 0; /* no attributes: an empty list, whatever the buffer */
}

static long do_remove(enum target t, const struct sys_args *a)
{
	return do_get(t, a);
}

long sys_getxattr(const struct sys_args *a) { return do_get(FOLLOW, a); }
long sys_lgetxattr(const struct sys_args *a) { return do_get(NOFOLLOW, a); }
long sys_fgetxattr(const struct sys_args *a) { return do_get(FD, a); }
long sys_setxattr(const struct sys_args *a) { return do_set(FOLLOW, a); }
long sys_lsetxattr(const struct sys_args *a) { return do_set(NOFOLLOW, a); }
long sys_fsetxattr(const struct sys_args *a) { return do_set(FD, a); }
long sys_listxattr(const struct sys_args *a) { return do_list(FOLLOW, a); }
long sys_llistxattr(const struct sys_args *a) { return do_list(NOFOLLOW, a); }
long sys_flistxattr(const struct sys_args *a) { return do_list(FD, a); }
long sys_removexattr(const struct sys_args *a) { return do_remove(FOLLOW, a); }
long sys_lremovexattr(const struct sys_args *a) { return do_remove(NOFOLLOW, a); }
long sys_fremovexattr(const struct sys_args *a) { return do_remove(FD, a); }
