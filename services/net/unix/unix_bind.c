/* services/net/unix/unix_bind.c: the names Unix sockets are bound to.
 *
 * Layer: services (safe C), net, after Linux unix_bind/unix_find_other.
 * Abstract names live in a table of their own; a path name is an
 * S_IFSOCK inode made through the VFS (on tmpfs or ext2: EADDRINUSE if
 * the name exists, permissions from umask), and the bound socket holds a
 * reference on it (so a disk file system keeps it in memory). A connect
 * resolves the path, needs write permission on the inode (EACCES), and
 * finds the socket whose inode has the same file system and number. The
 * table is a list: fine for the handful of bound sockets a system has. */
#include <fw/string.h>

#include "current/current.h"
#include "fs/vfs/namei.h"
#include "net/unix/unix.h"

static struct fw_list unix_bound = FW_LIST_HEAD_INIT(unix_bound);
static unsigned unix_autobind_next;

static struct unix_sock *find_abstract(const struct unix_addr *a)
{
	struct unix_sock *u;

	FW_LIST_FOR_EACH(u, &unix_bound, bound_node)
		if (!u->path.inode && unix_addr_eq(&u->addr, a))
			return u;
	return NULL;
}

static struct unix_sock *find_inode(const struct inode *ino)
{
	struct unix_sock *u;

	FW_LIST_FOR_EACH(u, &unix_bound, bound_node)
		if (u->path.inode && u->path.inode->sb == ino->sb &&
		    u->path.inode->ino == ino->ino)
			return u;
	return NULL;
}

int unix_autobind(struct unix_sock *u)
{
	struct unix_addr a;

	if (u->addr.len)
		return 0;
	for (unsigned tries = 0; tries <= 0xfffff; tries++) {
		unix_addr_auto(unix_autobind_next++ & 0xfffff, &a);
		if (!find_abstract(&a)) {
			u->addr = a;
			fw_list_add_tail(&unix_bound, &u->bound_node);
			return 0;
		}
	}
	return -ENOSPC;
}

void unix_unbind_locked(struct unix_sock *u, struct vfs_path *path_out)
{
	fw_list_del(&u->bound_node);
	*path_out = u->path;
	u->path.inode = NULL;
	u->path.mnt = NULL;
}

static uint32_t current_umask(void)
{
	struct fs_context *fs = current_fs();
	uint32_t m = 022;

	if (fs) {
		fw_spin_lock(&fs->lock);
		m = fs->umask;
		fw_spin_unlock(&fs->lock);
	}
	return m;
}

/* The path of a path address as a kpath (its bytes end with a NUL). */
static struct kpath *addr_kpath(const struct unix_addr *a)
{
	struct kpath *p = kpath_alloc();

	if (!p)
		return NULL;
	for (unsigned i = 2; i < a->len && i - 2 < sizeof(p->s) - 1; i++)
		p->s[i - 2] = (char)a->b[i];
	p->s[a->len - 2 < sizeof(p->s) ? a->len - 2 : sizeof(p->s) - 1] = 0;
	return p;
}

/* Make the socket inode (Linux unix_bind_bsd: mknod, EEXIST becomes
 * EADDRINUSE). The result holds a mount and an inode reference. With
 * dry set, only say what the mknod would answer (0: it would create). */
