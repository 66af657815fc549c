/* services/fs/vfs/vfs.h: the virtual file system: inodes, mounts, open files,
 * descriptor tables and per-process file-system context.
 *
 * Layer: services (safe C). The VFS sits between the syscall handlers
 * (services/fs/sys_*.c) and the file systems (tmpfs; devfs is a tmpfs
 * instance whose character-device nodes are served by the chardev registry).
 *
 * Locking (outermost first):
 *   vfs_ns_lock (a mutex, namei.c): the whole name space: every directory's
 *     entries, inode metadata (mode, nlink, uid/gid, times, parent), the
 *     mount tree. Held across a path walk, so the walk needs no per-step
 *     references: the result gets its references before the lock drops.
 *     A single lock is a deliberate simplification (Linux uses dentries,
 *     RCU walks and per-inode rwsems); it is never held while blocking on a
 *     pipe, a FIFO open or a terminal.
 *   inode->lock (a mutex): a regular file's pages and size.
 *   file->pos_lock (a mutex): the offset of a regular file or directory,
 *     taken only for those (as Linux's FMODE_ATOMIC_POS), so a blocked read
 *     of a shared terminal or pipe never stalls a writer of the same file.
 * Reference counts are C11 atomics; an inode is freed when its last
 * reference goes, and every directory entry holds one, so an unlinked file
 * lives on while it is open (POSIX). A disk file system (ext2, sb->sops)
 * does not keep every inode in memory: its entries hold no references, and
 * its inode_put (sops->put) keeps an unreferenced inode that still has
 * links cached until a prune under vfs_ns_lock, so the walk's "use after
 * put while vfs_ns_lock is held" stays valid (see fs/ext2/inode.c).
 *
 * Folder services/fs/vfs: the VFS core -- inodes, path walk (namei),
 * mounts and superblocks, open files, fd tables and fs contexts, the
 * character-device registry and block-device files, size limits. May
 * call the file systems beside it (tmpfs as the root, procfs, ext2 by
 * name at mount), pipe/ and event/; from outside fs only block, lib and
 * current/current.h (the caller). */
#ifndef SERVICES_FS_VFS_H
#define SERVICES_FS_VFS_H

#include <stdatomic.h>

#include <fw/bytes.h>
#include <fw/compiler.h>
#include <fw/list.h>
#include <fw/sync.h>
#include <fw/uaccess.h>

#include "lib/kpath.h"
#include "fs/vfs/uapi.h"

struct cred;
struct inode;
struct file;
struct mount;
struct poll_table;
struct pipe;
struct socket;
struct tty;
struct tmpfs_pages;
struct fdtable;
struct fs_context;
struct procfs_snap;
struct eventfd;
struct signalfd;
struct eventpoll;
struct ext2_sb;
struct superblock;
struct ext2_inode_info;
struct linux_statfs;
struct linux_stat;
struct fw_frame;

/* Operations of a file system instance that keeps inodes on a disk
 * (ext2). tmpfs, devtmpfs and procfs have none (sb->sops NULL). */
struct super_ops {
	/* inode_put for this file system: drop a reference; the last one
	 * evicts (writes back, or frees an unlinked inode's blocks). */
	void (*put)(struct inode *ino);
	/* The VFS changed mode/uid/gid/times/nlink: write the inode back
	 * (into the block cache). 0 or -errno (-EIO). */
	int (*write_inode)(struct inode *ino);
	int (*statfs)(struct superblock *sb, struct linux_statfs *out);
	/* Adjust what stat(2) reports (real directory sizes, i_blocks,
	 * the block size); inode->lock held. NULL: tmpfs's view. */
	void (*getattr)(struct inode *ino, struct linux_stat *st);
	/* mount -o remount: switch read-only on or off (vfs_ns_lock held).
	 * 0, or -EROFS (the file system can only be read). */
	int (*remount)(struct superblock *sb, bool rdonly);
	/* Write everything back to the disk (sync, syncfs, fsync). */
	int (*sync)(struct superblock *sb);
	/* A mount of sb was detached (umount): sync, and let go of the
	 * device's clean cache once nothing uses the file system. */
	void (*umount)(struct superblock *sb);
};

/* A timestamp as stat(2) reports it. */
struct fs_time {
	int64_t sec;
	uint32_t nsec;
};

/* mount(2)'s data argument: file-system options, "size=10%,mode=755". */
struct mount_data {
	char s[512];
};

