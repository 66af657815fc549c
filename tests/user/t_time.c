/* t_time.c: clocks, sleeps, timers, uname, getrandom. */
#include "t.h"

#include <stdint.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <pthread.h>
#include <time.h>

static int64_t ns_of(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ns_of(&t);
}

T_CASE(monotonic_never_backwards)
{
    struct timespec prev, cur;
    T_SYSOK(clock_gettime(CLOCK_MONOTONIC, &prev));
    for (int i = 0; i < 10000; i++) {
        T_SYSOK(clock_gettime(CLOCK_MONOTONIC, &cur));
        T_ASSERT(cur.tv_nsec >= 0 && cur.tv_nsec < 1000000000L);
        if (ns_of(&cur) < ns_of(&prev))
            T_FAIL("went backwards at %d: %lld -> %lld", i, (long long)ns_of(&prev),
                   (long long)ns_of(&cur));
        prev = cur;
    }
    /* also via the raw syscall (bypassing any vDSO) */
    T_SYSOK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &cur));
    T_ASSERT(ns_of(&cur) >= ns_of(&prev));
}

T_CASE(monotonic_advances)
{
    int64_t a = mono_ns();
    int64_t b = a;
    for (long i = 0; i < 100000000 && b == a; i++)
        b = mono_ns();
    T_ASSERT(b > a);
}

T_CASE(nanosleep_50ms)
{
    struct timespec req = { 0, 50 * 1000 * 1000 }, rem = { 9, 9 };
    int64_t a = mono_ns();
    T_SYSOK(nanosleep(&req, &rem));
    int64_t d = mono_ns() - a;
    T_ASSERT(d >= 50 * 1000000LL);
    T_ASSERT(d < 2000 * 1000000LL);
}

T_CASE(clock_nanosleep_abs)
{
    struct timespec t;
    T_SYSOK(clock_gettime(CLOCK_MONOTONIC, &t));
    t.tv_nsec += 30 * 1000 * 1000;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    T_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
    T_ASSERT(mono_ns() >= ns_of(&t));
    /* an absolute time in the past returns at once (not negative: a
     * freshly booted machine has little uptime, and a negative tv_sec
     * is EINVAL) */
    t.tv_sec = t.tv_sec >= 10 ? t.tv_sec - 10 : 0;
    T_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
}

T_CASE(nanosleep_zero)
{
    struct timespec req = { 0, 0 };
    T_SYSOK(nanosleep(&req, NULL));
}

T_CASE(nanosleep_einval)
{
    struct timespec req = { 0, 1000000000L };
    T_ERRNO(nanosleep(&req, NULL), EINVAL);
    req.tv_nsec = -1;
    T_ERRNO(nanosleep(&req, NULL), EINVAL);
    req.tv_sec = -1;
    req.tv_nsec = 0;
    T_ERRNO(nanosleep(&req, NULL), EINVAL);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int s)
{
    (void)s;
    alarms++;
}

T_CASE(nanosleep_interrupted_rem)
{
    alarm(0); /* cancel the harness watchdog */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    struct timespec req = { 5, 0 }, rem = { 0, 0 };
    T_ERRNO(nanosleep(&req, &rem), EINTR);
    T_EQ(alarms, 1);
    /* roughly 4.9 s remain */
    T_ASSERT(rem.tv_sec >= 4 && rem.tv_sec <= 5);
    T_ASSERT(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L);
}

T_CASE(realtime_after_2024)
{
    struct timespec t;
    T_SYSOK(clock_gettime(CLOCK_REALTIME, &t));
    T_ASSERT(t.tv_sec > 1704067200); /* 2024-01-01T00:00:00Z */
    T_ASSERT(t.tv_sec < 4102444800); /* 2100-01-01 */
    time_t now = time(NULL);
    T_ASSERT(now >= t.tv_sec && now <= t.tv_sec + 2);
    T_SYSOK(syscall(SYS_time, NULL));
}

