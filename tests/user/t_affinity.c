/* t_affinity.c: sched_setaffinity(2) and sched_getaffinity(2).
 *
 * The mask a thread gets is the one it runs under: pinned to one CPU, it
 * is found on that CPU (sched_getcpu) from the call's return on, across
 * sleeps; another thread pinned from outside moves there; children and
 * threads inherit the mask; bad masks, lengths, pointers and ids give
 * Linux's errors. Runs with any number of CPUs (each online one is
 * tried). Also passes on Linux. */
#include "t.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static int ncpu;

static long raw_get(pid_t pid, size_t len, void *mask)
{
	return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long raw_set(pid_t pid, size_t len, const void *mask)
{
	return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static uint64_t all_cpus(void)
{
	return ncpu >= 64 ? ~0ull : (1ull << ncpu) - 1;
}

static uint64_t get_mask(pid_t pid)
{
	uint64_t m = 0;

	return raw_get(pid, sizeof m, &m) == 8 ? m : 0;
}

static int set_mask(pid_t pid, uint64_t m)
{
	return (int)raw_set(pid, sizeof m, &m);
}

T_CASE(initial_mask_is_every_online_cpu)
{
	uint64_t m[4] = { 0, 0, 0, 0 };
	long n = raw_get(0, sizeof m, m);

	/* The raw call returns the size of the kernel's mask (8 bytes here,
	 * more on a Linux built for many CPUs), whole longs. */
	T_ASSERT(n >= 8 && n <= (long)sizeof m && n % 8 == 0);
	T_EQ(m[0], all_cpus());
	T_EQ(m[1], 0);
	T_EQ(get_mask(getpid()), all_cpus());
}

T_CASE(pinned_thread_runs_on_its_cpu)
{
	for (int cpu = 0; cpu < ncpu; cpu++) {
		T_SYSOK(set_mask(0, 1ull << cpu));
		T_EQ(get_mask(0), 1ull << cpu);
		/* On the CPU from the call's return on, also after sleeps
		 * and yields. */
		for (int i = 0; i < 20; i++) {
			T_EQ(sched_getcpu(), cpu);
			if (i % 2)
				sched_yield();
			else
				usleep(100);
		}
	}
	T_SYSOK(set_mask(0, all_cpus()));
}

T_CASE(glibc_cpu_set_interface)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(ncpu - 1, &set);
	T_SYSOK(sched_setaffinity(0, sizeof set, &set));
	CPU_ZERO(&set);
	T_SYSOK(sched_getaffinity(0, sizeof set, &set));
	T_EQ(CPU_COUNT(&set), 1);
	T_ASSERT(CPU_ISSET(ncpu - 1, &set));
	T_EQ(sched_getcpu(), ncpu - 1);
	CPU_ZERO(&set);
	for (int c = 0; c < ncpu; c++)
		CPU_SET(c, &set);
	T_SYSOK(sched_setaffinity(0, sizeof set, &set));
}

T_CASE(bits_past_the_last_cpu_are_ignored)
{
	uint64_t m[4] = { all_cpus() | (ncpu < 64 ? 1ull << 63 : 0), ~0ull, ~0ull, ~0ull };

	T_SYSOK(raw_set(0, sizeof m, m));
	T_EQ(get_mask(0), all_cpus());
	/* A short mask: the missing bytes are zero (CPU 0 only here). */
	uint8_t one = 1;
	T_SYSOK(raw_set(0, 1, &one));
	T_EQ(get_mask(0), 1);
	T_SYSOK(set_mask(0, all_cpus()));
}

T_CASE(bad_masks_lengths_and_ids)
{
	uint64_t m = 0;

	T_ERRNO(set_mask(0, 0), EINVAL);
	if (ncpu < 64)
		T_ERRNO(set_mask(0, 1ull << 63), EINVAL); /* no such CPU */
	T_ERRNO(raw_set(0, 0, &m), EINVAL);               /* empty */
	T_ERRNO(raw_set(0, 8, (void *)16), EFAULT);
	T_ERRNO(raw_get(0, 4, &m), EINVAL);               /* not whole longs */
	T_ERRNO(raw_get(0, 12, &m), EINVAL);
	T_ERRNO(raw_get(0, 8, (void *)16), EFAULT);
	T_ERRNO(raw_get(0x3ffffff, 8, &m), ESRCH);
	T_ERRNO(set_mask(0x3ffffff, 1), ESRCH);
	T_ERRNO(raw_get(-1, 8, &m), ESRCH);
	T_ERRNO(set_mask(-1, 1), ESRCH);
	/* Nothing changed by the failures. */
	T_EQ(get_mask(0), all_cpus());
}

T_CASE(children_and_threads_inherit)
{
	int cpu = ncpu - 1;
	pid_t pid;

	T_SYSOK(set_mask(0, 1ull << cpu));
	pid = t_fork();
	if (pid == 0)
		_exit(get_mask(0) == 1ull << cpu && sched_getcpu() == cpu ? 0 : 1);
	T_EXITED(pid, 0);
	T_SYSOK(set_mask(0, all_cpus()));
}

static atomic_int seen_cpu = -1;
static atomic_int stop_spin;

static void *spin(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_spin))
		atomic_store(&seen_cpu, sched_getcpu());
	return NULL;
}

T_CASE(another_thread_moves_when_pinned)
{
	pthread_t th;
	pid_t tid;

	atomic_store(&stop_spin, 0);
	T_EQ(pthread_create(&th, NULL, spin, NULL), 0);
	while (atomic_load(&seen_cpu) < 0)
		sched_yield();
	/* The spinner's tid: the only thread of ours in /proc other than
	 * this one. */
	tid = 0;
	for (pid_t t = getpid() + 1; t < getpid() + 1000 && !tid; t++)
		if (syscall(SYS_tgkill, getpid(), t, 0) == 0)
			tid = t;
	T_ASSERT(tid > 0);
	for (int cpu = 0; cpu < ncpu; cpu++) {
		struct timespec start, now;

		T_SYSOK(set_mask(tid, 1ull << cpu));
		T_EQ(get_mask(tid), 1ull << cpu);
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			if (atomic_load(&seen_cpu) == cpu)
				break;
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while (now.tv_sec - start.tv_sec < 30);
		T_EQ(atomic_load(&seen_cpu), cpu);
	}
	atomic_store(&stop_spin, 1);
	T_EQ(pthread_join(th, NULL), 0);
}

T_CASE(another_users_thread_needs_cap_sys_nice)
{
	pid_t pid = t_fork();

	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(2);
		/* pid 1 is root's: EPERM; our own: fine. */
		_exit(set_mask(1, 1) == -1 && errno == EPERM &&
		      set_mask(0, 1) == 0 ? 0 : 1);
	}
	T_EXITED(pid, 0);
}

int main(void)
{
	t_init("t_affinity");
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	T_RUN(initial_mask_is_every_online_cpu);
	T_RUN(pinned_thread_runs_on_its_cpu);
	T_RUN(glibc_cpu_set_interface);
	T_RUN(bits_past_the_last_cpu_are_ignored);
	T_RUN(bad_masks_lengths_and_ids);
	T_RUN(children_and_threads_inherit);
	T_RUN(another_thread_moves_when_pinned);
	T_RUN(another_users_thread_needs_cap_sys_nice);
	return t_done();
}
