/* t_mq.c: POSIX message queues (man 7 mq_overview): mq_open's names,
 * flags, attributes and limits, mq_unlink, priority order, EMSGSIZE,
 * O_NONBLOCK, absolute timeouts, blocking both ways, mq_getsetattr,
 * mq_notify with SIGEV_SIGNAL, the descriptor as a file (poll, read,
 * fstat, fork, close-on-exec) and permissions. Passes on Linux as root
 * (the cases that need CAP_SYS_RESOURCE check it first). */
#include "t.h"

#include <mqueue.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

static char qname[64];

/* A name of this run's own: /t_mq.<pid>.<tag> */
static const char *nm(const char *tag)
{
    snprintf(qname, sizeof qname, "/t_mq.%d.%s", (int)getpid(), tag);
    return qname;
}

static mqd_t mkq(const char *tag, int flags, long maxmsg, long msgsize)
{
    struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
    mq_unlink(nm(tag));
    return mq_open(nm(tag), O_CREAT | O_EXCL | flags, 0600,
                   maxmsg ? &a : NULL);
}

static int has_cap(int cap)
{
    char line[256];
    unsigned long long eff = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &eff) == 1)
            break;
    fclose(f);
    return (eff >> cap) & 1;
}

/* Wait (generous deadline) until process pid sleeps in system call nr
 * (its state S, /proc/<pid>/syscall naming nr): then it is blocked
 * there, not on its way in. */
static int wait_blocked(pid_t pid, int nr)
{
    char path[64], buf[256];
    for (int i = 0; i < 30000; i++) {
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY);
        int n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        char *p = n > 0 ? (buf[n] = 0, strrchr(buf, ')')) : NULL;
        if (p && p[1] == ' ' && p[2] == 'S') {
            snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
            fd = open(path, O_RDONLY);
            n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
            if (fd >= 0)
                close(fd);
            if (n > 0 && (buf[n] = 0, atoi(buf) == nr))
                return 0;
        }
        usleep(1000);
    }
    return -1;
}

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

