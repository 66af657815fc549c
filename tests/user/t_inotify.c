/* t_inotify.c: inotify(7) as Linux: the events of names and contents, the
 * watch flags, the queue's rules and the errors. Runs in a fresh
 * directory under /tmp. */
#include "t.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static char dir[64];

struct ev {
    int wd;
    unsigned mask, cookie;
    char name[256];
};

/* Read every queued event (non-blocking instance) into evs; how many. */
static int drain(int fd, struct ev *evs, int max)
{
    static char buf[65536] __attribute__((aligned(8)));
    int n = 0;
    ssize_t len;

    while ((len = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < len;) {
            struct inotify_event *e = (struct inotify_event *)(buf + off);
            if (n < max) {
                evs[n].wd = e->wd;
                evs[n].mask = e->mask;
                evs[n].cookie = e->cookie;
                snprintf(evs[n].name, sizeof evs[n].name, "%s", e->len ? e->name : "");
            }
            n++;
            off += (ssize_t)sizeof *e + e->len;
        }
    }
    return n;
}

static void path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

T_CASE(init_and_bad_arguments)
{
    int fd, other;
    char buf[64];

    T_SYSOK(fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    T_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    T_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    T_ERRNO(read(fd, buf, sizeof buf), EAGAIN);
    T_ERRNO(inotify_init1(0x1234), EINVAL);
    T_ERRNO(inotify_add_watch(fd, dir, 0), EINVAL);
    T_ERRNO(inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
    T_ERRNO(inotify_add_watch(fd, "/nonexistent/x", IN_CREATE), ENOENT);
    T_ERRNO(inotify_add_watch(fd, "/proc/self/status", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
    T_ERRNO(inotify_add_watch(fd, (const char *)8, IN_CREATE), EFAULT);
    T_ERRNO(inotify_add_watch(-1, dir, IN_CREATE), EBADF);
    T_SYSOK(other = open("/dev/null", O_RDONLY));
    T_ERRNO(inotify_add_watch(other, dir, IN_CREATE), EINVAL);
    T_ERRNO(inotify_rm_watch(other, 1), EINVAL);
    T_ERRNO(inotify_rm_watch(fd, 12345), EINVAL);
    close(other);
    close(fd);
}

T_CASE(names_created_and_deleted)
{
    struct ev e[16];
    char f[128], d[128];
    int fd, wd, n;

    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    T_SYSOK(wd = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE));
    path(f, sizeof f, "file");
    path(d, sizeof d, "sub");
    int x;
    T_SYSOK(x = open(f, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_SYSOK(mkdir(d, 0700));
    T_SYSOK(unlink(f));
    T_SYSOK(rmdir(d));
    n = drain(fd, e, 16);
    T_EQ(n, 4);
    T_EQ(e[0].wd, wd);
    T_EQ(e[0].mask, IN_CREATE);
    T_STREQ(e[0].name, "file");
    T_EQ(e[1].mask, IN_CREATE | IN_ISDIR);
    T_STREQ(e[1].name, "sub");
    T_EQ(e[2].mask, IN_DELETE);
    T_STREQ(e[2].name, "file");
    T_EQ(e[3].mask, IN_DELETE | IN_ISDIR);
    T_STREQ(e[3].name, "sub");
    close(fd);
}

/* The record's layout: the name NUL-padded to a multiple of 16. */
T_CASE(record_layout_and_small_buffers)
{
    char buf[256] __attribute__((aligned(8)));
    char f[128];
    int fd, x, avail = 0;
    ssize_t len;

    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    T_SYSOK(inotify_add_watch(fd, dir, IN_CREATE));
    path(f, sizeof f, "abc");
    T_SYSOK(x = open(f, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_SYSOK(ioctl(fd, FIONREAD, &avail));
    T_EQ(avail, 32);
    struct pollfd p = { fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN);
    T_ERRNO(read(fd, buf, 31), EINVAL);  /* not even one record fits */
    T_SYSOK(len = read(fd, buf, sizeof buf));
    T_EQ(len, 32);
    struct inotify_event *e = (struct inotify_event *)buf;
    T_EQ(e->len, 16);
    T_STREQ(e->name, "abc");
    for (unsigned i = 3; i < e->len; i++)
        T_EQ(e->name[i], 0);
    T_EQ(poll(&p, 1, 0), 0);
    /* A record that cannot be copied out is lost, as on Linux. */
    T_SYSOK(unlink(f));
    T_SYSOK(x = open(f, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_ERRNO(read(fd, (void *)8, 64), EFAULT);
    T_ERRNO(read(fd, buf, sizeof buf), EAGAIN);
    T_SYSOK(unlink(f));
    close(fd);
}

/* An open file's events reach its own watch (no name) and its
 * directory's (with the name); identical events in a row merge. */
T_CASE(open_modify_access_close)
{
    struct ev e[32];
    char f[128], b[4];
    int fd, wdd, wdf, x, n;

    path(f, sizeof f, "data");
    T_SYSOK(x = open(f, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    T_SYSOK(wdd = inotify_add_watch(fd, dir, IN_ALL_EVENTS));
    T_SYSOK(wdf = inotify_add_watch(fd, f, IN_MODIFY | IN_CLOSE_WRITE));
    T_SYSOK(x = open(f, O_WRONLY));
    T_EQ(write(x, "ab", 2), 2);
    T_EQ(write(x, "cd", 2), 2);
    close(x);
    T_SYSOK(x = open(f, O_RDONLY));
    T_EQ(read(x, b, 4), 4);
    T_EQ(read(x, b, 4), 0); /* nothing read: no event */
    close(x);
    n = drain(fd, e, 32);
    /* The directory's watch first, then the file's; the two writes'
     * events alternate between the watches, so none merge. */
    static const struct { int dir; unsigned mask; } want[] = {
        { 1, IN_OPEN }, { 1, IN_MODIFY }, { 0, IN_MODIFY }, { 1, IN_MODIFY },
        { 0, IN_MODIFY }, { 1, IN_CLOSE_WRITE }, { 0, IN_CLOSE_WRITE },
        { 1, IN_OPEN }, { 1, IN_ACCESS }, { 1, IN_CLOSE_NOWRITE },
    };
    T_EQ(n, 10);
    for (int i = 0; i < 10; i++) {
        T_EQ(e[i].wd, want[i].dir ? wdd : wdf);
        T_EQ(e[i].mask, want[i].mask);
        T_STREQ(e[i].name, want[i].dir ? "data" : "");
    }
    /* Identical events in a row merge: two writes, one watch. */
    T_SYSOK(inotify_rm_watch(fd, wdd));
    T_SYSOK(x = open(f, O_WRONLY));
    T_EQ(write(x, "ab", 2), 2);
    T_EQ(write(x, "cd", 2), 2);
    n = drain(fd, e, 32);
    T_EQ(n, 2);
    T_EQ(e[0].mask, IN_IGNORED);
    T_EQ(e[1].mask, IN_MODIFY);
    close(x);
    T_SYSOK(unlink(f));
    close(fd);
}

T_CASE(rename_cookies_and_move_self)
{
    struct ev e[8];
    char a[128], b[128];
    int fd, wdd, wdf, x, n;

    path(a, sizeof a, "a");
    path(b, sizeof b, "b");
    T_SYSOK(x = open(a, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    T_SYSOK(wdd = inotify_add_watch(fd, dir, IN_MOVE));
    T_SYSOK(wdf = inotify_add_watch(fd, a, IN_MOVE_SELF));
    T_SYSOK(rename(a, b));
    n = drain(fd, e, 8);
    T_EQ(n, 3);
    T_EQ(e[0].mask, IN_MOVED_FROM);
    T_STREQ(e[0].name, "a");
    T_EQ(e[1].mask, IN_MOVED_TO);
    T_STREQ(e[1].name, "b");
    T_ASSERT(e[0].cookie != 0);
    T_EQ(e[0].cookie, e[1].cookie);
    T_EQ(e[2].wd, wdf);
    T_EQ(e[2].mask, IN_MOVE_SELF);
    (void)wdd;
    T_SYSOK(unlink(b));
    close(fd);
}

/* The last name goes: IN_ATTRIB for a link that remains, then
 * IN_DELETE_SELF and the watch ends with IN_IGNORED. */
T_CASE(delete_self_and_ignored)
{
    struct ev e[8];
    char a[128], l[128];
    int fd, wd, x, n;

    path(a, sizeof a, "victim");
    path(l, sizeof l, "link");
    T_SYSOK(x = open(a, O_CREAT | O_WRONLY, 0600));
    close(x);
    T_SYSOK(link(a, l));
    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    T_SYSOK(wd = inotify_add_watch(fd, a, IN_ATTRIB | IN_DELETE_SELF));
    T_SYSOK(unlink(l));
    T_SYSOK(unlink(a));
    n = drain(fd, e, 8);
    T_EQ(n, 3);
    T_EQ(e[0].mask, IN_ATTRIB);
    T_EQ(e[1].mask, IN_DELETE_SELF);
    T_EQ(e[2].mask, IN_IGNORED);
    T_EQ(e[2].wd, wd);
    T_ERRNO(inotify_rm_watch(fd, wd), EINVAL); /* already gone */
    close(fd);
}

T_CASE(watch_flags)
{
    struct ev e[8];
    char a[128];
    int fd, wd, wd2, x, n;

    path(a, sizeof a, "flags");
    T_SYSOK(x = open(a, O_CREAT | O_WRONLY, 0600));
    T_SYSOK(fd = inotify_init1(IN_NONBLOCK));
    /* One watch per inode: the same wd, its mask replaced or added to. */
    T_SYSOK(wd = inotify_add_watch(fd, a, IN_ATTRIB));
    T_SYSOK(wd2 = inotify_add_watch(fd, a, IN_MODIFY | IN_MASK_ADD));
    T_EQ(wd2, wd);
    T_ERRNO(inotify_add_watch(fd, a, IN_MODIFY | IN_MASK_CREATE), EEXIST);
    T_SYSOK(chmod(a, 0644));
    T_EQ(write(x, "x", 1), 1);
    n = drain(fd, e, 8);
    T_EQ(n, 2);
    T_EQ(e[0].mask, IN_ATTRIB);
    T_EQ(e[1].mask, IN_MODIFY);
    /* Replaced (no IN_MASK_ADD): attribute changes no longer count;
     * IN_ONESHOT: one event, then the watch is gone. */
    T_SYSOK(wd2 = inotify_add_watch(fd, a, IN_MODIFY | IN_ONESHOT));
    T_EQ(wd2, wd);
    T_SYSOK(chmod(a, 0600));
    T_EQ(write(x, "y", 1), 1);
    T_EQ(write(x, "z", 1), 1);
    n = drain(fd, e, 8);
    T_EQ(n, 2);
    T_EQ(e[0].mask, IN_MODIFY);
    T_EQ(e[1].mask, IN_IGNORED);
    /* inotify_rm_watch ends a watch with IN_IGNORED too. */
    T_SYSOK(wd = inotify_add_watch(fd, a, IN_MODIFY));
    T_ASSERT(wd != wd2); /* a new watch, a new descriptor */
    T_SYSOK(inotify_rm_watch(fd, wd));
    T_EQ(drain(fd, e, 8), 1);
    T_EQ(e[0].mask, IN_IGNORED);
    T_EQ(e[0].wd, wd);
    close(x);
    T_SYSOK(unlink(a));
    close(fd);
}

/* A blocking read waits for the event another process causes. */
T_CASE(blocking_read)
{
    char buf[256] __attribute__((aligned(8)));
    char a[128];
    int fd;

    path(a, sizeof a, "later");
    T_SYSOK(fd = inotify_init());
    T_SYSOK(inotify_add_watch(fd, dir, IN_CREATE));
    pid_t pid = t_fork();
    if (pid == 0) {
        int x = open(a, O_CREAT | O_WRONLY, 0600);
        _exit(x < 0);
    }
    T_ASSERT(read(fd, buf, sizeof buf) >= (ssize_t)sizeof(struct inotify_event));
    T_STREQ(((struct inotify_event *)buf)->name, "later");
    T_EXITED(pid, 0);
    T_SYSOK(unlink(a));
    close(fd);
}

int main(void)
{
    t_init("t_inotify");
    snprintf(dir, sizeof dir, "/tmp/t_inotify.%d", (int)getpid());
    if (mkdir(dir, 0700) != 0) {
        perror("mkdir");
        return 1;
    }
    T_RUN(init_and_bad_arguments);
    T_RUN(names_created_and_deleted);
    T_RUN(record_layout_and_small_buffers);
    T_RUN(open_modify_access_close);
    T_RUN(rename_cookies_and_move_self);
    T_RUN(delete_self_and_ignored);
    T_RUN(watch_flags);
    T_RUN(blocking_read);
    rmdir(dir);
    return t_done();
}
