/* t_xstate.c: the vector registers user code owns (issue 11).
 *
 * Where the CPU has XSAVE the kernel turns on CR4.OSXSAVE and enables in
 * XCR0 the state it saves (x87, SSE, AVX where present), as Linux does, so
 * programs may use AVX; where it has not, only x87/SSE exist and CPUID's
 * OSXSAVE bit stays clear. Either way the state must survive signal
 * handlers and other threads, a handler frame must carry it in Linux's
 * layout (FXSAVE image, then with XSAVE the _fpx_sw_bytes at 464 and
 * FP_XSTATE_MAGIC2 after the image), a handler may change it there, and a
 * frame the kernel cannot load kills the process with SIGSEGV (Linux:
 * restore_fpregs_from_user treats a #GP as fatal). Passes on Linux too. */
#include "t.h"

#include <cpuid.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <ucontext.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u

struct sw_bytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, padding[7];
};

static int osxsave(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    return (c >> 27) & 1;
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* AVX is usable: the CPU has it and the kernel saves its state. */
static int avx_on(void)
{
    return osxsave() && (xgetbv0() & 6) == 6;
}

/* Offset of the upper YMM halves in the XSAVE image (CPUID 0xD.2:EBX). */
static unsigned ymm_hi_offset(void)
{
    unsigned a, b, c, d;
    __cpuid_count(0xD, 2, a, b, c, d);
    return b;
}

/* Load ymm0 (xmm0 without AVX) from `in`, make system call nr(a0, a1),
 * store the register to `out`: one asm statement, so no compiler-made
 * code can touch the register in between (the ABI lets any call clobber
 * it). */
static long vec_syscall(const uint8_t in[32], uint8_t out[32], long nr,
                        long a0, long a1)
{
    long ret = nr;
    if (avx_on())
        __asm__ volatile("vmovdqu (%[in]), %%ymm0\n\t"
                         "syscall\n\t"
                         "vmovdqu %%ymm0, (%[out])"
                         : "+a"(ret)
                         : [in] "r"(in), [out] "r"(out), "D"(a0), "S"(a1)
                         : "rcx", "r11", "xmm0", "memory");
    else
        __asm__ volatile("movdqu (%[in]), %%xmm0\n\t"
                         "syscall\n\t"
                         "movdqu %%xmm0, (%[out])"
                         : "+a"(ret)
                         : [in] "r"(in), [out] "r"(out), "D"(a0), "S"(a1)
                         : "rcx", "r11", "xmm0", "memory");
    return ret;
}

/* Clobber the register (in a handler). */
static void vec_set(const uint8_t v[32])
{
    if (avx_on())
        __asm__ volatile("vmovdqu (%0), %%ymm0" : : "r"(v) : "xmm0", "memory");
    else
        __asm__ volatile("movdqu (%0), %%xmm0" : : "r"(v) : "xmm0", "memory");
}

static unsigned vec_len(void)
{
    return avx_on() ? 32 : 16;
}

static void fill(uint8_t v[32], uint8_t seed)
{
    for (int i = 0; i < 32; i++)
        v[i] = (uint8_t)(seed + 7 * i);
}

T_CASE(xcr0_follows_cpuid)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 26))) {
        /* No XSAVE: FXSAVE frames, whose size AT_MINSIGSTKSZ says is
         * well under that of any XSAVE image (at least 576 bytes). */
        T_ASSERT(getauxval(AT_MINSIGSTKSZ) < 440 + 576 + 64 + 4);
        return;
    }
    /* Linux enables XSAVE wherever the CPU has it, and AVX with it. */
    T_EQ(osxsave(), 1);
    uint64_t xcr0 = xgetbv0();
    T_EQ(xcr0 & 3, 3);
    T_EQ(!!(xcr0 & 4), !!(c & (1u << 28)));
}

static volatile int handled;
static uint8_t seen_in_frame[32];
static int frame_ok;
static uint32_t frame_xstate_size;
static uint8_t handler_sets[32];
static int change_in_frame;

/* Check the frame's FPU image, remember what it says ymm0/xmm0 held, and
 * clobber the live register. */
