/* t_fhandle.c: file handles, name_to_handle_at(2) and open_by_handle_at(2):
 * the EOVERFLOW sizing handshake, stable handles, the mount id against
 * /proc/self/mountinfo, opening by handle (after a rename, ESTALE after
 * the file is gone), directories, symbolic links, AT_EMPTY_PATH, the
 * capability and permission checks, the file systems without handles
 * (procfs, pipes) and bad arguments; on tmpfs (/tmp) and /dev (devtmpfs),
 * and the stress-ng "handle" stressor's sequence. No ext2 disk is mounted
 * in the test guest, so ext2 handles are not covered here. Every
 * expectation is Linux's; passes on Linux too (as root). */
#include "t.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MAX_HANDLE_SZ_ 128
#define AT_HANDLE_FID_ 0x200
#define FILEID_INVALID_ 255

struct fh {
    unsigned int handle_bytes;
    int handle_type;
    unsigned char f_handle[MAX_HANDLE_SZ_];
};

static long n2h(int dfd, const char *path, void *h, void *mnt, int flags)
{
    return syscall(SYS_name_to_handle_at, dfd, path, h, mnt, flags);
}

static long obh(int mfd, void *h, int flags)
{
    return syscall(SYS_open_by_handle_at, mfd, h, flags);
}

/* The handle of path (flags as name_to_handle_at), sized by the EOVERFLOW
 * handshake; the mount id in *mnt. 0 or -1. */
static int get_handle(int dfd, const char *path, int flags, struct fh *h, int *mnt)
{
    memset(h, 0, sizeof *h);
    h->handle_bytes = 0;
    if (n2h(dfd, path, h, mnt, flags) != -1 || errno != EOVERFLOW)
        return -1;
    if (h->handle_bytes == 0 || h->handle_bytes > MAX_HANDLE_SZ_)
        return -1;
    return (int)n2h(dfd, path, h, mnt, flags);
}

static int same_handle(const struct fh *a, const struct fh *b)
{
    return a->handle_bytes == b->handle_bytes && a->handle_type == b->handle_type &&
           memcmp(a->f_handle, b->f_handle, a->handle_bytes) == 0;
}

/* The mount id whose mount point is the longest prefix of abs (as the
 * kernel sees the path), from /proc/self/mountinfo; -1 if none. Also
 * whether id appears at all in *seen. */
static int mountinfo_id_for(const char *abs, int id, int *seen)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[1024], mp[512];
    int best = -1;
    size_t bestlen = 0;

    *seen = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        int mid;
        if (sscanf(line, "%12d %*d %*s %*s %511s", &mid, mp) != 2)
            continue;
        if (mid == id)
            *seen = 1;
        size_t n = strlen(mp);
        int match = strcmp(mp, "/") == 0 ||
                    (strncmp(abs, mp, n) == 0 && (abs[n] == '/' || abs[n] == 0));
        if (match && (strcmp(mp, "/") == 0 ? 1 : n) >= bestlen) {
            /* later lines stack over earlier ones at the same point */
            bestlen = strcmp(mp, "/") == 0 ? 1 : n;
            best = mid;
        }
    }
    fclose(f);
    return best;
}

static int write_file(const char *path, const char *s, mode_t mode)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
    if (fd < 0)
        return -1;
    int ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
    close(fd);
    return ok ? 0 : -1;
}

#define DIR_ "/tmp/t_fhandle.d"

static void setup(void)
{
    (void)system("rm -rf " DIR_);
    mkdir(DIR_, 0755);
}

T_CASE(eoverflow_sizing_writes_needed_size_and_mount_id)
{
    struct fh h;
    int mnt = -12345;

    setup();
    T_SYSOK(write_file(DIR_ "/f", "hello", 0644));
    memset(&h, 0xaa, sizeof h);
    h.handle_bytes = 0;
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, &mnt, 0), EOVERFLOW);
    T_ASSERT(h.handle_bytes > 0 && h.handle_bytes <= MAX_HANDLE_SZ_);
    T_ASSERT(h.handle_bytes % 4 == 0);
    T_EQ(h.handle_type, FILEID_INVALID_);
    T_ASSERT(mnt != -12345);
    T_EQ(h.f_handle[0], 0xaa); /* no handle bytes written */
    unsigned need = h.handle_bytes;
    /* one byte short is still too small; the size as given succeeds */
    h.handle_bytes = need - 1;
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, &mnt, 0), EOVERFLOW);
    T_EQ(h.handle_bytes, need);
    h.handle_bytes = need + 3; /* rounded down to words: fits */
    T_SYSOK(n2h(AT_FDCWD, DIR_ "/f", &h, &mnt, 0));
    T_EQ(h.handle_bytes, need);
    T_ASSERT(h.handle_type != FILEID_INVALID_);
}

