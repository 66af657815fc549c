/* t_failinject: every allocation a system call makes may fail, and the
 * call then fails cleanly.
 *
 * Linux's fail-nth (/proc/thread-self/fail-nth, Documentation/
 * fault-injection/fault-injection.rst): writing N makes the calling
 * thread's Nth allocation from then on fail; reading it back gives 0 once
 * that failure was forced. Each case walks one system call through its
 * allocations, N = 1, 2, ... until the call makes fewer than N: every run
 * must succeed or fail with ENOMEM/EAGAIN (never another error, a crash
 * or a hang), leave no descriptor behind, and leave the system able to do
 * the same call again. A last case repeats all walks and checks that the
 * kernel heap (Slab: in /proc/meminfo) does not grow: a failed call frees
 * what it had taken. The kernel needs fault injection (CONFIG_FAULT_
 * INJECTION in Linux; always built in this kernel).
 *
 * `t_failinject --fs DIR` runs only the walks of file calls, in DIR: the
 * disk test runs it on ext4, and the host's e2fsck then judges what the
 * failed calls left on the disk. */
#include "t.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <netinet/in.h>

#define WALK_MAX 3000

static int nth_fd = -1;

static int nth_open(void)
{
    if (nth_fd < 0)
        nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
    return nth_fd;
}

static int nth_set(unsigned n)
{
    char s[16];
    int len = snprintf(s, sizeof s, "%u", n);
    return pwrite(nth_fd, s, (size_t)len, 0) == len ? 0 : -1;
}

static long nth_get(void)
{
    char s[16] = { 0 };
    if (pread(nth_fd, s, sizeof s - 1, 0) <= 0)
        return -1;
    return strtol(s, NULL, 10);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* One system call (or a libc call made of a few) to walk: setup before
 * the failure is armed, the call, and what undoes it. */
struct op {
    const char *name;
    int (*setup)(void);        /* 0, or -1: the walk cannot run */
    long (*call)(void);        /* >= 0, or -errno */
    int (*cleanup)(long ret);  /* 0, or -1: the state is wrong */
    int also;                  /* another errno Linux gives, or 0 */
};

static int fds[4];

static int close_fds(void)
{
    for (int i = 0; i < 4; i++)
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
    return 0;
}

static long sysret(long r) { return r < 0 ? -errno : r; }

/* open(O_CREAT) of a new file: after a failure the name may exist (as in
 * Linux, the inode can be made before a later step fails) but must be
 * removable. */
static long open_call(void) { return sysret(open("f", O_CREAT | O_EXCL | O_RDWR, 0644)); }
static int open_cleanup(long r)
{
    if (r >= 0)
        close((int)r);
    return unlink("f") == 0 || errno == ENOENT ? 0 : -1;
}

static long pipe_call(void) { return sysret(pipe2(fds, O_CLOEXEC)); }
static int fds_cleanup(long r) { (void)r; return close_fds(); }

static long socketpair_call(void) { return sysret(socketpair(AF_UNIX, SOCK_STREAM, 0, fds)); }

/* Pass a descriptor (SCM_RIGHTS) over a datagram pair. */
static int scm_setup(void)
{
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, fds) || pipe(fds + 2))
        return -1;
    return 0;
}
static long scm_call(void)
{
    char byte = 'x';
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
    struct iovec iov = { &byte, 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.b, .msg_controllen = sizeof u.b };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fds[2], sizeof(int));
    return sysret(sendmsg(fds[0], &m, MSG_DONTWAIT));
}
static int scm_cleanup(long r)
{
    char byte;
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
    struct iovec iov = { &byte, 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.b, .msg_controllen = sizeof u.b };
    int bad = 0;
    if (r == 1) { /* it was sent: it arrives whole, with its descriptor */
        struct cmsghdr *c;
        int got = -1;
        bad = recvmsg(fds[1], &m, MSG_DONTWAIT) != 1;
        c = CMSG_FIRSTHDR(&m);
        if (!bad && c && c->cmsg_type == SCM_RIGHTS)
            memcpy(&got, CMSG_DATA(c), sizeof got);
        bad = bad || got < 0;
        if (got >= 0)
            close(got);
    } else if (recvmsg(fds[1], &m, MSG_DONTWAIT) != -1 || errno != EAGAIN) {
        bad = 1; /* a failed send delivered something */
    }
    close_fds();
    return bad ? -1 : 0;
}