static void on_usr1(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint8_t junk[32];

    (void)sig, (void)si;
    frame_ok = fp != NULL && ((uintptr_t)fp % 16) == 0;
    if (frame_ok) {
        memcpy(seen_in_frame, fp + 160, 16); /* xmm0 in the FXSAVE image */
        if (osxsave()) {
            struct sw_bytes sw;
            uint32_t m2;
            memcpy(&sw, fp + 464, sizeof sw);
            memcpy(&m2, fp + sw.xstate_size, 4);
            frame_xstate_size = sw.xstate_size;
            frame_ok = ((uintptr_t)fp % 64) == 0 &&
                       sw.magic1 == FP_XSTATE_MAGIC1 &&
                       sw.extended_size == sw.xstate_size + 4 &&
                       /* x87, SSE, AVX as enabled; nothing that is not
                        * (Linux leaves out AMX data not asked for) */
                       (sw.xfeatures & 7) == (xgetbv0() & 7) &&
                       !(sw.xfeatures & ~xgetbv0()) &&
                       m2 == FP_XSTATE_MAGIC2 &&
                       (uc->uc_flags & 1) /* UC_FP_XSTATE */;
            if (avx_on())
                memcpy(seen_in_frame + 16, fp + ymm_hi_offset(), 16);
        }
        if (change_in_frame) {
            memcpy(fp + 160, handler_sets, 16);
            if (avx_on())
                memcpy(fp + ymm_hi_offset(), handler_sets + 16, 16);
        }
    }
    fill(junk, 0xEE);
    vec_set(junk);
    handled = 1;
}

static void install(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
}

T_CASE(vector_state_survives_a_handler)
{
    uint8_t want[32], got[32];

    install();
    change_in_frame = 0;
    handled = 0;
    fill(want, 0x11);
    vec_syscall(want, got, SYS_kill, getpid(), SIGUSR1);
    T_ASSERT(handled);
    T_ASSERT(frame_ok);
    T_ASSERT(memcmp(seen_in_frame, want, vec_len()) == 0);
    T_ASSERT(memcmp(got, want, vec_len()) == 0);
}

T_CASE(handler_changes_state_in_the_frame)
{
    uint8_t want[32], got[32];

    install();
    change_in_frame = 1;
    handled = 0;
    fill(handler_sets, 0x40);
    fill(want, 0x22);
    vec_syscall(want, got, SYS_kill, getpid(), SIGUSR1);
    change_in_frame = 0;
    T_ASSERT(handled);
    T_ASSERT(memcmp(got, handler_sets, vec_len()) == 0);
}

static volatile int stop_spin;

static void *spin_other(void *arg)
{
    uint8_t mine[32], got[32];
    (void)arg;
    fill(mine, 0x99);
    while (!stop_spin)
        vec_syscall(mine, got, SYS_sched_yield, 0, 0);
    return NULL;
}

T_CASE(vector_state_survives_other_threads)
{
    uint8_t want[32], got[32];
    pthread_t th;
    int bad = 0;

    stop_spin = 0;
    T_EQ(pthread_create(&th, NULL, spin_other, NULL), 0);
    fill(want, 0x33);
    for (int i = 0; i < 2000 && !bad; i++) {
        vec_syscall(want, got, SYS_sched_yield, 0, 0);
        bad = memcmp(got, want, vec_len()) != 0;
    }
    stop_spin = 1;
    pthread_join(th, NULL);
    T_ASSERT(!bad);
}

static char *alt;

