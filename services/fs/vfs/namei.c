/* services/fs/vfs/namei.c: path name resolution (see namei.h for the rules).
 *
 * Layer: services (safe C), VFS. Symlinks are expanded by rewriting the
 * path buffer: when a component is a symlink, the buffer becomes the
 * link's target followed by the rest of the path, and the walk carries on
 * from the link's directory (or the root for an absolute target). That
 * keeps the walk iterative with one scratch buffer, where Linux keeps a
 * stack of nested link bodies; the only observable difference is that
 * target + rest must fit in PATH_MAX (-ENAMETOOLONG otherwise). */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/vfs/namei.h"
#include "fs/vfs/fdtable.h"
#include "current/current.h"

struct fw_mutex vfs_ns_lock;
struct mount *vfs_root_mount;

int nd_init_fs(struct nameidata *nd, struct fs_context *fs)
{
	nd->links = 0;
	nd->have_last = false;
	nd->cred = fs_cred();
	nd->tmp = NULL; /* allocated by the first symlink the walk meets */
	nd->held = (struct vfs_path){ 0 };
	fs_context_root(fs, &nd->root);
	fs_context_cwd(fs, &nd->start);
	return 0;
}

int nd_init(struct nameidata *nd, int dirfd, const struct kpath *path)
{
	struct fs_context *fs = current_fs();
	struct file *f;
	int err;

	nd->root.inode = NULL;
	nd->root.mnt = NULL;
	nd->start = nd->root;
	nd->tmp = NULL;
	nd->held = nd->root;
	if (!fs)
		return -ENOENT;
	err = nd_init_fs(nd, fs);
	if (err)
		return err;
	if (dirfd == AT_FDCWD || path->s[0] == '/')
		return 0;
	f = fd_get(current_files(), dirfd);
	if (!f) {
		nd_fini(nd);
		return -EBADF;
	}
	if (path->s[0] && !S_ISDIR(f->path.inode->mode)) {
		file_put(f);
		nd_fini(nd);
		return -ENOTDIR;
	}
	vfs_path_put(&nd->start);
	nd->start = f->path;
	vfs_path_get(&nd->start);
	file_put(f);
	return 0;
}

void nd_fini(struct nameidata *nd)
{
	vfs_path_put(&nd->root);
	vfs_path_put(&nd->start);
	kpath_free(nd->tmp);
	nd->tmp = NULL;
	vfs_path_put(&nd->held);
	nd->held = (struct vfs_path){ 0 };
}

static bool path_eq(const struct vfs_path *a, const struct vfs_path *b)
{
	return a->inode == b->inode && a->mnt == b->mnt;
}

struct vfs_path namei_dotdot(const struct nameidata *nd, struct vfs_path cur)
{
	for (;;) {
		if (path_eq(&cur, &nd->root))
			return cur;
		if (cur.mnt && cur.inode == cur.mnt->sb->root && cur.mnt->parent) {
			cur.inode = cur.mnt->mountpoint;
			cur.mnt = cur.mnt->parent;
			continue;
		}
		break;
	}
	if (cur.inode->parent)
		cur.inode = cur.inode->parent;
	return cur;
}

int namei_child(struct nameidata *nd, const struct vfs_path *dir,
		const struct kname *name, struct vfs_path *out)
{
	struct inode *child;
	int err;

	if (!dir->inode->iops || !dir->inode->iops->lookup)
		return -ENOTDIR;
	err = dir->inode->iops->lookup(dir->inode, name, &child);
	if (err)
		return err;
	/* The directory entry keeps it alive while vfs_ns_lock is held. */
	inode_put(child);
	out->mnt = dir->mnt;
	out->inode = child;
	/* Stacked mounts; bounded in case of a cycle the mount code missed. */
	for (unsigned depth = 0; out->inode->mounted && depth < 32; depth++) {
		out->mnt = out->inode->mounted;
		out->inode = out->mnt->sb->root;
	}
	return 0;
}

/* Replace p by link's target followed by p's rest from index rest (and a
 * slash if add_slash, for a trailing slash on the link's name). */
static int splice_link(struct nameidata *nd, struct kpath *p,
		       struct inode *link, size_t rest, bool add_slash)
{
	size_t n, i, old;
	int err;

