/* t_thread.c: pthreads over clone/futex/set_tid_address/arch_prctl. */
#include "t.h"

/* musl-gcc has no kernel headers: the futex ABI constants */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

static long gettid_(void) { return syscall(SYS_gettid); }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incr(void *arg)
{
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

T_CASE(mutex_counter_8_threads)
{
    enum { T = 8, N = 20000 };
    pthread_t th[T];
    counter = 0;
    for (int i = 0; i < T; i++)
        T_EQ(pthread_create(&th[i], NULL, incr, (void *)(intptr_t)N), 0);
    for (int i = 0; i < T; i++)
        T_EQ(pthread_join(th[i], NULL), 0);
    T_EQ(counter, (long)T * N);
}

static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static int turn; /* 0: ping's turn, 1: pong's turn */
static int rounds_done;

static void *pong(void *arg)
{
    int n = (int)(intptr_t)arg;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&pm);
        while (turn != 1)
            pthread_cond_wait(&pc, &pm);
        turn = 0;
        rounds_done++;
        pthread_cond_signal(&pc);
        pthread_mutex_unlock(&pm);
    }
    return NULL;
}

T_CASE(condvar_ping_pong_1000)
{
    enum { N = 1000 };
    turn = 0;
    rounds_done = 0;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, pong, (void *)(intptr_t)N), 0);
    for (int i = 0; i < N; i++) {
        pthread_mutex_lock(&pm);
        while (turn != 0)
            pthread_cond_wait(&pc, &pm);
        turn = 1;
        pthread_cond_signal(&pc);
        pthread_mutex_unlock(&pm);
    }
    pthread_mutex_lock(&pm);
    while (turn != 0)
        pthread_cond_wait(&pc, &pm);
    pthread_mutex_unlock(&pm);
    T_EQ(pthread_join(t, NULL), 0);
    T_EQ(rounds_done, N);
}

static __thread int tls_var = 7;
static __thread char tls_buf[64];

struct tls_res {
    int initial;
    int after;
    uintptr_t addr;
    long tid;
    pid_t pid;
};

static void *tls_thread(void *arg)
{
    struct tls_res *r = arg;
    r->initial = tls_var;
    tls_var = (int)(intptr_t)r->after;
    snprintf(tls_buf, sizeof tls_buf, "thread %d", r->after);
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL); /* let the others run and write theirs */
    r->after = tls_var;
    r->addr = (uintptr_t)&tls_var;
    r->tid = gettid_();
    r->pid = getpid();
    char want[64];
    snprintf(want, sizeof want, "thread %d", r->after);
    return (void *)(intptr_t)(strcmp(tls_buf, want) == 0);
}

