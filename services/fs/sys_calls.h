/* services/fs/sys_calls.h: the file-system syscall handlers.
 *
 * Layer: services (safe C), syscall glue; the table is in sys_table.c. */
#ifndef SERVICES_FS_SYS_CALLS_H
#define SERVICES_FS_SYS_CALLS_H

#include "syscall/syscall.h"

long sys_read(const struct sys_args *a);
long sys_write(const struct sys_args *a);
long sys_readv(const struct sys_args *a);
long sys_writev(const struct sys_args *a);
long sys_pread64(const struct sys_args *a);
long sys_pwrite64(const struct sys_args *a);
long sys_preadv(const struct sys_args *a);
long sys_preadv2(const struct sys_args *a);
long sys_signalfd(const struct sys_args *a);
long sys_signalfd4(const struct sys_args *a);
long sys_pwritev2(const struct sys_args *a);
long sys_pwritev(const struct sys_args *a);
long sys_lseek(const struct sys_args *a);
long sys_open(const struct sys_args *a);
long sys_openat(const struct sys_args *a);
long sys_creat(const struct sys_args *a);
long sys_close(const struct sys_args *a);
long sys_close_range(const struct sys_args *a);
long sys_stat(const struct sys_args *a);
long sys_fstat(const struct sys_args *a);
long sys_lstat(const struct sys_args *a);
long sys_newfstatat(const struct sys_args *a);
long sys_statx(const struct sys_args *a);
long sys_getdents64(const struct sys_args *a);
long sys_getdents(const struct sys_args *a);
long sys_mkdir(const struct sys_args *a);
long sys_mkdirat(const struct sys_args *a);
long sys_mknod(const struct sys_args *a);
long sys_mknodat(const struct sys_args *a);
long sys_unlink(const struct sys_args *a);
long sys_unlinkat(const struct sys_args *a);
long sys_rmdir(const struct sys_args *a);
long sys_rename(const struct sys_args *a);
long sys_renameat(const struct sys_args *a);
long sys_renameat2(const struct sys_args *a);
long sys_link(const struct sys_args *a);
long sys_linkat(const struct sys_args *a);
long sys_symlink(const struct sys_args *a);
long sys_symlinkat(const struct sys_args *a);
long sys_readlink(const struct sys_args *a);
long sys_readlinkat(const struct sys_args *a);
long sys_chmod(const struct sys_args *a);
long sys_fchmod(const struct sys_args *a);
long sys_fchmodat(const struct sys_args *a);
long sys_chown(const struct sys_args *a);
long sys_fchown(const struct sys_args *a);
long sys_lchown(const struct sys_args *a);
long sys_fchownat(const struct sys_args *a);
long sys_utimensat(const struct sys_args *a);
long sys_utimes(const struct sys_args *a);
long sys_futimesat(const struct sys_args *a);
long sys_name_to_handle_at(const struct sys_args *a);
long sys_open_by_handle_at(const struct sys_args *a);
long sys_utime(const struct sys_args *a);
long sys_truncate(const struct sys_args *a);
long sys_ftruncate(const struct sys_args *a);
long sys_fsync(const struct sys_args *a);
long sys_sync_file_range(const struct sys_args *a);
long sys_sync(const struct sys_args *a);
long sys_getcwd(const struct sys_args *a);
long sys_chdir(const struct sys_args *a);
long sys_fchdir(const struct sys_args *a);
long sys_umask(const struct sys_args *a);
long sys_access(const struct sys_args *a);
long sys_faccessat(const struct sys_args *a);
long sys_faccessat2(const struct sys_args *a);
long sys_dup(const struct sys_args *a);
long sys_dup2(const struct sys_args *a);
long sys_dup3(const struct sys_args *a);
long sys_fcntl(const struct sys_args *a);
long sys_flock(const struct sys_args *a);
long sys_pipe(const struct sys_args *a);
long sys_pipe2(const struct sys_args *a);
long sys_ioctl(const struct sys_args *a);
long sys_poll(const struct sys_args *a);
long sys_ppoll(const struct sys_args *a);
long sys_select(const struct sys_args *a);
long sys_pselect6(const struct sys_args *a);
long sys_sendfile(const struct sys_args *a);
long sys_memfd_create(const struct sys_args *a);
long sys_splice(const struct sys_args *a);
long sys_tee(const struct sys_args *a);
long sys_vmsplice(const struct sys_args *a);
long sys_copy_file_range(const struct sys_args *a);
long sys_statfs(const struct sys_args *a);
long sys_fstatfs(const struct sys_args *a);
long sys_mount(const struct sys_args *a);
long sys_umount2(const struct sys_args *a);
long sys_chroot(const struct sys_args *a);
long sys_fallocate(const struct sys_args *a);

/* Register every handler above with the dispatcher. */
void fs_syscalls_init(void);

/* eventfd.c, epoll.c */
long sys_eventfd(const struct sys_args *a);
long sys_eventfd2(const struct sys_args *a);
long sys_timerfd_create(const struct sys_args *a);
long sys_timerfd_settime(const struct sys_args *a);
long sys_timerfd_gettime(const struct sys_args *a);
long sys_inotify_init(const struct sys_args *a);
long sys_inotify_init1(const struct sys_args *a);
long sys_inotify_add_watch(const struct sys_args *a);
long sys_inotify_rm_watch(const struct sys_args *a);
/* fs/notify/inotify.c: once, before the first watch. */
void inotify_init(void);
long sys_epoll_create(const struct sys_args *a);
long sys_epoll_create1(const struct sys_args *a);
long sys_epoll_ctl(const struct sys_args *a);
long sys_epoll_wait(const struct sys_args *a);
long sys_epoll_pwait(const struct sys_args *a);
long sys_epoll_pwait2(const struct sys_args *a);

/* sys_xattr.c, sys_rw.c (the socket calls: services/net/sys_socket.c) */
long sys_getxattr(const struct sys_args *a);
long sys_lgetxattr(const struct sys_args *a);
long sys_fgetxattr(const struct sys_args *a);
long sys_setxattr(const struct sys_args *a);
long sys_lsetxattr(const struct sys_args *a);
long sys_fsetxattr(const struct sys_args *a);
long sys_listxattr(const struct sys_args *a);
long sys_llistxattr(const struct sys_args *a);
long sys_flistxattr(const struct sys_args *a);
long sys_removexattr(const struct sys_args *a);
long sys_lremovexattr(const struct sys_args *a);
long sys_fremovexattr(const struct sys_args *a);
long sys_fadvise64(const struct sys_args *a);
long sys_readahead(const struct sys_args *a);

#endif
