/* t_rseq.c: restartable sequences (rseq(2)): registration and its errors,
 * cpu_id kept right (also after a move to another CPU), a critical
 * section restarted at its abort address when a signal arrives or when
 * it is preempted, a lying descriptor killing with SIGSEGV, fork keeping
 * the registration. Also passes on Linux (musl registers no rseq area of
 * its own, so the test may). */
#include "t.h"

#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define SIG 0x53053053u
#define RSEQ_FLAG_UNREGISTER 1

struct rseq_area {
    uint32_t cpu_id_start, cpu_id;
    uint64_t rseq_cs;
    uint32_t flags, node_id, mm_cid, pad;
} __attribute__((aligned(32)));

static struct rseq_area rs;
static struct rseq_area other;

static long rseq_(void *p, uint32_t len, int flags, uint32_t sig)
{
    return syscall(SYS_rseq, p, len, flags, sig);
}

/* Enter a critical section that never ends by itself: [1, 2) spins on
 * one jump; the abort address 4 (after the signature) leaves it. */
static int spin_in_section(struct rseq_area *area)
{
    int aborted = 0;
    __asm__ volatile(
        ".pushsection .data.rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .long 0, 0\n"
        ".quad 1f, (2f - 1f), 4f\n"
        ".popsection\n"
        "leaq 3b(%%rip), %%rax\n"
        "movq %%rax, 8(%[a])\n"
        "1: jmp 1b\n"
        "2: jmp 5f\n"
        ".long 0x53053053\n"
        "4: movl $1, %[ab]\n"
        "5:\n"
        : [ab] "+m"(aborted)
        : [a] "r"(area)
        : "rax", "memory");
    return aborted;
}

/* The same with a signature that does not match: SIGSEGV. */
static void spin_in_bad_section(struct rseq_area *area)
{
    __asm__ volatile(
        ".pushsection .data.rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .long 0, 0\n"
        ".quad 1f, (2f - 1f), 4f\n"
        ".popsection\n"
        "leaq 3b(%%rip), %%rax\n"
        "movq %%rax, 8(%[a])\n"
        "1: jmp 1b\n"
        "2: jmp 4f\n"
        ".long 0x12345678\n"
        "4:\n"
        :
        : [a] "r"(area)
        : "rax", "memory");
}

static volatile int got_alarm;
static void on_alarm(int s)
{
    (void)s;
    got_alarm++;
}

T_CASE(register_and_errors)
{
    pid_t c = t_fork();
    if (c == 0) {
        int bad = 0;
        rs.cpu_id = 0x7777;
        bad |= rseq_(&rs, 32, 0, SIG) != 0;
        /* Written before the call returns to user mode. */
        bad |= (rs.cpu_id != (uint32_t)sched_getcpu() || rs.cpu_id_start != rs.cpu_id) << 1;
        bad |= !(rseq_(&rs, 32, 0, SIG) == -1 && errno == EBUSY) << 2;
        bad |= !(rseq_(&rs, 32, 0, SIG + 1) == -1 && errno == EPERM) << 3;
        bad |= !(rseq_(&other, 32, 0, SIG) == -1 && errno == EINVAL) << 4;
        bad |= !(rseq_(&rs, 32, 2, SIG) == -1 && errno == EINVAL) << 5;
        bad |= !(rseq_(&rs, 32, RSEQ_FLAG_UNREGISTER, SIG + 1) == -1 && errno == EPERM) << 6;
        bad |= !(rseq_(&other, 32, RSEQ_FLAG_UNREGISTER, SIG) == -1 && errno == EINVAL) << 7;
        bad |= (rseq_(&rs, 32, RSEQ_FLAG_UNREGISTER, SIG) != 0) << 8;
        bad |= (rs.cpu_id != (uint32_t)-1) << 9; /* uninitialized again */
        bad |= !(rseq_((char *)&rs + 8, 32, 0, SIG) == -1 && errno == EINVAL) << 10;
        bad |= !(rseq_(&rs, 16, 0, SIG) == -1 && errno == EINVAL) << 11;
        bad |= !(rseq_((void *)0xffff800000000000ul, 32, 0, SIG) == -1 && errno == EFAULT) << 12;
        if (bad)
            dprintf(2, "rseq: bad %#x\n", bad);
        _exit(bad ? 1 : 0);
    }
    T_EXITED(c, 0);
}

