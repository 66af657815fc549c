/* t_futexwaitv.c: futex_waitv(2) (issue 14; Wine and Proton's fsync use
 * it): wait on several futexes, get the index of the one woken; a value
 * that no longer matches gives EAGAIN, an absolute timeout ETIMEDOUT, and
 * Linux's checks on the arguments EINVAL/EFAULT. Passes on Linux too. */
#include "t.h"

#ifndef FUTEX_WAKE_PRIVATE
#define FUTEX_WAKE_PRIVATE 129 /* <linux/futex.h>, which musl-gcc does not see */
#endif
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE 128

struct waitv {
    uint64_t val, uaddr;
    uint32_t flags, reserved;
};

static uint32_t words[3];

static long waitv(struct waitv *w, unsigned n, const struct timespec *ts, int clk)
{
    return syscall(SYS_futex_waitv, w, n, 0, ts, clk);
}

static void fill(struct waitv *w)
{
    for (int i = 0; i < 3; i++)
        w[i] = (struct waitv){ words[i], (uintptr_t)&words[i],
                               FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, 0 };
}

static void *waker(void *arg)
{
    (void)arg;
    /* Wake futex 2 until the waiter has gone (it may not sleep yet). */
    for (int i = 0; i < 60000 && __atomic_load_n(&words[0], __ATOMIC_ACQUIRE) == 0; i++) {
        syscall(SYS_futex, &words[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        usleep(1000);
    }
    return NULL;
}

T_CASE(woken_index)
{
    struct waitv w[3];
    pthread_t th;
    long r;
    memset(words, 0, sizeof words);
    fill(w);
    T_EQ(pthread_create(&th, NULL, waker, NULL), 0);
    r = waitv(w, 3, NULL, CLOCK_MONOTONIC);
    __atomic_store_n(&words[0], 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    T_EQ(r, 2);
}

T_CASE(changed_value_eagain)
{
    struct waitv w[3];
    memset(words, 0, sizeof words);
    fill(w);
    w[1].val = 7; /* the word holds 0 */
    T_ERRNO(waitv(w, 3, NULL, CLOCK_MONOTONIC), EAGAIN);
}

T_CASE(absolute_timeout)
{
    struct waitv w[3];
    struct timespec ts;
    memset(words, 0, sizeof words);
    fill(w);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 20 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    T_ERRNO(waitv(w, 3, &ts, CLOCK_MONOTONIC), ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &ts);
    T_ERRNO(waitv(w, 3, &ts, CLOCK_REALTIME), ETIMEDOUT);
}

T_CASE(bad_arguments)
{
    struct waitv w[3];
    struct timespec ts = { 0, 0 };
    memset(words, 0, sizeof words);
    fill(w);
    T_ERRNO(syscall(SYS_futex_waitv, w, 3, 1, NULL, CLOCK_MONOTONIC), EINVAL);
    T_ERRNO(waitv(w, 0, NULL, CLOCK_MONOTONIC), EINVAL);
    T_ERRNO(waitv(w, 129, NULL, CLOCK_MONOTONIC), EINVAL);
    T_ERRNO(waitv(w, 3, &ts, 99), EINVAL);
    T_ERRNO(waitv((struct waitv *)8, 1, NULL, CLOCK_MONOTONIC), EFAULT);
    fill(w);
    w[0].reserved = 1;
    T_ERRNO(waitv(w, 3, NULL, CLOCK_MONOTONIC), EINVAL);
    fill(w);
    w[0].flags = 0x03 | FUTEX2_PRIVATE; /* 64-bit size: not supported */
    T_ERRNO(waitv(w, 3, NULL, CLOCK_MONOTONIC), EINVAL);
    fill(w);
    w[0].uaddr += 1; /* misaligned */
    T_ERRNO(waitv(w, 3, NULL, CLOCK_MONOTONIC), EINVAL);
}

int main(void)
{
    t_init("t_futexwaitv");
    T_RUN(woken_index);
    T_RUN(changed_value_eagain);
    T_RUN(absolute_timeout);
    T_RUN(bad_arguments);
    return t_done();
}
