/* t_sched_rt.c: the real-time policies SCHED_FIFO and SCHED_RR, and
 * SCHED_BATCH and SCHED_IDLE: setting and reading them, inheritance and
 * SCHED_RESET_ON_FORK, the unprivileged limits (RLIMIT_RTPRIO), and how
 * they run: a FIFO task keeps its CPU until it yields, a higher priority
 * takes it at once, RR tasks share it by slices, and a spinning
 * real-time task still leaves time to the others (Linux's real-time
 * throttling). Scheduling cases pin every process to one CPU and wait
 * for states, never for a time. Also passes on Linux (as root). */
#include "t.h"

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* musl's sched_setscheduler is a stub (ENOSYS): the system calls, with
 * the kernel's struct sched_param (one int; musl's has more fields). */
static int setsched(pid_t pid, int policy, int prio)
{
	return (int)syscall(SYS_sched_setscheduler, pid, policy, &prio);
}

static int getsched(pid_t pid)
{
	return (int)syscall(SYS_sched_getscheduler, pid);
}

static int getprio(pid_t pid)
{
	int prio = -1;

	if (syscall(SYS_sched_getparam, pid, &prio))
		return -1;
	return prio;
}

/* Field n (1-based) of /proc/self/stat, or -1000. */
static long stat_field(int n)
{
	char buf[1024], *p;
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return -1000;
	buf[len] = 0;
	p = strrchr(buf, ')'); /* field 2 may hold spaces */
	if (!p)
		return -1000;
	for (int f = 2; f < n; f++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1000;
	}
	return strtol(p + 1, NULL, 10);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof set, &set))
		_exit(80);
}

/* Shared between the processes of one case. */
struct shared {
	volatile int flag;
	volatile int stop;
	volatile int spinning;
	volatile unsigned long counter;
};

static struct shared *shared_new(void)
{
	struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return s == MAP_FAILED ? NULL : s;
}

/* The checks run in a child, so the test process stays SCHED_OTHER. */
T_CASE(fifo_and_rr_set_read_and_inherited)
{
	pid_t c = t_fork();

	T_SYSOK(c);
	if (c == 0) {
		struct timespec ts;
		int st;
		pid_t g;

		if (setsched(0, SCHED_FIFO, 10) || getsched(0) != SCHED_FIFO ||
		    getprio(0) != 10)
			_exit(1);
		/* proc(5): priority -1 - rt_priority, rt_priority, policy */
		if (stat_field(18) != -11 || stat_field(40) != 10 ||
		    stat_field(41) != SCHED_FIFO)
			_exit(2);
		if (sched_rr_get_interval(0, &ts) || ts.tv_sec || ts.tv_nsec)
			_exit(3); /* FIFO has no slice */
		if (setsched(0, SCHED_RR, 20) || getsched(0) != SCHED_RR ||
		    getprio(0) != 20)
			_exit(4);
		if (sched_rr_get_interval(0, &ts) || ts.tv_sec ||
		    ts.tv_nsec != 100000000)
			_exit(5); /* Linux's sched_rr_timeslice_ms, 100 */
		g = fork();
		if (g == 0)
			_exit(getsched(0) == SCHED_RR && getprio(0) == 20 ? 0 : 1);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(6); /* inherited */
		/* sched_setparam keeps the policy, changes the priority */
		int prio = 30;
		if (syscall(SYS_sched_setparam, 0, &prio) || getsched(0) != SCHED_RR ||
		    getprio(0) != 30)
			_exit(7);
		/* SCHED_RESET_ON_FORK: shown by getscheduler, and the child
		 * starts SCHED_OTHER at priority 0 with the flag clear */
		if (setsched(0, SCHED_RR | SCHED_RESET_ON_FORK, 30) ||
		    getsched(0) != (SCHED_RR | SCHED_RESET_ON_FORK))
			_exit(8);
		g = fork();
		if (g == 0)
			_exit(getsched(0) == SCHED_OTHER && getprio(0) == 0 ? 0 : 1);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(9);
		/* bad priorities for each kind of policy */
		if (!(setsched(0, SCHED_FIFO, 0) == -1 && errno == EINVAL) ||
		    !(setsched(0, SCHED_FIFO, 100) == -1 && errno == EINVAL) ||
		    !(setsched(0, SCHED_RR, -1) == -1 && errno == EINVAL) ||
		    !(setsched(0, SCHED_BATCH, 1) == -1 && errno == EINVAL) ||
		    !(setsched(0, -2, 0) == -1 && errno == EINVAL))
			_exit(10);
		if (getsched(0) != (SCHED_RR | SCHED_RESET_ON_FORK) || getprio(0) != 30)
			_exit(11); /* refused calls changed nothing */
		/* the batch and idle policies, and back */
		if (setsched(0, SCHED_BATCH, 0) || getsched(0) != SCHED_BATCH ||
		    stat_field(41) != SCHED_BATCH || stat_field(40) != 0)
			_exit(12);
		if (setsched(0, SCHED_IDLE, 0) || getsched(0) != SCHED_IDLE)
			_exit(13);
		if (setsched(0, SCHED_OTHER, 0) || getsched(0) != SCHED_OTHER)
			_exit(14);
		_exit(0);
	}
	T_EXITED(c, 0);
}