static int epoll_setup(void) { fds[0] = epoll_create1(0); return pipe(fds + 1) || fds[0] < 0 ? -1 : 0; }
static long epoll_call(void)
{
    struct epoll_event e = { .events = EPOLLIN, .data.u32 = 1 };
    return sysret(epoll_ctl(fds[0], EPOLL_CTL_ADD, fds[1], &e));
}
/* A failed add adds nothing; a successful one is there exactly once. */
static int epoll_cleanup(long r)
{
    struct epoll_event e = { .events = EPOLLIN };
    int again = epoll_ctl(fds[0], EPOLL_CTL_ADD, fds[1], &e);
    int bad = r == 0 ? !(again == -1 && errno == EEXIST) : again != 0;
    close_fds();
    return bad ? -1 : 0;
}

static long eventfd_call(void) { return sysret(eventfd(0, EFD_CLOEXEC)); }
static long timerfd_call(void) { return sysret(timerfd_create(CLOCK_MONOTONIC, 0)); }
static long signalfd_call(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    return sysret(signalfd(-1, &s, SFD_CLOEXEC));
}
static timer_t tmr;
static long timer_create_call(void) { return sysret(timer_create(CLOCK_MONOTONIC, NULL, &tmr)); }
static int timer_cleanup(long r) { return r != 0 || timer_delete(tmr) == 0 ? 0 : -1; }
static long ptmx_call(void) { return sysret(open("/dev/ptmx", O_RDWR | O_NOCTTY)); }
static long procfile_call(void) { return sysret(open("/proc/self/status", O_RDONLY)); }
static int close_ret(long r) { if (r >= 0) close((int)r); return 0; }

static int inotify_setup(void) { fds[0] = inotify_init1(IN_CLOEXEC); return fds[0] < 0 ? -1 : 0; }
static long inotify_call(void) { return sysret(inotify_add_watch(fds[0], ".", IN_ALL_EVENTS)); }

static long mkdir_call(void) { return sysret(mkdir("d", 0755)); }
static int mkdir_cleanup(long r) { (void)r; return rmdir("d") == 0 || errno == ENOENT ? 0 : -1; }

static int file_setup(void)
{
    int fd = open("a", O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0)
        return -1;
    fds[0] = fd;
    return 0;
}
static long rename_call(void) { return sysret(rename("a", "b")); }
/* Exactly one of the names exists afterwards. */
static int rename_cleanup(long r)
{
    int a = access("a", F_OK) == 0, b = access("b", F_OK) == 0;
    close_fds();
    unlink("a");
    unlink("b");
    return (r == 0 ? !a && b : a && !b) ? 0 : -1;
}
static long link_call(void) { return sysret(link("a", "b")); }
static long symlink_call(void) { return sysret(symlink("a", "b")); }
static int link_cleanup(long r)
{
    int b = access("b", F_OK) == 0 || errno != ENOENT;
    close_fds();
    unlink("a");
    unlink("b");
    return (r == 0) == b ? 0 : -1;
}

/* A write into new pages: all, a part, or ENOMEM; what it says it wrote
 * reads back. */
static char wbuf[65536], rbuf[65536];
static long write_call(void) { return sysret(pwrite(fds[0], wbuf, sizeof wbuf, 0)); }
static int write_cleanup(long r)
{
    int bad = r > (long)sizeof wbuf;
    if (r > 0)
        bad = bad || pread(fds[0], rbuf, (size_t)r, 0) != r || memcmp(wbuf, rbuf, (size_t)r);
    close_fds();
    unlink("a");
    return bad ? -1 : 0;
}

static long mmap_call(void)
{
    void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    ((volatile char *)p)[(1 << 20) - 1] = 1; /* the mapping works */
    munmap(p, 1 << 20);
    return 0;
}

static long fork_call(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(7);
    return sysret(p);
}
static int fork_cleanup(long r)
{
    int st = 0;
    if (r <= 0)
        return 0;
    return waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -1;
}

