/* t_fsgsbase.c: the FSGSBASE instructions in user mode (issue 11).
 *
 * Where CPUID says the CPU has them, the kernel turns on CR4.FSGSBASE (as
 * Linux 5.9+ does) and must keep what a program writes with wrfsbase/
 * wrgsbase across system calls, preemption and fork, and report it through
 * arch_prctl. Where the CPU has none, rdgsbase must raise SIGILL. Passes on
 * Linux too (on an FSGSBASE CPU with Linux >= 5.9). */
#include "t.h"

#include <cpuid.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

/* <asm/prctl.h>, which musl-gcc does not see. */
#define ARCH_SET_GS 0x1001
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static int cpu_has_fsgsbase(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, 0) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return b & 1;
}

static uint64_t rdgs(void)
{
    uint64_t v;
    __asm__ volatile("rdgsbase %0" : "=r"(v));
    return v;
}

static void wrgs(uint64_t v)
{
    __asm__ volatile("wrgsbase %0" : : "r"(v) : "memory");
}

static uint64_t rdfs(void)
{
    uint64_t v;
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}

static long arch_prctl_get(int code)
{
    unsigned long v = 0;
    if (syscall(SYS_arch_prctl, code, &v) != 0)
        return -1;
    return (long)v;
}

T_CASE(rdfsbase_matches_arch_prctl)
{
    if (!cpu_has_fsgsbase())
        return; /* see no_fsgsbase_sigill */
    T_EQ(rdfs(), arch_prctl_get(ARCH_GET_FS));
}

T_CASE(wrgsbase_kept_across_syscalls)
{
    const uint64_t want = 0x123456789000ull;

    if (!cpu_has_fsgsbase())
        return;
    wrgs(want);
    for (int i = 0; i < 100; i++)
        syscall(SYS_getpid);
    sched_yield();
    uint64_t got = rdgs();
    long via_prctl = arch_prctl_get(ARCH_GET_GS);
    wrgs(0);
    T_EQ(got, want);
    T_EQ(via_prctl, want);
}

T_CASE(wrgsbase_per_process_after_fork)
{
    const uint64_t parent = 0x7000ull, child = 0x9000ull;

    if (!cpu_has_fsgsbase())
        return;
    wrgs(parent);
    pid_t pid = t_fork();
    if (pid == 0) {
        int ok = rdgs() == parent; /* fork copies the base */
        wrgs(child);
        for (int i = 0; i < 1000; i++)
            sched_yield();
        ok = ok && rdgs() == child;
        _exit(ok ? 0 : 1);
    }
    for (int i = 0; i < 1000; i++)
        sched_yield();
    uint64_t got = rdgs();
    wrgs(0);
    T_EQ(got, parent);
    T_EXITED(pid, 0);
}

T_CASE(arch_prctl_set_gs_seen_by_rdgsbase)
{
    if (!cpu_has_fsgsbase())
        return;
    T_SYSOK(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x5000ul));
    uint64_t got = rdgs();
    wrgs(0);
    T_EQ(got, 0x5000);
}

T_CASE(no_fsgsbase_sigill)
{
    if (cpu_has_fsgsbase())
        return;
    pid_t pid = t_fork();
    if (pid == 0) {
        (void)rdgs();
        _exit(0);
    }
    T_KILLED(pid, SIGILL);
}

int main(void)
{
    t_init("fsgsbase");
    T_RUN(rdfsbase_matches_arch_prctl);
    T_RUN(wrgsbase_kept_across_syscalls);
    T_RUN(wrgsbase_per_process_after_fork);
    T_RUN(arch_prctl_set_gs_seen_by_rdgsbase);
    T_RUN(no_fsgsbase_sigill);
    return t_done();
}