/* One mounted file system instance. */
struct superblock {
	uint32_t dev;			/* st_dev (major << 8 | minor) */
	int64_t magic;			/* statfs f_type */
	const char *fstype;		/* "tmpfs", for logs */
	struct inode *root;		/* root directory; one reference */
	_Atomic uint64_t next_ino;	/* inode numbers handed out */
	_Atomic uint64_t nr_inodes;	/* live inodes */
	_Atomic uint64_t nr_pages;	/* data pages in use */
	_Atomic uint64_t max_pages;	/* tmpfs size= in pages; 0: no limit */
	const struct super_ops *sops;	/* NULL for in-memory file systems */
	struct ext2_sb *ext2;		/* ext2 private */
	bool rdonly;			/* writes fail with -EROFS */
	char source[16];		/* mount source ("/dev/vda"), or "" */
};

/* A mount: a superblock attached on a directory of a parent mount. */
struct mount {
	struct superblock *sb;		/* what is mounted */
	struct mount *parent;		/* NULL for the root mount */
	struct inode *mountpoint;	/* directory in parent it covers */
	struct fw_list node;		/* on the global mount list */
	_Atomic int refs;		/* paths (files, cwd) inside it */
	unsigned long flags;		/* MS_* given to mount(2) */
	int id;				/* /proc/<pid>/mountinfo's mount ID */
};

/* A position in the name space: an inode seen through a mount. */
struct vfs_path {
	struct mount *mnt;
	struct inode *inode;
};

/* Directory iteration: the file system calls emit for every entry. */
struct dir_ctx {
	/* Return false to stop (the buffer is full): the entry is then not
	 * consumed and is returned by the next call. */
	bool (*emit)(struct dir_ctx *ctx, const struct kname *name,
		     uint64_t ino, unsigned dtype, uint64_t next_pos);
	fw_uptr_t buf;			/* user buffer being filled */
	size_t len;			/* its size */
	size_t used;			/* bytes written so far */
	bool is64;			/* linux_dirent64 (else old dirent) */
	int err;			/* -EFAULT etc. from emit */
};

/* Operations on inodes of one file system. All are called with
 * vfs_ns_lock held, after the VFS checked permissions and argument rules;
 * they return 0 or a negative errno. Names are single components (never
 * ".", ".." or empty). Returned inodes carry a reference. */
struct inode_ops {
	int (*lookup)(struct inode *dir, const struct kname *name,
		      struct inode **out);
	/* Create a regular file, directory, FIFO, socket or device node. */
	int (*create)(struct inode *dir, const struct kname *name,
		      uint32_t mode, uint32_t rdev, const struct cred *c,
		      struct inode **out);
	int (*symlink)(struct inode *dir, const struct kname *name,
		       const struct kpath *target, const struct cred *c,
		       struct inode **out);
	int (*link)(struct inode *dir, const struct kname *name,
		    struct inode *target);
	/* Remove the entry; the VFS checked the directory/non-directory rule. */
	int (*unlink)(struct inode *dir, const struct kname *name);
	int (*rename)(struct inode *odir, const struct kname *oname,
		      struct inode *ndir, const struct kname *nname,
		      unsigned flags);
	int (*readlink)(struct inode *ino, struct kpath *out);
	/* A "magic" link (procfs fd/<n>, cwd, root): 0 and what it stands
	 * for, referenced, which a walk jumps to instead of reading the
	 * text (an unlinked file or a pipe has no path to read); 1 for an
	 * ordinary link of the same file system; -ENOENT if gone. NULL:
	 * every link is ordinary. */
	int (*get_link_path)(struct inode *ino, struct vfs_path *out);
	/* Change the size of a regular file (takes inode->lock itself). */
	int (*truncate)(struct inode *ino, uint64_t size);
	/* Emit entries from *pos on (0 is ".", 1 is ".."); updates *pos. */
	int (*iterate)(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx);
	bool (*dir_empty)(struct inode *dir);
	/* The name under which dir lists child (getcwd). NULL: tmpfs. */
	int (*name_of)(struct inode *dir, struct inode *child,
		       struct kname *out);
	/* Regular-file data for the kernel (exec) and for mmap; NULL:
	 * tmpfs's. get_page returns a referenced frame holding the page;
	 * mapwrite: it is about to be mapped writable and shared (a disk
	 * file then writes it back later: fs/cache/pagecache.h). */
	long (*read_kernel)(struct inode *ino, uint64_t off, struct fw_buf dst);
	int (*get_page)(struct inode *ino, uint64_t pgoff, bool mapwrite,
			struct fw_frame **out);
	/* Write cached page idx (the frame fr) to the file's blocks, called
	 * with inode->lock held by the page cache's write-back. */
	int (*writepage)(struct inode *ino, uint64_t idx, struct fw_frame *fr);
	/* A second opinion when the mode bits refuse the caller: true lets
	 * it in (procfs: a process into its own fd/, as Linux's
	 * proc_fd_permission). NULL: the mode bits decide. */
	bool (*may_access)(const struct inode *ino, int mask);
	/* May the mode bits change at all (chmod, by the owner or root)?
	 * false: -EPERM (procfs: a process's entries, as Linux's
	 * proc_setattr). NULL: yes. */
	bool (*may_chmod)(const struct inode *ino);
};