	if (++nd->links > 40)
		return -ELOOP;
	if (!link->iops || !link->iops->readlink)
		return -EINVAL;
	if (!nd->tmp && !(nd->tmp = kpath_alloc()))
		return -ENOMEM;
	err = link->iops->readlink(link, nd->tmp);
	if (err)
		return err;
	n = strnlen(nd->tmp->s, sizeof(nd->tmp->s));
	if (n == 0)
		return -ENOENT;
	if (add_slash) {
		if (n + 1 >= sizeof(nd->tmp->s))
			return -ENAMETOOLONG;
		nd->tmp->s[n++] = '/';
	}
	for (i = rest; i < sizeof(p->s) && p->s[i]; i++) {
		if (n + 1 >= sizeof(nd->tmp->s))
			return -ENAMETOOLONG;
		nd->tmp->s[n++] = p->s[i];
	}
	nd->tmp->s[n] = 0;
	/* p becomes the new string and tmp empty again, both zero past
	 * their NUL (see lib/kpath.c). */
	old = strnlen(p->s, sizeof(p->s));
	memcpy(p->s, nd->tmp->s, n + 1);
	if (old > n)
		memset(&p->s[n + 1], 0, old - n - 1);
	memset(nd->tmp->s, 0, n + 1);
	return 0;
}

/* If link is a magic link, jump: *to is its target (kept referenced in
 * nd->held for the rest of the walk) and true. Otherwise false. */
static bool magic_link(struct nameidata *nd, struct inode *link,
		       struct vfs_path *to, int *err)
{
	struct vfs_path t;

	*err = 0;
	if (!link->iops || !link->iops->get_link_path)
		return false;
	*err = link->iops->get_link_path(link, &t);
	if (*err == 1) {
		*err = 0;
		return false;
	}
	if (!*err && ++nd->links > 40) {
		vfs_path_put(&t);
		*err = -ELOOP;
	}
	if (*err)
		return true;
	vfs_path_put(&nd->held);
	nd->held = t;
	*to = t;
	return true;
}

/* Check that cur is a directory the caller may search. */
static int may_lookup(struct nameidata *nd, const struct vfs_path *cur)
{
	if (!S_ISDIR(cur->inode->mode))
		return -ENOTDIR;
	return inode_permission(cur->inode, MAY_EXEC, nd->cred);
}

static enum last_type name_type(const struct kname *n)
{
	if (n->s[0] == '.' && n->s[1] == 0)
		return LAST_DOT;
	if (n->s[0] == '.' && n->s[1] == '.' && n->s[2] == 0)
		return LAST_DOTDOT;
	return LAST_NORM;
}

/* Walk from base (or the root if p is absolute). Each component is
 * copied into *last, which on success holds the final one (the caller's
 * buffer doubles as the walk's, so no 256-byte name is zeroed and copied
 * per call: services' locals are zero-initialised). */
static int walk_parent_from(struct nameidata *nd, struct kpath *p,
			    struct vfs_path base, struct vfs_path *dir,
			    struct kname *last, enum last_type *type,
			    bool *trailing)
{
	struct vfs_path cur = base;
	struct kname *name = last;
	size_t i = 0;
	int err;

restart:
	if (p->s[0] == '/')
		cur = nd->root;
	while (i < KPATH_MAX && p->s[i] == '/')
		i++;
	if (i >= KPATH_MAX || p->s[i] == 0) {
		*dir = cur;
		last->s[0] = 0;
		*type = LAST_ROOT;
		*trailing = false;
		return 0;
	}
	for (;;) {
		struct vfs_path next;
		size_t j = i, k, len;

		while (j < KPATH_MAX && p->s[j] && p->s[j] != '/')
			j++;
		len = j - i;
		if (len > KNAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name->s, &p->s[i], len);
		name->s[len] = 0;
		k = j;
		while (k < KPATH_MAX && p->s[k] == '/')
			k++;
		err = may_lookup(nd, &cur);
		if (err)
			return err;
		if (k >= KPATH_MAX || p->s[k] == 0) {
			*dir = cur;
			*type = name_type(name);
			*trailing = k > j;
			return 0;
		}
		switch (name_type(name)) {
		case LAST_DOT:
			break;
		case LAST_DOTDOT:
			cur = namei_dotdot(nd, cur);
			break;
		default:
			err = namei_child(nd, &cur, name, &next);
			if (err)
				return err;
			if (S_ISLNK(next.inode->mode) &&
			    magic_link(nd, next.inode, &next, &err)) {
				if (err)
					return err;
			} else if (S_ISLNK(next.inode->mode)) {
				/* The rest starts at the slash after it. */
				err = splice_link(nd, p, next.inode, j, false);
				if (err)
					return err;
				i = 0;
				goto restart;
			}
			cur = next;
		}
		i = k;
	}
}

