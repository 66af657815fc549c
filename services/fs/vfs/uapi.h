/* services/fs/vfs/uapi.h: the Linux file-system ABI (constants and structs).
 *
 * Layer: services (safe C), ABI definitions only. Services build -nostdinc,
 * so the values user space sees are copied here from the x86-64 Linux
 * headers: <asm-generic/fcntl.h>, <linux/fcntl.h>, <linux/stat.h>,
 * <asm/stat.h>, <asm/statfs.h>, <asm-generic/poll.h>, <linux/fs.h>,
 * <asm-generic/ioctls.h>. Layouts are checked with FW_STATIC_ASSERT against
 * the sizes the x86-64 ABI gives them. */
#ifndef SERVICES_FS_UAPI_H
#define SERVICES_FS_UAPI_H

#include <fw/compiler.h>

/* open(2) flags (octal, asm-generic/fcntl.h; x86-64 uses the generic set) */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_ASYNC 00020000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC_BIT 04000000
#define O_PATH 010000000
#define O_TMPFILE_BIT 020000000
/* Flags F_SETFL may change (fs/fcntl.c SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* *at(2) */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS 0x200
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

/* access(2) */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* fcntl(2) */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_DUPFD_CLOEXEC 1030
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001   /* no more seals */
#define F_SEAL_SHRINK 0x0002 /* size may not shrink */
#define F_SEAL_GROW 0x0004   /* size may not grow */
#define F_SEAL_WRITE 0x0008  /* contents may not change */
#define F_SEAL_FUTURE_WRITE 0x0010 /* no new writable mappings or writes */
#define FD_CLOEXEC 1
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* close_range(2) */
#define CLOSE_RANGE_UNSHARE (1u << 1)
#define CLOSE_RANGE_CLOEXEC (1u << 2)

/* lseek(2) */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* Mode bits (linux/stat.h) */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 0004000
#define S_ISGID 0002000
#define S_ISVTX 0001000
#define S_IALLUGO 0007777
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

/* getdents d_type (linux/fs_types.h: S_IFMT >> 12) */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

/* utimensat(2) */
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* poll(2) (asm-generic/poll.h) */
#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG 0x0400
#define POLLRDHUP 0x2000

/* eventfd(2) (linux/eventfd.h) */
#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

/* epoll(7) (linux/eventpoll.h) */
#define EPOLL_CLOEXEC O_CLOEXEC
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001u
#define EPOLLOUT 0x004u
#define EPOLLERR 0x008u
#define EPOLLHUP 0x010u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

/* x86-64 packs it: 12 bytes (__EPOLL_PACKED). */
struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* generic ioctls (asm-generic/ioctls.h) */
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

/* getrandom(2) */
#define GRND_NONBLOCK 0x0001
#define GRND_RANDOM 0x0002
#define GRND_INSECURE 0x0004

/* mount(2) / umount2(2) (linux/mount.h) */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192
#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

/* fallocate(2) */
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02

/* statfs f_type (linux/magic.h) */
#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

/* statx(2) mask bits */
#define STATX_TYPE 0x0001u
#define STATX_MODE 0x0002u
#define STATX_NLINK 0x0004u
#define STATX_UID 0x0008u
#define STATX_GID 0x0010u
#define STATX_ATIME 0x0020u
#define STATX_MTIME 0x0040u
#define STATX_CTIME 0x0080u
#define STATX_INO 0x0100u
#define STATX_SIZE 0x0200u
#define STATX_BLOCKS 0x0400u
#define STATX_BASIC_STATS 0x07ffu
#define STATX_BTIME 0x0800u
#define STATX_MNT_ID 0x1000u
#define STATX_RESERVED 0x80000000u

#define PIPE_BUF 4096
#define IOV_MAX 1024
#define FD_SETSIZE 1024
#define SIGPIPE 13 /* as proc/uapi.h: the file layer raises these two */
#define SIGXFSZ 25

/* struct stat, x86-64 layout (arch/x86/include/uapi/asm/stat.h) */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;		/* 512-byte units */
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};
FW_STATIC_ASSERT(sizeof(struct linux_stat) == 144, "x86-64 struct stat");

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime;
	struct statx_timestamp stx_btime;
	struct statx_timestamp stx_ctime;
	struct statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare3[12];
};
FW_STATIC_ASSERT(sizeof(struct linux_statx) == 256, "struct statx");

/* struct statfs, x86-64 (asm-generic/statfs.h with 64-bit longs) */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
FW_STATIC_ASSERT(sizeof(struct linux_statfs) == 120, "struct statfs");

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct linux_iovec {
	uint64_t iov_base;	/* user address */
	uint64_t iov_len;
};

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};
FW_STATIC_ASSERT(sizeof(struct linux_pollfd) == 8, "struct pollfd");

struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad2;
};
FW_STATIC_ASSERT(sizeof(struct linux_flock) == 32, "struct flock");

/* linux_dirent64 header: d_ino u64, d_off s64, d_reclen u16, d_type u8,
 * then the NUL-terminated name, padded to 8 bytes. Built byte by byte. */
#define DIRENT64_NAME_OFF 19

/* sync_file_range(2) flags (linux/fs.h) */
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4

#endif