struct inode {
	_Atomic int refs;		/* references; freed at 0 */
	uint64_t ino;			/* st_ino */
	struct superblock *sb;		/* owning file system */
	const struct inode_ops *iops;	/* name-space operations */
	const struct file_ops *fops;	/* default open-file operations */

	/* vfs_ns_lock */
	uint32_t mode;			/* S_IF* | permission bits */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;			/* directory entries naming it */
	uint32_t rdev;			/* device number (S_IFCHR/S_IFBLK) */
	struct fs_time atime;
	struct fs_time mtime;
	struct fs_time ctime;
	struct mount *mounted;		/* mount covering this dir, or NULL */

	/* inode->lock (regular files) */
	struct fw_mutex lock;
	uint64_t size;			/* st_size */

	/* tmpfs private (vfs_ns_lock unless noted) */
	struct fw_list dirents;		/* directory: struct tmpfs_dirent */
	uint64_t next_cookie;		/* directory: next entry position */
	struct tmpfs_dindex *dindex;	/* directory: name index, or NULL */
	struct inode *parent;		/* directory: "..", one reference */
	struct tmpfs_pages *pages;	/* regular file data (inode->lock) */
	struct kpath *link;		/* symlink target */
	struct pipe *pipe;		/* FIFO: the pipe readers share */
	uint32_t seals;			/* regular file: F_SEAL_* (inode->lock;
					 * set only by fcntl F_ADD_SEALS) */
	/* tmpfs file handles (fs/tmpfs/export.c): Linux's i_generation, a
	 * random number given at creation, and the node on the index from
	 * inode number to inode (export_lock; empty when not indexed) */
	uint32_t generation;
	struct fw_list export_node;

	/* disk files' cached pages (fs/cache/pagecache.h), inode->lock */
	struct page_cache *pcache;
	/* the VMAs that map it (struct vma.fnode; the memory service's
	 * lock, services/mm/mapping.c) */
	struct fw_list i_mmap;
	/* how many of them are shared and may write (the memory service):
	 * F_SEAL_WRITE is refused while any is left */
	_Atomic int mmap_writable;

	/* ext2 private (see fs/ext2/ext2.h for its locking) */
	struct ext2_inode_info *ext2;

	/* inotify watches of this inode (notify_lock, fs/notify) */
	struct inotify_watch *watches;
};

/* Operations of an open file. Absent ones give the Linux default error. */
struct file_ops {
	/* Called by open after the file is set up; may block (FIFOs). */
	int (*open)(struct inode *ino, struct file *f);
	/* Read/write len bytes at *pos (which they advance); seekable files
	 * use *pos, streams ignore it. Return bytes moved or -errno. */
	long (*read)(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos);
	long (*write)(struct file *f, fw_uptr_t buf, size_t len,
		      uint64_t *pos);
	/* readv/writev as one operation on a user iovec array the caller
	 * has checked (sockets: a datagram is one message, whatever the
	 * vectors). NULL: one read/write per vector. */
	long (*read_iov)(struct file *f, fw_uptr_t uiov, uint64_t cnt);
	long (*write_iov)(struct file *f, fw_uptr_t uiov, uint64_t cnt);
	/* read/write with a kernel buffer for splice(2) and
	 * copy_file_range(2) (Linux's splice_read/splice_write): the same
	 * semantics as read/write, the bytes in kernel memory. The plain ops
	 * take only user addresses (fw_uptr_t), so a kernel bounce buffer
	 * cannot go through them. NULL: the file cannot splice (-EINVAL). */
	long (*read_kbuf)(struct file *f, struct fw_buf dst, uint64_t *pos);
	long (*write_kbuf)(struct file *f, struct fw_bytes src, uint64_t *pos);
	/* NULL: -ESPIPE. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	long (*getdents)(struct file *f, fw_uptr_t buf, size_t len, bool is64);
	/* NULL: -ENOTTY. */
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	/* Return the POLL* mask now; call poll_wait(pt, head) for every
	 * poll_head whose wakeups change the mask, before reading state.
	 * NULL: always readable and writable (regular files). */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* A descriptor of f is being closed (close, dup2 over it, exec's
	 * close-on-exec, exit), by the calling process: Linux's flush. A
	 * POSIX message queue drops the caller's notification here. NULL:
	 * nothing to do. */
	void (*flush)(struct file *f);
	/* The last reference went away. */
	void (*release)(struct file *f);
};