T_CASE(gettimeofday_consistent)
{
    struct timeval tv;
    struct timespec a, b;
    T_SYSOK(clock_gettime(CLOCK_REALTIME, &a));
    T_SYSOK(gettimeofday(&tv, NULL));
    T_SYSOK(clock_gettime(CLOCK_REALTIME, &b));
    T_ASSERT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    int64_t g = (int64_t)tv.tv_sec * 1000000000LL + (int64_t)tv.tv_usec * 1000;
    T_ASSERT(g >= ns_of(&a) - 1000000000LL && g <= ns_of(&b) + 1000000000LL);
    /* raw syscall too */
    T_SYSOK(syscall(SYS_gettimeofday, &tv, NULL));
    g = (int64_t)tv.tv_sec * 1000000000LL + (int64_t)tv.tv_usec * 1000;
    T_ASSERT(g >= ns_of(&a) - 1000000000LL);
}

T_CASE(other_clocks)
{
    struct timespec t;
    T_SYSOK(clock_gettime(CLOCK_BOOTTIME, &t));
    T_SYSOK(clock_gettime(CLOCK_MONOTONIC_RAW, &t));
    T_SYSOK(clock_gettime(CLOCK_MONOTONIC_COARSE, &t));
    T_SYSOK(clock_gettime(CLOCK_REALTIME_COARSE, &t));
    T_SYSOK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t));
    T_SYSOK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t));
    struct timespec res;
    T_SYSOK(clock_getres(CLOCK_MONOTONIC, &res));
    T_ASSERT(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
    T_SYSOK(clock_getres(CLOCK_REALTIME, &res));
}

T_CASE(bad_clock_einval)
{
    struct timespec t;
    T_ERRNO(clock_gettime((clockid_t)12345, &t), EINVAL);
    T_ERRNO(syscall(SYS_clock_gettime, 12345, &t), EINVAL);
    T_ERRNO(syscall(SYS_clock_getres, 12345, &t), EINVAL);
    struct timespec req = { 0, 1000 };
    T_EQ(clock_nanosleep((clockid_t)12345, 0, &req, NULL), EINVAL);
}

T_CASE(setitimer_real_fires)
{
    alarm(0); /* cancel the harness watchdog */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    struct itimerval it = { { 0, 0 }, { 0, 50000 } }, cur;
    int64_t a = mono_ns();
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    T_SYSOK(getitimer(ITIMER_REAL, &cur));
    T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 50000);
    while (alarms == 0 && mono_ns() - a < 3000000000LL)
        pause();
    T_EQ(alarms, 1);
    T_ASSERT(mono_ns() - a >= 50000000LL);
    T_SYSOK(getitimer(ITIMER_REAL, &cur));
    T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0); /* one-shot: disarmed */
}

T_CASE(setitimer_periodic)
{
    alarm(0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, old;
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    int64_t a = mono_ns();
    while (alarms < 5 && mono_ns() - a < 5000000000LL)
        pause();
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    T_SYSOK(setitimer(ITIMER_REAL, &off, &old));
    T_ASSERT(alarms >= 5);
    T_EQ(old.it_interval.tv_usec, 20000);
    T_ASSERT(mono_ns() - a >= 80000000LL); /* 5 periods of 20 ms, give or take the first */
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    T_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    T_ERRNO(setitimer(99, &it, NULL), EINVAL);
}

T_CASE(alarm_default_kills_child)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        alarm(1);
        for (;;)
            pause();
    }
    T_KILLED(c, SIGALRM);
}

T_CASE(times_increasing)
{
    struct tms t;
    clock_t a = times(&t);
    T_ASSERT(a != (clock_t)-1);
    long hz = sysconf(_SC_CLK_TCK);
    T_ASSERT(hz > 0);
    struct timespec req = { 0, 60 * 1000 * 1000 };
    nanosleep(&req, NULL);
    clock_t b = times(&t);
    T_ASSERT(b > a);
    /* busy-loop to accumulate user time */
    int64_t s = mono_ns();
    volatile unsigned long x = 0;
    while (mono_ns() - s < 200000000LL)
        x++;
    T_ASSERT(times(&t) != (clock_t)-1);
    T_ASSERT(t.tms_utime + t.tms_stime > 0);
}

T_CASE(cputime_increases)
{
    struct timespec a, b;
    T_SYSOK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
    int64_t s = mono_ns();
    volatile unsigned long x = 0;
    while (mono_ns() - s < 50000000LL)
        x++;
    T_SYSOK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b));
    T_ASSERT(ns_of(&b) > ns_of(&a));
}

static int64_t tv_ns(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000000LL + (int64_t)tv.tv_usec * 1000LL;
}

/* Spin in user mode until this process has used `ns` of CPU time,
 * asking the clock only now and then. */