T_CASE(handles_are_stable_and_mount_id_is_in_mountinfo)
{
    struct fh a, b, d;
    int ma = -1, mb = -1, md = -1, seen = 0;

    setup();
    T_SYSOK(write_file(DIR_ "/f", "x", 0644));
    T_SYSOK(write_file(DIR_ "/g", "y", 0644));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &a, &ma));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &b, &mb));
    T_ASSERT(same_handle(&a, &b));
    T_EQ(ma, mb);
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/g", 0, &d, &md));
    T_ASSERT(!same_handle(&a, &d));
    T_EQ(md, ma);
    int id = mountinfo_id_for(DIR_ "/f", ma, &seen);
    T_ASSERT(seen);
    T_EQ(id, ma);
    /* /dev is another mount, with another id */
    T_SYSOK(get_handle(AT_FDCWD, "/dev/zero", 0, &d, &md));
    T_ASSERT(md != ma);
    T_EQ(mountinfo_id_for("/dev/zero", md, &seen), md);
    T_ASSERT(seen);
}

T_CASE(open_by_handle_reads_the_file_after_rename)
{
    struct fh h;
    int mnt, mfd, fd;
    char buf[32] = { 0 };
    struct stat s1, s2;

    setup();
    T_SYSOK(write_file(DIR_ "/f", "hello handle", 0644));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &h, &mnt));
    T_SYSOK(mfd = open(DIR_, O_RDONLY | O_DIRECTORY));
    T_SYSOK(fd = (int)obh(mfd, &h, O_RDONLY));
    T_EQ(read(fd, buf, sizeof buf - 1), 12);
    T_STREQ(buf, "hello handle");
    T_SYSOK(fstat(fd, &s1));
    T_SYSOK(stat(DIR_ "/f", &s2));
    T_EQ(s1.st_ino, s2.st_ino);
    T_EQ(s1.st_dev, s2.st_dev);
    close(fd);
    /* the handle names the inode, not the name */
    T_SYSOK(mkdir(DIR_ "/sub", 0755));
    T_SYSOK(rename(DIR_ "/f", DIR_ "/sub/renamed"));
    T_SYSOK(fd = (int)obh(mfd, &h, O_RDWR | O_CLOEXEC));
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    T_EQ(write(fd, "J", 1), 1);
    close(fd);
    T_SYSOK(fd = open(DIR_ "/sub/renamed", O_RDONLY));
    memset(buf, 0, sizeof buf);
    T_EQ(read(fd, buf, sizeof buf - 1), 12);
    T_STREQ(buf, "Jello handle");
    close(fd);
    /* any file of the mount names it; AT_FDCWD is the cwd's mount */
    T_SYSOK(chdir(DIR_ "/sub"));
    fd = (int)obh(AT_FDCWD, &h, O_RDONLY);
    T_SYSOK(chdir("/"));
    T_SYSOK(fd);
    close(fd);
    int pfd;
    /* an O_PATH descriptor is no mount fd (Linux fdget: EBADF) */
    T_SYSOK(pfd = open(DIR_ "/sub", O_PATH));
    T_ERRNO(obh(pfd, &h, O_RDONLY), EBADF);
    close(pfd);
    close(mfd);
}

