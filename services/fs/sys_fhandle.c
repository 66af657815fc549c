/* services/fs/sys_fhandle.c: file handles, name_to_handle_at(2) and
 * open_by_handle_at(2).
 *
 * Layer: services (safe C), syscall handlers (Linux fs/fhandle.c, with the
 * file systems' export operations of fs/exportfs, mm/shmem.c and
 * fs/ext4/super.c written here as one switch on the superblock).
 *
 * A handle is struct file_handle { u32 handle_bytes; int handle_type;
 * u8 f_handle[]; }, at most MAX_HANDLE_SZ (128) bytes of f_handle, in
 * 32-bit words as Linux's struct fid:
 *   tmpfs, devtmpfs (/, /tmp, /dev): type 1, 12 bytes: generation, inode
 *     number low and high 32 bits (shmem_encode_fh); decoding looks the
 *     inode up in memory (fs/tmpfs/export.c) and ignores the type, as
 *     shmem_fh_to_dentry does. A tmpfs file is gone when its last link
 *     and last reference are: its handle is then stale.
 *   ext2/ext3/ext4: type 1 (FILEID_INO32_GEN), 8 bytes: inode number,
 *     i_generation (export_encode_fh); decoding (types 1 and 2) reads the
 *     inode, -ESTALE for a deleted or reused one (ext4_nfs_get_inode).
 *   everything else (procfs, sysfs, devpts, pipes, sockets, mqueue):
 *     no export operations, so EOPNOTSUPP; with AT_HANDLE_FID (a handle
 *     only to compare, never to open) Linux's generic FILEID_INO32_GEN
 *     of the inode number and a generation of 0.
 * AT_HANDLE_MNT_ID_UNIQUE and AT_HANDLE_CONNECTABLE (Linux 6.12) are
 * refused with EINVAL: there are no 64-bit unique mount ids here.
 *
 * The file open_by_handle_at opens has no name: a directory's path is
 * found through its parents as always; a file's /proc/<pid>/fd link
 * cannot be rebuilt (Linux reconnects it through its parent when the
 * handle is connectable) and reads as ENOENT. */
#include <fw/errno.h>
#include <fw/uaccess.h>

#include "fs/ext2/ext2.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"
#include "fs/vfs/vfs.h"

#define MAX_HANDLE_SZ 128u
#define AT_HANDLE_FID 0x200u
#define FILEID_INO32_GEN 1
#define FILEID_INO32_GEN_PARENT 2
#define FILEID_INVALID 0xff
/* handle_type's upper 16 bits are flags; these two are valid from user
 * space (Linux's FILEID_IS_CONNECTABLE, FILEID_IS_DIR). */
#define FILEID_USER_FLAGS_MASK 0xffff0000u
#define FILEID_VALID_USER_FLAGS 0x00030000u

struct khandle {
	uint32_t handle_bytes;
	int32_t handle_type;
	uint32_t w[MAX_HANDLE_SZ / 4];	/* f_handle as 32-bit words */
};

static bool is_tmpfs(const struct superblock *sb)
{
	return sb->magic == TMPFS_MAGIC && !sb->sops;
}

/* Encode ino into h->w with room for *dwords words (Linux encode_fh):
 * the type and the words used in *dwords, FILEID_INVALID with the words
 * needed in *dwords if they do not fit, -EOPNOTSUPP if the file system
 * makes no handles. */
static int encode_fh(struct inode *ino, bool fid, struct khandle *h,
		     uint32_t *dwords)
{
	uint32_t room = *dwords;

	if (is_tmpfs(ino->sb)) {
		*dwords = 3;
		if (room < 3)
			return FILEID_INVALID;
		h->w[0] = ino->generation;
		h->w[1] = (uint32_t)ino->ino;
		h->w[2] = (uint32_t)(ino->ino >> 32);
		return FILEID_INO32_GEN;
	}
	if (!ino->sb->ext2 && !fid)
		return -EOPNOTSUPP;
	*dwords = 2;
	if (room < 2)
		return FILEID_INVALID;
	h->w[0] = (uint32_t)ino->ino;
	h->w[1] = ino->sb->ext2 && ino->ext2 ? ino->ext2->generation : 0;
	return FILEID_INO32_GEN;
}