#define FMODE_READ 1u
#define FMODE_WRITE 2u
#define FMODE_PATH 4u

struct file {
	_Atomic int refs;		/* descriptors and in-flight syscalls */
	const struct file_ops *ops;
	struct vfs_path path;		/* what was opened (one reference) */
	_Atomic unsigned flags;		/* O_* status flags (F_GETFL) */
	unsigned fmode;			/* FMODE_* */
	struct fw_mutex pos_lock;	/* guards pos (seekable files) */
	uint64_t pos;			/* file offset */
	/* Per-kind private state: one typed pointer per kind, because
	 * services cannot convert a void *. */
	struct pipe *pipe;		/* pipes and FIFOs */
	struct tty *tty;		/* terminals (services/tty) */
	uint64_t priv;			/* free for a character device */
	struct procfs_snap *snap;	/* procfs: the text generated at open */
	struct eventfd *efd;		/* eventfd(2) files */
	struct signalfd *sfd;		/* signalfd(2) files */
	struct eventpoll *ep;		/* epoll instances */
	struct socket *sock;		/* sockets (services/net) */
	struct inotify *inotify;	/* inotify instances (fs/notify) */
	struct timerfd *tfd;		/* timerfd(2) files */
	struct pidfd *pidfd;		/* pidfd_open(2) files (services/proc) */
	struct mqueue *mq;		/* POSIX message queues (services/ipc) */
	struct mm *mem_mm;		/* /proc/<pid>/mem: whose memory */
	const char *anon_name;		/* an anonymous file's kind, as
					 * /proc/<pid>/fd shows it */
	/* epoll registrations watching this file (struct epitem.file_node,
	 * under epoll_global_lock); ep_count says whether there are any, so
	 * the last file_put only takes that lock when it must (epoll.c). */
	struct fw_list ep_links;
	_Atomic int ep_count;
	/* Where it was opened (for vfs_get_path): directory and name, or
	 * none (anonymous files, directories find their own way up). */
	struct vfs_path dir;
	struct kname *name;
};

/* Advisory locks (locks.c). The close paths drop them: the POSIX locks
 * of table t on f's inode when t closes a descriptor of f, all of t's
 * when t goes, f's own (OFD, flock) when f's last reference goes. */
void locks_remove_posix(const struct fdtable *t, const struct file *f);
void locks_remove_table(const struct fdtable *t);
void locks_remove_file(const struct file *f);
/* fcntl F_GETLK/F_SETLK/F_SETLKW and their F_OFD_ forms, flock(2). */
long locks_fcntl_getlk(struct file *f, fw_uptr_t arg, bool ofd);
long locks_fcntl_setlk(struct file *f, fw_uptr_t arg, bool ofd, bool wait);
long locks_flock(struct file *f, unsigned op);

/* Remember where f was opened from (dir referenced, name copied). */
void file_set_name(struct file *f, const struct vfs_path *dir,
		   const struct kname *name);

/* Inodes (inode.c) */
struct inode *inode_alloc(struct superblock *sb, uint32_t mode);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void inode_touch(struct inode *ino, bool atime, bool mtime, bool ctime);
/* The VFS changed the inode's metadata: have the file system write it
 * back (no-op for in-memory file systems). 0 or -errno. */
int inode_mark_dirty(struct inode *ino);
/* -EROFS if ino's file system is read-only, else 0. */
int inode_check_writable(const struct inode *ino);
/* Free an inode whose last reference is gone (after the file system's
 * own eviction): parent reference, pipe, memory. */
void inode_release(struct inode *ino);
/* Write back every disk file system (sync(2), poweroff). Returns the first
 * error. Does not take vfs_ns_lock. */
int vfs_sync_all(void);
/* Poweroff/reboot: as vfs_sync_all, and mark disk file systems clean as
 * unmounting does (ext2's s_state). Nothing may write afterwards. */