T_CASE(tls_per_thread)
{
    enum { T = 4 };
    pthread_t th[T];
    struct tls_res r[T];
    tls_var = 1000;
    for (int i = 0; i < T; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].after = 100 + i;
        T_EQ(pthread_create(&th[i], NULL, tls_thread, &r[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        void *ok;
        T_EQ(pthread_join(th[i], &ok), 0);
        T_EQ((intptr_t)ok, 1);
    }
    T_EQ(tls_var, 1000);
    for (int i = 0; i < T; i++) {
        T_EQ(r[i].initial, 7); /* fresh initial image per thread */
        T_EQ(r[i].after, 100 + i);
        T_ASSERT(r[i].addr != (uintptr_t)&tls_var);
        for (int j = 0; j < i; j++)
            T_ASSERT(r[i].addr != r[j].addr);
    }
}

T_CASE(gettid_differs_pid_same)
{
    enum { T = 3 };
    pthread_t th[T];
    struct tls_res r[T];
    long main_tid = gettid_();
    T_EQ(main_tid, getpid()); /* the main thread's tid is the pid */
    for (int i = 0; i < T; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].after = i;
        T_EQ(pthread_create(&th[i], NULL, tls_thread, &r[i]), 0);
    }
    for (int i = 0; i < T; i++)
        T_EQ(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < T; i++) {
        T_EQ(r[i].pid, getpid());
        T_ASSERT(r[i].tid != main_tid);
        T_ASSERT(r[i].tid > 0);
        for (int j = 0; j < i; j++)
            T_ASSERT(r[i].tid != r[j].tid);
    }
}

static void *ret_value(void *arg)
{
    return (void *)((intptr_t)arg * 3 + 1);
}

static void *exit_value(void *arg)
{
    pthread_exit((void *)((intptr_t)arg + 5));
    return NULL;
}

T_CASE(join_return_value)
{
    pthread_t t;
    void *v = NULL;
    T_EQ(pthread_create(&t, NULL, ret_value, (void *)(intptr_t)14), 0);
    T_EQ(pthread_join(t, &v), 0);
    T_EQ((intptr_t)v, 43);
    T_EQ(pthread_create(&t, NULL, exit_value, (void *)(intptr_t)10), 0);
    T_EQ(pthread_join(t, &v), 0);
    T_EQ((intptr_t)v, 15);
}

T_CASE(many_threads_sequential)
{
    for (int i = 0; i < 200; i++) {
        pthread_t t;
        void *v;
        T_EQ(pthread_create(&t, NULL, ret_value, (void *)(intptr_t)i), 0);
        T_EQ(pthread_join(t, &v), 0);
        T_EQ((intptr_t)v, i * 3 + 1);
    }
}

static void *detached_fn(void *arg)
{
    volatile int *flag = arg;
    __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

T_CASE(detached_thread_runs)
{
    static volatile int flag;
    flag = 0;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    T_EQ(pthread_create(&t, &a, detached_fn, (void *)&flag), 0);
    pthread_attr_destroy(&a);
    for (int i = 0; i < 2000 && !__atomic_load_n(&flag, __ATOMIC_SEQ_CST); i++) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    T_EQ(flag, 1);
}

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts, int *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

T_CASE(futex_wait_wrong_value_eagain)
{
    static int word = 5;
    T_ERRNO(futex(&word, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);
    T_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), EAGAIN);
}

T_CASE(futex_wait_timeout)
{
    static int word = 0;
    struct timespec ts = { 0, 50 * 1000 * 1000 }, a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    T_ERRNO(futex(&word, FUTEX_WAIT, 0, &ts, NULL, 0), ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    T_ASSERT(ms >= 49 && ms < 2000);
    ts.tv_nsec = 1000000000L;
    T_ERRNO(futex(&word, FUTEX_WAIT, 0, &ts, NULL, 0), EINVAL);
}

T_CASE(futex_wake_nobody)
{
    static int word = 0;
    T_EQ(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    T_ERRNO(futex(&word, 99, 1, NULL, NULL, 0), ENOSYS);
    /* unaligned futex word */
    static char bytes[8] __attribute__((aligned(8)));
    T_ERRNO(futex((volatile int *)(bytes + 1), FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
}

static volatile int fword;
static void *futex_waiter(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&fword, __ATOMIC_SEQ_CST) == 0)
        futex(&fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return (void *)(intptr_t)fword;
}

T_CASE(futex_wait_wake_between_threads)
{
    fword = 0;
    enum { T = 4 };
    pthread_t th[T];
    for (int i = 0; i < T; i++)
        T_EQ(pthread_create(&th[i], NULL, futex_waiter, NULL), 0);
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    __atomic_store_n(&fword, 9, __ATOMIC_SEQ_CST);
    long woken = futex(&fword, FUTEX_WAKE_PRIVATE, 1000, NULL, NULL, 0);
    T_ASSERT(woken >= 0 && woken <= T);
    for (int i = 0; i < T; i++) {
        void *v;
        T_EQ(pthread_join(th[i], &v), 0);
        T_EQ((intptr_t)v, 9);
    }
}

T_CASE(futex_shared_across_fork)
{
    /* a futex in MAP_SHARED memory wakes a waiter in another process */
    volatile int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(w != MAP_FAILED);
    *w = 0;
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        while (__atomic_load_n(w, __ATOMIC_SEQ_CST) == 0)
            futex(w, FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(*w);
    }
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    __atomic_store_n(w, 3, __ATOMIC_SEQ_CST);
    T_SYSOK(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0));
    T_EXITED(c, 3);
    munmap((void *)w, 4096);
}

static void *exit_group_thread(void *arg)
{
    (void)arg;
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    exit(23); /* exit_group: the whole process ends */
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

T_CASE(exit_from_thread_ends_process)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pthread_t a, b;
        pthread_create(&b, NULL, sleeper, NULL);
        pthread_create(&a, NULL, exit_group_thread, NULL);
        for (;;)
            pause();
    }
    T_EXITED(c, 23);
}

T_CASE(main_thread_exit_keeps_others)
{
    /* pthread_exit in main: the process lives until the last thread ends */
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pthread_t a;
        pthread_create(&a, NULL, exit_group_thread, NULL);
        pthread_exit(NULL);
    }
    T_EXITED(c, 23);
}

T_CASE(signal_kills_all_threads)
{
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, sleeper, NULL);
        pthread_create(&b, NULL, sleeper, NULL);
        for (;;)
            pause();
    }
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    T_SYSOK(kill(c, SIGTERM));
    T_KILLED(c, SIGTERM);
}

