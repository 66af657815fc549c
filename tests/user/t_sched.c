/* t_sched.c: scheduling policies and parameters, and no_new_privs.
 *
 * The calls every program may make of SCHED_OTHER, the policy threads
 * run under: Linux's priority ranges, reading the policy and parameters,
 * setting SCHED_OTHER at priority 0, and the errors for bad policies,
 * priorities, pointers and ids; then PR_SET_NO_NEW_PRIVS, one-way and
 * inherited. (Real-time policies are not set here: this kernel refuses
 * them, Linux grants them to root.) Also passes on Linux. */
#include "t.h"

#include <sched.h>
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

int main(void)
{
	t_init("t_sched");
	T_RUN(priority_ranges_are_linux_s);
	T_RUN(threads_run_sched_other_at_zero);
	T_RUN(bad_policies_priorities_and_ids);
	T_RUN(no_new_privs_is_one_way_and_inherited);
	return t_done();
}