/* Without CAP_SYS_NICE: a real-time policy only within RLIMIT_RTPRIO,
 * SCHED_RESET_ON_FORK not cleared, SCHED_IDLE not left (RLIMIT_NICE 0),
 * and another user's threads not changed. */
T_CASE(unprivileged_needs_rlimit_rtprio)
{
	pid_t c = t_fork();

	T_SYSOK(c);
	if (c == 0) {
		struct rlimit rl = { 0, 10 };

		/* The hard limit set as root, the soft one raised later. */
		if (setrlimit(RLIMIT_RTPRIO, &rl) || setgid(65534) || setuid(65534))
			_exit(90);
		if (!(setsched(0, SCHED_FIFO, 1) == -1 && errno == EPERM))
			_exit(1); /* the soft RLIMIT_RTPRIO is 0 */
		if (setsched(1, SCHED_OTHER, 0) != -1 || errno != EPERM)
			_exit(2); /* init is root's */
		rl.rlim_cur = 10;
		if (setrlimit(RLIMIT_RTPRIO, &rl))
			_exit(3);
		if (setsched(0, SCHED_FIFO, 5) || getsched(0) != SCHED_FIFO)
			_exit(4);
		if (!(setsched(0, SCHED_FIFO, 11) == -1 && errno == EPERM))
			_exit(5);
		if (setsched(0, SCHED_RR, 10) || setsched(0, SCHED_RR, 3))
			_exit(6);
		if (setsched(0, SCHED_RR | SCHED_RESET_ON_FORK, 3))
			_exit(7);
		if (!(setsched(0, SCHED_RR, 3) == -1 && errno == EPERM))
			_exit(8); /* the flag stays */
		if (setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) ||
		    setsched(0, SCHED_IDLE | SCHED_RESET_ON_FORK, 0))
			_exit(9);
		if (!(setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) == -1 &&
		      errno == EPERM))
			_exit(10); /* SCHED_IDLE is not left */
		_exit(0);
	}
	T_EXITED(c, 0);
}

/* Two SCHED_FIFO processes of one priority on one CPU: the one running
 * keeps the CPU (however long it spins) until it yields; then the other
 * runs to its end before the first goes on. */
T_CASE(fifo_runs_until_it_yields)
{
	struct shared *s = shared_new();
	pid_t c;

	T_ASSERT(s);
	c = t_fork();
	T_SYSOK(c);
	if (c == 0) {
		uint64_t t0;
		int st;
		pid_t g;

		pin_cpu0();
		if (setsched(0, SCHED_FIFO, 10))
			_exit(1);
		g = fork(); /* FIFO 10 too, queued behind this one */
		if (g == 0) {
			s->flag = 1;
			_exit(0);
		}
		t0 = now_ns();
		while (now_ns() - t0 < 50000000ull) /* 50 ms: ticks pass */
			if (s->flag)
				_exit(2);
		sched_yield();
		if (!s->flag)
			_exit(3);
		if (waitpid(g, &st, 0) != g)
			_exit(4);
		_exit(0);
	}
	T_EXITED(c, 0);
	munmap(s, sizeof *s);
}