static void *thread_fn(void *a) { return a; }
static pthread_t thr;
static long thread_call(void)
{
    int e = pthread_create(&thr, NULL, thread_fn, (void *)7);
    return e ? -e : 0;
}
static int thread_cleanup(long r)
{
    void *v = NULL;
    if (r != 0)
        return 0;
    return pthread_join(thr, &v) == 0 && v == (void *)7 ? 0 : -1;
}

static long shmget_call(void) { return sysret(shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600)); }
static int shm_cleanup(long r) { return r < 0 || shmctl((int)r, IPC_RMID, NULL) == 0 ? 0 : -1; }
static long semget_call(void) { return sysret(semget(IPC_PRIVATE, 4, IPC_CREAT | 0600)); }
static int sem_cleanup(long r) { return r < 0 || semctl((int)r, 0, IPC_RMID) == 0 ? 0 : -1; }
static int msg_setup(void) { fds[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600); return fds[0] < 0 ? -1 : 0; }
static long msgsnd_call(void)
{
    struct { long type; char text[200]; } m = { 1, "hello" };
    return sysret(msgsnd(fds[0], &m, sizeof m.text, IPC_NOWAIT));
}
/* A sent message is there; a failed send left none. */
static int msg_cleanup(long r)
{
    struct { long type; char text[200]; } m;
    long got = msgrcv(fds[0], &m, sizeof m.text, 0, IPC_NOWAIT);
    int bad = r == 0 ? got != (long)sizeof m.text : got != -1;
    msgctl(fds[0], IPC_RMID, NULL);
    fds[0] = -1;
    return bad ? -1 : 0;
}

/* connect to a Unix listener: accepted once, or refused cleanly. */
static int unix_setup(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "\0t_failinject" };
    fds[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fds[1] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fds[0] < 0 || fds[1] < 0 ||
        bind(fds[0], (struct sockaddr *)&a, sizeof a.sun_family + 14) || listen(fds[0], 4))
        return -1;
    return 0;
}
static long unix_call(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "\0t_failinject" };
    return sysret(connect(fds[1], (struct sockaddr *)&a, sizeof a.sun_family + 14));
}
static int unix_cleanup(long r)
{
    int c = accept4(fds[0], NULL, NULL, SOCK_NONBLOCK);
    int bad = r == 0 ? c < 0 : c >= 0 || errno != EAGAIN;
    if (c >= 0)
        close(c);
    close_fds();
    return bad ? -1 : 0;
}
static int unix_fail_setup(void) { return unix_setup() || fcntl(fds[0], F_SETFL, O_NONBLOCK); }

/* A new socket is listed in /proc/net/<proto> until it is closed: one
 * that failed must not be (it was, freed, and reading the list touched
 * freed memory). */
static int read_all(const char *path)
{
    char buf[4096];
    int fd = open(path, O_RDONLY), bad = fd < 0;
    long n;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        ;
    if (fd >= 0)
        close(fd);
    return bad ? -1 : 0;
}
static long udp_socket_call(void) { return sysret(socket(AF_INET, SOCK_DGRAM, 0)); }
static long raw_socket_call(void) { return sysret(socket(AF_INET, SOCK_RAW, IPPROTO_RAW)); }
static int udp_socket_cleanup(long r) { close_ret(r); return read_all("/proc/net/udp"); }
static int raw_socket_cleanup(long r) { close_ret(r); return read_all("/proc/net/raw"); }