int namei_parent(struct nameidata *nd, struct kpath *p, struct vfs_path *dir,
		 struct kname *last, enum last_type *type, bool *trailing)
{
	return walk_parent_from(nd, p, nd->start, dir, last, type, trailing);
}

int namei_resolve(struct nameidata *nd, struct kpath *p, unsigned flags,
		  struct vfs_path *out)
{
	struct vfs_path base = nd->start, dir, res;
	struct kname *last = &nd->last_name; /* valid when have_last */
	enum last_type type;
	bool trailing;
	int err;

	nd->have_last = false;
	for (;;) {
		err = walk_parent_from(nd, p, base, &dir, last, &type,
				       &trailing);
		if (err)
			return err;
		if (type == LAST_ROOT || type == LAST_DOT) {
			res = dir;
		} else if (type == LAST_DOTDOT) {
			res = namei_dotdot(nd, dir);
		} else {
			err = namei_child(nd, &dir, last, &res);
			if (err)
				return err;
			if (S_ISLNK(res.inode->mode) &&
			    ((flags & LOOKUP_FOLLOW) || trailing)) {
				if (magic_link(nd, res.inode, &res, &err)) {
					if (err)
						return err;
					type = LAST_DOT; /* found by no name */
				} else {
					err = splice_link(nd, p, res.inode,
							  KPATH_MAX, trailing);
					if (err)
						return err;
					base = dir;
					continue;
				}
			}
		}
		if ((trailing || (flags & LOOKUP_DIRECTORY)) &&
		    !S_ISDIR(res.inode->mode))
			return -ENOTDIR;
		nd->have_last = type == LAST_NORM;
		nd->last_dir = dir;
		*out = res;
		return 0;
	}
}

int namei_open(struct nameidata *nd, struct kpath *p, unsigned flags,
	       uint32_t mode, struct vfs_path *out, bool *created)
{
	struct vfs_path base = nd->start, dir, res;
	struct kname *last = &nd->last_name; /* valid when have_last */
	enum last_type type;
	bool trailing;
	int err;

	*created = false;
	if (!(flags & O_CREAT))
		return namei_resolve(nd, p,
				     ((flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
				     ((flags & O_DIRECTORY) ? LOOKUP_DIRECTORY : 0),
				     out);
	nd->have_last = false;
	for (;;) {
		err = walk_parent_from(nd, p, base, &dir, last, &type,
				       &trailing);
		if (err)
			return err;
		if (type != LAST_NORM)
			return -EISDIR; /* open("/", O_CREAT), ".", ".." */
		err = namei_child(nd, &dir, last, &res);
		if (err == -ENOENT) {
			struct inode *ino;

			if (trailing)
				return -EISDIR;
			err = inode_permission(dir.inode, MAY_WRITE | MAY_EXEC,
					       nd->cred);
			if (err)
				return err;
			err = dir.inode->iops->create(dir.inode, last,
						      S_IFREG | (mode & S_IALLUGO),
						      0, nd->cred, &ino);
			if (err)
				return err;
			inode_put(ino); /* the entry holds it */
			out->mnt = dir.mnt;
			out->inode = ino;
			*created = true;
			nd->have_last = true;
			nd->last_dir = dir;
			return 0;
		}
		if (err)
			return err;
		if (flags & O_EXCL)
			return -EEXIST;
		if (S_ISLNK(res.inode->mode)) {
			if (flags & O_NOFOLLOW)
				return -ELOOP;
			if (magic_link(nd, res.inode, &res, &err)) {
				if (err)
					return err;
				if (trailing && !S_ISDIR(res.inode->mode))
					return -ENOTDIR;
				*out = res; /* found by no name */
				return 0;
			}
			err = splice_link(nd, p, res.inode, KPATH_MAX, trailing);
			if (err)
				return err;
			base = dir;
			continue;
		}
		if (trailing && !S_ISDIR(res.inode->mode))
			return -ENOTDIR;
		nd->have_last = true;
		nd->last_dir = dir;
		*out = res;
		return 0;
	}
}

bool namei_sticky_denied(const struct inode *dir, const struct inode *ino,
			 const struct cred *c)
{
	if (!(dir->mode & S_ISVTX))
		return false;
	if (c->fsuid == ino->uid || c->fsuid == dir->uid || cred_capable(c, CAP_FOWNER))
		return false;
	return true;
}