T_CASE(open_names_and_unlink)
{
    char longname[300];
    mqd_t q, q2;
    T_ERRNO(mq_open(nm("none"), O_RDWR), ENOENT);
    T_SYSOK(q = mkq("a", O_RDWR, 0, 0));
    T_ERRNO(mq_open(nm("a"), O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
    T_SYSOK(q2 = mq_open(nm("a"), O_CREAT | O_RDWR, 0600, NULL));
    T_ERRNO(mq_open(nm("a"), O_RDWR | O_WRONLY), EINVAL);
    T_SYSOK(close(q2));
    /* musl and glibc strip the leading '/'; the kernel sees the rest. */
    T_ERRNO(mq_open("/", O_CREAT | O_RDWR, 0600, NULL), ENOENT);
    T_ERRNO(mq_open("/a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES);
    T_ERRNO(mq_open("/..", O_CREAT | O_RDWR, 0600, NULL), EACCES);
    T_ERRNO(syscall(SYS_mq_open, (char *)8, O_RDWR, 0, NULL), EFAULT);
    memset(longname, 'x', sizeof longname);
    longname[0] = '/';
    longname[257] = 0; /* 256 characters after the '/' */
    T_ERRNO(mq_open(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG);
    longname[256] = 0; /* 255: NAME_MAX */
    mq_unlink(longname);
    T_SYSOK(q2 = mq_open(longname, O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
    T_SYSOK(close(q2));
    T_SYSOK(mq_unlink(longname));
    /* Unlinked while open: the name is gone, the queue lives on. */
    T_SYSOK(mq_send(q, "hi", 2, 1));
    T_SYSOK(mq_unlink(nm("a")));
    T_ERRNO(mq_unlink(nm("a")), ENOENT);
    T_ERRNO(mq_unlink("/"), ENOENT);
    T_ERRNO(mq_open(nm("a"), O_RDWR), ENOENT);
    T_SYSOK(q2 = mq_open(nm("a"), O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
    struct mq_attr at;
    T_SYSOK(mq_getattr(q2, &at));
    T_EQ(at.mq_curmsgs, 0); /* a new queue, not the old one */
    char buf[8192];
    unsigned prio = 0;
    T_EQ(mq_receive(q, buf, sizeof buf, &prio), 2);
    T_EQ(prio, 1);
    T_SYSOK(close(q));
    T_SYSOK(close(q2));
    T_SYSOK(mq_unlink(nm("a")));
}

T_CASE(defaults_and_attr_limits)
{
    struct mq_attr a;
    mqd_t q;
    T_SYSOK(q = mkq("d", O_RDWR, 0, 0));
    T_SYSOK(mq_getattr(q, &a));
    T_EQ(a.mq_maxmsg, 10);
    T_EQ(a.mq_msgsize, 8192);
    T_EQ(a.mq_curmsgs, 0);
    T_EQ(a.mq_flags, 0);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("d")));
    T_ERRNO(mkq("d", O_RDWR, 0 - 1, 16), EINVAL);
    T_ERRNO(mkq("d", O_RDWR, 4, -1), EINVAL);
    if (has_cap(24 /* CAP_SYS_RESOURCE */)) {
        /* Past msg_max and msgsize_max: allowed up to the hard caps. */
        T_SYSOK(q = mkq("d", O_RDWR, 100, 16));
        T_SYSOK(close(q));
        T_SYSOK(mq_unlink(nm("d")));
        T_ERRNO(mkq("d", O_RDWR, 65537, 1), EINVAL);
        T_ERRNO(mkq("d", O_RDWR, 1, 16 * 1024 * 1024 + 1), EINVAL);
    }
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        if (mkq("d", O_RDWR, 11, 16) != -1 || errno != EINVAL)
            _exit(3);
        if (mkq("d", O_RDWR, 1, 8193) != -1 || errno != EINVAL)
            _exit(4);
        mqd_t u = mkq("d", O_RDWR, 10, 8192);
        if (u < 0)
            _exit(5);
        close(u);
        mq_unlink(nm("d"));
        /* RLIMIT_MSGQUEUE: maxmsg * (48 + 48) + maxmsg * msgsize each
         * (mq_overview(7)), counted for the user. */
        struct rlimit rl = { 1000, 1000 };
        if (setrlimit(RLIMIT_MSGQUEUE, &rl) != 0)
            _exit(6);
        mqd_t q1 = mkq("r1", O_RDWR, 1, 100);  /* 196 */
        mqd_t q2 = mkq("r2", O_RDWR, 4, 100);  /* 784: 980 */
        if (q1 < 0 || q2 < 0)
            _exit(7);
        if (mkq("r3", O_RDWR, 1, 1) != -1 || errno != EMFILE)
            _exit(8);
        /* Unlinked but open: still counted; closed too: given back. */
        mq_unlink(nm("r1"));
        if (mkq("r3", O_RDWR, 1, 1) != -1 || errno != EMFILE)
            _exit(9);
        close(q1);
        mqd_t q3 = mkq("r3", O_RDWR, 1, 1);
        if (q3 < 0)
            _exit(10);
        close(q2);
        close(q3);
        mq_unlink(nm("r2"));
        mq_unlink(nm("r3"));
        _exit(0);
    }
    T_EXITED(pid, 0);
}

/* queues_max (256): ENOSPC for the 257th queue without
 * CAP_SYS_RESOURCE. Other queues of the system count too. */
T_CASE(queues_max)
{
    char tag[32];
    pid_t pid = t_fork();
    if (pid == 0) {
        int n = 0, err = 0;
        if (setuid(65534) != 0)
            _exit(2);
        for (; n < 300; n++) {
            snprintf(tag, sizeof tag, "n%d", n);
            mqd_t q = mkq(tag, O_RDWR, 1, 1);
            if (q < 0) {
                err = errno;
                break;
            }
            close(q);
        }
        for (int i = 0; i < n; i++) {
            snprintf(tag, sizeof tag, "n%d", i);
            mq_unlink(nm(tag));
        }
        _exit(err != ENOSPC ? 3 : n > 256 || n < 200 ? 4 : 0);
    }
    T_EXITED(pid, 0);
}

T_CASE(priority_order_and_fifo)
{
    static const struct { unsigned prio; const char *s; } in[] = {
        { 1, "a" }, { 5, "b" }, { 1, "c" }, { 5, "d" }, { 0, "e" },
        { 32767, "f" }, { 0, "g" },
    };
    static const char *out = "fbdaceg";
    char buf[64];
    unsigned prio;
    mqd_t q;
    T_SYSOK(q = mkq("p", O_RDWR, 10, 64));
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++)
        T_SYSOK(mq_send(q, in[i].s, 1, in[i].prio));
    T_ERRNO(mq_send(q, "x", 1, 32768), EINVAL);
    for (int i = 0; out[i]; i++) {
        T_EQ(mq_receive(q, buf, sizeof buf, &prio), 1);
        T_EQ(buf[0], out[i]);
    }
    T_EQ(prio, 0);
    /* prio may be NULL; a message may be empty. */
    T_SYSOK(mq_send(q, "", 0, 3));
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 0);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("p")));
}

T_CASE(msgsize_nonblock_and_access)
{
    char buf[128];
    mqd_t q, r, w;
    T_SYSOK(q = mkq("s", O_RDWR | O_NONBLOCK, 2, 64));
    T_ERRNO(mq_send(q, buf, 65, 0), EMSGSIZE);
    T_ERRNO(mq_receive(q, buf, 63, NULL), EMSGSIZE);
    T_ERRNO(mq_receive(q, buf, 64, NULL), EAGAIN);
    T_SYSOK(mq_send(q, buf, 64, 0));
    T_SYSOK(mq_send(q, "x", 1, 0));
    T_ERRNO(mq_send(q, "y", 1, 0), EAGAIN);
    T_ERRNO(mq_send(q, (char *)8, 1, 0), EFAULT);
    T_EQ(mq_receive(q, buf, 64, NULL), 64);
    T_SYSOK(r = mq_open(nm("s"), O_RDONLY));
    T_SYSOK(w = mq_open(nm("s"), O_WRONLY));
    T_ERRNO(mq_send(r, "z", 1, 0), EBADF);
    T_ERRNO(mq_receive(w, buf, sizeof buf, NULL), EBADF);
    T_ERRNO(mq_send(0, "z", 1, 0), EBADF); /* not a queue */
    T_EQ(mq_receive(r, buf, sizeof buf, NULL), 1);
    T_SYSOK(close(r));
    T_SYSOK(close(w));
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("s")));
}