T_CASE(minsigstksz_is_enough)
{
    unsigned long min = getauxval(AT_MINSIGSTKSZ);
    stack_t ss = { 0 };
    uint8_t want[32], got[32];

    /* The frame (return address, ucontext, siginfo: 440 bytes) plus the
     * FPU image, whose size a first signal shows. */
    install();
    change_in_frame = 0;
    handled = 0;
    fill(want, 0x44);
    vec_syscall(want, got, SYS_kill, getpid(), SIGUSR1);
    T_ASSERT(handled && frame_ok);
    T_ASSERT(min >= 440 + 512);
    if (osxsave())
        T_ASSERT(min >= 440 + frame_xstate_size + 4);
    /* A handler runs on an alternate stack of exactly that size (or of
     * MINSIGSTKSZ, 2048, the least sigaltstack takes). */
    size_t size = min > 2048 ? min : 2048;
    alt = malloc(size);
    T_ASSERT(alt != NULL);
    ss.ss_sp = alt;
    ss.ss_size = size;
    T_SYSOK(sigaltstack(&ss, NULL));
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    T_SYSOK(sigaction(SIGUSR1, &sa, NULL));
    handled = 0;
    fill(want, 0x55);
    vec_syscall(want, got, SYS_kill, getpid(), SIGUSR1);
    ss.ss_flags = SS_DISABLE;
    T_SYSOK(sigaltstack(&ss, NULL));
    T_ASSERT(handled);
    T_ASSERT(frame_ok);
    T_ASSERT(memcmp(got, want, vec_len()) == 0);
}

/* A handler that leaves the frame's image unloadable: the given byte
 * offset gets the given 32-bit value OR-ed in. */
static unsigned poison_off;
static uint32_t poison_bits;

static void on_usr2(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t v;
    (void)sig, (void)si;
    memcpy(&v, fp + poison_off, 4);
    v |= poison_bits;
    memcpy(fp + poison_off, &v, 4);
}

/* Returns how the child ended. */
static int child_with_poison(unsigned off, uint32_t bits)
{
    pid_t pid = t_fork();
    int st = 0;
    if (pid == 0) {
        struct sigaction sa = { 0 };
        poison_off = off;
        poison_bits = bits;
        sa.sa_sigaction = on_usr2;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR2, &sa, NULL);
        raise(SIGUSR2);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    return st;
}

T_CASE(reserved_mxcsr_bit_in_frame_is_fatal)
{
    int st = child_with_poison(24, 1u << 31); /* MXCSR bit 31 */
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV))
        T_FAIL("child status %#x, want SIGSEGV", st);
}

/* Software bytes a handler forged at 464 of the frame's image (magic1
 * with an xstate_size the kernel never wrote): not an XSAVE frame of this
 * kernel, so only the FXSAVE part is loaded and the process lives, as on
 * Linux (check_xstate_in_sigframe falls back to fx_only). */
T_CASE(forged_software_bytes_load_fxsave_only)
{
    /* With XSAVE: a wrong xstate_size (at 480) under the real magic1;
     * without: magic1 where the kernel wrote none. */
    int st = osxsave() ? child_with_poison(480, 1u << 20)
                       : child_with_poison(464, FP_XSTATE_MAGIC1);
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

T_CASE(bad_xsave_header_in_frame_is_fatal)
{
    int st;
    if (!osxsave()) {
        /* No XSAVE header in an FXSAVE frame; what such a CPU can get
         * wrong is covered by the MXCSR and software-bytes cases. */
        T_ASSERT(getauxval(AT_MINSIGSTKSZ) < 440 + 576 + 64 + 4);
        return;
    }
    /* XSTATE_BV bit 30: a component no kernel enables for user space. */
    st = child_with_poison(512, 1u << 30);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV))
        T_FAIL("child status %#x, want SIGSEGV", st);
    /* XCOMP_BV non-zero: the compacted format, never in a signal frame. */
    st = child_with_poison(520, 1);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV))
        T_FAIL("child status %#x (XCOMP_BV), want SIGSEGV", st);
}

int main(void)
{
    t_init("t_xstate");
    T_RUN(xcr0_follows_cpuid);
    T_RUN(vector_state_survives_a_handler);
    T_RUN(handler_changes_state_in_the_frame);
    T_RUN(vector_state_survives_other_threads);
    T_RUN(minsigstksz_is_enough);
    T_RUN(reserved_mxcsr_bit_in_frame_is_fatal);
    T_RUN(forged_software_bytes_load_fxsave_only);
    T_RUN(bad_xsave_header_in_frame_is_fatal);
    return t_done();
}
