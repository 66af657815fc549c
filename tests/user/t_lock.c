/* t_lock.c: advisory file locks: fcntl(2) record locks (POSIX and OFD)
 * and flock(2), between processes and within one.
 *
 * Conflicts are seen from a child process (a POSIX lock never conflicts
 * with its own process); a blocked waiter is waited for by its state in
 * /proc (S, sleeping), never by time. Every case also passes on Linux. */
#include "t.h"

#include <poll.h>
#include <stdint.h>
#include <sys/file.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

static const char *path = "/tmp/t_lock.file";

static int open_rw(void)
{
	return open(path, O_RDWR | O_CREAT, 0644);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* In a child: try F_SETLK of type on [start, start+len) on a new open
 * of the file; exit 0 if granted, 1 if refused with EAGAIN/EACCES. */
static int child_try(short type, off_t start, off_t len)
{
	pid_t pid = t_fork();
	int st;

	if (pid == 0) {
		int fd = open_rw();
		if (setlk(fd, F_SETLK, type, start, len) == 0)
			_exit(0);
		_exit(errno == EAGAIN || errno == EACCES ? 1 : 2);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Wait (up to 60 s) until pid sleeps: its state in /proc/PID/stat. */
static int wait_sleeping(pid_t pid)
{
	char p[64], buf[512];

	snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 60000; i++) {
		int fd = open(p, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *rp = strrchr(buf, ')');
			if (rp && rp[1] == ' ' && rp[2] == 'S')
				return 0;
		}
		usleep(1000);
	}
	return -1;
}

static int has_data(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0);
}

T_CASE(write_lock_excludes_other_processes)
{
	int fd;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	T_EQ(child_try(F_WRLCK, 50, 10), 1);
	T_EQ(child_try(F_RDLCK, 99, 1), 1);
	T_EQ(child_try(F_WRLCK, 100, 10), 0); /* past the range */
	/* Our own process may re-lock and convert freely. */
	T_SYSOK(setlk(fd, F_SETLK, F_RDLCK, 0, 100));
	T_EQ(child_try(F_RDLCK, 0, 100), 0);  /* read locks share */
	T_EQ(child_try(F_WRLCK, 0, 1), 1);
	close(fd);
}

T_CASE(getlk_reports_the_holder)
{
	int fd;
	pid_t pid;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 10, 20));
	pid = t_fork();
	if (pid == 0) {
		int cfd = open_rw();
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
				    .l_start = 0, .l_len = 0 };
		if (fcntl(cfd, F_GETLK, &fl) != 0)
			_exit(2);
		if (fl.l_type != F_WRLCK || fl.l_start != 10 || fl.l_len != 20 ||
		    fl.l_pid != getppid() || fl.l_whence != SEEK_SET)
			_exit(3);
		fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
				     .l_start = 30, .l_len = 5 };
		if (fcntl(cfd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK)
			_exit(4);
		_exit(0);
	}
	T_EXITED(pid, 0);
	/* The caller's own locks are not reported to it. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	T_SYSOK(fcntl(fd, F_GETLK, &fl));
	T_EQ(fl.l_type, F_UNLCK);
	close(fd);
}

T_CASE(unlock_splits_and_relock_merges)
{
	int fd;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	T_SYSOK(setlk(fd, F_SETLK, F_UNLCK, 40, 20)); /* a hole 40..59 */
	T_EQ(child_try(F_WRLCK, 40, 20), 0);
	T_EQ(child_try(F_WRLCK, 39, 1), 1);
	T_EQ(child_try(F_WRLCK, 60, 1), 1);
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 40, 20)); /* filled again */
	T_EQ(child_try(F_WRLCK, 45, 1), 1);
	T_SYSOK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));   /* to end of file */
	T_EQ(child_try(F_WRLCK, 0, 0), 0);
	close(fd);
}

T_CASE(ranges_from_whence_and_negative_length)
{
	int fd;
	struct flock fl;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_EQ(write(fd, "0123456789", 10), 10);
	/* SEEK_END - 4, length 2: bytes 6..7. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_END,
			     .l_start = -4, .l_len = 2 };
	T_SYSOK(fcntl(fd, F_SETLK, &fl));
	T_EQ(child_try(F_WRLCK, 6, 2), 1);
	T_EQ(child_try(F_WRLCK, 8, 1), 0);
	/* SEEK_CUR at 3, length -2: bytes 1..2. */
	T_EQ(lseek(fd, 3, SEEK_SET), 3);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_CUR,
			     .l_start = 0, .l_len = -2 };
	T_SYSOK(fcntl(fd, F_SETLK, &fl));
	T_EQ(child_try(F_WRLCK, 1, 1), 1);
	T_EQ(child_try(F_WRLCK, 3, 1), 0);
	T_EQ(child_try(F_WRLCK, 0, 1), 0);
	close(fd);
}