T_CASE(timeouts)
{
    char buf[64];
    struct timespec ts;
    mqd_t q;
    T_SYSOK(q = mkq("t", O_RDWR, 1, 64));
    long t0 = now_ms();
    ts = in_ms(200);
    T_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), ETIMEDOUT);
    T_ASSERT(now_ms() - t0 >= 150);
    ts = in_ms(-1000); /* already past */
    T_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), ETIMEDOUT);
    ts.tv_nsec = 1000000000L;
    T_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), EINVAL);
    T_SYSOK(mq_send(q, "m", 1, 0));
    ts = in_ms(100);
    T_ERRNO(mq_timedsend(q, "n", 1, 0, &ts), ETIMEDOUT);
    /* Linux checks the timespec before it looks at the queue. */
    ts.tv_nsec = -1;
    T_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), EINVAL);
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("t")));
}

T_CASE(timed_receive_satisfied_by_forked_sender)
{
    char buf[64];
    unsigned prio;
    mqd_t q;
    T_SYSOK(q = mkq("f", O_RDWR, 4, 64));
    pid_t parent = getpid();
    pid_t pid = t_fork();
    if (pid == 0) {
        if (wait_blocked(parent, SYS_mq_timedreceive))
            _exit(2);
        _exit(mq_send(q, "late", 4, 7) ? 3 : 0);
    }
    struct timespec ts = in_ms(30000);
    T_EQ(mq_timedreceive(q, buf, sizeof buf, &prio, &ts), 4);
    T_ASSERT(memcmp(buf, "late", 4) == 0 && prio == 7);
    T_EXITED(pid, 0);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("f")));
}