static void burn_user(int64_t ns)
{
    struct timespec t;
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 200000; i++)
            x++;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while (ns_of(&t) < ns);
}

/* A child's CPU time: wait4 reports it (user time for a user-mode loop),
 * it moves to the parent's RUSAGE_CHILDREN and times()' cutime, and not
 * to the parent's own RUSAGE_SELF. */
T_CASE(rusage_children_user_time)
{
    struct rusage self0, self1, kids0, kids1, wr;
    struct tms tm;
    int st;
    pid_t c;
    T_SYSOK(getrusage(RUSAGE_SELF, &self0));
    T_SYSOK(getrusage(RUSAGE_CHILDREN, &kids0));
    T_SYSOK(c = t_fork());
    if (c == 0) {
        burn_user(150000000LL);
        _exit(0);
    }
    T_EQ(wait4(c, &st, 0, &wr), c);
    T_ASSERT(WIFEXITED(st));
    T_ASSERT(tv_ns(wr.ru_utime) >= 100000000LL);
    T_ASSERT(tv_ns(wr.ru_utime) > tv_ns(wr.ru_stime));
    T_SYSOK(getrusage(RUSAGE_CHILDREN, &kids1));
    T_ASSERT(tv_ns(kids1.ru_utime) - tv_ns(kids0.ru_utime) >= 100000000LL);
    T_SYSOK(getrusage(RUSAGE_SELF, &self1));
    T_ASSERT(tv_ns(self1.ru_utime) - tv_ns(self0.ru_utime) < 100000000LL);
    T_ASSERT(times(&tm) != (clock_t)-1);
    T_ASSERT(tm.tms_cutime >= 10 * sysconf(_SC_CLK_TCK) / 100);
    T_ERRNO(getrusage(7, &wr), EINVAL);
}

/* Many system calls: system time shows up too. */
T_CASE(rusage_system_time)
{
    struct rusage a, b;
    T_SYSOK(getrusage(RUSAGE_SELF, &a));
    int64_t s = mono_ns();
    while (mono_ns() - s < 200000000LL)
        for (int i = 0; i < 100; i++)
            syscall(SYS_getppid);
    T_SYSOK(getrusage(RUSAGE_SELF, &b));
    T_ASSERT(tv_ns(b.ru_stime) > tv_ns(a.ru_stime));
    T_ASSERT(tv_ns(b.ru_utime) + tv_ns(b.ru_stime) >
             tv_ns(a.ru_utime) + tv_ns(a.ru_stime) + 50000000LL);
}

T_CASE(uname_linux_x86_64)
{
    struct utsname u;
    T_SYSOK(uname(&u));
    T_STREQ(u.sysname, "Linux");
    T_STREQ(u.machine, "x86_64");
    T_ASSERT(u.release[0] >= '0' && u.release[0] <= '9');
    T_ASSERT(strlen(u.nodename) < sizeof u.nodename);
    T_ASSERT(strlen(u.version) > 0);
}

T_CASE(getrandom_works)
{
    unsigned char a[32], b[32];
    T_EQ(getrandom(a, sizeof a, 0), 32);
    T_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 32);
    T_ASSERT(memcmp(a, b, sizeof a) != 0);
    T_EQ(getrandom(a, 0, 0), 0);
    T_ERRNO(getrandom(a, sizeof a, 0x4000), EINVAL);
    /* not all zero over 4 KiB */
    static unsigned char big[4096];
    T_EQ(getrandom(big, sizeof big, 0), 4096);
    int nz = 0;
    for (size_t i = 0; i < sizeof big; i++)
        nz += big[i] != 0;
    T_ASSERT(nz > 3000);
}

/* adjtimex reads the clock's discipline (as adjtime(3) and ntpd's
 * checks do): this kernel's clock is never synchronized, Linux's in a
 * VM without NTP neither; changing it needs CAP_SYS_TIME. */
