/* t_file.c: files and directories on tmpfs, fds, and the /dev nodes.
 * Everything happens under a scratch directory /tmp/t_file.<pid>. */
#include "t.h"

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

static char dir[64];

/* P("name") -> "<dir>/name"; a small ring of buffers so several can be live. */
static const char *P(const char *name)
{
    static char bufs[8][256];
    static int i;
    char *b = bufs[i++ & 7];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

static int put(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, strlen(data));
    close(fd);
    return n == (ssize_t)strlen(data) ? 0 : -1;
}

static ssize_t get(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n >= 0)
        buf[n] = 0;
    return n;
}

T_CASE(create_write_read)
{
    int fd = open(P("a"), O_RDWR | O_CREAT | O_EXCL, 0644);
    T_SYSOK(fd);
    T_EQ(write(fd, "hello world", 11), 11);
    T_EQ(lseek(fd, 0, SEEK_CUR), 11);
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    char b[32] = { 0 };
    T_EQ(read(fd, b, sizeof b), 11);
    T_STREQ(b, "hello world");
    T_EQ(read(fd, b, sizeof b), 0); /* EOF */
    T_EQ(read(fd, b, 0), 0);
    T_SYSOK(close(fd));
}

T_CASE(lseek_whence)
{
    int fd = open(P("a"), O_RDWR);
    T_SYSOK(fd);
    T_EQ(lseek(fd, 6, SEEK_SET), 6);
    char b[8] = { 0 };
    T_EQ(read(fd, b, 5), 5);
    T_STREQ(b, "world");
    T_EQ(lseek(fd, -5, SEEK_CUR), 6);
    T_EQ(lseek(fd, -3, SEEK_END), 8);
    memset(b, 0, sizeof b);
    T_EQ(read(fd, b, 8), 3);
    T_STREQ(b, "rld");
    T_ERRNO(lseek(fd, -100, SEEK_SET), EINVAL);
    T_ERRNO(lseek(fd, -100, SEEK_END), EINVAL);
    T_ERRNO(lseek(fd, 0, 12345), EINVAL);
    T_EQ(lseek(fd, 0, SEEK_CUR), 11); /* failed seeks leave the offset */
    close(fd);
}

T_CASE(lseek_hole_reads_zeros)
{
    int fd = open(P("hole"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    T_EQ(write(fd, "A", 1), 1);
    T_EQ(lseek(fd, 10000, SEEK_SET), 10000);
    struct stat st;
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_size, 1); /* seeking alone does not extend */
    T_EQ(write(fd, "B", 1), 1);
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_size, 10001);
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    static char b[10001];
    T_EQ(read(fd, b, sizeof b), 10001);
    T_EQ(b[0], 'A');
    for (int i = 1; i < 10000; i++)
        if (b[i] != 0)
            T_FAIL("hole byte %d = %d", i, b[i]);
    T_EQ(b[10000], 'B');
    close(fd);
}

T_CASE(o_append)
{
    T_SYSOK(put(P("ap"), "123"));
    int fd = open(P("ap"), O_WRONLY | O_APPEND);
    T_SYSOK(fd);
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    T_EQ(write(fd, "45", 2), 2);
    T_EQ(lseek(fd, 0, SEEK_CUR), 5);
    close(fd);
    char b[16];
    T_EQ(get(P("ap"), b, sizeof b), 5);
    T_STREQ(b, "12345");
}

T_CASE(o_trunc)
{
    T_SYSOK(put(P("tr"), "long contents"));
    int fd = open(P("tr"), O_RDWR | O_TRUNC);
    T_SYSOK(fd);
    struct stat st;
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_size, 0);
    close(fd);
}