T_CASE(blocking_send_woken_by_receiver)
{
    char buf[64];
    mqd_t q;
    T_SYSOK(q = mkq("b", O_RDWR, 1, 64));
    T_SYSOK(mq_send(q, "old", 3, 0));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(mq_send(q, "new", 3, 0) ? 3 : 0);
    T_SYSOK(wait_blocked(pid, SYS_mq_timedsend));
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 3);
    T_ASSERT(memcmp(buf, "old", 3) == 0);
    T_EXITED(pid, 0);
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 3);
    T_ASSERT(memcmp(buf, "new", 3) == 0);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("b")));
}

static void on_usr1(int sig)
{
    (void)sig;
}

T_CASE(receive_interrupted_by_signal)
{
    char buf[64];
    struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART */
    mqd_t q;
    T_SYSOK(sigaction(SIGUSR1, &sa, NULL));
    T_SYSOK(q = mkq("i", O_RDWR, 1, 64));
    pid_t parent = getpid();
    pid_t pid = t_fork();
    if (pid == 0) {
        if (wait_blocked(parent, SYS_mq_timedreceive))
            _exit(2);
        _exit(kill(parent, SIGUSR1) ? 3 : 0);
    }
    T_ERRNO(mq_receive(q, buf, sizeof buf, NULL), EINTR);
    T_EXITED(pid, 0);
    signal(SIGUSR1, SIG_DFL);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("i")));
}

T_CASE(getsetattr)
{
    struct mq_attr a = { 0 }, old;
    char buf[64];
    mqd_t q;
    T_SYSOK(q = mkq("g", O_RDWR, 3, 32));
    T_SYSOK(mq_send(q, "1", 1, 0));
    a.mq_flags = O_NONBLOCK;
    a.mq_maxmsg = 99; /* ignored */
    T_SYSOK(mq_setattr(q, &a, &old));
    T_EQ(old.mq_flags, 0);
    T_EQ(old.mq_maxmsg, 3);
    T_EQ(old.mq_msgsize, 32);
    T_EQ(old.mq_curmsgs, 1);
    T_SYSOK(mq_getattr(q, &old));
    T_EQ(old.mq_flags, O_NONBLOCK);
    T_EQ(old.mq_maxmsg, 3);
    T_ASSERT(fcntl(q, F_GETFL) & O_NONBLOCK);
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    T_ERRNO(mq_receive(q, buf, sizeof buf, NULL), EAGAIN);
    a.mq_flags = O_APPEND;
    T_ERRNO(mq_setattr(q, &a, NULL), EINVAL);
    T_ERRNO(mq_getattr(1, &old), EBADF);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("g")));
}

static int usr1_pending(void)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, SIGUSR1);
}

static int notify_sig(mqd_t q, int sig, int val)
{
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = val;
    return mq_notify(q, &ev);
}