/* A datagram to a UDP socket on loopback: delivered whole or not at all. */
static struct sockaddr_in udp_addr;
static int udp_setup(void)
{
    socklen_t l = sizeof udp_addr;
    udp_addr = (struct sockaddr_in){ .sin_family = AF_INET,
                                     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    fds[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    fds[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fds[0] < 0 || fds[1] < 0 || bind(fds[1], (struct sockaddr *)&udp_addr, sizeof udp_addr) ||
        getsockname(fds[1], (struct sockaddr *)&udp_addr, &l))
        return -1;
    return 0;
}
static long udp_call(void)
{
    return sysret(sendto(fds[0], wbuf, 1000, 0, (struct sockaddr *)&udp_addr, sizeof udp_addr));
}
/* UDP may drop a datagram it said it sent (the receiver's buffer could
 * not be had); what arrives is whole. */
static int udp_cleanup(long r)
{
    long got = recv(fds[1], rbuf, sizeof rbuf, 0);
    int bad = got != -1 && (r != 1000 || got != 1000 || memcmp(wbuf, rbuf, 1000));
    close_fds();
    return bad ? -1 : 0;
}

/* execve in a child that armed itself: the new image tells (exit 7)
 * that it ran with the failure not yet forced; exit 3 is execve
 * answering ENOMEM/EAGAIN; past the point of no return Linux kills the
 * process (SIGKILL or SIGSEGV). */
static const char *self_path = "/proc/self/exe";

static const struct op ops[] = {
    /* tmpfs says ENOSPC when it cannot have an inode (Linux's
     * shmem_get_inode), whatever the reason. */
    { "open_creat", NULL, open_call, open_cleanup, ENOSPC },
    { "pipe2", NULL, pipe_call, fds_cleanup, 0 },
    { "socketpair", NULL, socketpair_call, fds_cleanup, 0 },
    /* A send that cannot have its buffer is ENOBUFS (Linux's
     * sock_alloc_send_pskb). */
    { "sendmsg_scm_rights", scm_setup, scm_call, scm_cleanup, ENOBUFS },
    { "epoll_ctl_add", epoll_setup, epoll_call, epoll_cleanup, 0 },
    { "eventfd", NULL, eventfd_call, close_ret, 0 },
    { "timerfd_create", NULL, timerfd_call, close_ret, 0 },
    { "signalfd", NULL, signalfd_call, close_ret, 0 },
    { "timer_create", NULL, timer_create_call, timer_cleanup, 0 },
    { "open_ptmx", NULL, ptmx_call, close_ret, 0 },
    { "open_proc_status", NULL, procfile_call, close_ret, 0 },
    { "inotify_add_watch", inotify_setup, inotify_call, fds_cleanup, 0 },
    { "mkdir", NULL, mkdir_call, mkdir_cleanup, ENOSPC },
    { "rename", file_setup, rename_call, rename_cleanup, 0 },
    { "link", file_setup, link_call, link_cleanup, 0 },
    { "symlink", file_setup, symlink_call, link_cleanup, ENOSPC },
    /* A page tmpfs cannot have is a full tmpfs here (see tmpfs_file.c). */
    { "pwrite_new_pages", file_setup, write_call, write_cleanup, ENOSPC },
    { "mmap_populate", NULL, mmap_call, NULL, 0 },
    { "fork", NULL, fork_call, fork_cleanup, 0 },
    { "pthread_create", NULL, thread_call, thread_cleanup, 0 },
    { "shmget", NULL, shmget_call, shm_cleanup, 0 },
    { "semget", NULL, semget_call, sem_cleanup, 0 },
    { "msgsnd", msg_setup, msgsnd_call, msg_cleanup, 0 },
    { "connect_unix", unix_fail_setup, unix_call, unix_cleanup, 0 },
    { "sendto_udp", udp_setup, udp_call, udp_cleanup, ENOBUFS },
    { "socket_udp", NULL, udp_socket_call, udp_socket_cleanup, 0 },
    { "socket_raw", NULL, raw_socket_call, raw_socket_cleanup, 0 },
};

/* Walk op through its allocations: the number it makes, or -1 with
 * t_msg set. */
static int walk(const struct op *o, char *why, size_t whylen)
{
    int base = count_fds();
    for (unsigned n = 1; n < WALK_MAX; n++) {
        long r, left;
        for (int i = 0; i < 4; i++)
            fds[i] = -1;
        if (o->setup && o->setup()) {
            snprintf(why, whylen, "%s: setup failed (errno %d)", o->name, errno);
            return -1;
        }
        if (nth_set(n)) {
            snprintf(why, whylen, "%s: cannot arm fail-nth (errno %d)", o->name, errno);
            return -1;
        }
        r = o->call();
        left = nth_get();
        nth_set(0);
        if (left < 0) {
            snprintf(why, whylen, "%s: reading fail-nth failed (errno %d)", o->name, errno);
            return -1;
        }
        if (left > 0 && r < 0) {
            snprintf(why, whylen, "%s: failed with %s without a forced failure",
                     o->name, t_errname((int)-r));
            return -1;
        }
        if (r < 0 && r != -ENOMEM && r != -EAGAIN && r != -o->also) {
            snprintf(why, whylen, "%s: allocation %u forced: errno %ld %s, not ENOMEM/EAGAIN",
                     o->name, n, -r, t_errname((int)-r));
            return -1;
        }
        if (o->cleanup && o->cleanup(r)) {
            snprintf(why, whylen, "%s: allocation %u forced (result %ld): state wrong after it",
                     o->name, n, r);
            return -1;
        }
        if (count_fds() != base) {
            snprintf(why, whylen, "%s: allocation %u forced: %d descriptors, was %d",
                     o->name, n, count_fds(), base);
            return -1;
        }
        if (left > 0)
            return (int)n - 1;
    }
    snprintf(why, whylen, "%s: still allocating after %d", o->name, WALK_MAX);
    return -1;
}

static int walk_exec(char *why, size_t whylen)
{
    for (unsigned n = 1; n < WALK_MAX; n++) {
        int st = 0;
        pid_t p = t_fork();
        if (p == 0) {
            char *argv[] = { "t_failinject", "--report-nth", NULL };
            close(nth_fd); /* the parent's thread's; the child has its own */
            nth_fd = -1;
            if (nth_open() < 0 || nth_set(n))
                _exit(5);
            execve(self_path, argv, (char *[]){ NULL });
            _exit(errno == ENOMEM || errno == EAGAIN ? 3 : 4);
        }
        if (p < 0 || waitpid(p, &st, 0) != p) {
            snprintf(why, whylen, "execve: fork/wait failed (errno %d)", errno);
            return -1;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 7)
            return (int)n - 1; /* it ran with the failure still ahead */
        if (WIFEXITED(st) && (WEXITSTATUS(st) == 3 || WEXITSTATUS(st) == 8 ||
                              WEXITSTATUS(st) == 9))
            continue;          /* ENOMEM, or forced in the new image */
        if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGKILL || WTERMSIG(st) == SIGSEGV))
            continue;          /* past the point of no return */
        snprintf(why, whylen, "execve: allocation %u forced: status 0x%x", n, st);
        return -1;
    }
    snprintf(why, whylen, "execve: still allocating after %d", WALK_MAX);
    return -1;
}

