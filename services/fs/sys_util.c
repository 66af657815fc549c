/* services/fs/sys_util.c: helpers shared by the file-system syscalls.
 *
 * Layer: services (safe C), syscall glue. */
#include <fw/time.h>

#include "fs/sys_util.h"

struct fdtable *sys_files(void)
{
	return current_files();
}

struct file *sys_fget(int fd)
{
	struct fdtable *t = sys_files();

	return t ? fd_get(t, fd) : NULL;
}

int sys_lookup(int dirfd, fw_uptr_t upath, unsigned lookup, bool empty_ok,
	       struct vfs_path *out)
{
	struct kpath *p = kpath_alloc();
	struct nameidata nd;
	int err;

	if (!p)
		return -ENOMEM;
	err = empty_ok ? kpath_from_user_empty_ok(p, upath)
		       : kpath_from_user(p, upath);
	if (err)
		goto out_free;
	if (p->s[0] == 0) {
		/* AT_EMPTY_PATH: the object dirfd refers to. */
		struct fs_context *fs;

		if (dirfd == AT_FDCWD) {
			fs = current_fs();
			if (!fs) {
				err = -ENOENT;
				goto out_free;
			}
			fs_context_cwd(fs, out);
		} else {
			struct file *f = sys_fget(dirfd);

			if (!f) {
				err = -EBADF;
				goto out_free;
			}
			*out = f->path;
			vfs_path_get(out);
			file_put(f);
			if (!out->inode) {
				vfs_path_put(out);
				err = -ENOENT;
			}
		}
		goto out_free;
	}
	err = nd_init(&nd, dirfd, p);
	if (err)
		goto out_free;
	fw_mutex_lock(&vfs_ns_lock);
	err = namei_resolve(&nd, p, lookup, out);
	if (!err)
		vfs_path_get(out);
	fw_mutex_unlock(&vfs_ns_lock);
	nd_fini(&nd);
out_free:
	kpath_free(p);
	return err;
}

int sys_parent_begin(int dirfd, fw_uptr_t upath, struct parent_ctx *c)
{
	int err;

	c->locked = false;
	c->p = kpath_alloc();
	c->nd.tmp = NULL;
	c->nd.root.inode = NULL;
	c->nd.root.mnt = NULL;
	c->nd.start = c->nd.root;
	if (!c->p)
		return -ENOMEM;
	err = kpath_from_user(c->p, upath);
	if (err)
		goto fail;
	err = nd_init(&c->nd, dirfd, c->p);
	if (err)
		goto fail;
	fw_mutex_lock(&vfs_ns_lock);
	c->locked = true;
	err = namei_parent(&c->nd, c->p, &c->dir, &c->last, &c->type,
			   &c->trailing);
	if (err)
		goto fail;
	return 0;
fail:
	sys_parent_end(c);
	return err;
}

void sys_parent_end(struct parent_ctx *c)
{
	if (c->locked)
		fw_mutex_unlock(&vfs_ns_lock);
	c->locked = false;
	nd_fini(&c->nd);
	kpath_free(c->p);
	c->p = NULL;
}

uint64_t sys_deadline_from_ns(int64_t sec, int64_t nsec)
{
	uint64_t now = fw_time_ns(), d;

	if (sec < 0)
		return now;
	if ((uint64_t)sec > (UINT64_MAX - now) / FW_NSEC_PER_SEC - 1)
		return UINT64_MAX;
	d = now + (uint64_t)sec * FW_NSEC_PER_SEC + (uint64_t)nsec;
	return d;
}