int vfs_shutdown(void);
struct fs_time fs_now(void);
/* MAY_* access check against the credential (Linux generic_permission). */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
FW_MUST_CHECK int inode_permission(const struct inode *ino, int mask,
				   const struct cred *c);
bool cred_in_group(const struct cred *c, uint32_t gid);
bool inode_owner_or_root(const struct inode *ino, const struct cred *c);
unsigned inode_dtype(uint32_t mode);

void vfs_path_get(const struct vfs_path *p);
void vfs_path_put(struct vfs_path *p);

/* Open files (file.c) */
struct file *file_alloc(const struct vfs_path *p, const struct file_ops *ops,
			unsigned flags);
void file_get(struct file *f);
void file_put(struct file *f);
/* Open the inode at p (after lookup and permission checks) with O_* flags:
 * picks the ops by file type, truncates, runs ops->open. */
FW_MUST_CHECK int vfs_open_path(const struct vfs_path *p, unsigned flags,
				struct file **out);
long vfs_read(struct file *f, fw_uptr_t buf, size_t len);
/* read/write through the kbuf ops (splice, copy_file_range): at *off
 * (advanced) if off is non-NULL, else at the file position. Bytes moved,
 * -EINVAL (no kbuf op), -EBADF, -ESPIPE (an offset on a stream), -errno
 * of the file. The inotify event is the caller's. */
long vfs_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *off);
long vfs_write_kbuf(struct file *f, struct fw_bytes src, uint64_t *off);
/* Where a write's bytes come from: user memory (write(2)) or a kernel
 * buffer (write_kbuf). File systems copy them in chunk by chunk. */
struct vfs_wsrc {
	bool kernel;		/* which of the two below */
	fw_uptr_t user;		/* !kernel: the user's buffer */
	struct fw_bytes kbuf;	/* kernel: the bytes */
};
/* Copy fw_buf_len(dst) bytes at offset off of s into dst: 0 or -EFAULT. */
FW_MUST_CHECK int vfs_wsrc_copy(const struct vfs_wsrc *s, size_t off,
				struct fw_buf dst);
/* A write's bounce buffer, uninitialized: want bytes, or one page when
 * that many cannot be had. Its length is the chunk to copy at a time. */
FW_MUST_CHECK int vfs_bounce_alloc(size_t want, struct fw_buf *out);
long vfs_write(struct file *f, fw_uptr_t buf, size_t len);
long vfs_pread(struct file *f, fw_uptr_t buf, size_t len, uint64_t off);
long vfs_pwrite(struct file *f, fw_uptr_t buf, size_t len, uint64_t off);
bool file_is_seekable(const struct file *f);
/* Size limits of regular files (limits.c). A write of *len bytes at off:
 * 0 with *len cut to what fits under RLIMIT_FSIZE and fs_max, or -EFBIG
 * (with SIGXFSZ when it starts at or past RLIMIT_FSIZE). Growing a file
 * from size to new_size (truncate, fallocate): 0 or -EFBIG, the same way. */
FW_MUST_CHECK int vfs_write_limits(uint64_t off, uint64_t fs_max, size_t *len);
FW_MUST_CHECK int vfs_grow_limits(uint64_t size, uint64_t new_size,
				  uint64_t fs_max);
/* lseek for a file of size bytes (Linux generic_file_llseek_size):
 * SEEK_SET/CUR/END, and SEEK_DATA/SEEK_HOLE treating it all as data.
 * Returns the new position (the caller stores it) or -EINVAL/-ENXIO. */
int64_t vfs_llseek_size(struct file *f, int64_t off, int whence, int64_t size);
/* The same for a regular file, whose size is ino->size (inode->lock). */
int64_t vfs_file_llseek(struct file *f, int64_t off, int whence);

/* Entry points for the process and memory services. */

/* Mount tmpfs at /, unpack the initramfs (may be empty), make /dev (devfs
 * nodes; hvc0 too if hvc, i.e. the drivers found a virtio console), /proc,
 * /tmp. Returns 0 or -errno (a malformed archive is logged and what was
 * unpacked kept: that still returns 0). */
FW_MUST_CHECK int vfs_init(struct fw_bytes initramfs_or_empty, bool hvc);
/* Open the absolute path (resolved from the current process's root,
 * following links) with open(2) flags, as the kernel does for
 * TIOCGPTPEER. 0 and a referenced file in *out, or -errno. */
FW_MUST_CHECK int vfs_open_kernel(struct kpath *path, unsigned flags,
				  struct file **out);