T_CASE(notify_signal)
{
    sigset_t set;
    siginfo_t si;
    struct timespec to = { 30, 0 };
    char buf[64];
    mqd_t q, q2;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    T_SYSOK(sigprocmask(SIG_BLOCK, &set, NULL));
    T_SYSOK(q = mkq("n", O_RDWR, 4, 64));
    struct sigevent bad = { .sigev_notify = 99 };
    T_ERRNO(mq_notify(q, &bad), EINVAL);
    T_ERRNO(notify_sig(q, 65, 0), EINVAL);
    T_SYSOK(notify_sig(q, SIGUSR1, 42));
    T_ERRNO(notify_sig(q, SIGUSR1, 42), EBUSY);
    pid_t pid = t_fork();
    if (pid == 0) {
        if (notify_sig(q, SIGUSR2, 1) != -1 || errno != EBUSY)
            _exit(2);
        _exit(mq_send(q, "x", 1, 0) ? 3 : 0);
    }
    T_EXITED(pid, 0);
    T_EQ(sigtimedwait(&set, &si, &to), SIGUSR1);
    T_EQ(si.si_code, SI_MESGQ);
    T_EQ(si.si_value.sival_int, 42);
    T_EQ(si.si_pid, pid);
    T_EQ(si.si_uid, getuid());
    /* Used up: another message sends nothing. */
    T_SYSOK(mq_send(q, "y", 1, 0));
    T_ASSERT(!usr1_pending());
    /* Registered on a non-empty queue: only empty -> non-empty counts. */
    T_SYSOK(notify_sig(q, SIGUSR1, 7));
    T_SYSOK(mq_send(q, "z", 1, 0));
    T_ASSERT(!usr1_pending());
    for (int i = 0; i < 3; i++)
        T_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    T_SYSOK(mq_send(q, "w", 1, 0));
    T_EQ(sigtimedwait(&set, &si, &to), SIGUSR1);
    T_EQ(si.si_value.sival_int, 7);
    T_EQ(si.si_pid, getpid());
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    /* NULL unregisters; a child may then register, and its exit drops
     * its registration. */
    T_SYSOK(notify_sig(q, SIGUSR1, 8));
    T_SYSOK(mq_notify(q, NULL));
    pid = t_fork();
    if (pid == 0)
        _exit(notify_sig(q, SIGUSR2, 1) ? 2 : 0);
    T_EXITED(pid, 0);
    T_SYSOK(notify_sig(q, SIGUSR1, 9));
    /* Closing any descriptor of the queue drops the closer's. */
    T_SYSOK(q2 = mq_open(nm("n"), O_RDWR));
    T_SYSOK(close(q2));
    T_SYSOK(notify_sig(q, SIGUSR1, 10));
    /* SIGEV_NONE: registered, and used up, without a signal. */
    T_SYSOK(mq_notify(q, NULL));
    struct sigevent none = { .sigev_notify = SIGEV_NONE };
    T_SYSOK(mq_notify(q, &none));
    T_ERRNO(notify_sig(q, SIGUSR1, 1), EBUSY);
    T_SYSOK(mq_send(q, "v", 1, 0));
    T_ASSERT(!usr1_pending());
    T_SYSOK(notify_sig(q, SIGUSR1, 1));
    T_SYSOK(mq_notify(q, NULL));
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("n")));
    T_SYSOK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

T_CASE(poll_select_epoll)
{
    struct pollfd p;
    struct epoll_event ev = { .events = EPOLLIN }, got;
    fd_set rd;
    struct timeval tv = { 0, 0 };
    char buf[64];
    int ep;
    mqd_t q;
    T_SYSOK(q = mkq("o", O_RDWR, 1, 64));
    p = (struct pollfd){ .fd = q, .events = POLLIN | POLLOUT };
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLOUT);
    FD_ZERO(&rd);
    FD_SET(q, &rd);
    T_EQ(select(q + 1, &rd, NULL, NULL, &tv), 0);
    T_SYSOK(ep = epoll_create1(0));
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev));
    T_EQ(epoll_wait(ep, &got, 1, 0), 0);
    /* A sleeping poller is woken by a sender. */
    pid_t parent = getpid();
    pid_t pid = t_fork();
    if (pid == 0) {
        if (wait_blocked(parent, SYS_poll))
            _exit(2);
        _exit(mq_send(q, "x", 1, 0) ? 3 : 0);
    }
    p.events = POLLIN;
    T_EQ(poll(&p, 1, 30000), 1);
    T_EQ(p.revents, POLLIN);
    T_EXITED(pid, 0);
    p.events = POLLIN | POLLOUT;
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents, POLLIN); /* full */
    FD_ZERO(&rd);
    FD_SET(q, &rd);
    T_EQ(select(q + 1, &rd, NULL, NULL, &tv), 1);
    T_EQ(epoll_wait(ep, &got, 1, 0), 1);
    T_EQ(got.events, EPOLLIN);
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    T_EQ(epoll_wait(ep, &got, 1, 0), 0);
    T_SYSOK(close(ep));
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("o")));
}