T_CASE(bad_requests)
{
	int fd, rfd;
	struct flock fl = { .l_type = 7, .l_whence = SEEK_SET };

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(rfd = open(path, O_RDONLY));
	T_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = 9 };
	T_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = -1 };
	T_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = -6 };
	T_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
			     .l_start = INT64_MAX, .l_len = 2 };
	T_ERRNO(fcntl(fd, F_SETLK, &fl), EOVERFLOW);
	T_ERRNO(setlk(rfd, F_SETLK, F_WRLCK, 0, 1), EBADF); /* not open for writing */
	T_SYSOK(setlk(rfd, F_SETLK, F_RDLCK, 0, 1));
	T_ERRNO(fcntl(fd, F_SETLK, (void *)16), EFAULT);
	T_ERRNO(fcntl(fd, F_GETLK, (void *)16), EFAULT);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	T_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
	close(rfd);
	close(fd);
}

T_CASE(closing_any_descriptor_drops_posix_locks)
{
	int fd1, fd2;

	unlink(path);
	T_SYSOK(fd1 = open_rw());
	T_SYSOK(fd2 = open_rw());
	T_SYSOK(setlk(fd1, F_SETLK, F_WRLCK, 0, 0));
	T_EQ(child_try(F_WRLCK, 0, 1), 1);
	close(fd2); /* POSIX: any close of the file by the process */
	T_EQ(child_try(F_WRLCK, 0, 1), 0);
	close(fd1);
}