static volatile long sig_tid;
static void tid_handler(int s)
{
    (void)s;
    sig_tid = gettid_();
}

static void *wait_for_sig(void *arg)
{
    volatile long *tidp = arg;
    *tidp = gettid_();
    while (sig_tid == 0) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    return NULL;
}

T_CASE(tgkill_targets_thread)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tid_handler;
    sigaction(SIGUSR1, &sa, NULL);
    sig_tid = 0;
    static volatile long ttid;
    ttid = 0;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, wait_for_sig, (void *)&ttid), 0);
    while (ttid == 0) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    T_SYSOK(syscall(SYS_tgkill, getpid(), ttid, SIGUSR1));
    T_EQ(pthread_join(t, NULL), 0);
    T_EQ(sig_tid, ttid);
    T_EQ(pthread_kill(pthread_self(), 0), 0);
    signal(SIGUSR1, SIG_DFL);
}

static void *fs_base_thread(void *arg)
{
    (void)arg;
    uintptr_t fs = 0;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(fs));
    return (void *)fs;
}

T_CASE(fs_base_per_thread)
{
    /* x86-64 TLS: %fs:0 holds the thread pointer itself (TCB self-pointer) */
    uintptr_t mine = 0;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(mine));
    T_ASSERT(mine != 0);
    T_ASSERT((uintptr_t)pthread_self() == mine);
    pthread_t t;
    void *v;
    T_EQ(pthread_create(&t, NULL, fs_base_thread, NULL), 0);
    T_EQ(pthread_join(t, &v), 0);
    T_EQ((uintptr_t)v, (uintptr_t)t);
    T_ASSERT((uintptr_t)v != mine);
    /* arch_prctl(ARCH_GET_FS) agrees */
    unsigned long fsb = 0;
    T_SYSOK(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fsb));
    T_EQ(fsb, mine);
    T_ERRNO(syscall(SYS_arch_prctl, 0x9999, &fsb), EINVAL);
}

T_CASE(rwlock_and_trylock)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    T_EQ(pthread_mutex_trylock(&m), 0);
    T_EQ(pthread_mutex_trylock(&m), EBUSY);
    T_EQ(pthread_mutex_unlock(&m), 0);
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    T_EQ(pthread_rwlock_rdlock(&rw), 0);
    T_EQ(pthread_rwlock_tryrdlock(&rw), 0);
    T_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);
    T_EQ(pthread_rwlock_unlock(&rw), 0);
    T_EQ(pthread_rwlock_unlock(&rw), 0);
    T_EQ(pthread_rwlock_trywrlock(&rw), 0);
    T_EQ(pthread_rwlock_unlock(&rw), 0);
}

T_CASE(cond_timedwait_times_out)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m);
    T_EQ(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT);
    pthread_mutex_unlock(&m);
}

int main(void)
{
    t_init("thread");
    T_RUN(mutex_counter_8_threads);
    T_RUN(condvar_ping_pong_1000);
    T_RUN(tls_per_thread);
    T_RUN(gettid_differs_pid_same);
    T_RUN(join_return_value);
    T_RUN(many_threads_sequential);
    T_RUN(detached_thread_runs);
    T_RUN(futex_wait_wrong_value_eagain);
    T_RUN(futex_wait_timeout);
    T_RUN(futex_wake_nobody);
    T_RUN(futex_wait_wake_between_threads);
    T_RUN(futex_shared_across_fork);
    T_RUN(exit_from_thread_ends_process);
    T_RUN(main_thread_exit_keeps_others);
    T_RUN(signal_kills_all_threads);
    T_RUN(tgkill_targets_thread);
    T_RUN(fs_base_per_thread);
    T_RUN(rwlock_and_trylock);
    T_RUN(cond_timedwait_times_out);
    return t_done();
}