T_CASE(stale_after_unlink_and_for_garbage)
{
    struct fh h, g;
    int mnt, mfd, fd, keep;

    setup();
    T_SYSOK(write_file(DIR_ "/f", "gone", 0644));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &h, &mnt));
    T_SYSOK(mfd = open(DIR_, O_RDONLY));
    /* unlinked but still open: the inode is still there */
    T_SYSOK(keep = open(DIR_ "/f", O_RDONLY));
    T_SYSOK(unlink(DIR_ "/f"));
    T_SYSOK(fd = (int)obh(mfd, &h, O_RDONLY));
    char buf[8] = { 0 };
    T_EQ(read(fd, buf, 4), 4);
    T_STREQ(buf, "gone");
    close(fd);
    close(keep);
    /* gone for good */
    T_ERRNO(obh(mfd, &h, O_RDONLY), ESTALE);
    /* a new file does not answer the old handle */
    T_SYSOK(write_file(DIR_ "/f", "new", 0644));
    T_ERRNO(obh(mfd, &h, O_RDONLY), ESTALE);
    /* garbage bytes name nothing */
    g = h;
    for (unsigned i = 0; i < g.handle_bytes; i++)
        g.f_handle[i] ^= 0x5a;
    T_ERRNO(obh(mfd, &g, O_RDONLY), ESTALE);
    /* a handle of one mount is stale on another (procfs: no handles) */
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &h, &mnt));
    int pfd;
    T_SYSOK(pfd = open("/proc/self", O_RDONLY));
    T_ERRNO(obh(pfd, &h, O_RDONLY), ESTALE);
    close(pfd);
    close(mfd);
}

T_CASE(directories_and_empty_path)
{
    struct fh a, b, r;
    int m1, m2, dfd, fd;
    struct stat s1, s2;

    setup();
    T_SYSOK(mkdir(DIR_ "/d", 0755));
    T_SYSOK(write_file(DIR_ "/d/inner", "in", 0644));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/d", 0, &a, &m1));
    T_SYSOK(dfd = open(DIR_ "/d", O_RDONLY | O_DIRECTORY));
    T_SYSOK(get_handle(dfd, "", AT_EMPTY_PATH, &b, &m2));
    T_ASSERT(same_handle(&a, &b));
    T_EQ(m1, m2);
    /* an empty path without AT_EMPTY_PATH is ENOENT */
    b.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(dfd, "", &b, &m2, 0), ENOENT);
    /* relative to a dirfd */
    T_SYSOK(get_handle(dfd, "inner", 0, &b, &m2));
    T_SYSOK(fd = (int)obh(dfd, &b, O_RDONLY));
    close(fd);
    /* the directory opens read-only, and reads as a directory */
    T_SYSOK(fd = (int)obh(dfd, &a, O_RDONLY | O_DIRECTORY));
    T_SYSOK(fstat(fd, &s1));
    T_SYSOK(fstat(dfd, &s2));
    T_ASSERT(S_ISDIR(s1.st_mode));
    T_EQ(s1.st_ino, s2.st_ino);
    T_SYSOK(faccessat(fd, "inner", F_OK, 0));
    close(fd);
    T_ERRNO(obh(dfd, &a, O_RDWR), EISDIR);
    T_ERRNO(obh(dfd, &a, O_WRONLY), EISDIR);
    T_ERRNO(obh(dfd, &a, O_RDONLY | O_CREAT), EISDIR);
    T_ERRNO(obh(dfd, &b, O_RDONLY | O_DIRECTORY), ENOTDIR);
    T_ERRNO(obh(dfd, &b, O_RDONLY | O_CREAT | O_EXCL), EEXIST);
    /* the mount's root */
    T_SYSOK(get_handle(AT_FDCWD, "/dev", 0, &r, &m2));
    T_SYSOK(fd = (int)obh(dfd, &b, O_PATH));
    close(fd);
    close(dfd);
}

T_CASE(symlinks_with_and_without_follow)
{
    struct fh l, lf, t;
    int m, mfd, fd;
    struct stat st;

    setup();
    T_SYSOK(write_file(DIR_ "/target", "T", 0644));
    T_SYSOK(symlink("target", DIR_ "/link"));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/link", 0, &l, &m));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/link", AT_SYMLINK_FOLLOW, &lf, &m));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/target", 0, &t, &m));
    T_ASSERT(!same_handle(&l, &t));
    T_ASSERT(same_handle(&lf, &t));
    T_SYSOK(mfd = open(DIR_, O_RDONLY));
    T_ERRNO(obh(mfd, &l, O_RDONLY), ELOOP);
    T_ERRNO(obh(mfd, &l, O_RDONLY | O_NOFOLLOW), ELOOP);
    T_SYSOK(fd = (int)obh(mfd, &l, O_PATH));
    T_SYSOK(fstat(fd, &st));
    T_ASSERT(S_ISLNK(st.st_mode));
    char buf[16] = { 0 };
    T_EQ(readlinkat(fd, "", buf, sizeof buf), 6);
    T_STREQ(buf, "target");
    close(fd);
    T_SYSOK(fd = (int)obh(mfd, &lf, O_RDONLY));
    T_EQ(read(fd, buf, 1), 1);
    T_EQ(buf[0], 'T');
    close(fd);
    close(mfd);
}