T_CASE(adjtimex_reads_and_checks)
{
    struct timex tx = { 0 };
    int r = adjtimex(&tx);
    T_ASSERT(r == TIME_OK || r == TIME_ERROR);
    T_EQ(tx.tick, 10000);        /* USER_HZ 100 */
    T_ASSERT(tx.maxerror >= 0 && tx.esterror >= 0);
    T_ASSERT(tx.time.tv_sec > 1700000000);
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_OFFSET_SS_READ;
    T_ASSERT(adjtimex(&tx) >= 0);
    tx.modes = 0xa000; /* ADJ_ADJTIME without SINGLESHOT */
    T_ERRNO(adjtimex(&tx), EINVAL);
    T_ERRNO(syscall(SYS_adjtimex, (void *)8), EFAULT);
    memset(&tx, 0, sizeof tx);
    T_ASSERT(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0);
    T_ERRNO(syscall(SYS_clock_adjtime, 12345, &tx), EINVAL);
    /* adjtime(3) with a zero delta cancels any adjustment (root). */
    struct timeval zero = { 0, 0 }, olddelta;
    T_SYSOK(adjtime(&zero, &olddelta));
    T_SYSOK(adjtime(NULL, &olddelta));
    pid_t c = fork();
    if (c == 0) {
        struct timex t2 = { .modes = ADJ_FREQUENCY };
        if (setuid(65534) != 0)
            _exit(9);
        _exit(adjtimex(&t2) == -1 && errno == EPERM ? 0 : 1);
    }
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ioprio_get/ioprio_set (ioprio_set(2)): per thread, inherited by a
 * child; classes and levels checked; a group reports its best, with an
 * unset priority counting as best effort, level 4. */
#define IOPRIO(c, d) (((c) << 13) | (d))
T_CASE(ioprio_set_get)
{
    T_SYSOK(syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 7)));
    T_EQ(syscall(SYS_ioprio_get, 1, 0), IOPRIO(2, 7));
    T_EQ(syscall(SYS_ioprio_get, 1, getpid()), IOPRIO(2, 7));
    pid_t c = fork();
    if (c == 0)
        _exit(syscall(SYS_ioprio_get, 1, 0) == IOPRIO(2, 7) ? 0 : 1);
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_SYSOK(syscall(SYS_ioprio_set, 1, 0, IOPRIO(3, 0)));
    T_EQ(syscall(SYS_ioprio_get, 1, 0), IOPRIO(3, 0));
    T_ERRNO(syscall(SYS_ioprio_set, 1, 0, IOPRIO(4, 0)), EINVAL);
    T_ERRNO(syscall(SYS_ioprio_set, 1, 0, IOPRIO(0, 3)), EINVAL);
    T_ERRNO(syscall(SYS_ioprio_set, 9, 0, IOPRIO(2, 0)), EINVAL);
    T_ERRNO(syscall(SYS_ioprio_get, 9, 0), EINVAL);
    T_ERRNO(syscall(SYS_ioprio_get, 1, 999999), ESRCH);
    T_SYSOK(syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 1)));
    long g = syscall(SYS_ioprio_get, 2, 0); /* my group: at least me */
    T_ASSERT(g >= IOPRIO(1, 0) && g <= IOPRIO(2, 1));
    T_SYSOK(syscall(SYS_ioprio_set, 1, 0, IOPRIO(0, 0)));
    T_EQ(syscall(SYS_ioprio_get, 1, 0), 0);
    c = fork();
    if (c == 0) {
        if (setuid(65534) != 0)
            _exit(9);
        _exit(syscall(SYS_ioprio_set, 1, 0, IOPRIO(1, 0)) == -1 && errno == EPERM &&
              syscall(SYS_ioprio_set, 1, 1, IOPRIO(2, 0)) == -1 && errno == EPERM ? 0 : 1);
    }
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* --- timers on CPU clocks --- */
static volatile sig_atomic_t cpu_hits[65];
static void on_cpu_timer(int sig)
{
    cpu_hits[sig]++;
}

static int64_t clock_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return ns_of(&t);
}

/* Spin (user time) until n signals of sig came or the CPU clock ran
 * `limit_ms`; return the CPU time used. */
static int64_t spin_until(int sig, int n, int limit_ms)
{
    int64_t start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    volatile uint64_t x = 0;
    while (cpu_hits[sig] < n &&
           clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < (int64_t)limit_ms * 1000000)
        for (int i = 0; i < 10000; i++)
            x += (uint64_t)i;
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start;
}

/* ITIMER_VIRTUAL and ITIMER_PROF run on CPU time: they fire while the
 * process computes, not while it sleeps, and not before that much CPU
 * time was used; getitimer shows what is left; a sleep does not fire them. */