T_CASE(o_excl_eexist)
{
    T_SYSOK(put(P("ex"), "x"));
    T_ERRNO(open(P("ex"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    T_ERRNO(open(dir, O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
}

T_CASE(o_directory_enotdir)
{
    T_SYSOK(put(P("nd"), "x"));
    T_ERRNO(open(P("nd"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    T_ERRNO(open(P("nd/sub"), O_RDONLY), ENOTDIR);
    T_ERRNO(mkdir(P("nd/sub"), 0755), ENOTDIR);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    T_SYSOK(fd);
    close(fd);
}

T_CASE(open_dir_for_write_eisdir)
{
    T_ERRNO(open(dir, O_WRONLY), EISDIR);
    T_ERRNO(open(dir, O_RDWR), EISDIR);
    int fd = open(dir, O_RDONLY);
    T_SYSOK(fd);
    char b[4];
    T_ERRNO(read(fd, b, sizeof b), EISDIR);
    close(fd);
}

T_CASE(o_nofollow_eloop)
{
    T_SYSOK(put(P("target"), "t"));
    T_SYSOK(symlink(P("target"), P("lnk")));
    T_ERRNO(open(P("lnk"), O_RDONLY | O_NOFOLLOW), ELOOP);
    int fd = open(P("lnk"), O_RDONLY);
    T_SYSOK(fd);
    close(fd);
}

T_CASE(symlink_loop_eloop)
{
    T_SYSOK(symlink("loop2", P("loop1")));
    T_SYSOK(symlink("loop1", P("loop2")));
    T_ERRNO(open(P("loop1"), O_RDONLY), ELOOP);
    struct stat st;
    T_ERRNO(stat(P("loop1"), &st), ELOOP);
    T_SYSOK(lstat(P("loop1"), &st));
    T_ASSERT(S_ISLNK(st.st_mode));
}

T_CASE(open_enoent)
{
    T_ERRNO(open(P("nonexistent"), O_RDONLY), ENOENT);
    T_ERRNO(open(P("nodir/file"), O_RDONLY | O_CREAT, 0644), ENOENT);
    T_ERRNO(open("", O_RDONLY), ENOENT);
    struct stat st;
    T_ERRNO(stat(P("nonexistent"), &st), ENOENT);
}

T_CASE(trailing_slash)
{
    /* a trailing slash on a non-directory */
    T_ERRNO(open(P("a/"), O_RDONLY), ENOTDIR);
    T_ERRNO(open(P("newfile/"), O_RDWR | O_CREAT, 0644), EISDIR);
    struct stat st;
    T_ERRNO(stat(P("newfile"), &st), ENOENT);
}

T_CASE(stat_modes_sizes)
{
    struct stat st;
    T_SYSOK(stat(P("a"), &st));
    T_ASSERT(S_ISREG(st.st_mode));
    T_EQ(st.st_size, 11);
    T_EQ(st.st_nlink, 1);
    T_EQ(st.st_uid, geteuid());
    T_SYSOK(stat(dir, &st));
    T_ASSERT(S_ISDIR(st.st_mode));
    T_SYSOK(lstat(P("lnk"), &st));
    T_ASSERT(S_ISLNK(st.st_mode));
    T_EQ(st.st_size, (long)strlen(P("target")));
    T_SYSOK(stat(P("lnk"), &st));
    T_ASSERT(S_ISREG(st.st_mode));
    T_EQ(st.st_size, 1);
    struct stat a, b;
    T_SYSOK(stat(P("lnk"), &a));
    T_SYSOK(stat(P("target"), &b));
    T_EQ(a.st_ino, b.st_ino);
    T_EQ(a.st_dev, b.st_dev);
}

T_CASE(fstat_matches_stat)
{
    int fd = open(P("a"), O_RDONLY);
    T_SYSOK(fd);
    struct stat a, b;
    T_SYSOK(fstat(fd, &a));
    T_SYSOK(stat(P("a"), &b));
    T_EQ(a.st_ino, b.st_ino);
    T_EQ(a.st_size, b.st_size);
    T_EQ(a.st_mode, b.st_mode);
    close(fd);
    T_ERRNO(fstat(fd, &a), EBADF);
    /* fstatat with AT_SYMLINK_NOFOLLOW */
    T_SYSOK(fstatat(AT_FDCWD, P("lnk"), &a, AT_SYMLINK_NOFOLLOW));
    T_ASSERT(S_ISLNK(a.st_mode));
}

T_CASE(timestamps_update)
{
    struct stat a, b;
    T_SYSOK(put(P("ts"), "1"));
    T_SYSOK(stat(P("ts"), &a));
    T_ASSERT(a.st_mtime > 1700000000);
    struct timespec d = { 0, 20 * 1000 * 1000 };
    nanosleep(&d, NULL);
    int fd = open(P("ts"), O_WRONLY | O_APPEND);
    T_SYSOK(fd);
    T_EQ(write(fd, "2", 1), 1);
    close(fd);
    T_SYSOK(stat(P("ts"), &b));
    T_ASSERT(b.st_mtim.tv_sec > a.st_mtim.tv_sec ||
             (b.st_mtim.tv_sec == a.st_mtim.tv_sec && b.st_mtim.tv_nsec >= a.st_mtim.tv_nsec));
}

struct dent {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

T_CASE(getdents64_lists_once)
{
    T_SYSOK(mkdir(P("gd"), 0755));
    enum { N = 40 };
    for (int i = 0; i < N; i++) {
        char n[64];
        snprintf(n, sizeof n, "gd/entry_%02d_with_a_longish_name", i);
        T_SYSOK(put(P(n), "x"));
    }
    T_SYSOK(mkdir(P("gd/subdir"), 0755));
    int seen[N] = { 0 };
    int dot = 0, dotdot = 0, sub = 0, other = 0;
    int fd = open(P("gd"), O_RDONLY | O_DIRECTORY);
    T_SYSOK(fd);
    /* a small buffer forces several calls */
    char buf[256] __attribute__((aligned(8)));
    long n;
    int calls = 0;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        calls++;
        for (long off = 0; off < n;) {
            struct dent *d = (struct dent *)(buf + off);
            T_ASSERT(d->reclen > 0 && d->reclen % 8 == 0);
            int k;
            if (strcmp(d->name, ".") == 0) {
                dot++;
                T_EQ(d->type, DT_DIR);
            } else if (strcmp(d->name, "..") == 0) {
                dotdot++;
            } else if (strcmp(d->name, "subdir") == 0) {
                sub++;
                T_EQ(d->type, DT_DIR);
            } else if (sscanf(d->name, "entry_%d_", &k) == 1 && k >= 0 && k < N) {
                seen[k]++;
                T_EQ(d->type, DT_REG);
            } else {
                other++;
            }
            off += d->reclen;
        }
    }
    T_EQ(n, 0);
    T_ASSERT(calls > 1);
    T_EQ(dot, 1);
    T_EQ(dotdot, 1);
    T_EQ(sub, 1);
    T_EQ(other, 0);
    for (int i = 0; i < N; i++)
        if (seen[i] != 1)
            T_FAIL("entry %d seen %d times", i, seen[i]);
    /* too small a buffer for one entry */
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    T_ERRNO(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
    close(fd);
    /* on a regular file */
    fd = open(P("a"), O_RDONLY);
    T_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
    close(fd);
    T_ERRNO(syscall(SYS_getdents64, 9999, buf, sizeof buf), EBADF);
}

T_CASE(readdir_after_unlink)
{
    T_SYSOK(mkdir(P("rd"), 0755));
    T_SYSOK(put(P("rd/keep"), "k"));
    T_SYSOK(put(P("rd/gone"), "g"));
    T_SYSOK(unlink(P("rd/gone")));
    DIR *d = opendir(P("rd"));
    T_ASSERT(d != NULL);
    int keep = 0, gone = 0, total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        total++;
        if (!strcmp(e->d_name, "keep"))
            keep++;
        if (!strcmp(e->d_name, "gone"))
            gone++;
    }
    closedir(d);
    T_EQ(keep, 1);
    T_EQ(gone, 0);
    T_EQ(total, 3);
}

/* A directory of hundreds of entries (tmpfs indexes a large one by name):
 * every name is found, removed and renamed names are gone, and readdir
 * lists exactly what is left, each once. */
T_CASE(large_directory_names)
{
    enum { N = 600 };
    static char seen[N + N];
    char a[96], b[96];
    struct stat st;

    T_SYSOK(mkdir(P("big"), 0755));
    T_SYSOK(mkdir(P("big2"), 0755));
    for (int i = 0; i < N; i++) {
        snprintf(a, sizeof a, "big/n%d", i);
        if (i % 7 == 0)
            T_SYSOK(mkdir(P(a), 0700));
        else
            T_SYSOK(put(P(a), "x"));
    }
    for (int i = 0; i < N; i++) {
        snprintf(a, sizeof a, "big/n%d", i);
        T_SYSOK(stat(P(a), &st));
        T_EQ(S_ISDIR(st.st_mode), i % 7 == 0);
        T_ERRNO(mkdir(P(a), 0700), EEXIST);
    }
    for (int i = 0; i < N; i += 3) { /* every third goes */
        snprintf(a, sizeof a, "big/n%d", i);
        T_SYSOK(i % 7 == 0 ? rmdir(P(a)) : unlink(P(a)));
        T_ERRNO(stat(P(a), &st), ENOENT);
    }
    for (int i = 1; i < N; i += 5) { /* renamed: in place, or out */
        if (i % 3 == 0)
            continue;
        snprintf(a, sizeof a, "big/n%d", i);
        snprintf(b, sizeof b, i % 2 ? "big/n%d" : "big2/n%d", N + i);
        T_SYSOK(rename(P(a), P(b)));
        T_ERRNO(stat(P(a), &st), ENOENT);
        T_SYSOK(stat(P(b), &st));
    }
    memset(seen, 0, sizeof seen);
    DIR *d = opendir(P("big"));
    T_ASSERT(d != NULL);
    struct dirent *e;
    int other = 0;
    while ((e = readdir(d)) != NULL) {
        int k;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (sscanf(e->d_name, "n%d", &k) == 1 && k >= 0 && k < N + N)
            seen[k]++;
        else
            other++;
    }
    closedir(d);
    T_EQ(other, 0);
    for (int i = 0; i < N; i++) {
        int renamed = i % 5 == 1 && i % 3 != 0;
        T_EQ(seen[i], i % 3 != 0 && !renamed);
        T_EQ(seen[N + i], renamed && i % 2);
    }
    for (int i = 0; i < N + N; i++) { /* empty both again */
        snprintf(a, sizeof a, "big/n%d", i);
        snprintf(b, sizeof b, "big2/n%d", i);
        if (stat(P(a), &st) == 0)
            T_SYSOK(S_ISDIR(st.st_mode) ? rmdir(P(a)) : unlink(P(a)));
        if (stat(P(b), &st) == 0)
            T_SYSOK(S_ISDIR(st.st_mode) ? rmdir(P(b)) : unlink(P(b)));
    }
    T_SYSOK(rmdir(P("big")));
    T_SYSOK(rmdir(P("big2")));
}

T_CASE(mkdir_rmdir_errors)
{
    T_SYSOK(mkdir(P("md"), 0755));
    T_ERRNO(mkdir(P("md"), 0755), EEXIST);
    T_ERRNO(mkdir(P("a"), 0755), EEXIST);
    T_SYSOK(put(P("md/f"), "x"));
    T_ERRNO(rmdir(P("md")), ENOTEMPTY);
    T_ERRNO(rmdir(P("a")), ENOTDIR);
    T_ERRNO(rmdir(P("nonexistent")), ENOENT);
    T_ERRNO(rmdir(P("md/.")), EINVAL);
    T_SYSOK(unlink(P("md/f")));
    T_SYSOK(rmdir(P("md")));
    struct stat st;
    T_ERRNO(stat(P("md"), &st), ENOENT);
}

T_CASE(unlink_errors)
{
    T_SYSOK(mkdir(P("ud"), 0755));
    T_ERRNO(unlink(P("ud")), EISDIR);
    T_ERRNO(unlink(P("nonexistent")), ENOENT);
    T_SYSOK(rmdir(P("ud")));
}

T_CASE(unlinked_file_stays_open)
{
    T_SYSOK(put(P("ul"), "still here"));
    int fd = open(P("ul"), O_RDONLY);
    T_SYSOK(fd);
    T_SYSOK(unlink(P("ul")));
    struct stat st;
    T_ERRNO(stat(P("ul"), &st), ENOENT);
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_nlink, 0);
    char b[16] = { 0 };
    T_EQ(read(fd, b, sizeof b), 10);
    T_STREQ(b, "still here");
    close(fd);
}

T_CASE(rename_over_existing)
{
    T_SYSOK(put(P("r1"), "one"));
    T_SYSOK(put(P("r2"), "two"));
    struct stat s1;
    T_SYSOK(stat(P("r1"), &s1));
    T_SYSOK(rename(P("r1"), P("r2")));
    struct stat st;
    T_ERRNO(stat(P("r1"), &st), ENOENT);
    T_SYSOK(stat(P("r2"), &st));
    T_EQ(st.st_ino, s1.st_ino);
    char b[8];
    T_EQ(get(P("r2"), b, sizeof b), 3);
    T_STREQ(b, "one");
    /* rename to itself is a no-op */
    T_SYSOK(rename(P("r2"), P("r2")));
    T_ERRNO(rename(P("nonexistent"), P("r3")), ENOENT);
}

T_CASE(rename_dir_cases)
{
    T_SYSOK(mkdir(P("rA"), 0755));
    T_SYSOK(mkdir(P("rA/sub"), 0755));
    T_ERRNO(rename(P("rA"), P("rA/sub/x")), EINVAL);
    T_SYSOK(put(P("rf"), "f"));
    T_ERRNO(rename(P("rA"), P("rf")), ENOTDIR);
    T_ERRNO(rename(P("rf"), P("rA")), EISDIR);
    T_SYSOK(mkdir(P("rB"), 0755));
    T_SYSOK(put(P("rB/x"), "x"));
    T_ERRNO2(rename(P("rA"), P("rB")), ENOTEMPTY, EEXIST);
    T_SYSOK(mkdir(P("rC"), 0755));
    T_SYSOK(rename(P("rA"), P("rC"))); /* over an empty dir */
    struct stat st;
    T_SYSOK(stat(P("rC/sub"), &st));
    T_ASSERT(S_ISDIR(st.st_mode));
    /* moving a dir changes its ".." */
    T_SYSOK(rename(P("rC"), P("rB/moved")));
    T_SYSOK(stat(P("rB/moved/sub"), &st));
    struct stat parent, dotdot;
    T_SYSOK(stat(P("rB"), &parent));
    T_SYSOK(stat(P("rB/moved/.."), &dotdot));
    T_EQ(parent.st_ino, dotdot.st_ino);
}

T_CASE(link_nlink)
{
    T_SYSOK(put(P("l1"), "data"));
    T_SYSOK(link(P("l1"), P("l2")));
    struct stat a, b;
    T_SYSOK(stat(P("l1"), &a));
    T_SYSOK(stat(P("l2"), &b));
    T_EQ(a.st_ino, b.st_ino);
    T_EQ(a.st_nlink, 2);
    T_ERRNO(link(P("l1"), P("l2")), EEXIST);
    T_ERRNO(link(P("nonexistent"), P("l3")), ENOENT);
    T_ERRNO(link(dir, P("l4")), EPERM); /* hard links to directories */
    T_SYSOK(unlink(P("l1")));
    T_SYSOK(stat(P("l2"), &b));
    T_EQ(b.st_nlink, 1);
    char buf[8];
    T_EQ(get(P("l2"), buf, sizeof buf), 4);
}

T_CASE(dir_nlink)
{
    T_SYSOK(mkdir(P("dn"), 0755));
    struct stat st;
    T_SYSOK(stat(P("dn"), &st));
    T_EQ(st.st_nlink, 2);
    T_SYSOK(mkdir(P("dn/s"), 0755));
    T_SYSOK(stat(P("dn"), &st));
    T_EQ(st.st_nlink, 3);
}

T_CASE(symlink_readlink)
{
    T_SYSOK(symlink("some/relative/target", P("sl")));
    char b[64];
    memset(b, 'X', sizeof b);
    ssize_t n = readlink(P("sl"), b, sizeof b);
    T_EQ(n, 20);
    T_ASSERT(memcmp(b, "some/relative/target", 20) == 0);
    T_EQ(b[20], 'X'); /* readlink does not NUL-terminate */
    /* truncation */
    T_EQ(readlink(P("sl"), b, 4), 4);
    T_ASSERT(memcmp(b, "some", 4) == 0);
    T_ERRNO(readlink(P("a"), b, sizeof b), EINVAL);
    T_ERRNO(readlink(P("nonexistent"), b, sizeof b), ENOENT);
    T_ERRNO(symlink("x", P("sl")), EEXIST);
    /* dangling link: stat ENOENT, lstat ok */
    struct stat st;
    T_ERRNO(stat(P("sl"), &st), ENOENT);
    T_SYSOK(lstat(P("sl"), &st));
    /* relative link through a directory */
    T_SYSOK(mkdir(P("sd"), 0755));
    T_SYSOK(put(P("sd/real"), "real!"));
    T_SYSOK(symlink("sd", P("sdl")));
    char c[8];
    T_EQ(get(P("sdl/real"), c, sizeof c), 5);
    T_STREQ(c, "real!");
    /* unlink removes the link, not the target */
    T_SYSOK(unlink(P("sdl")));
    T_SYSOK(stat(P("sd/real"), &st));
}

T_CASE(chmod_reflected)
{
    T_SYSOK(put(P("cm"), "x"));
    T_SYSOK(chmod(P("cm"), 0600));
    struct stat st;
    T_SYSOK(stat(P("cm"), &st));
    T_EQ(st.st_mode & 07777, 0600);
    int fd = open(P("cm"), O_RDONLY);
    T_SYSOK(fd);
    T_SYSOK(fchmod(fd, 04751));
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_mode & 07777, 04751);
    T_ASSERT(S_ISREG(st.st_mode));
    close(fd);
    T_ERRNO(chmod(P("nonexistent"), 0644), ENOENT);
}

T_CASE(ftruncate_up_down)
{
    int fd = open(P("ft"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    T_EQ(write(fd, "abcdef", 6), 6);
    T_SYSOK(ftruncate(fd, 3));
    struct stat st;
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_size, 3);
    T_EQ(lseek(fd, 0, SEEK_CUR), 6); /* offset unchanged */
    T_SYSOK(ftruncate(fd, 8192));
    T_SYSOK(fstat(fd, &st));
    T_EQ(st.st_size, 8192);
    char b[8192];
    T_EQ(pread(fd, b, sizeof b, 0), 8192);
    T_ASSERT(memcmp(b, "abc", 3) == 0);
    for (int i = 3; i < 8192; i++)
        if (b[i] != 0)
            T_FAIL("byte %d after extend = %d", i, b[i]);
    /* shrink then regrow: old data must not come back */
    T_SYSOK(ftruncate(fd, 1));
    T_SYSOK(ftruncate(fd, 3));
    T_EQ(pread(fd, b, 3, 0), 3);
    T_EQ(b[0], 'a');
    T_EQ(b[1], 0);
    T_EQ(b[2], 0);
    T_ERRNO(ftruncate(fd, -1), EINVAL);
    close(fd);
    T_SYSOK(truncate(P("ft"), 0));
    T_SYSOK(stat(P("ft"), &st));
    T_EQ(st.st_size, 0);
    fd = open(P("ft"), O_RDONLY);
    T_ERRNO2(ftruncate(fd, 0), EINVAL, EBADF); /* not open for writing */
    close(fd);
    T_ERRNO(truncate(dir, 0), EISDIR);
}

T_CASE(dup_shares_offset)
{
    T_SYSOK(put(P("dp"), "0123456789"));
    int fd = open(P("dp"), O_RDONLY);
    T_SYSOK(fd);
    int d1 = dup(fd);
    T_SYSOK(d1);
    T_ASSERT(d1 != fd);
    char b[4] = { 0 };
    T_EQ(read(fd, b, 3), 3);
    T_EQ(lseek(d1, 0, SEEK_CUR), 3);
    int d2 = dup2(fd, 100);
    T_EQ(d2, 100);
    T_EQ(read(d2, b, 3), 3);
    T_STREQ(b, "345");
    T_EQ(lseek(fd, 0, SEEK_CUR), 6);
    T_EQ(dup2(fd, fd), fd); /* dup2 onto itself is a no-op */
    int d3 = dup3(fd, 101, O_CLOEXEC);
    T_EQ(d3, 101);
    T_EQ(fcntl(d3, F_GETFD), FD_CLOEXEC);
    T_EQ(fcntl(d2, F_GETFD), 0);
    T_EQ(lseek(d3, 0, SEEK_CUR), 6);
    T_ERRNO(dup3(fd, fd, 0), EINVAL);
    T_ERRNO(syscall(SYS_dup3, fd, 102, 0x1234), EINVAL); /* musl's dup3 may not pass unknown flags */
    T_ERRNO(dup(9999), EBADF);
    T_ERRNO(dup2(9999, 103), EBADF);
    T_ERRNO(dup2(fd, -1), EBADF);
    /* dup2 over an open fd closes it first */
    int other = open(P("a"), O_RDONLY);
    T_SYSOK(other);
    T_EQ(dup2(fd, other), other);
    T_EQ(lseek(other, 0, SEEK_CUR), 6);
    close(fd);
    close(d1);
    close(d2);
    close(d3);
    close(other);
}

T_CASE(lowest_fd_reused)
{
    int a = open("/dev/null", O_RDONLY);
    int b = open("/dev/null", O_RDONLY);
    int c = open("/dev/null", O_RDONLY);
    T_ASSERT(a >= 0 && b == a + 1 && c == b + 1);
    close(b);
    int d = open("/dev/null", O_RDONLY);
    T_EQ(d, b);
    int e = fcntl(a, F_DUPFD, 50);
    T_EQ(e, 50);
    int f = fcntl(a, F_DUPFD_CLOEXEC, 50);
    T_EQ(f, 51);
    T_EQ(fcntl(f, F_GETFD), FD_CLOEXEC);
    close(a);
    close(c);
    close(d);
    close(e);
    close(f);
}

T_CASE(fcntl_fd_flags)
{
    int fd = open(P("a"), O_RDONLY);
    T_SYSOK(fd);
    T_EQ(fcntl(fd, F_GETFD), 0);
    T_SYSOK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    T_SYSOK(fcntl(fd, F_SETFD, 0));
    T_EQ(fcntl(fd, F_GETFD), 0);
    close(fd);
    fd = open(P("a"), O_RDONLY | O_CLOEXEC);
    T_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
    T_ERRNO(fcntl(fd, F_GETFD), EBADF);
}

T_CASE(fcntl_fl)
{
    int fd = open(P("a"), O_WRONLY | O_APPEND);
    T_SYSOK(fd);
    int fl = fcntl(fd, F_GETFL);
    T_SYSOK(fl);
    T_EQ(fl & O_ACCMODE, O_WRONLY);
    T_ASSERT(fl & O_APPEND);
    T_SYSOK(fcntl(fd, F_SETFL, fl & ~O_APPEND));
    T_ASSERT(!(fcntl(fd, F_GETFL) & O_APPEND));
    T_SYSOK(fcntl(fd, F_SETFL, O_NONBLOCK));
    fl = fcntl(fd, F_GETFL);
    T_ASSERT(fl & O_NONBLOCK);
    T_EQ(fl & O_ACCMODE, O_WRONLY); /* access mode is not changed by F_SETFL */
    close(fd);
    fd = open(P("a"), O_RDWR);
    T_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    T_ERRNO(fcntl(fd, 9999), EINVAL);
    close(fd);
}

T_CASE(pread_pwrite_keep_offset)
{
    T_SYSOK(put(P("pp"), "abcdefghij"));
    int fd = open(P("pp"), O_RDWR);
    T_SYSOK(fd);
    T_EQ(lseek(fd, 2, SEEK_SET), 2);
    char b[4] = { 0 };
    T_EQ(pread(fd, b, 3, 5), 3);
    T_STREQ(b, "fgh");
    T_EQ(lseek(fd, 0, SEEK_CUR), 2);
    T_EQ(pwrite(fd, "XY", 2, 8), 2);
    T_EQ(lseek(fd, 0, SEEK_CUR), 2);
    T_EQ(pread(fd, b, 3, 20), 0); /* past EOF */
    T_ERRNO(pread(fd, b, 3, -1), EINVAL);
    char all[16];
    close(fd);
    T_EQ(get(P("pp"), all, sizeof all), 10);
    T_STREQ(all, "abcdefghXY");
    int p[2];
    T_SYSOK(pipe(p));
    T_ERRNO(pread(p[0], b, 1, 0), ESPIPE);
    T_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
    close(p[0]);
    close(p[1]);
}

T_CASE(readv_writev)
{
    int fd = open(P("iov"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
    T_EQ(writev(fd, w, 3), 8);
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    char x[2] = { 0 }, y[10] = { 0 };
    struct iovec r[2] = { { x, 1 }, { y, 10 } };
    T_EQ(readv(fd, r, 2), 8);
    T_EQ(x[0], 'a');
    T_STREQ(y, "bcdefgh");
    T_ERRNO(writev(fd, w, -1), EINVAL);
    T_ERRNO(writev(fd, w, 1025), EINVAL); /* > IOV_MAX */
    T_EQ(writev(fd, w, 0), 0);
    close(fd);
}

/* preadv2/pwritev2: an offset of -1 is the file position (and moves it),
 * any other leaves it; RWF_DSYNC/RWF_HIPRI are honoured or harmless;
 * unknown flags are EOPNOTSUPP and a negative offset other than -1
 * EINVAL, as Linux. */
T_CASE(preadv2_pwritev2)
{
    int fd = open(P("iov2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    struct iovec w[2] = { { "0123", 4 }, { "4567", 4 } };
    T_EQ(syscall(SYS_pwritev2, fd, w, 2, 0L, 0L, 0), 8);
    T_EQ(lseek(fd, 0, SEEK_CUR), 0);
    struct iovec w2[1] = { { "ab", 2 } };
    T_EQ(syscall(SYS_pwritev2, fd, w2, 1, 2L, 0L, 0x2 /* RWF_DSYNC */), 2);
    T_EQ(lseek(fd, 0, SEEK_CUR), 0);
    char x[3] = { 0 }, y[4] = { 0 };
    struct iovec r[2] = { { x, 2 }, { y, 3 } };
    T_EQ(syscall(SYS_preadv2, fd, r, 2, 1L, 0L, 0x1 /* RWF_HIPRI */), 5);
    T_STREQ(x, "1a");
    T_STREQ(y, "b45");
    T_EQ(lseek(fd, 0, SEEK_CUR), 0);
    /* -1: from the file position, which then moves. */
    T_EQ(lseek(fd, 6, SEEK_SET), 6);
    char z[3] = { 0 };
    struct iovec rz[1] = { { z, 2 } };
    T_EQ(syscall(SYS_preadv2, fd, rz, 1, -1L, 0L, 0), 2);
    T_STREQ(z, "67");
    T_EQ(lseek(fd, 0, SEEK_CUR), 8);
    T_ERRNO(syscall(SYS_preadv2, fd, r, 2, 0L, 0L, 0x1000), EOPNOTSUPP);
    T_ERRNO(syscall(SYS_preadv2, fd, r, 2, -2L, 0L, 0), EINVAL);
    T_ERRNO(syscall(SYS_pwritev2, fd, (void *)8, 1, 0L, 0L, 0), EFAULT);
    T_ERRNO(syscall(SYS_preadv2, 999, r, 2, 0L, 0L, 0), EBADF);
    close(fd);
}

T_CASE(access_faccessat)
{
    T_SYSOK(access(P("a"), F_OK));
    T_SYSOK(access(P("a"), R_OK | W_OK));
    T_ERRNO(access(P("nonexistent"), F_OK), ENOENT);
    T_ERRNO(access(P("a"), 0x40), EINVAL);
    T_SYSOK(chmod(P("a"), 0644));
    if (geteuid() == 0) {
        /* root: X_OK needs at least one execute bit */
        T_ERRNO(access(P("a"), X_OK), EACCES);
    }
    T_SYSOK(access(dir, X_OK));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    T_SYSOK(dfd);
    T_SYSOK(faccessat(dfd, "a", R_OK, 0));
    T_ERRNO(faccessat(dfd, "nonexistent", R_OK, 0), ENOENT);
    close(dfd);
}

T_CASE(at_functions)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    T_SYSOK(dfd);
    int fd = openat(dfd, "at_file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    close(fd);
    T_SYSOK(mkdirat(dfd, "at_dir", 0755));
    T_SYSOK(renameat(dfd, "at_file", dfd, "at_dir/f"));
    struct stat st;
    T_SYSOK(fstatat(dfd, "at_dir/f", &st, 0));
    T_SYSOK(unlinkat(dfd, "at_dir/f", 0));
    T_ERRNO(unlinkat(dfd, "at_dir", 0), EISDIR);
    T_SYSOK(unlinkat(dfd, "at_dir", AT_REMOVEDIR));
    int filefd = open(P("a"), O_RDONLY);
    T_ERRNO(openat(filefd, "x", O_RDONLY), ENOTDIR);
    T_ERRNO(openat(9999, "x", O_RDONLY), EBADF);
    /* absolute paths ignore dirfd */
    fd = openat(9999, P("a"), O_RDONLY);
    T_SYSOK(fd);
    close(fd);
    close(filefd);
    close(dfd);
}

T_CASE(getcwd_chdir_fchdir)
{
    char old[PATH_MAX];
    T_ASSERT(getcwd(old, sizeof old) != NULL);
    T_SYSOK(mkdir(P("cw"), 0755));
    T_SYSOK(chdir(P("cw")));
    char b[PATH_MAX];
    T_ASSERT(getcwd(b, sizeof b) != NULL);
    T_STREQ(b, P("cw"));
    T_SYSOK(put("relfile", "r")); /* relative to the new cwd */
    struct stat st;
    T_SYSOK(stat(P("cw/relfile"), &st));
    T_SYSOK(chdir(".."));
    T_ASSERT(getcwd(b, sizeof b) != NULL);
    T_STREQ(b, dir);
    int fd = open(P("cw"), O_RDONLY | O_DIRECTORY);
    T_SYSOK(fd);
    T_SYSOK(fchdir(fd));
    T_ASSERT(getcwd(b, sizeof b) != NULL);
    T_STREQ(b, P("cw"));
    close(fd);
    /* getcwd with a too-small buffer */
    errno = 0;
    T_ASSERT(syscall(SYS_getcwd, b, 3) == -1);
    T_EQ(errno, ERANGE);
    T_ERRNO(chdir(P("a")), ENOTDIR);
    T_ERRNO(chdir(P("nonexistent")), ENOENT);
    fd = open(P("a"), O_RDONLY);
    T_ERRNO(fchdir(fd), ENOTDIR);
    close(fd);
    T_SYSOK(chdir(old));
}

T_CASE(umask_affects_mode)
{
    mode_t old = umask(027);
    int fd = open(P("um"), O_WRONLY | O_CREAT | O_TRUNC, 0777);
    T_SYSOK(fd);
    close(fd);
    T_SYSOK(mkdir(P("umd"), 0777));
    T_EQ(umask(old), 027);
    struct stat st;
    T_SYSOK(stat(P("um"), &st));
    T_EQ(st.st_mode & 0777, 0750);
    T_SYSOK(stat(P("umd"), &st));
    T_EQ(st.st_mode & 0777, 0750);
}

T_CASE(enametoolong)
{
    char comp[300];
    memset(comp, 'n', 256);
    comp[256] = 0;
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, comp);
    T_ERRNO(open(path, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
    T_ERRNO(mkdir(path, 0755), ENAMETOOLONG);
    /* 255 is fine */
    comp[255] = 0;
    snprintf(path, sizeof path, "%s/%s", dir, comp);
    int fd = open(path, O_RDONLY | O_CREAT, 0644);
    T_SYSOK(fd);
    close(fd);
    T_SYSOK(unlink(path));
    /* whole path of 4096+ bytes */
    static char big[5000];
    size_t n = 0;
    while (n < 4200) {
        memcpy(big + n, "/xx", 3);
        n += 3;
    }
    big[n] = 0;
    struct stat st;
    T_ERRNO(stat(big, &st), ENAMETOOLONG);
    T_ERRNO(open(big, O_RDONLY), ENAMETOOLONG);
}

T_CASE(dev_null)
{
    int fd = open("/dev/null", O_RDWR);
    T_SYSOK(fd);
    char b[16];
    T_EQ(read(fd, b, sizeof b), 0);
    T_EQ(write(fd, "swallowed", 9), 9);
    T_EQ(write(fd, b, 0), 0);
    struct stat st;
    T_SYSOK(fstat(fd, &st));
    T_ASSERT(S_ISCHR(st.st_mode));
    close(fd);
}

T_CASE(dev_zero)
{
    int fd = open("/dev/zero", O_RDWR);
    T_SYSOK(fd);
    char b[5000];
    memset(b, 0x55, sizeof b);
    T_EQ(read(fd, b, sizeof b), (long)sizeof b);
    for (size_t i = 0; i < sizeof b; i++)
        if (b[i] != 0)
            T_FAIL("/dev/zero byte %zu = %d", i, b[i]);
    T_EQ(write(fd, b, 10), 10);
    close(fd);
}

T_CASE(dev_full)
{
    int fd = open("/dev/full", O_RDWR);
    T_SYSOK(fd);
    T_ERRNO(write(fd, "x", 1), ENOSPC);
    char b[8] = { 1 };
    T_EQ(read(fd, b, sizeof b), 8);
    T_EQ(b[0], 0);
    close(fd);
}

T_CASE(dev_urandom)
{
    int fd = open("/dev/urandom", O_RDONLY);
    T_SYSOK(fd);
    unsigned char a[64], b[64];
    T_EQ(read(fd, a, sizeof a), 64);
    T_EQ(read(fd, b, sizeof b), 64);
    T_ASSERT(memcmp(a, b, 64) != 0);
    close(fd);
}

T_CASE(bad_fds_ebadf)
{
    int fd = open(P("a"), O_RDONLY);
    T_SYSOK(fd);
    T_SYSOK(close(fd));
    T_ERRNO(close(fd), EBADF);
    char b[4];
    T_ERRNO(read(fd, b, 1), EBADF);
    T_ERRNO(read(-1, b, 1), EBADF);
    T_ERRNO(write(9999, b, 1), EBADF);
    T_ERRNO(lseek(9999, 0, SEEK_SET), EBADF);
    /* wrong access mode */
    fd = open(P("a"), O_RDONLY);
    T_ERRNO(write(fd, "x", 1), EBADF);
    close(fd);
    fd = open(P("a"), O_WRONLY);
    T_ERRNO(read(fd, b, 1), EBADF);
    close(fd);
}

T_CASE(fd_inherited_across_fork)
{
    int fd = open(P("fk"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0)
        _exit(write(fd, "child", 5) == 5 ? 0 : 1);
    T_EXITED(c, 0);
    /* the open file description (and offset) is shared */
    T_EQ(lseek(fd, 0, SEEK_CUR), 5);
    T_EQ(write(fd, "parent", 6), 6);
    close(fd);
    char b[16];
    T_EQ(get(P("fk"), b, sizeof b), 11);
    T_STREQ(b, "childparent");
}

T_CASE(large_file_io)
{
    int fd = open(P("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    static unsigned char w[1 << 20], r[1 << 20];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (unsigned char)(i * 31 + (i >> 10));
    T_EQ(write(fd, w, sizeof w), (long)sizeof w);
    T_EQ(lseek(fd, 0, SEEK_SET), 0);
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = read(fd, r + got, 7777);
        T_ASSERT(n > 0);
        got += (size_t)n;
    }
    T_ASSERT(memcmp(w, r, sizeof w) == 0);
    close(fd);
    T_SYSOK(unlink(P("big")));
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            char sub[1024];
            while ((e = readdir(d)) != NULL) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* utime(2): whole seconds, or the current time for NULL (struct utimbuf
 * is two longs on x86-64). */
T_CASE(utime_sets_seconds_or_now)
{
    struct { long actime, modtime; } ub = { 1000000000, 1234567890 };
    struct stat st;
    int fd = open(P("ut"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    close(fd);
    T_SYSOK(syscall(SYS_utime, P("ut"), &ub));
    T_SYSOK(stat(P("ut"), &st));
    T_EQ(st.st_atim.tv_sec, 1000000000);
    T_EQ(st.st_atim.tv_nsec, 0);
    T_EQ(st.st_mtim.tv_sec, 1234567890);
    T_EQ(st.st_mtim.tv_nsec, 0);
    time_t before = time(NULL);
    T_SYSOK(syscall(SYS_utime, P("ut"), NULL));
    T_SYSOK(stat(P("ut"), &st));
    T_ASSERT(st.st_mtim.tv_sec >= before && st.st_atim.tv_sec >= before);
    T_ERRNO(syscall(SYS_utime, P("no-such"), &ub), ENOENT);
    T_ERRNO(syscall(SYS_utime, P("ut"), (void *)8), EFAULT);
    T_SYSOK(unlink(P("ut")));
}

/* futimesat(2): microseconds, relative to a directory descriptor, or
 * with no path the descriptor's own file (Linux's do_utimes). */
T_CASE(futimesat_relative_and_by_descriptor)
{
    struct timeval tv[2] = { { 1000000000, 250000 }, { 1234567890, 5 } };
    struct stat st;
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    T_SYSOK(d);
    T_SYSOK(put(P("fut"), "x"));
    T_SYSOK(syscall(SYS_futimesat, d, "fut", tv));
    T_SYSOK(stat(P("fut"), &st));
    T_EQ(st.st_atim.tv_sec, 1000000000);
    T_EQ(st.st_atim.tv_nsec, 250000000);
    T_EQ(st.st_mtim.tv_sec, 1234567890);
    T_EQ(st.st_mtim.tv_nsec, 5000);
    int f = open(P("fut"), O_RDWR);
    T_SYSOK(f);
    tv[1].tv_sec = 42;
    T_SYSOK(syscall(SYS_futimesat, f, NULL, tv));
    T_SYSOK(fstat(f, &st));
    T_EQ(st.st_mtim.tv_sec, 42);
    tv[0].tv_usec = 1000000;
    T_ERRNO(syscall(SYS_futimesat, d, "fut", tv), EINVAL);
    T_ERRNO(syscall(SYS_futimesat, d, "no-such", NULL), ENOENT);
    T_ERRNO(syscall(SYS_futimesat, AT_FDCWD, NULL, NULL), EFAULT);
    close(f);
    close(d);
    T_SYSOK(unlink(P("fut")));
}

/* name_to_handle_at(2): the path is looked up first (ENOENT, bad flags
 * EINVAL); then a file system without export operations says
 * EOPNOTSUPP (all of ours; Linux's tmpfs gives a handle, so on Linux
 * the answer is 0 or EOVERFLOW for a too small buffer). */
T_CASE(name_to_handle_at_refused_after_lookup)
{
    struct { unsigned bytes; int type; unsigned char h[128]; } fh = { 128, 0, { 0 } };
    int mnt = 0;
    T_SYSOK(put(P("fh"), "x"));
    T_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, P("no-such"), &fh, &mnt, 0), ENOENT);
    T_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, P("fh"), &fh, &mnt, 0x1), EINVAL);
    errno = 0;
    long r = syscall(SYS_name_to_handle_at, AT_FDCWD, P("fh"), &fh, &mnt, 0);
    if (!(r == 0 || errno == EOPNOTSUPP || errno == EOVERFLOW))
        T_FAIL("name_to_handle_at: %ld errno %d", r, errno);
    T_SYSOK(unlink(P("fh")));
}

T_CASE(cleanup)
{
    rm_rf(dir);
    struct stat st;
    T_ERRNO(stat(dir, &st), ENOENT);
}

/* Extended attributes: the file is looked up and the name checked as
 * Linux does; a file system may store none (EOPNOTSUPP) or not have this
 * one (ENODATA). */
T_CASE(xattr_calls_checked)
{
    char v[16];
    T_SYSOK(put(P("xa"), "x"));
    T_ERRNO(getxattr(P("no-such"), "user.a", v, sizeof v), ENOENT);
    T_ERRNO(getxattr(P("xa"), (const char *)1, v, sizeof v), EFAULT);
    T_ERRNO(getxattr(P("xa"), "", v, sizeof v), ERANGE);
    T_ERRNO2(getxattr(P("xa"), "user.a", v, sizeof v), EOPNOTSUPP, ENODATA);
    T_ERRNO2(lgetxattr(P("xa"), "user.a", v, sizeof v), EOPNOTSUPP, ENODATA);
    T_ERRNO(fgetxattr(-1, "user.a", v, sizeof v), EBADF);
    T_ERRNO(setxattr(P("xa"), "user.a", "v", 1, 4), EINVAL); /* bad flags */
    T_ERRNO2(removexattr(P("xa"), "user.a"), EOPNOTSUPP, ENODATA);
    T_EQ(listxattr(P("xa"), NULL, 0), 0); /* a new file has none */
    T_ERRNO(listxattr(P("no-such"), NULL, 0), ENOENT);
    T_SYSOK(unlink(P("xa")));
}

/* No descriptor here is a socket: socket calls on a file say ENOTSOCK,
 * on a closed descriptor EBADF (bash probes stdin with getpeername). */
T_CASE(socket_calls_on_files)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    int fd;
    T_SYSOK(fd = open("/dev/null", O_RDONLY));
    T_ERRNO(getpeername(fd, (struct sockaddr *)&sa, &len), ENOTSOCK);
    T_ERRNO(getsockname(fd, (struct sockaddr *)&sa, &len), ENOTSOCK);
    T_ERRNO(shutdown(fd, SHUT_RDWR), ENOTSOCK);
    T_ERRNO(listen(fd, 1), ENOTSOCK);
    close(fd);
    T_ERRNO(getpeername(fd, (struct sockaddr *)&sa, &len), EBADF);
}

/* tmpfs(5) mount options: size= (bytes, k/m/g, a % of RAM) caps what the
 * files may hold (ENOSPC, and statfs shows it), mode=/uid=/gid= set the
 * root; an unknown option is EINVAL. */
/* A failed execve leaves nothing behind: a child working in a tmpfs
 * misses twice (a relative and an absolute path, as an execvp PATH
 * search does) and the tmpfs still unmounts. Each miss used to keep a
 * reference on the caller's working directory (found through coreutils'
 * timeout, whose execvp misses made its directory forever busy). */
/* write(2) from a mapping of the file being written: the copy faults on
 * the file's own pages (trinity found it a recursive-lock panic), and the
 * bytes land as read from the mapping. */
T_CASE(write_from_a_mapping_of_the_same_file)
{
    int fd = open(P("selfmap"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    T_SYSOK(fd);
    T_SYSOK(ftruncate(fd, 3 * 4096));
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    memset(m + 8192, 'z', 4096); /* the source page, written through the map */
    T_EQ(pwrite(fd, m + 8192, 4096, 0), 4096);
    T_ASSERT(m[0] == 'z' && m[4095] == 'z');
    /* Never touched before: the copy's fault brings the page in. */
    T_SYSOK(munmap(m, 3 * 4096));
    m = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
    T_ASSERT(m != MAP_FAILED);
    T_EQ(pwrite(fd, m + 4096, 4096, 8192), 4096); /* zeros from a hole */
    char b[4096];
    T_EQ(pread(fd, b, sizeof b, 8192), 4096);
    T_ASSERT(b[0] == 0 && b[4095] == 0);
    T_SYSOK(munmap(m, 3 * 4096));
    close(fd);
    T_SYSOK(unlink(P("selfmap")));
}

T_CASE(failed_execve_leaves_the_cwd_free)
{
    const char *dir = P("exec-miss");
    T_SYSOK(mkdir(dir, 0755));
    T_SYSOK(mount("none", dir, "tmpfs", 0, NULL));
    pid_t pid = t_fork();
    if (pid == 0) {
        char *argv[] = { "x", NULL };
        if (chdir(dir))
            _exit(1);
        if (execve("./no-such-program", argv, argv) != -1 || errno != ENOENT)
            _exit(2);
        if (execve("/no-such-dir/x", argv, argv) != -1 || errno != ENOENT)
            _exit(3);
        if (execve(".", argv, argv) != -1 || errno != EACCES)
            _exit(4);
        _exit(0);
    }
    T_EXITED(pid, 0);
    T_SYSOK(umount(dir));
    T_SYSOK(rmdir(dir));
}

T_CASE(tmpfs_size_and_mode_options)
{
    const char *dir = P("tmpfs-lim");
    T_SYSOK(mkdir(dir, 0755));
    T_ERRNO(mount("none", dir, "tmpfs", 0, "bogus=1"), EINVAL);
    T_ERRNO(mount("none", dir, "tmpfs", 0, "size=12q"), EINVAL);
    T_SYSOK(mount("none", dir, "tmpfs", 0, "size=150%")); /* allowed, as Linux */
    T_SYSOK(umount(dir));
    T_SYSOK(mount("none", dir, "tmpfs", 0, "size=64k,mode=711,uid=5"));
    struct stat st;
    T_SYSOK(stat(dir, &st));
    T_EQ(st.st_mode & 07777, 0711);
    T_EQ(st.st_uid, 5);
    struct statfs sf;
    T_SYSOK(statfs(dir, &sf));
    T_EQ(sf.f_blocks * sf.f_bsize, 65536);
    T_EQ(sf.f_bfree, sf.f_blocks);
    char path[256];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    T_SYSOK(fd);
    static char page[4096];
    long total = 0, r;
    while ((r = write(fd, page, sizeof page)) > 0)
        total += r;
    T_EQ(r, -1);
    T_EQ(errno, ENOSPC);
    T_EQ(total, 65536);
    T_SYSOK(statfs(dir, &sf));
    T_EQ(sf.f_bfree, 0);
    close(fd);
    T_SYSOK(unlink(path));
    T_SYSOK(statfs(dir, &sf));
    T_EQ(sf.f_bfree, sf.f_blocks);
    T_SYSOK(umount(dir));
    /* A share of RAM, and the default of half of it. */
    T_SYSOK(mount("none", dir, "tmpfs", 0, "size=10%"));
    struct statfs tenth;
    T_SYSOK(statfs(dir, &tenth));
    T_SYSOK(umount(dir));
    T_SYSOK(mount("none", dir, "tmpfs", 0, NULL));
    T_SYSOK(statfs(dir, &sf));
    T_SYSOK(umount(dir));
    T_ASSERT(tenth.f_blocks * 5 <= sf.f_blocks + 5 && tenth.f_blocks * 5 + 5 >= sf.f_blocks);
    T_SYSOK(rmdir(dir));
}

/* statfs on /proc: the proc magic and, as Linux's simple_statfs, no
 * blocks or inodes to count (df leaves such file systems out). */
T_CASE(statfs_proc_has_no_blocks)
{
    struct statfs sf;
    T_SYSOK(statfs("/proc", &sf));
    T_EQ(sf.f_type, 0x9fa0); /* PROC_SUPER_MAGIC */
    T_EQ(sf.f_blocks, 0);
    T_EQ(sf.f_files, 0);
    T_ASSERT(sf.f_bsize > 0);
}

/* posix_fadvise is advice: checked, then it changes nothing observable. */
T_CASE(fadvise_checked)
{
    int fd, p[2];
    T_SYSOK(put(P("fa"), "advice"));
    T_SYSOK(fd = open(P("fa"), O_RDONLY));
    T_EQ(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    T_EQ(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    T_ERRNO(syscall(SYS_fadvise64, fd, 0, 0, 99), EINVAL);
    char b[8];
    T_EQ(read(fd, b, sizeof b), 6);
    close(fd);
    T_ERRNO(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
    T_SYSOK(pipe(p));
    T_ERRNO(syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    close(p[0]), close(p[1]);
    T_SYSOK(unlink(P("fa")));
}

/* sync_file_range(2): Linux's argument checks; a write of a range of a
 * regular file succeeds (here it writes what fsync writes). */
T_CASE(sync_file_range_checked)
{
    int fd, p[2];
    T_SYSOK(put(P("sfr"), "range"));
    T_SYSOK(fd = open(P("sfr"), O_RDWR));
    T_EQ(syscall(SYS_sync_file_range, fd, 0, 0, 2), 0);       /* WRITE */
    T_EQ(syscall(SYS_sync_file_range, fd, 1, 3, 7), 0);       /* all three */
    T_EQ(syscall(SYS_sync_file_range, fd, 0, 0, 0), 0);       /* nothing */
    T_ERRNO(syscall(SYS_sync_file_range, fd, 0, 0, 8), EINVAL);
    T_ERRNO(syscall(SYS_sync_file_range, fd, (long)-1, 0L, 2), EINVAL);
    T_ERRNO(syscall(SYS_sync_file_range, fd, 0L, (long)-1, 2), EINVAL);
    T_ERRNO(syscall(SYS_sync_file_range, fd, (long)INT64_MAX, 2L, 2), EINVAL);
    close(fd);
    T_ERRNO(syscall(SYS_sync_file_range, fd, 0, 0, 2), EBADF);
    T_SYSOK(pipe(p));
    T_ERRNO(syscall(SYS_sync_file_range, p[0], 0, 0, 2), ESPIPE);
    close(p[0]), close(p[1]);
    T_SYSOK(unlink(P("sfr")));
}

int main(void)
{
    t_init("file");
    snprintf(dir, sizeof dir, "/tmp/t_file.%d", (int)getpid());
    if (mkdir(dir, 0755) != 0) {
        t_emit("FAIL file.setup: mkdir %s: errno=%d %s", dir, errno, t_errname(errno));
        t_nfail++;
        return t_done();
    }
    T_RUN(create_write_read);
    T_RUN(lseek_whence);
    T_RUN(lseek_hole_reads_zeros);
    T_RUN(o_append);
    T_RUN(o_trunc);
    T_RUN(o_excl_eexist);
    T_RUN(o_directory_enotdir);
    T_RUN(open_dir_for_write_eisdir);
    T_RUN(o_nofollow_eloop);
    T_RUN(symlink_loop_eloop);
    T_RUN(open_enoent);
    T_RUN(trailing_slash);
    T_RUN(stat_modes_sizes);
    T_RUN(fstat_matches_stat);
    T_RUN(timestamps_update);
    T_RUN(getdents64_lists_once);
    T_RUN(readdir_after_unlink);
    T_RUN(large_directory_names);
    T_RUN(mkdir_rmdir_errors);
    T_RUN(unlink_errors);
    T_RUN(unlinked_file_stays_open);
    T_RUN(rename_over_existing);
    T_RUN(rename_dir_cases);
    T_RUN(link_nlink);
    T_RUN(dir_nlink);
    T_RUN(symlink_readlink);
    T_RUN(chmod_reflected);
    T_RUN(ftruncate_up_down);
    T_RUN(dup_shares_offset);
    T_RUN(lowest_fd_reused);
    T_RUN(fcntl_fd_flags);
    T_RUN(fcntl_fl);
    T_RUN(pread_pwrite_keep_offset);
    T_RUN(readv_writev);
    T_RUN(preadv2_pwritev2);
    T_RUN(access_faccessat);
    T_RUN(at_functions);
    T_RUN(getcwd_chdir_fchdir);
    T_RUN(umask_affects_mode);
    T_RUN(enametoolong);
    T_RUN(dev_null);
    T_RUN(dev_zero);
    T_RUN(dev_full);
    T_RUN(dev_urandom);
    T_RUN(bad_fds_ebadf);
    T_RUN(fd_inherited_across_fork);
    T_RUN(large_file_io);
    T_RUN(xattr_calls_checked);
    T_RUN(socket_calls_on_files);
    T_RUN(fadvise_checked);
    T_RUN(sync_file_range_checked);
    T_RUN(statfs_proc_has_no_blocks);
    T_RUN(tmpfs_size_and_mode_options);
    T_RUN(utime_sets_seconds_or_now);
    T_RUN(futimesat_relative_and_by_descriptor);
    T_RUN(name_to_handle_at_refused_after_lookup);
    T_RUN(failed_execve_leaves_the_cwd_free);
    T_RUN(write_from_a_mapping_of_the_same_file);
    T_RUN(cleanup);
    return t_done();
}