T_CASE(dev_zero_like_stress_ng)
{
    /* stress-ng 0.15's handle stressor, step by step */
    struct fh *fh = malloc(sizeof *fh);
    int mnt = -1, seen = 0, mfd, fd;
    char path[512] = "";
    FILE *f;
    char line[1024];

    T_ASSERT(fh);
    fh->handle_bytes = 0;
    T_ERRNO(n2h(AT_FDCWD, "/dev/zero", fh, &mnt, 0), EOVERFLOW);
    T_ASSERT(fh->handle_bytes > 0);
    T_SYSOK(n2h(AT_FDCWD, "/dev/zero", fh, &mnt, 0));
    T_ASSERT((f = fopen("/proc/self/mountinfo", "r")) != NULL);
    while (fgets(line, sizeof line, f)) {
        int id;
        char mp[512];
        if (sscanf(line, "%12d %*d %*s %*s %511s", &id, mp) == 2 && id == mnt) {
            strcpy(path, mp);
            seen = 1;
        }
    }
    fclose(f);
    T_ASSERT(seen);
    T_SYSOK(mfd = open(path, O_RDONLY));
    T_SYSOK(fd = (int)obh(mfd, fh, O_RDONLY));
    char buf[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    T_EQ(read(fd, buf, sizeof buf), 8);
    T_EQ(buf[0] | buf[7], 0);
    struct stat s1, s2;
    T_SYSOK(fstat(fd, &s1));
    T_SYSOK(stat("/dev/zero", &s2));
    T_EQ(s1.st_rdev, s2.st_rdev);
    T_EQ(s1.st_ino, s2.st_ino);
    close(fd);
    close(mfd);
    free(fh);
}

T_CASE(no_handles_on_procfs_and_pipes)
{
    struct fh h;
    int m, p[2];
    char path[64];

    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, "/proc/self/status", &h, &m, 0), EOPNOTSUPP);
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, "/proc/self", &h, &m, AT_SYMLINK_FOLLOW), EOPNOTSUPP);
    h.handle_bytes = 0; /* EOPNOTSUPP comes before the size */
    T_ERRNO(n2h(AT_FDCWD, "/proc/version", &h, &m, 0), EOPNOTSUPP);
    T_SYSOK(pipe(p));
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, path, &h, &m, AT_SYMLINK_FOLLOW), EOPNOTSUPP);
    /* without following, the magic link itself is procfs's */
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, path, &h, &m, 0), EOPNOTSUPP);
    /* a pipe as the mount fd: no handle decodes there */
    T_SYSOK(get_handle(AT_FDCWD, "/dev/zero", 0, &h, &m));
    T_ERRNO(obh(p[0], &h, O_RDONLY), ESTALE);
    close(p[0]);
    close(p[1]);
    /* AT_HANDLE_FID: a handle only to compare, from any file system */
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_SYSOK(n2h(AT_FDCWD, "/proc/self/status", &h, &m, AT_HANDLE_FID_));
    T_ASSERT(h.handle_bytes > 0);
}