T_CASE(itimer_virtual_and_prof_count_cpu_time)
{
    int which[2] = { ITIMER_VIRTUAL, ITIMER_PROF };
    int sig[2] = { SIGVTALRM, SIGPROF };
    for (int k = 0; k < 2; k++) {
        struct itimerval it = { .it_value = { 0, 30000 } }, cur, off = { 0 };
        T_ASSERT(signal(sig[k], on_cpu_timer) != SIG_ERR);
        cpu_hits[sig[k]] = 0;
        it.it_value.tv_usec = 30000; /* 30 ms of CPU */
        T_SYSOK(setitimer(which[k], &it, NULL));
        T_SYSOK(getitimer(which[k], &cur));
        /* Linux adds a tick (4 ms at HZ=250) so it is never early. */
        T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
                 cur.it_value.tv_usec <= 30000 + 10000);
        usleep(100000); /* 100 ms asleep: almost no CPU time */
        T_EQ(cpu_hits[sig[k]], 0);
        int64_t used = spin_until(sig[k], 1, 5000);
        T_EQ(cpu_hits[sig[k]], 1);
        T_ASSERT(used >= 20000000); /* the sleep's CPU time aside */
        T_SYSOK(getitimer(which[k], &cur));
        T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
        /* Periodic: fires again and again; off stops it. */
        it.it_interval.tv_usec = 10000;
        T_SYSOK(setitimer(which[k], &it, NULL));
        spin_until(sig[k], 4, 5000);
        T_ASSERT(cpu_hits[sig[k]] >= 4);
        T_SYSOK(setitimer(which[k], &off, &cur));
        T_EQ(cur.it_interval.tv_usec, 10000);
        int was = cpu_hits[sig[k]];
        spin_until(sig[k], was + 1, 60);
        T_EQ(cpu_hits[sig[k]], was);
        signal(sig[k], SIG_DFL);
    }
}

/* A fork does not inherit the interval timers (setitimer(2)). */
T_CASE(itimer_prof_not_inherited_by_fork)
{
    struct itimerval it = { .it_value = { 5, 0 } }, cur;
    T_SYSOK(setitimer(ITIMER_PROF, &it, NULL));
    pid_t c = fork();
    if (c == 0) {
        getitimer(ITIMER_PROF, &cur);
        _exit(cur.it_value.tv_sec || cur.it_value.tv_usec ? 1 : 0);
    }
    int st;
    T_SYSOK(waitpid(c, &st, 0));
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct itimerval off = { 0 };
    T_SYSOK(setitimer(ITIMER_PROF, &off, NULL));
}

/* POSIX timers on the thread's and the process's CPU clocks fire after
 * that much CPU time (timer_create(2)); timer_gettime counts down on it. */
T_CASE(posix_timer_on_cpu_clocks)
{
    clockid_t clocks[2] = { CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID };
    for (int k = 0; k < 2; k++) {
        struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
        struct itimerspec its = { .it_value = { 0, 20000000 } }, cur;
        timer_t tid;
        T_ASSERT(signal(SIGUSR1, on_cpu_timer) != SIG_ERR);
        cpu_hits[SIGUSR1] = 0;
        T_SYSOK(timer_create(clocks[k], &ev, &tid));
        T_SYSOK(timer_settime(tid, 0, &its, NULL));
        T_SYSOK(timer_gettime(tid, &cur));
        T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
                 cur.it_value.tv_nsec <= 20000000);
        usleep(50000);
        T_EQ(cpu_hits[SIGUSR1], 0);
        int64_t used = spin_until(SIGUSR1, 1, 5000);
        T_EQ(cpu_hits[SIGUSR1], 1);
        T_ASSERT(used >= 10000000);
        /* Absolute: a CPU time already past fires at once. */
        its.it_value.tv_nsec = 1;
        T_SYSOK(timer_settime(tid, TIMER_ABSTIME, &its, NULL));
        spin_until(SIGUSR1, 2, 5000);
        T_EQ(cpu_hits[SIGUSR1], 2);
        T_SYSOK(timer_delete(tid));
        signal(SIGUSR1, SIG_DFL);
    }
}

/* --- POSIX timers (timer_create(2)) --- */
static volatile sig_atomic_t ptimer_hits;
static volatile int ptimer_code, ptimer_val;
static void on_ptimer(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    ptimer_hits++;
    ptimer_code = si->si_code;
    ptimer_val = si->si_value.sival_int;
}