/* Open /dev/console read-write as fds 0, 1, 2 of t. */
FW_MUST_CHECK int vfs_open_console(struct fdtable *t);
/* Look up path (relative to fs's cwd) for execve: a regular file with
 * exec permission for the current credentials. -ENOENT, -ENOTDIR, -ELOOP,
 * -EACCES (not regular, no x bit, noexec mount)... */
FW_MUST_CHECK int vfs_open_exec(struct fs_context *fs, const struct kpath *path,
				struct file **out);
/* The same for a path already resolved (execveat with a directory fd or
 * AT_EMPTY_PATH): -ELOOP for a symbolic link (AT_SYMLINK_NOFOLLOW). */
FW_MUST_CHECK int vfs_open_exec_path(const struct vfs_path *res,
				     struct file **out);
/* Read up to fw_buf_len(dst) bytes at off into a kernel buffer (ELF
 * loader). Returns bytes read (short at end of file) or -errno. */
long vfs_read_at(struct file *f, uint64_t off, struct fw_buf dst);
FW_MUST_CHECK int vfs_file_size(struct file *f, uint64_t *size);
/* Absolute path of an open file (best effort: "/" joined names from its
 * directory's parents; a deleted file gets " (deleted)" as Linux). */
FW_MUST_CHECK int vfs_get_path(struct file *f, struct kpath *out);
/* The page of a regular file's data holding byte pgoff * 4096 (for file
 * mmap): a referenced frame shared with the file (a hole gets a fresh zero
 * page, inserted into the file). mapwrite: the caller maps it writable in
 * a shared mapping. -ENXIO past the end, -EACCES if not a regular file. */
FW_MUST_CHECK int vfs_file_page(struct file *f, uint64_t pgoff, bool mapwrite,
				struct fw_frame **out);
/* Implemented by the memory service (services/mm/mapping.c): take out of
 * every address space the pages that map ino at file offsets >= from
 * (truncation, as Linux's unmap_mapping_range: a later access past the
 * end faults and gets SIGBUS). Call without inode->lock. */
void vfs_unmap_mapping(struct inode *ino, uint64_t from);
/* The same for one page: take fr out of every address space that maps it
 * as page idx of ino (the reclaimer, holding inode->lock and a reference
 * on ino). */
void vfs_unmap_page(struct inode *ino, uint64_t idx, struct fw_frame *fr);
/* The page cache's page pgoff of a disk file, referenced, if it is cached
 * and the inode is not busy (fault-around, under mm->lock: never waits).
 * 0, or -ENOENT. */
FW_MUST_CHECK int vfs_file_page_peek(struct file *f, uint64_t pgoff,
				     struct fw_frame **out);
/* As vfs_file_page_peek, for tmpfs files too: for /proc/<pid>/pagemap,
 * which only compares the frame with the one a process maps (a mapping
 * fault-around must not take tmpfs pages this way). */
FW_MUST_CHECK int vfs_file_page_cached(struct file *f, uint64_t pgoff,
				       struct fw_frame **out);
/* Does f's file write back pages written through shared mappings (a disk
 * file's page cache)? Then a shared page is mapped read-only until it is
 * written, and fetched for writing at that first write (Linux's
 * page_mkwrite), so read faults do not dirty pages. */
bool vfs_file_tracks_writes(struct file *f);
/* Is fr still the page cache's page pgoff of f? (A fault checks, under
 * mm->lock, that the page it fetched was not dropped meanwhile by a
 * truncation or the reclaimer; never waits: false if the inode is busy,
 * and the fault fetches again.) True for files without a page cache. */
bool vfs_file_page_current(struct file *f, uint64_t pgoff,
			   struct fw_frame *fr);
/* posix_fadvise(WILLNEED / DONTNEED) and readahead(2) on a disk file:
 * read [off, off+len) (len 0: to the end; at most 64 MiB at a time) into
 * the page cache, or drop its clean, unmapped pages. Other files have no
 * cache to steer: 0. */
FW_MUST_CHECK int vfs_cache_advise(struct file *f, uint64_t off, uint64_t len,
				   bool willneed);
/* fsync(2): write f's cached data and its file system's dirty blocks to
 * the disk and flush it. 0 or -errno (-EIO: a write-back failed). */
FW_MUST_CHECK int vfs_fsync(struct file *f);

/* Register the file-system system calls (sys_table.c). */
void fs_syscalls_init(void);

/* Descriptor tables and fs contexts, for the process service. */
#include "fs/vfs/fdtable.h"

#endif