T_CASE(bad_arguments)
{
    struct fh h, g;
    int m, mfd;
    void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    T_ASSERT(bad != MAP_FAILED);
    setup();
    T_SYSOK(write_file(DIR_ "/f", "x", 0644));
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, &m, 0x8000), EINVAL);
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, &m, AT_SYMLINK_NOFOLLOW), EINVAL);
    h.handle_bytes = MAX_HANDLE_SZ_ + 1;
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, &m, 0), EINVAL);
    h.handle_bytes = MAX_HANDLE_SZ_;
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/nope", &h, &m, 0), ENOENT);
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", bad, &m, 0), EFAULT);
    T_ERRNO(n2h(AT_FDCWD, DIR_ "/f", &h, bad, 0), EFAULT);
    T_ERRNO(n2h(AT_FDCWD, bad, &h, &m, 0), EFAULT);
    T_ERRNO(n2h(12345, "f", &h, &m, 0), EBADF);
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/f", 0, &h, &m));
    T_SYSOK(mfd = open(DIR_, O_RDONLY));
    g = h;
    g.handle_bytes = 0;
    T_ERRNO(obh(mfd, &g, O_RDONLY), EINVAL);
    g.handle_bytes = MAX_HANDLE_SZ_ + 1;
    T_ERRNO(obh(mfd, &g, O_RDONLY), EINVAL);
    g = h;
    g.handle_type = -1;
    T_ERRNO(obh(mfd, &g, O_RDONLY), EINVAL);
    g.handle_type = 0x1000000 | h.handle_type; /* an unknown user flag */
    T_ERRNO(obh(mfd, &g, O_RDONLY), EINVAL);
    g = h;
    g.handle_bytes = 4; /* too short to name anything */
    T_ERRNO(obh(mfd, &g, O_RDONLY), ESTALE);
    T_ERRNO(obh(mfd, bad, O_RDONLY), EFAULT);
    T_ERRNO(obh(12345, &h, O_RDONLY), EBADF);
    T_ERRNO(obh(-5, &h, O_RDONLY), EBADF);
    /* the handle's bytes past the header, on an unreadable page */
    unsigned char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(two != MAP_FAILED);
    T_SYSOK(munmap(two + 4096, 4096));
    memcpy(two + 4096 - 8, &h, 8);
    T_ERRNO(obh(mfd, two + 4096 - 8, O_RDONLY), EFAULT);
    munmap(two, 4096);
    munmap(bad, 4096);
    close(mfd);
}

T_CASE(unprivileged_is_eperm_and_permissions_apply)
{
    struct fh h;
    int m, mfd;

    setup();
    T_SYSOK(write_file(DIR_ "/ro", "ro", 0444));
    T_SYSOK(chown(DIR_ "/ro", 65534, 65534));
    T_SYSOK(get_handle(AT_FDCWD, DIR_ "/ro", 0, &h, &m));
    T_SYSOK(mfd = open(DIR_, O_RDONLY));
    pid_t c = t_fork();
    if (c == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(10);
        /* a name to handle needs no privilege */
        struct fh h2;
        int m2;
        if (get_handle(AT_FDCWD, DIR_ "/ro", 0, &h2, &m2) || !same_handle(&h, &h2))
            _exit(11);
        if (obh(mfd, &h, O_RDONLY) != -1 || errno != EPERM)
            _exit(12);
        if (obh(12345, &h, O_RDONLY) != -1 || errno != EBADF)
            _exit(13);
        _exit(0);
    }
    T_EXITED(c, 0);
    /* root with only CAP_DAC_READ_SEARCH: may read, may not write */
    c = t_fork();
    if (c == 0) {
        struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
        struct { uint32_t eff, perm, inh; } data[2] = { { 1u << 2, 1u << 2, 0 }, { 0, 0, 0 } };
        if (syscall(SYS_capset, &hdr, data))
            _exit(20);
        int fd = (int)obh(mfd, &h, O_RDONLY);
        if (fd < 0)
            _exit(21);
        close(fd);
        if (obh(mfd, &h, O_WRONLY) != -1 || errno != EACCES)
            _exit(22);
        _exit(0);
    }
    T_EXITED(c, 0);
    close(mfd);
}

int main(void)
{
    t_init("t_fhandle");
    if (geteuid() != 0) {
        t_emit("SKIP t_fhandle: needs root\n");
    }
    T_RUN(eoverflow_sizing_writes_needed_size_and_mount_id);
    T_RUN(handles_are_stable_and_mount_id_is_in_mountinfo);
    T_RUN(open_by_handle_reads_the_file_after_rename);
    T_RUN(stale_after_unlink_and_for_garbage);
    T_RUN(directories_and_empty_path);
    T_RUN(symlinks_with_and_without_follow);
    T_RUN(dev_zero_like_stress_ng);
    T_RUN(no_handles_on_procfs_and_pipes);
    T_RUN(bad_arguments);
    T_RUN(unprivileged_is_eperm_and_permissions_apply);
    (void)system("rm -rf " DIR_);
    return t_done();
}