T_CASE(posix_timer_oneshot_signal)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_ptimer;
    sa.sa_flags = SA_SIGINFO;
    T_SYSOK(sigaction(SIGUSR1, &sa, NULL));
    ptimer_hits = 0;
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 4242;
    timer_t tid;
    T_SYSOK(timer_create(CLOCK_MONOTONIC, &ev, &tid));
    struct itimerspec its = { .it_value = { 0, 20 * 1000 * 1000 } };
    T_SYSOK(timer_settime(tid, 0, &its, NULL));
    struct itimerspec cur;
    T_SYSOK(timer_gettime(tid, &cur));
    T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
    for (int i = 0; i < 200 && !ptimer_hits; i++)
        usleep(5000);
    T_EQ(ptimer_hits, 1);
    T_EQ(ptimer_code, SI_TIMER);
    T_EQ(ptimer_val, 4242);
    T_SYSOK(timer_gettime(tid, &cur));
    T_ASSERT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    T_SYSOK(timer_delete(tid));
    signal(SIGUSR1, SIG_DFL);
}

T_CASE(posix_timer_periodic)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_ptimer;
    sa.sa_flags = SA_SIGINFO;
    T_SYSOK(sigaction(SIGUSR2, &sa, NULL));
    ptimer_hits = 0;
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    timer_t tid;
    T_SYSOK(timer_create(CLOCK_REALTIME, &ev, &tid));
    struct itimerspec its = { .it_interval = { 0, 10 * 1000 * 1000 },
                              .it_value = { 0, 10 * 1000 * 1000 } };
    T_SYSOK(timer_settime(tid, 0, &its, NULL));
    for (int i = 0; i < 400 && ptimer_hits < 3; i++)
        usleep(5000);
    T_ASSERT(ptimer_hits >= 3);
    struct itimerspec off = { 0 };
    T_SYSOK(timer_settime(tid, 0, &off, NULL));
    T_SYSOK(timer_delete(tid));
    signal(SIGUSR2, SIG_DFL);
}

T_CASE(posix_timer_errors)
{
    timer_t tid;
    T_ERRNO(syscall(SYS_timer_create, 12345, NULL, &tid), EINVAL);
    T_ERRNO(syscall(SYS_timer_delete, 31), EINVAL);
    T_ERRNO(syscall(SYS_timer_getoverrun, 31), EINVAL);
    int kid;
    T_SYSOK(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &kid));
    struct itimerspec bad = { .it_value = { 0, 1000000000 } };
    T_ERRNO(syscall(SYS_timer_settime, kid, 0, &bad, NULL), EINVAL);
    T_SYSOK(syscall(SYS_timer_delete, kid));
    T_ERRNO(syscall(SYS_timer_delete, kid), EINVAL);
}

/* Two threads on one POSIX timer id: one creates and deletes it, the other
 * sets and reads it. Each call either finds the timer or gets EINVAL; the
 * kernel must not use a timer the other thread just freed. */
static volatile int race_stop;

static void *race_setter(void *arg)
{
    struct itimerspec v = { .it_value = { 10, 0 } }, o;
    (void)arg;
    while (!race_stop) {
        syscall(SYS_timer_settime, 0, 0, &v, &o);
        syscall(SYS_timer_gettime, 0, &o);
        syscall(SYS_timer_getoverrun, 0);
    }
    return NULL;
}

T_CASE(posix_timer_delete_races_settime)
{
    pthread_t th;
    int kid, bad = 0;

    race_stop = 0;
    T_ASSERT(pthread_create(&th, NULL, race_setter, NULL) == 0);
    for (int i = 0; i < 3000; i++) {
        if (syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &kid) != 0) {
            bad++;
            continue;
        }
        if (syscall(SYS_timer_delete, kid) != 0)
            bad++;
    }
    race_stop = 1;
    pthread_join(th, NULL);
    if (bad)
        T_FAIL("%d create/delete calls failed", bad);
}

/* A periodic timer whose signal is blocked is not re-armed while the
 * signal waits: the periods that pass become the overrun count of the one
 * signal taken (timer_create(2): "only a single instance is queued"). */