static int bind_path(const struct unix_addr *a, struct vfs_path *out,
		     bool dry)
{
	struct kpath *p = addr_kpath(a);
	struct nameidata nd;
	struct vfs_path dir, old;
	struct kname last;
	enum last_type type;
	bool trailing;
	struct inode *ino;
	uint32_t mode = S_IFSOCK | (0777 & ~current_umask());
	int err;

	if (!p)
		return -ENOMEM;
	err = nd_init(&nd, AT_FDCWD, p);
	if (err)
		goto out_free;
	fw_mutex_lock(&vfs_ns_lock);
	err = namei_parent(&nd, p, &dir, &last, &type, &trailing);
	if (err)
		goto out_unlock;
	if (type != LAST_NORM) {
		err = -EADDRINUSE;
		goto out_unlock;
	}
	err = inode_permission(dir.inode, MAY_WRITE | MAY_EXEC, nd.cred);
	if (err)
		goto out_unlock;
	if (namei_child(&nd, &dir, &last, &old) == 0) {
		err = -EADDRINUSE;
		goto out_unlock;
	}
	if (trailing) {
		err = -ENOENT;
		goto out_unlock;
	}
	err = inode_check_writable(dir.inode);
	if (err || dry)
		goto out_unlock;
	err = dir.inode->iops->create(dir.inode, &last, mode, 0, nd.cred, &ino);
	if (err)
		goto out_unlock;
	out->mnt = dir.mnt;
	out->inode = ino;
	vfs_path_get(out);
	inode_put(ino);
out_unlock:
	fw_mutex_unlock(&vfs_ns_lock);
	nd_fini(&nd);
out_free:
	kpath_free(p);
	return err;
}

int unix_bind(struct socket *s, const struct sock_addr *sa)
{
	struct unix_sock *u = s->un;
	struct vfs_path path = { 0 };
	enum unix_addr_kind kind;
	struct unix_addr a;
	int err = unix_addr_parse(sa, &a, &kind);

	if (err)
		return err;
	if (kind == UNIX_ADDR_PATH) {
		bool bound;

		fw_mutex_lock(&unix_lock);
		bound = u->addr.len != 0;
		fw_mutex_unlock(&unix_lock);
		/* Linux makes the node before it looks at the socket: a
		 * bound socket gets the mknod's error (EADDRINUSE...), else
		 * EINVAL, and no node is left behind. */
		if (bound) {
			err = bind_path(&a, &path, true);
			return err ? err : -EINVAL;
		}
		err = bind_path(&a, &path, false);
		if (err)
			return err;
	}
	fw_mutex_lock(&unix_lock);
	if (u->addr.len)
		err = -EINVAL;
	else if (kind == UNIX_ADDR_AUTOBIND)
		err = unix_autobind(u);
	else if (kind == UNIX_ADDR_ABSTRACT && find_abstract(&a))
		err = -EADDRINUSE;
	if (!err && kind != UNIX_ADDR_AUTOBIND) {
		u->addr = a;
		u->path = path;
		path.inode = NULL;
		path.mnt = NULL;
		fw_list_add_tail(&unix_bound, &u->bound_node);
	}
	fw_mutex_unlock(&unix_lock);
	vfs_path_put(&path); /* only if a racing bind won */
	return err;
}

int unix_find(const struct unix_addr *a, int type, struct socket **out)
{
	struct unix_sock *u = NULL;
	int err = 0;

	if (a->len > 2 && a->b[2] == 0) {
		fw_mutex_lock(&unix_lock);
		u = find_abstract(a);
	} else {
		struct kpath *p = addr_kpath(a);
		struct nameidata nd;
		struct vfs_path res;

		if (!p)
			return -ENOMEM;
		err = nd_init(&nd, AT_FDCWD, p);
		if (err) {
			kpath_free(p);
			return err;
		}
		fw_mutex_lock(&vfs_ns_lock);
		err = namei_resolve(&nd, p, LOOKUP_FOLLOW, &res);
		if (!err)
			err = inode_permission(res.inode, MAY_WRITE, nd.cred);
		if (!err && !S_ISSOCK(res.inode->mode))
			err = -ECONNREFUSED;
		if (!err) {
			fw_mutex_lock(&unix_lock);
			u = find_inode(res.inode);
		}
		fw_mutex_unlock(&vfs_ns_lock);
		nd_fini(&nd);
		kpath_free(p);
		if (err)
			return err;
	}
	if (!u)
		err = -ECONNREFUSED;
	else if (u->sk->type != type)
		err = -EPROTOTYPE;
	else {
		socket_get(u->sk);
		*out = u->sk;
	}
	fw_mutex_unlock(&unix_lock);
	return err;
}