T_CASE(fail_nth_reads_back_and_resets)
{
    T_ASSERT(nth_open() >= 0);
    T_SYSOK(nth_set(5));
    T_EQ(nth_get(), 5); /* reading it allocates nothing */
    T_SYSOK(nth_set(0));
    T_EQ(nth_get(), 0);
    T_ERRNO(write(nth_fd, "x", 1), EINVAL);
    T_ERRNO(write(nth_fd, "99999999999", 11), ERANGE);
}

T_CASE(fail_nth_forces_enomem_once)
{
    int p[2];
    T_SYSOK(nth_set(1));
    T_ERRNO(pipe(p), ENOMEM);
    T_EQ(nth_get(), 0);
    T_SYSOK(pipe(p)); /* once only */
    close(p[0]);
    close(p[1]);
}

T_CASE(make_it_fail_is_0_or_1_and_inherited)
{
    int fd;
    char s[8] = { 0 };
    T_SYSOK(fd = open("/proc/self/make-it-fail", O_RDWR));
    T_SYSOK(pread(fd, s, sizeof s - 1, 0));
    T_STREQ(s, "0\n");
    T_ERRNO(pwrite(fd, "2", 1, 0), EINVAL);
    T_SYSOK(pwrite(fd, "1", 1, 0));
    pid_t c = t_fork();
    if (c == 0) {
        int f = open("/proc/self/make-it-fail", O_RDONLY);
        char b[8] = { 0 };
        _exit(f >= 0 && read(f, b, sizeof b - 1) == 2 && b[0] == '1' ? 0 : 1);
    }
    T_EXITED(c, 0);
    T_SYSOK(pwrite(fd, "0", 1, 0));
    /* Without CAP_SYS_RESOURCE it is EPERM (Linux proc_fault_inject_write). */
    c = t_fork();
    if (c == 0) {
        if (setuid(65534))
            _exit(2);
        _exit(pwrite(fd, "1", 1, 0) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(c, 0);
    close(fd);
    /* fail-nth is a thread's: /proc/<pid> has none. */
    T_ERRNO(access("/proc/self/fail-nth", F_OK), ENOENT);
}

/* With --fs DIR only the calls on files run, in DIR (an ext4 mount: the
 * disk test then has the host's e2fsck judge what they left). */
static int fs_only;
static int skipped(const struct op *o)
{
    static const char *const fs_ops[] = { "open_creat", "mkdir", "rename", "link",
                                          "symlink", "pwrite_new_pages" };
    if (!fs_only)
        return 0;
    for (size_t i = 0; i < sizeof fs_ops / sizeof fs_ops[0]; i++)
        if (!strcmp(o->name, fs_ops[i]))
            return 0;
    return 1;
}

static int allocs[sizeof ops / sizeof ops[0]];

T_CASE(every_allocation_of_each_call_fails_cleanly)
{
    char why[256];
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (skipped(&ops[i]))
            continue;
        allocs[i] = walk(&ops[i], why, sizeof why);
        if (allocs[i] < 0)
            T_FAIL("%s", why);
    }
    /* Some calls surely allocate: a new inode, a process. */
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, "open_creat") || (!fs_only && !strcmp(ops[i].name, "fork")))
            T_ASSERT(allocs[i] > 0);
}