T_CASE(posix_timer_overrun_counts_blocked_periods)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    T_SYSOK(sigprocmask(SIG_BLOCK, &set, NULL));
    struct sigevent ev = { 0 };
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    timer_t tid;
    T_SYSOK(timer_create(CLOCK_MONOTONIC, &ev, &tid));
    const int64_t period = 1000 * 1000; /* 1 ms */
    struct itimerspec its = { .it_interval = { 0, period }, .it_value = { 0, period } };
    int64_t t0 = mono_ns();
    T_SYSOK(timer_settime(tid, 0, &its, NULL));
    while (mono_ns() - t0 < 60 * period)
        usleep(10000);
    siginfo_t si;
    struct timespec wait = { 10, 0 };
    T_EQ(sigtimedwait(&set, &si, &wait), SIGRTMIN);
    int64_t elapsed = mono_ns() - t0;
    T_EQ(si.si_code, SI_TIMER);
    /* Expirations by now: elapsed / period; one was the signal. */
    T_ASSERT(si.si_overrun >= 50 && si.si_overrun <= elapsed / period);
    T_EQ(syscall(SYS_timer_getoverrun, (long)(intptr_t)tid), si.si_overrun);
    /* Re-armed at delivery: the next signal comes, with a small overrun. */
    T_EQ(sigtimedwait(&set, &si, &wait), SIGRTMIN);
    T_SYSOK(timer_delete(tid));
    /* An expiry between that wait and the delete queued one more, if
     * the machine was slow (a 1 ms period), and Linux keeps a queued
     * timer signal after timer_delete: take it before unblocking, or
     * its default action ends the process. */
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&set, &si, &zero) == SIGRTMIN)
        ;
    T_SYSOK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

/* A period of 1 ns must not starve the system. Signalled to a handler,
 * it starves the process itself (on Linux too: each return to user mode
 * delivers the next expiry), but others run, and it can be killed
 * (stress-ng --timer hung this kernel so). Ignored or with no
 * notification, it costs its process next to nothing. */
static void on_tiny(int sig) { (void)sig; }

T_CASE(posix_timer_1ns_period_does_not_starve)
{
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        signal(SIGUSR1, on_tiny);
        struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
        timer_t tid;
        if (timer_create(CLOCK_MONOTONIC, &ev, &tid))
            _exit(1);
        struct itimerspec its = { .it_interval = { 0, 1 }, .it_value = { 0, 1 } };
        timer_settime(tid, 0, &its, NULL);
        for (;;)
            ;
    }
    /* The parent gets its work done beside the storm (a starved parent
     * would end the test by its watchdog, not by a clock). */
    for (int i = 0; i < 20000; i++)
        T_EQ(getppid(), getppid());
    T_SYSOK(kill(pid, SIGKILL));
    int st;
    T_EQ(waitpid(pid, &st, 0), pid);
    T_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    static const int notify[2] = { SIGEV_SIGNAL, SIGEV_NONE };
    for (int k = 0; k < 2; k++) {
        signal(SIGUSR1, SIG_IGN);
        struct sigevent ev = { .sigev_notify = notify[k], .sigev_signo = SIGUSR1 };
        timer_t tid;
        T_SYSOK(timer_create(CLOCK_MONOTONIC, &ev, &tid));
        struct itimerspec its = { .it_interval = { 0, 1 }, .it_value = { 0, 1 } };
        T_SYSOK(timer_settime(tid, 0, &its, NULL));
        for (int i = 0; i < 20000; i++)
            T_EQ(getppid(), getppid());
        struct itimerspec cur;
        T_SYSOK(timer_gettime(tid, &cur));
        T_ASSERT(cur.it_interval.tv_nsec == 1 && cur.it_value.tv_sec == 0 &&
                 cur.it_value.tv_nsec <= 1);
        T_SYSOK(timer_delete(tid));
    }
    signal(SIGUSR1, SIG_DFL);
}

/* Another process's CPU clock (clock_getcpuclockid): what it has run,
 * read while it is alive; no such process: ESRCH. */