T_CASE(read_text_fstat_lseek)
{
    char buf[256], want[128];
    struct stat st;
    mqd_t q;
    mode_t old = umask(022);
    mq_unlink(nm("r"));
    T_SYSOK(q = mq_open(nm("r"), O_CREAT | O_EXCL | O_RDWR, 0666, NULL));
    umask(old);
    T_SYSOK(fstat(q, &st));
    T_ASSERT(S_ISREG(st.st_mode));
    T_EQ(st.st_mode & 07777, 0644);
    T_EQ(st.st_uid, geteuid());
    T_EQ(st.st_gid, getegid());
    T_SYSOK(mq_send(q, "hello", 5, 0));
    T_SYSOK(mq_send(q, "goodbye", 7, 0));
    snprintf(want, sizeof want, "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
             12ul, 0, 0, 0);
    memset(buf, 0, sizeof buf);
    T_EQ(read(q, buf, sizeof buf), (long)strlen(want));
    T_STREQ(buf, want);
    T_EQ(read(q, buf, sizeof buf), 0);
    T_EQ(lseek(q, 0, SEEK_SET), 0);
    T_SYSOK(notify_sig(q, SIGUSR2, 0));
    snprintf(want, sizeof want, "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
             12ul, 0, SIGUSR2, (int)getpid());
    memset(buf, 0, sizeof buf);
    T_EQ(read(q, buf, sizeof buf), (long)strlen(want));
    T_STREQ(buf, want);
    T_SYSOK(mq_notify(q, NULL));
    T_ERRNO(write(q, "x", 1), EINVAL);
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("r")));
}

T_CASE(fork_inherits_and_cloexec)
{
    char buf[64];
    mqd_t q, c;
    T_SYSOK(q = mkq("k", O_RDWR, 4, 64));
    pid_t pid = t_fork();
    if (pid == 0)
        _exit(mq_send(q, "kid", 3, 2) ? 3 : 0);
    T_EXITED(pid, 0);
    T_EQ(mq_receive(q, buf, sizeof buf, NULL), 3);
    T_ASSERT(memcmp(buf, "kid", 3) == 0);
    /* Linux makes every queue descriptor close-on-exec, O_CLOEXEC or
     * not; clearing the flag keeps one across exec. */
    T_EQ(fcntl(q, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    T_SYSOK(c = mq_open(nm("k"), O_RDWR | O_CLOEXEC));
    T_EQ(fcntl(c, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    T_SYSOK(fcntl(q, F_SETFD, 0));
    /* Across exec: q stays, c is closed. */
    pid = t_fork();
    if (pid == 0) {
        char a1[16], a2[16];
        snprintf(a1, sizeof a1, "%d", (int)q);
        snprintf(a2, sizeof a2, "%d", (int)c);
        execl("/proc/self/exe", "t_mq", "check-fds", a1, a2, (char *)NULL);
        _exit(9);
    }
    T_EXITED(pid, 0);
    T_SYSOK(close(c));
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("k")));
}

T_CASE(permissions)
{
    mqd_t q, p;
    T_SYSOK(q = mkq("x", O_RDWR, 2, 16));
    mq_unlink(nm("y"));
    T_SYSOK(p = mq_open(nm("y"), O_CREAT | O_EXCL | O_RDWR, 0644, NULL));
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        snprintf(qname, sizeof qname, "/t_mq.%d.x", (int)getppid());
        if (mq_open(qname, O_RDONLY) != -1 || errno != EACCES)
            _exit(3);
        /* Another user's queue (Linux: EACCES, as the man page). */
        if (mq_unlink(qname) != -1 || errno != EACCES)
            _exit(4);
        snprintf(qname, sizeof qname, "/t_mq.%d.y", (int)getppid());
        mqd_t r = mq_open(qname, O_RDONLY);
        if (r < 0)
            _exit(5);
        if (mq_open(qname, O_WRONLY) != -1 || errno != EACCES)
            _exit(6);
        /* The descriptor, not the opener's rights, decides later. */
        if (mq_send(q, "a", 1, 0) != 0)
            _exit(7);
        _exit(0);
    }
    T_EXITED(pid, 0);
    T_SYSOK(close(p));
    T_SYSOK(close(q));
    T_SYSOK(mq_unlink(nm("x")));
    T_SYSOK(mq_unlink(nm("y")));
}

static long read_long(const char *path)
{
    char buf[32] = { 0 };
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 ? atol(buf) : -1;
}

static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    int n = write(fd, s, strlen(s));
    close(fd);
    return n == (int)strlen(s) ? 0 : -1;
}

