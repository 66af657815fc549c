/* t_sched.c: scheduling policies and parameters, and no_new_privs.
 *
 * The calls every program may make of SCHED_OTHER, the policy threads
 * run under: Linux's priority ranges, reading the policy and parameters,
 * setting SCHED_OTHER at priority 0, and the errors for bad policies,
 * priorities, pointers and ids; then PR_SET_NO_NEW_PRIVS, one-way and
 * inherited. (The real-time, batch and idle policies: t_sched_rt.c.)
 * Also passes on Linux. */
#include "t.h"

#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

T_CASE(priority_ranges_are_linux_s)
{
	T_EQ(sched_get_priority_max(SCHED_FIFO), 99);
	T_EQ(sched_get_priority_min(SCHED_FIFO), 1);
	T_EQ(sched_get_priority_max(SCHED_RR), 99);
	T_EQ(sched_get_priority_min(SCHED_RR), 1);
	T_EQ(sched_get_priority_max(SCHED_OTHER), 0);
	T_EQ(sched_get_priority_min(SCHED_OTHER), 0);
	T_EQ(sched_get_priority_max(SCHED_BATCH), 0);
	T_EQ(sched_get_priority_max(SCHED_IDLE), 0);
	T_ERRNO(sched_get_priority_max(77), EINVAL);
	T_ERRNO(sched_get_priority_min(-1), EINVAL);
}

T_CASE(threads_run_sched_other_at_zero)
{
	struct sched_param sp = { .sched_priority = 42 };

	T_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
	T_EQ(syscall(SYS_sched_getscheduler, getpid()), SCHED_OTHER);
	T_SYSOK(syscall(SYS_sched_getparam, 0, &sp));
	T_EQ(sp.sched_priority, 0);
	T_SYSOK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp));
	T_SYSOK(syscall(SYS_sched_setparam, 0, &sp));
	T_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
}

T_CASE(bad_policies_priorities_and_ids)
{
	struct sched_param sp = { .sched_priority = 5 };

	T_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), EINVAL);
	T_ERRNO(syscall(SYS_sched_setparam, 0, &sp), EINVAL);
	sp.sched_priority = 0;
	T_ERRNO(syscall(SYS_sched_setscheduler, 0, 77, &sp), EINVAL);
	T_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	T_ERRNO(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp), EINVAL);
	T_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)16), EFAULT);
	T_ERRNO(syscall(SYS_sched_setscheduler, 0x3ffffff, SCHED_OTHER, &sp), ESRCH);
	T_ERRNO(syscall(SYS_sched_getscheduler, -1), EINVAL);
	T_ERRNO(syscall(SYS_sched_getscheduler, 0x3ffffff), ESRCH);
	T_ERRNO(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	T_ERRNO(syscall(SYS_sched_getparam, 0, (void *)16), EFAULT);
	T_ERRNO(syscall(SYS_sched_getparam, 0x3ffffff, &sp), ESRCH);
}

static int status_nnp(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "NoNewPrivs:\t");
	return p ? p[12] - '0' : -1;
}

struct k_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* sched_getattr/sched_setattr on SCHED_OTHER: the nice value through
 * them (a child lowers its own and may not raise it back without
 * CAP_SYS_NICE: EPERM), Linux's size rules (E2BIG with the known size
 * written back, zero tail accepted) and argument errors. */