long sys_name_to_handle_at(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[4];
	fw_uptr_t uh = fw_uptr(a->arg[2]);
	struct khandle h = { 0 };
	struct vfs_path p;
	struct fw_bytes out;
	uint32_t want, dwords, ncopy;
	int32_t mnt_id;
	long err;
	int type;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH |
				AT_HANDLE_FID))
		return -EINVAL;
	err = sys_lookup((int)a->arg[0], fw_uptr(a->arg[1]),
			 (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0,
			 flags & AT_EMPTY_PATH, &p);
	if (err)
		return err;
	/* Linux exportfs_can_encode_fh comes before the handle is read. */
	if (!is_tmpfs(p.inode->sb) && !p.inode->sb->ext2 &&
	    !(flags & AT_HANDLE_FID)) {
		err = -EOPNOTSUPP;
		goto out_put;
	}
	if (FW_COPY_IN_OBJ(&want, uh)) {
		err = -EFAULT;
		goto out_put;
	}
	if (want > MAX_HANDLE_SZ) {
		err = -EINVAL;
		goto out_put;
	}
	dwords = want / 4;
	fw_mutex_lock(&vfs_ns_lock);
	type = encode_fh(p.inode, flags & AT_HANDLE_FID, &h, &dwords);
	fw_mutex_unlock(&vfs_ns_lock);
	if (type < 0) {
		err = type;
		goto out_put;
	}
	h.handle_type = type;
	h.handle_bytes = dwords * 4;
	ncopy = h.handle_bytes;
	err = 0;
	if (h.handle_bytes > want || type == FILEID_INVALID) {
		/* Linux: the needed size and FILEID_INVALID go back in the
		 * header (and the mount id), with EOVERFLOW. */
		err = -EOVERFLOW;
		ncopy = 0;
	}
	mnt_id = p.mnt ? p.mnt->id : 0;
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[3]), &mnt_id) ||
	    fw_bytes_sub(FW_BYTES_OF_OBJ(&h), 0, 8 + (size_t)ncopy, &out) ||
	    fw_copy_out(uh, out))
		err = -EFAULT;
out_put:
	vfs_path_put(&p);
	return err;
}

/* The inode h names on sb, referenced, or -ESTALE (Linux
 * exportfs_decode_fh_raw: a file system without fh_to_dentry, a short
 * handle, an unknown type or a gone inode are all stale). vfs_ns_lock. */
static int decode_fh(struct superblock *sb, const struct khandle *h,
		     struct inode **out)
{
	uint32_t dwords = h->handle_bytes / 4;
	int type = (int)((uint32_t)h->handle_type & 0xffffu);

	if (is_tmpfs(sb)) {
		if (dwords < 3)
			return -ESTALE;
		return tmpfs_export_find(sb, (uint64_t)h->w[2] << 32 | h->w[1],
					 h->w[0], out);
	}
	if (sb->ext2) {
		if (dwords < 2 || (type != FILEID_INO32_GEN &&
				   type != FILEID_INO32_GEN_PARENT))
			return -ESTALE;
		return ext2_iget_handle(sb->ext2, h->w[0], h->w[1], out);
	}
	return -ESTALE;
}

long sys_open_by_handle_at(const struct sys_args *a)
{
	int mfd = (int)a->arg[0];
	fw_uptr_t uh = fw_uptr(a->arg[1]);
	unsigned flags = (unsigned)a->arg[2] | O_LARGEFILE;
	struct khandle h = { 0 };
	struct vfs_path anchor, p;
	struct inode *ino = NULL;
	struct fw_buf fh;
	long err;

	/* The anchor first, then the capability, then the handle (Linux
	 * handle_to_path). */
	if (mfd == AT_FDCWD) {
		struct fs_context *fs = current_fs();

		if (!fs)
			return -ENOENT;
		fs_context_cwd(fs, &anchor);
	} else {
		struct file *f = sys_fget(mfd);

		/* An O_PATH descriptor will not do (Linux fdget, not the raw
		 * form). */
		if (f && (f->fmode & FMODE_PATH)) {
			file_put(f);
			f = NULL;
		}
		if (!f)
			return -EBADF;
		anchor = f->path;
		vfs_path_get(&anchor);
		file_put(f);
	}
	if (!cred_capable(fs_cred(), CAP_DAC_READ_SEARCH)) {
		err = -EPERM;
		goto out_anchor;
	}
	if (FW_COPY_IN_OBJ(&h.handle_bytes, uh) ||
	    FW_COPY_IN_OBJ(&h.handle_type, fw_uptr(uh.addr + 4))) {
		err = -EFAULT;
		goto out_anchor;
	}
	if (h.handle_bytes > MAX_HANDLE_SZ || h.handle_bytes == 0 ||
	    h.handle_type < 0 ||
	    ((uint32_t)h.handle_type & FILEID_USER_FLAGS_MASK &
	     ~FILEID_VALID_USER_FLAGS)) {
		err = -EINVAL;
		goto out_anchor;
	}
	if (fw_buf_sub(FW_BUF_OF_ARRAY(h.w), 0, h.handle_bytes, &fh) ||
	    fw_copy_in(fh, fw_uptr(uh.addr + 8))) {
		err = -EFAULT;
		goto out_anchor;
	}
	if (!anchor.mnt || !anchor.inode) {
		err = -ESTALE;
		goto out_anchor;
	}
	fw_mutex_lock(&vfs_ns_lock);
	err = decode_fh(anchor.mnt->sb, &h, &ino);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		goto out_anchor;
	p.mnt = anchor.mnt;
	p.inode = ino;
	err = sys_open_resolved(&p, flags);
	inode_put(ino);
out_anchor:
	vfs_path_put(&anchor);
	return err;
}
