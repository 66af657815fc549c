/* services/fs/sys_table.c: the file-system syscall table.
 *
 * Layer: services (safe C), syscall glue. fdatasync and syncfs share
 * fsync's handler (everything is in memory).
 *
 * Folder services/fs: the file-system service. Here, its system calls
 * (sys_*.c, one table: this file); below, its parts: vfs/ (the core), the
 * file systems tmpfs/ procfs/ ext2/, initramfs/, pipe/, event/ (poll,
 * select, epoll, eventfd, whose handlers live with them), notify/
 * (inotify and the VFS's event hooks). May include:
 * block, syscall, current, lib -- never proc, mm, tty or drivers, which
 * sit above it (tools/check-layout.py). */
#include "fs/event/epoll.h"
#include "fs/sys_calls.h"
#include "syscall/nr.h"

#define E(name) { __NR_##name, #name, sys_##name }

const struct sys_entry fs_syscalls[] = {
	E(read),
	E(getxattr),
	E(lgetxattr),
	E(fgetxattr),
	E(setxattr),
	E(lsetxattr),
	E(fsetxattr),
	E(listxattr),
	E(llistxattr),
	E(flistxattr),
	E(removexattr),
	E(lremovexattr),
	E(fremovexattr),
	E(fadvise64),
	E(write),
	E(readv),
	E(writev),
	E(pread64),
	E(pwrite64),
	E(preadv),
	E(preadv2),
	E(pwritev2),
	E(pwritev),
	E(lseek),
	E(open),
	E(openat),
	E(creat),
	E(close),
	E(close_range),
	E(stat),
	E(fstat),
	E(lstat),
	E(newfstatat),
	E(statx),
	E(getdents64),
	E(getdents),
	E(mkdir),
	E(mkdirat),
	E(mknod),
	E(mknodat),
	E(unlink),
	E(unlinkat),
	E(rmdir),
	E(rename),
	E(renameat),
	E(renameat2),
	E(link),
	E(linkat),
	E(symlink),
	E(symlinkat),
	E(readlink),
	E(readlinkat),
	E(chmod),
	E(fchmod),
	E(fchmodat),
	E(chown),
	E(fchown),
	E(lchown),
	E(fchownat),
	E(utimensat),
	E(utimes),
	E(truncate),
	E(ftruncate),
	E(fsync),
	E(sync),
	E(getcwd),
	E(chdir),
	E(fchdir),
	E(umask),
	E(access),
	E(faccessat),
	E(faccessat2),
	E(dup),
	E(dup2),
	E(dup3),
	E(fcntl),
	E(flock),
	E(pipe),
	E(pipe2),
	E(ioctl),
	E(poll),
	E(ppoll),
	E(select),
	E(pselect6),
	E(eventfd),
	E(eventfd2),
	E(inotify_init),
	E(inotify_init1),
	E(inotify_add_watch),
	E(inotify_rm_watch),
	E(signalfd),
	E(signalfd4),
	E(epoll_create),
	E(epoll_create1),
	E(epoll_ctl),
	E(epoll_wait),
	E(epoll_pwait),
	E(epoll_pwait2),
	E(sendfile),
	E(statfs),
	E(fstatfs),
	E(mount),
	E(umount2),
	E(chroot),
	E(fallocate),
	{ __NR_fdatasync, "fdatasync", sys_fsync },
	{ __NR_syncfs, "syncfs", sys_fsync },
};

void fs_syscalls_init(void)
{
	epoll_init();
	inotify_init();
	SYSCALL_REGISTER_TABLE(fs_syscalls);
}