T_CASE(sched_attr_nice_and_sizes)
{
	struct k_sched_attr at;
	unsigned char big[80];

	memset(&at, 0xa5, sizeof at);
	T_SYSOK(syscall(SYS_sched_getattr, 0, &at, sizeof at, 0));
	T_EQ(at.size, sizeof at);
	T_EQ(at.sched_policy, SCHED_OTHER);
	T_EQ(at.sched_priority, 0);
	T_ERRNO(syscall(SYS_sched_getattr, 0, &at, 40, 0), EINVAL);
	T_ERRNO(syscall(SYS_sched_getattr, 0, &at, sizeof at, 1), EINVAL);
	T_ERRNO(syscall(SYS_sched_getattr, -1, &at, sizeof at, 0), EINVAL);
	T_ERRNO(syscall(SYS_sched_getattr, 0x3ffffff, &at, sizeof at, 0), ESRCH);

	pid_t c = t_fork();
	T_SYSOK(c);
	if (c == 0) {
		int bad = 0;
		if (setgid(65534) || setuid(65534))
			_exit(90);
		memset(&at, 0, sizeof at);
		at.size = 48;
		at.sched_policy = SCHED_OTHER;
		at.sched_nice = 7;
		bad |= syscall(SYS_sched_setattr, 0, &at, 0) != 0;
		bad |= (getpriority(PRIO_PROCESS, 0) != 7) << 1;
		at.sched_nice = 3;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 0) == -1 && errno == EPERM) << 2;
		at.sched_nice = 40; /* clamped to 19 */
		bad |= (syscall(SYS_sched_setattr, 0, &at, 0) != 0) << 3;
		bad |= (getpriority(PRIO_PROCESS, 0) != 19) << 4;
		at.sched_policy = 77;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 0) == -1 && errno == EINVAL) << 5;
		at.sched_policy = SCHED_OTHER;
		at.sched_priority = 1;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 0) == -1 && errno == EINVAL) << 6;
		at.sched_priority = 0;
		at.sched_flags = 1ull << 40;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 0) == -1 && errno == EINVAL) << 7;
		at.sched_flags = 0;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 1) == -1 && errno == EINVAL) << 8;
		/* a larger structure: a zero tail is fine, a non-zero one E2BIG */
		memset(big, 0, sizeof big);
		memcpy(big, &at, sizeof at);
		big[0] = sizeof big;
		bad |= (syscall(SYS_sched_setattr, 0, big, 0) != 0) << 9;
		big[70] = 1;
		bad |= !(syscall(SYS_sched_setattr, 0, big, 0) == -1 && errno == E2BIG) << 10;
		bad |= (big[0] != sizeof at) << 11;
		at.size = 20;
		bad |= !(syscall(SYS_sched_setattr, 0, &at, 0) == -1 && errno == E2BIG) << 12;
		if (bad)
			dprintf(2, "sched_attr: bad %#x\n", bad);
		_exit(bad ? 1 : 0);
	}
	T_EXITED(c, 0);
}

T_CASE(no_new_privs_is_one_way_and_inherited)
{
	pid_t pid = t_fork();

	if (pid == 0) {
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 || status_nnp() != 0)
			_exit(2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL)
			_exit(3);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0) != -1 || errno != EINVAL)
			_exit(4);
		if (prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0) != -1 || errno != EINVAL)
			_exit(5);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(6);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || status_nnp() != 1)
			_exit(7);
		pid_t g = fork();
		if (g == 0)
			_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
		int st;
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(8);
		_exit(0);
	}
	T_EXITED(pid, 0);
}

/* sched_rr_get_interval: a slice for SCHED_OTHER threads, for the
 * caller (0) or a pid. Linux reports CFS's slice in whole jiffies, which
 * is 0 on an idle run queue and under 6.6's EEVDF often 0 too; this
 * kernel reports its round-robin slice. */
T_CASE(rr_interval_of_a_sched_other_thread)
{
	struct timespec ts = { -1, -1 };

	T_SYSOK(sched_rr_get_interval(0, &ts));
	T_EQ(ts.tv_sec, 0);
	T_ASSERT(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	T_SYSOK(sched_rr_get_interval(getpid(), &ts));
	T_ERRNO(sched_rr_get_interval(-1, &ts), EINVAL);
	T_ERRNO(sched_rr_get_interval(0, (struct timespec *)8), EFAULT);
}

/* /proc/<pid>/syscall: a child waiting in read(2) on a pipe shows the
 * number 0 and the pipe's fd. (For itself, a reader sees the call that
 * made the file's text: read(2) on Linux, open(2) here, where procfs
 * files are made when opened.) */
T_CASE(proc_syscall_shows_the_waiting_call)
{
	char path[64], buf[256];
	int p[2], fd;
	ssize_t n = 0;

	unsigned long nr = 99, a0 = 99;
	T_SYSOK(pipe(p));
	pid_t pid = t_fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	/* Wait (up to 60 s) until the child is in its read. */
	for (int i = 0; i < 6000; i++) {
		fd = open(path, O_RDONLY);
		T_SYSOK(fd);
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (strncmp(buf, "0 ", 2) == 0)
			break;
		usleep(10000);
	}
	T_EQ(sscanf(buf, "%lu 0x%lx", &nr, &a0), 2);
	T_EQ(nr, 0);
	T_EQ(a0, (unsigned long)p[0]);
	close(p[0]);
	close(p[1]);
	T_EXITED(pid, 0);
}

int main(void)
{
	t_init("t_sched");
	T_RUN(priority_ranges_are_linux_s);
	T_RUN(threads_run_sched_other_at_zero);
	T_RUN(bad_policies_priorities_and_ids);
	T_RUN(sched_attr_nice_and_sizes);
	T_RUN(no_new_privs_is_one_way_and_inherited);
	T_RUN(rr_interval_of_a_sched_other_thread);
	T_RUN(proc_syscall_shows_the_waiting_call);
	return t_done();
}