T_CASE(proc_sys_fs_mqueue)
{
    const char *d = "/proc/sys/fs/mqueue/";
    char p[96];
    snprintf(p, sizeof p, "%smsg_max", d);
    T_EQ(read_long(p), 10);
    snprintf(p, sizeof p, "%smsgsize_max", d);
    T_EQ(read_long(p), 8192);
    snprintf(p, sizeof p, "%squeues_max", d);
    T_EQ(read_long(p), 256);
    snprintf(p, sizeof p, "%smsg_default", d);
    T_EQ(read_long(p), 10);
    snprintf(p, sizeof p, "%smsgsize_default", d);
    T_EQ(read_long(p), 8192);
    /* Root raises msg_max: an unprivileged user may then ask for more. */
    snprintf(p, sizeof p, "%smsg_max", d);
    if (write_str(p, "20\n") != 0)
        return; /* a read-only /proc/sys (a container) */
    T_EQ(read_long(p), 20);
    T_ERRNO(write_str(p, "0"), EINVAL);
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        mqd_t q = mkq("m", O_RDWR, 20, 16);
        if (q < 0)
            _exit(3);
        close(q);
        mq_unlink(nm("m"));
        if (write_str(p, "30") != -1 || errno != EACCES)
            _exit(4);
        _exit(0);
    }
    T_EXITED(pid, 0);
    T_SYSOK(write_str(p, "10"));
    T_EQ(read_long(p), 10);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "check-fds") == 0) {
        /* exec'ed by fork_inherits_and_cloexec */
        struct mq_attr a;
        if (mq_getattr(atoi(argv[2]), &a) != 0 || a.mq_maxmsg != 4)
            return 1;
        if (fcntl(atoi(argv[3]), F_GETFD) != -1 || errno != EBADF)
            return 2;
        return 0;
    }
    t_init("t_mq");
    T_RUN(open_names_and_unlink);
    T_RUN(defaults_and_attr_limits);
    T_RUN(queues_max);
    T_RUN(priority_order_and_fifo);
    T_RUN(msgsize_nonblock_and_access);
    T_RUN(timeouts);
    T_RUN(timed_receive_satisfied_by_forked_sender);
    T_RUN(blocking_send_woken_by_receiver);
    T_RUN(receive_interrupted_by_signal);
    T_RUN(getsetattr);
    T_RUN(notify_signal);
    T_RUN(poll_select_epoll);
    T_RUN(read_text_fstat_lseek);
    T_RUN(fork_inherits_and_cloexec);
    T_RUN(permissions);
    T_RUN(proc_sys_fs_mqueue);
    return t_done();
}