/* Raising a queued process above the running one gives it the CPU at
 * once: it has run when sched_setscheduler returns. */
T_CASE(higher_priority_takes_the_cpu_at_once)
{
	struct shared *s = shared_new();
	pid_t c;

	T_ASSERT(s);
	c = t_fork();
	T_SYSOK(c);
	if (c == 0) {
		int st;
		pid_t g;

		pin_cpu0();
		if (setsched(0, SCHED_FIFO, 10))
			_exit(1);
		g = fork();
		if (g == 0) {
			s->flag = 1;
			_exit(0);
		}
		if (s->flag)
			_exit(2); /* ran before its turn */
		if (setsched(g, SCHED_FIFO, 20))
			_exit(3);
		if (!s->flag)
			_exit(4);
		if (waitpid(g, &st, 0) != g)
			_exit(5);
		_exit(0);
	}
	T_EXITED(c, 0);
	munmap(s, sizeof *s);
}

/* Two SCHED_RR processes of one priority on one CPU take turns: the one
 * that never yields sees the other make progress. */
T_CASE(rr_shares_the_cpu_by_slices)
{
	struct shared *s = shared_new();
	pid_t c;

	T_ASSERT(s);
	c = t_fork();
	T_SYSOK(c);
	if (c == 0) {
		uint64_t t0;
		int st;
		pid_t g;

		pin_cpu0();
		if (setsched(0, SCHED_RR, 10))
			_exit(1);
		g = fork();
		if (g == 0) {
			while (!s->stop)
				s->counter++;
			_exit(0);
		}
		t0 = now_ns();
		while (s->counter == 0 && now_ns() - t0 < 30000000000ull)
			;
		s->stop = 1;
		if (s->counter == 0)
			_exit(2);
		if (waitpid(g, &st, 0) != g)
			_exit(3);
		_exit(0);
	}
	T_EXITED(c, 0);
	munmap(s, sizeof *s);
}

/* A SCHED_FIFO process that spins on a CPU still leaves time there to a
 * SCHED_OTHER one (real-time throttling: 950 ms of each second), so the
 * system keeps working. The spinner gives up after 40 s at most. */
T_CASE(realtime_spinner_leaves_time_to_others)
{
	struct shared *s = shared_new();
	unsigned long before;
	bool progressed;
	uint64_t t0;
	pid_t n, r;

	T_ASSERT(s);
	n = t_fork();
	T_SYSOK(n);
	if (n == 0) {
		pin_cpu0();
		while (!s->stop)
			s->counter++;
		_exit(0);
	}
	r = t_fork();
	T_SYSOK(r);
	if (r == 0) {
		uint64_t start;

		pin_cpu0();
		if (setsched(0, SCHED_FIFO, 10))
			_exit(1);
		s->spinning = 1;
		start = now_ns();
		while (!s->stop && now_ns() - start < 40000000000ull)
			;
		_exit(s->stop ? 0 : 2);
	}
	t0 = now_ns();
	while (!s->spinning && now_ns() - t0 < 30000000000ull)
		usleep(1000);
	before = s->counter;
	while (s->spinning && s->counter == before &&
	       now_ns() - t0 < 30000000000ull)
		usleep(1000);
	progressed = s->spinning && s->counter != before;
	s->stop = 1; /* before any check can return */
	T_ASSERT(progressed);
	T_EXITED(r, 0);
	T_EXITED(n, 0);
	munmap(s, sizeof *s);
}

int main(void)
{
	t_init("t_sched_rt");
	T_RUN(fifo_and_rr_set_read_and_inherited);
	T_RUN(unprivileged_needs_rlimit_rtprio);
	T_RUN(fifo_runs_until_it_yields);
	T_RUN(higher_priority_takes_the_cpu_at_once);
	T_RUN(rr_shares_the_cpu_by_slices);
	T_RUN(realtime_spinner_leaves_time_to_others);
	return t_done();
}