T_CASE(cpu_clock_of_another_process)
{
    int go[2], done[2];
    T_SYSOK(pipe(go));
    T_SYSOK(pipe(done));
    pid_t c = fork();
    if (c == 0) {
        struct timespec t0, t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        do
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        while (ns_of(&t) - ns_of(&t0) < 100 * 1000 * 1000);
        char b = 1;
        if (write(done[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
            _exit(1);
        _exit(0);
    }
    char b;
    T_EQ(read(done[0], &b, 1), 1);
    clockid_t cid;
    T_EQ(clock_getcpuclockid(c, &cid), 0);
    struct timespec cpu;
    T_SYSOK(clock_gettime(cid, &cpu));
    T_ASSERT(ns_of(&cpu) >= 100 * 1000 * 1000 && ns_of(&cpu) < 60LL * 1000000000);
    T_EQ(write(go[1], &b, 1), 1);
    T_EXITED(c, 0);
    /* The child is reaped: its clock is gone (Linux: EINVAL). */
    T_ERRNO(clock_gettime((clockid_t)((-c - 1) * 8 + 2), &cpu), EINVAL);
    T_SYSOK(pthread_getcpuclockid(pthread_self(), &cid));
    T_SYSOK(clock_gettime(cid, &cpu));
    T_ASSERT(ns_of(&cpu) > 0);
    for (int i = 0; i < 2; i++) {
        close(go[i]);
        close(done[i]);
    }
}

/* The state letter of /proc/<pid>/stat. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

static int wait_state(pid_t pid, char want)
{
    for (int i = 0; i < 6000; i++) {
        if (proc_state(pid) == want)
            return 1;
        usleep(10000);
    }
    return 0;
}

/* A stop and continue, which run no handler, do not cut a sleep short:
 * nanosleep goes on through restart_syscall to its deadline (Linux's
 * restart block), and so does an absolute clock_nanosleep. */
T_CASE(sleep_survives_stop_and_continue)
{
    for (int absolute = 0; absolute < 2; absolute++) {
        int p[2];
        T_SYSOK(pipe(p));
        pid_t pid = t_fork();
        if (pid == 0) {
            struct timespec t0, t1, req = { 0, 400000000 }, rem = { 9, 9 };
            int r;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            if (write(p[1], "x", 1) != 1)
                _exit(9);
            if (absolute) {
                struct timespec until = t0;
                until.tv_nsec += 400000000;
                if (until.tv_nsec >= 1000000000) {
                    until.tv_sec++;
                    until.tv_nsec -= 1000000000;
                }
                r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            } else {
                r = nanosleep(&req, &rem);
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
            _exit(r != 0 ? 1 : ns < 400000000 ? 2 : 0);
        }
        char c;
        T_EQ(read(p[0], &c, 1), 1);
        T_ASSERT(wait_state(pid, 'S'));  /* in the sleep */
        T_SYSOK(kill(pid, SIGSTOP));
        T_ASSERT(wait_state(pid, 'T'));
        T_SYSOK(kill(pid, SIGCONT));
        T_EXITED(pid, 0);
        close(p[0]);
        close(p[1]);
    }
    /* With nothing to restart, restart_syscall is EINTR. */
    T_ERRNO(syscall(SYS_restart_syscall), EINTR);
}

int main(void)
{
    t_init("time");
    T_RUN(monotonic_never_backwards);
    T_RUN(monotonic_advances);
    T_RUN(nanosleep_50ms);
    T_RUN(clock_nanosleep_abs);
    T_RUN(nanosleep_zero);
    T_RUN(nanosleep_einval);
    T_RUN(nanosleep_interrupted_rem);
    T_RUN(realtime_after_2024);
    T_RUN(gettimeofday_consistent);
    T_RUN(other_clocks);
    T_RUN(bad_clock_einval);
    T_RUN(setitimer_real_fires);
    T_RUN(setitimer_periodic);
    T_RUN(alarm_default_kills_child);
    T_RUN(times_increasing);
    T_RUN(cputime_increases);
    T_RUN(rusage_children_user_time);
    T_RUN(rusage_system_time);
    T_RUN(uname_linux_x86_64);
    T_RUN(getrandom_works);
    T_RUN(posix_timer_oneshot_signal);
    T_RUN(posix_timer_periodic);
    T_RUN(posix_timer_errors);
    T_RUN(posix_timer_delete_races_settime);
    T_RUN(posix_timer_overrun_counts_blocked_periods);
    T_RUN(posix_timer_1ns_period_does_not_starve);
    T_RUN(cpu_clock_of_another_process);
    T_RUN(itimer_virtual_and_prof_count_cpu_time);
    T_RUN(itimer_prof_not_inherited_by_fork);
    T_RUN(posix_timer_on_cpu_clocks);
    T_RUN(adjtimex_reads_and_checks);
    T_RUN(ioprio_set_get);
    T_RUN(sleep_survives_stop_and_continue);
    return t_done();
}