/* Moved to another CPU, the thread sees the new one in cpu_id. */
T_CASE(cpu_id_follows_a_move)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        T_ASSERT(1); /* one CPU: nothing to move to */
        return;
    }
    pid_t c = t_fork();
    if (c == 0) {
        cpu_set_t set;
        for (int cpu = 0; cpu < 2; cpu++) {
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            if (sched_setaffinity(0, sizeof set, &set))
                _exit(1);
            if (cpu == 0 && rseq_(&rs, 32, 0, SIG))
                _exit(2);
            if (rs.cpu_id != (uint32_t)cpu)
                _exit(3 + cpu);
        }
        /* fork keeps the registration: the child's area is its copy */
        pid_t g = fork();
        if (g == 0)
            _exit(rseq_(&rs, 32, 0, SIG) == -1 && errno == EBUSY ? 0 : 1);
        int st;
        if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
            _exit(6);
        _exit(0);
    }
    T_EXITED(c, 0);
}

/* A signal restarts the section: the handler runs, then the thread
 * goes on at the abort address; the descriptor pointer is cleared. */
T_CASE(signal_aborts_the_section)
{
    pid_t c = t_fork();
    if (c == 0) {
        struct sigaction sa = { .sa_handler = on_alarm };
        struct itimerval it = { .it_value = { 0, 50000 } };
        if (rseq_(&rs, 32, 0, SIG))
            _exit(1);
        sigaction(SIGALRM, &sa, NULL);
        setitimer(ITIMER_REAL, &it, NULL);
        /* A preemption may restart it first: enter again until the
         * signal has come (if the signal did not restart it, this spins
         * for ever and the harness reports a timeout). */
        int ab;
        do
            ab = spin_in_section(&rs);
        while (!got_alarm);
        _exit(ab == 1 && got_alarm == 1 && rs.rseq_cs == 0 ? 0 : 2);
    }
    T_EXITED(c, 0);
}

/* Preemption restarts it too: another process spins on the same CPU,
 * and the section loses the CPU at the end of a slice. */
T_CASE(preemption_aborts_the_section)
{
    pid_t hog = t_fork();
    if (hog == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        sched_setaffinity(0, sizeof set, &set);
        for (;;)
            ;
    }
    pid_t c = t_fork();
    if (c == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        if (sched_setaffinity(0, sizeof set, &set) || rseq_(&rs, 32, 0, SIG))
            _exit(1);
        _exit(spin_in_section(&rs) == 1 ? 0 : 2);
    }
    T_EXITED(c, 0);
    kill(hog, SIGKILL);
    T_KILLED(hog, SIGKILL);
}

/* A section whose abort address lacks the signature: SIGSEGV. */
T_CASE(bad_signature_is_sigsegv)
{
    pid_t c = t_fork();
    if (c == 0) {
        struct itimerval it = { .it_value = { 0, 50000 } };
        struct sigaction sa = { .sa_handler = on_alarm };
        if (rseq_(&rs, 32, 0, SIG))
            _exit(1);
        sigaction(SIGALRM, &sa, NULL);
        setitimer(ITIMER_REAL, &it, NULL);
        spin_in_bad_section(&rs);
        _exit(2);
    }
    T_KILLED(c, SIGSEGV);
}

int main(void)
{
    t_init("t_rseq");
    T_RUN(register_and_errors);
    T_RUN(cpu_id_follows_a_move);
    T_RUN(signal_aborts_the_section);
    T_RUN(preemption_aborts_the_section);
    T_RUN(bad_signature_is_sigsegv);
    return t_done();
}