T_CASE(locks_go_when_the_holder_exits)
{
	int p[2];
	pid_t pid;
	char c;

	unlink(path);
	T_SYSOK(pipe(p));
	pid = t_fork();
	if (pid == 0) {
		int fd = open_rw();
		if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) != 0)
			_exit(2);
		if (write(p[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(child_try(F_WRLCK, 0, 1), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	T_EQ(child_try(F_WRLCK, 0, 1), 0);
	close(p[0]);
	close(p[1]);
}

T_CASE(setlkw_waits_for_the_holder)
{
	int fd, p[2];
	pid_t pid;
	char c;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(pipe(p));
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	pid = t_fork();
	if (pid == 0) {
		int cfd = open_rw();
		if (setlk(cfd, F_SETLKW, F_WRLCK, 5, 1) != 0)
			_exit(2);
		if (write(p[1], "g", 1) != 1)
			_exit(3);
		_exit(0);
	}
	T_SYSOK(wait_sleeping(pid));
	T_EQ(has_data(p[0]), 0); /* still waiting */
	T_SYSOK(setlk(fd, F_SETLK, F_UNLCK, 0, 10));
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(c, 'g');
	T_EXITED(pid, 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

T_CASE(setlkw_finds_a_deadlock)
{
	int fd, p[2];
	pid_t pid;
	char c;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(pipe(p));
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 0, 1)); /* we hold byte 0 */
	pid = t_fork();
	if (pid == 0) {
		int cfd = open_rw();
		if (setlk(cfd, F_SETLK, F_WRLCK, 1, 1) != 0) /* it holds byte 1 */
			_exit(2);
		if (write(p[1], "h", 1) != 1)
			_exit(3);
		/* ...and waits for byte 0: granted once we give up. */
		_exit(setlk(cfd, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 4);
	}
	T_EQ(read(p[0], &c, 1), 1);
	T_SYSOK(wait_sleeping(pid));
	/* Waiting for byte 1 would close the cycle. */
	T_ERRNO(setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	T_SYSOK(setlk(fd, F_SETLK, F_UNLCK, 0, 1));
	T_EXITED(pid, 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

T_CASE(setlkw_interrupted_by_a_signal)
{
	int fd;
	pid_t pid;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pid = t_fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
		int cfd = open_rw();
		sigaction(SIGUSR1, &sa, NULL);
		_exit(setlk(cfd, F_SETLKW, F_WRLCK, 0, 1) == -1 && errno == EINTR ? 0 : 1);
	}
	T_SYSOK(wait_sleeping(pid));
	T_SYSOK(kill(pid, SIGUSR1));
	T_EXITED(pid, 0);
	close(fd);
}

T_CASE(ofd_locks_belong_to_the_open_file)
{
	int fd1, fd2, fd3;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	unlink(path);
	T_SYSOK(fd1 = open_rw());
	T_SYSOK(fd2 = open_rw());
	T_SYSOK(fcntl(fd1, F_OFD_SETLK, &fl));
	/* Another open file of the same process conflicts. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	T_ERRNO2(fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN, EACCES);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	T_SYSOK(fcntl(fd2, F_OFD_GETLK, &fl));
	T_EQ(fl.l_type, F_WRLCK);
	T_EQ(fl.l_pid, -1);
	/* And POSIX locks of this process conflict with it too. */
	T_ERRNO2(setlk(fd2, F_SETLK, F_WRLCK, 0, 1), EAGAIN, EACCES);
	/* A nonzero l_pid is refused. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	T_ERRNO(fcntl(fd2, F_OFD_SETLK, &fl), EINVAL);
	/* Closing another descriptor of the file keeps it; closing the
	 * last one of the open file drops it. */
	T_SYSOK(fd3 = dup(fd1));
	close(fd2);
	T_EQ(child_try(F_WRLCK, 0, 1), 1);
	close(fd1);
	T_EQ(child_try(F_WRLCK, 0, 1), 1); /* fd3 still holds it */
	close(fd3);
	T_EQ(child_try(F_WRLCK, 0, 1), 0);
}

T_CASE(flock_shared_exclusive_and_conversion)
{
	int fd1, fd2, fd3;

	unlink(path);
	T_SYSOK(fd1 = open_rw());
	T_SYSOK(fd2 = open_rw());
	T_SYSOK(flock(fd1, LOCK_EX));
	T_ERRNO(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	T_ERRNO(flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	T_SYSOK(flock(fd1, LOCK_EX)); /* again: kept */
	T_SYSOK(flock(fd1, LOCK_SH)); /* converted */
	T_SYSOK(flock(fd2, LOCK_SH | LOCK_NB));
	T_ERRNO(flock(fd1, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* The failed conversion dropped fd1's lock (Linux): fd2 is alone
	 * and may take it exclusively. */
	T_SYSOK(flock(fd2, LOCK_EX | LOCK_NB));
	T_SYSOK(flock(fd2, LOCK_UN));
	/* A dup shares its open file's lock. */
	T_SYSOK(flock(fd1, LOCK_EX));
	T_SYSOK(fd3 = dup(fd1));
	T_SYSOK(flock(fd3, LOCK_EX | LOCK_NB));
	close(fd1);
	T_ERRNO(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(fd3); /* the open file's last reference: the lock goes */
	T_SYSOK(flock(fd2, LOCK_EX | LOCK_NB));
	close(fd2);
}

T_CASE(flock_and_record_locks_are_independent)
{
	int fd;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(flock(fd, LOCK_EX));
	T_EQ(child_try(F_WRLCK, 0, 0), 0);
	close(fd);
}

T_CASE(flock_blocks_until_released)
{
	int fd, p[2];
	pid_t pid;
	char c;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_SYSOK(pipe(p));
	T_SYSOK(flock(fd, LOCK_EX));
	pid = t_fork();
	if (pid == 0) {
		int cfd = open_rw();
		if (flock(cfd, LOCK_SH) != 0)
			_exit(2);
		_exit(write(p[1], "f", 1) == 1 ? 0 : 3);
	}
	T_SYSOK(wait_sleeping(pid));
	T_EQ(has_data(p[0]), 0);
	T_SYSOK(flock(fd, LOCK_UN));
	T_EQ(read(p[0], &c, 1), 1);
	T_EXITED(pid, 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

T_CASE(flock_bad_requests)
{
	int fd;

	unlink(path);
	T_SYSOK(fd = open_rw());
	T_ERRNO(flock(fd, 0), EINVAL);
	T_ERRNO(flock(fd, LOCK_SH | LOCK_EX), EINVAL);
	T_ERRNO(flock(-1, LOCK_SH), EBADF);
	T_ERRNO(flock(1000, LOCK_SH), EBADF);
	close(fd);
	unlink(path);
}

int main(void)
{
	t_init("t_lock");
	T_RUN(write_lock_excludes_other_processes);
	T_RUN(getlk_reports_the_holder);
	T_RUN(unlock_splits_and_relock_merges);
	T_RUN(ranges_from_whence_and_negative_length);
	T_RUN(bad_requests);
	T_RUN(closing_any_descriptor_drops_posix_locks);
	T_RUN(locks_go_when_the_holder_exits);
	T_RUN(setlkw_waits_for_the_holder);
	T_RUN(setlkw_finds_a_deadlock);
	T_RUN(setlkw_interrupted_by_a_signal);
	T_RUN(ofd_locks_belong_to_the_open_file);
	T_RUN(flock_shared_exclusive_and_conversion);
	T_RUN(flock_and_record_locks_are_independent);
	T_RUN(flock_blocks_until_released);
	T_RUN(flock_bad_requests);
	return t_done();
}