T_CASE(execve_fails_cleanly_at_every_allocation)
{
    char why[256];
    int n = walk_exec(why, sizeof why);
    if (n < 0)
        T_FAIL("%s", why);
    T_ASSERT(n > 0);
}

static long slab_kb(void)
{
    char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    char *s;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    s = strstr(buf, "Slab:");
    return s ? strtol(s + 5, NULL, 10) : -1;
}

/* Each walk forces about as many failures as the call makes allocations;
 * four rounds of all of them force several hundred. A failed call that
 * kept one object would leave tens of KiB. */
T_CASE(failed_calls_leak_no_kernel_memory)
{
    char why[256];
    long before, after;
    int nfail = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!skipped(&ops[i]) && walk(&ops[i], why, sizeof why) < 0)
            T_FAIL("warm-up: %s", why);
    before = slab_kb();
    for (int round = 0; round < 4; round++)
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            int n = skipped(&ops[i]) ? 0 : walk(&ops[i], why, sizeof why);
            if (n < 0)
                T_FAIL("%s", why);
            nfail += n;
        }
    after = slab_kb();
    T_ASSERT(before > 0 && after > 0);
    if (after - before > 8)
        T_FAIL("Slab grew from %ld to %ld kB over %d forced failures", before, after, nfail);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--report-nth")) {
        /* exec_call's new image: was the armed failure still ahead? */
        if (nth_open() < 0)
            return 9;
        long left = nth_get();
        nth_set(0);
        return left > 0 ? 7 : 8;
    }
    const char *dir = "/tmp/t_failinject";
    if (argc == 3 && !strcmp(argv[1], "--fs")) {
        dir = argv[2];
        fs_only = 1;
    }
    t_init(fs_only ? "t_failinject_fs" : "t_failinject");
    if ((mkdir(dir, 0755) && errno != EEXIST) || chdir(dir)) {
        t_emit("FAIL t_failinject.setup: cannot work in %s (errno %d)", dir, errno);
        return 1;
    }
    if (nth_open() < 0) {
        t_emit("FAIL t_failinject.setup: no /proc/thread-self/fail-nth (errno %d): "
               "the kernel has no fault injection", errno);
        return 1;
    }
    memset(wbuf, 0x5a, sizeof wbuf);
    T_RUN(fail_nth_reads_back_and_resets);
    T_RUN(fail_nth_forces_enomem_once);
    T_RUN(make_it_fail_is_0_or_1_and_inherited);
    T_RUN(every_allocation_of_each_call_fails_cleanly);
    if (!fs_only)
        T_RUN(execve_fails_cleanly_at_every_allocation);
    T_RUN(failed_calls_leak_no_kernel_memory);
    return t_done();
}
