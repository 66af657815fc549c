/* t_pty.c: pseudo-terminals (/dev/ptmx, devpts), checked against Linux. */
#include "t.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int open_pair(int *s)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) || unlockpt(m))
		return -1;
	*s = open(ptsname(m), O_RDWR | O_NOCTTY);
	return *s < 0 ? -1 : m;
}

/* Read what is there (up to n) with a short wait for the first byte. */
static ssize_t rd(int fd, char *b, size_t n)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 2000) != 1)
		return -2;
	return read(fd, b, n);
}

T_CASE(open_lock_ptn)
{
	int m, s;
	unsigned n = 99;
	int lk = 0;
	char path[32];

	T_SYSOK(m = posix_openpt(O_RDWR | O_NOCTTY));
	T_SYSOK(ioctl(m, TIOCGPTN, &n));
	snprintf(path, sizeof path, "/dev/pts/%u", n);
	T_STREQ(ptsname(m), path);
	T_SYSOK(ioctl(m, TIOCGPTLCK, &lk));
	T_EQ(lk, 1);
	T_ERRNO(open(path, O_RDWR | O_NOCTTY), EIO);
	T_SYSOK(unlockpt(m));
	T_SYSOK(s = open(path, O_RDWR | O_NOCTTY));
	T_ASSERT(isatty(s));
	T_SYSOK(close(s));
	T_SYSOK(close(m));
}

T_CASE(data_canon_echo_onlcr)
{
	int m, s;
	char b[64];

	T_SYSOK(m = open_pair(&s));
	T_EQ(write(m, "abc\n", 4), 4);
	T_EQ(rd(s, b, sizeof b), 4);
	T_ASSERT(memcmp(b, "abc\n", 4) == 0);
	T_EQ(rd(m, b, sizeof b), 5); /* echo, with ONLCR */
	T_ASSERT(memcmp(b, "abc\r\n", 5) == 0);
	T_EQ(write(s, "hi\n", 3), 3);
	T_EQ(rd(m, b, sizeof b), 4);
	T_ASSERT(memcmp(b, "hi\r\n", 4) == 0);
	close(s);
	close(m);
}

T_CASE(raw_mode)
{
	int m, s;
	struct termios t;
	char b[8];

	T_SYSOK(m = open_pair(&s));
	T_SYSOK(tcgetattr(s, &t));
	cfmakeraw(&t);
	T_SYSOK(tcsetattr(s, TCSANOW, &t));
	T_EQ(write(m, "x", 1), 1);
	T_EQ(rd(s, b, sizeof b), 1);
	T_EQ(b[0], 'x');
	T_EQ(write(s, "\n", 1), 1);
	T_EQ(rd(m, b, sizeof b), 1); /* no ONLCR, no echo */
	T_EQ(b[0], '\n');
	close(s);
	close(m);
}

T_CASE(nonblock_fionread)
{
	int m, s, n = -1;
	char b[8];

	T_SYSOK(m = open_pair(&s));
	T_SYSOK(fcntl(m, F_SETFL, O_NONBLOCK));
	T_ERRNO(read(m, b, sizeof b), EAGAIN);
	T_EQ(write(s, "ab", 2), 2);
	usleep(100000);
	T_SYSOK(ioctl(m, FIONREAD, &n));
	T_EQ(n, 2);
	close(s);
	close(m);
}

T_CASE(intr_and_winch)
{
	int m, s, p[2];
	pid_t pid;
	char c;
	struct winsize ws = { 30, 100, 0, 0 };

	T_SYSOK(m = open_pair(&s));
	T_SYSOK(pipe(p));
	pid = t_fork();
	if (pid == 0) {
		sigset_t set;
		int sig, sl;

		close(p[0]);
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGWINCH);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		setsid();
		sl = open(ptsname(m), O_RDWR); /* acquires it: session leader */
		if (sl < 0 || tcgetpgrp(sl) != getpid())
			_exit(10);
		close(m); /* the parent's close must be the last */
		close(s);
		write(p[1], "r", 1);
		if (sigwait(&set, &sig) || sig != SIGINT)
			_exit(11);
		write(p[1], "i", 1);
		if (sigwait(&set, &sig) || sig != SIGWINCH)
			_exit(12);
		write(p[1], "w", 1);
		if (sigwait(&set, &sig) || sig != SIGHUP)
			_exit(13);
		if (read(sl, &c, 1) != 0)
			_exit(14);
		if (write(sl, "x", 1) != -1 || errno != EIO)
			_exit(15);
		_exit(0);
	}
	close(p[1]);
	close(s);
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(c, 'r');
	T_EQ(write(m, "\003", 1), 1);
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(c, 'i');
	T_SYSOK(ioctl(m, TIOCSWINSZ, &ws));
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(c, 'w');
	T_SYSOK(close(m)); /* hangup */
	T_EXITED(pid, 0);
	close(p[0]);
}

T_CASE(slave_closed_eio_pollhup)
{
	int m, s;
	char b[8];
	struct pollfd pf;

	T_SYSOK(m = open_pair(&s));
	pf = (struct pollfd){ m, POLLIN, 0 };
	T_EQ(poll(&pf, 1, 0), 0);
	T_EQ(write(s, "z", 1), 1);
	pf.revents = 0;
	T_EQ(poll(&pf, 1, 1000), 1);
	T_ASSERT(pf.revents & POLLIN);
	T_SYSOK(close(s));
	T_EQ(read(m, b, sizeof b), 1);
	T_ERRNO(read(m, b, sizeof b), EIO);
	pf.revents = 0;
	T_EQ(poll(&pf, 1, 0), 1);
	T_ASSERT(pf.revents & POLLHUP);
	close(m);
}

T_CASE(peer_and_bad_ioctl)
{
	int m, s, n = 0;

	T_SYSOK(m = posix_openpt(O_RDWR | O_NOCTTY));
	T_ERRNO(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
	T_SYSOK(unlockpt(m));
	T_SYSOK(s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	T_ASSERT(isatty(s));
	T_EQ(write(s, "q", 1), 1);
	T_EQ(rd(m, (char *)&n, 1), 1);
	T_ERRNO(ioctl(s, TIOCGPTN, &n), ENOTTY);
	T_ERRNO(ioctl(m, 0x54ff, 0), ENOTTY);
	close(s);
	close(m);
}

T_CASE(many_pairs_reuse)
{
	static int ms[64];
	unsigned first = 0, again = 1;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++)
			T_SYSOK(ms[i] = posix_openpt(O_RDWR | O_NOCTTY));
		T_SYSOK(ioctl(ms[0], TIOCGPTN, round ? &again : &first));
		for (int i = 0; i < 64; i++)
			T_SYSOK(close(ms[i]));
	}
	T_EQ(again, first);
}

/* A session leader that opens a slave with O_NOCTTY does not acquire
 * it (and one without it does), so a child in a new session can make it
 * its controlling terminal: what forkpty(3) and tmux do. */
T_CASE(session_leader_o_noctty)
{
	pid_t pid = t_fork();

	if (pid == 0) {
		int m, s, s2, sid = -1, st;
		pid_t g;

		/* Closing the master at the end hangs up our own terminal. */
		signal(SIGHUP, SIG_IGN);
		if (setsid() < 0 || (m = open_pair(&s)) < 0)
			_exit(2);
		if (ioctl(s, TIOCGSID, &sid) != -1 || errno != ENOTTY)
			_exit(3); /* O_NOCTTY: not ours */
		g = fork();
		if (g == 0) {
			close(m);
			if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0) != 0)
				_exit(4);
			_exit(ioctl(s, TIOCGSID, &sid) == 0 && sid == getpid() ? 0 : 5);
		}
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(10 + (WIFEXITED(st) ? WEXITSTATUS(st) : 9));
		/* Without O_NOCTTY the leader (no terminal yet) acquires it. */
		if ((s2 = open(ptsname(m), O_RDWR)) < 0)
			_exit(6);
		if (ioctl(s2, TIOCGSID, &sid) != 0 || sid != getpid())
			_exit(7);
		close(s);
		close(s2);
		close(m);
		_exit(0);
	}
	T_EXITED(pid, 0);
}

/* vhangup(2) hangs up the caller's controlling terminal as a dropped
 * line: the files open on it read 0 and write EIO from then on, the
 * session loses it (the leader gets SIGHUP), and opening it again gives
 * a working terminal, which login does. Without CAP_SYS_TTY_CONFIG it
 * is EPERM; without a controlling terminal it does nothing. */
static volatile sig_atomic_t got_hup;
static void on_hup(int sig) { (void)sig; got_hup = 1; }

T_CASE(vhangup_hangs_up_open_files_only)
{
	pid_t pid = t_fork();

	if (pid == 0) {
		int m, s, s2, sid = -1;
		char b[8];

		signal(SIGHUP, on_hup);
		if (syscall(SYS_vhangup) != 0) /* no terminal: nothing */
			_exit(2);
		if (setsid() < 0 || (m = open_pair(&s)) < 0)
			_exit(3);
		close(s);
		if ((s = open(ptsname(m), O_RDWR)) < 0) /* our terminal */
			_exit(4);
		if (ioctl(s, TIOCGSID, &sid) != 0 || sid != getpid())
			_exit(5);
		if (syscall(SYS_vhangup) != 0)
			_exit(6);
		if (!got_hup)
			_exit(7);
		if (read(s, b, sizeof b) != 0)
			_exit(8);
		if (write(s, "x", 1) != -1 || errno != EIO)
			_exit(9);
		if (ioctl(s, TIOCGSID, &sid) != -1 || errno != EIO)
			_exit(10);
		if ((s2 = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0)
			_exit(11);
		if (write(s2, "ok\n", 3) != 3 || rd(m, b, sizeof b) != 4 ||
		    memcmp(b, "ok\r\n", 4) != 0)
			_exit(12);
		pid_t c = fork();
		if (c == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(1);
			_exit(syscall(SYS_vhangup) == -1 && errno == EPERM ? 0 : 1);
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(13);
		close(s);
		close(s2);
		close(m);
		_exit(0);
	}
	T_EXITED(pid, 0);
}

/* Packet mode (TIOCPKT): each master read starts with a status byte,
 * TIOCPKT_DATA (0) before data, or alone the events the slave's side had:
 * an input flush, output stopped and started, ^S/^Q flow control off and
 * on; poll says POLLPRI for them. */
T_CASE(packet_mode_status_bytes)
{
	int s, m = open_pair(&s), on = 1, v = 0;
	unsigned char b[64];
	struct termios tio;
	struct pollfd pf;

	T_SYSOK(m);
	T_SYSOK(ioctl(m, TIOCPKT, &on));
	T_SYSOK(ioctl(m, TIOCGPKT, &v));
	T_EQ(v, 1);
	T_EQ(write(s, "hi", 2), 2);
	T_EQ(rd(m, (char *)b, sizeof b), 3);
	T_ASSERT(b[0] == TIOCPKT_DATA && b[1] == 'h' && b[2] == 'i');
	T_SYSOK(tcflush(s, TCIFLUSH));
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], TIOCPKT_FLUSHREAD);
	T_SYSOK(tcflow(s, TCOOFF));
	pf = (struct pollfd){ m, POLLPRI, 0 };
	T_EQ(poll(&pf, 1, 2000), 1);
	T_ASSERT(pf.revents & POLLPRI);
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], TIOCPKT_STOP);
	T_SYSOK(tcflow(s, TCOON));
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], TIOCPKT_START);
	T_SYSOK(tcgetattr(s, &tio));
	tio.c_iflag &= ~IXON;
	T_SYSOK(tcsetattr(s, TCSANOW, &tio));
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], TIOCPKT_NOSTOP);
	tio.c_iflag |= IXON;
	T_SYSOK(tcsetattr(s, TCSANOW, &tio));
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], TIOCPKT_DOSTOP);
	on = 0;
	T_SYSOK(ioctl(m, TIOCPKT, &on));
	T_EQ(write(s, "x", 1), 1);
	T_EQ(rd(m, (char *)b, sizeof b), 1);
	T_EQ(b[0], 'x');
	T_ERRNO(ioctl(s, TIOCPKT, &on), ENOTTY);
	close(s);
	close(m);
}

/* The old System V termio calls (TCGETA, TCSETA*) see and set the low
 * 16 bits of the termios flags and the first 8 control characters. */
struct old_termio {
	unsigned short c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[8];
};

T_CASE(termio_ioctls)
{
	struct old_termio o;
	struct termios t;
	int m, s;

	T_SYSOK(m = open_pair(&s));
	T_SYSOK(ioctl(s, TCGETS, &t));
	T_SYSOK(ioctl(s, TCGETA, &o));
	T_EQ(o.c_lflag, (unsigned short)t.c_lflag);
	T_EQ(o.c_iflag, (unsigned short)t.c_iflag);
	T_EQ(o.c_cc[VINTR], t.c_cc[VINTR]);
	o.c_lflag &= (unsigned short)~ECHO;
	o.c_cc[VINTR] = 7;
	T_SYSOK(ioctl(s, TCSETA, &o));
	T_SYSOK(ioctl(s, TCGETS, &t));
	T_ASSERT(!(t.c_lflag & ECHO));
	T_EQ(t.c_cc[VINTR], 7);
	o.c_lflag |= ECHO;
	T_SYSOK(ioctl(s, TCSETAW, &o));
	T_SYSOK(ioctl(s, TCSETAF, &o));
	T_SYSOK(ioctl(s, TCGETS, &t));
	T_ASSERT(t.c_lflag & ECHO);
	T_ERRNO(ioctl(s, TCGETA, (void *)8), EFAULT);
	/* The termios lock: locked bits keep their value (root may lock). */
	struct termios lk;
	T_SYSOK(ioctl(s, TIOCGLCKTRMIOS, &lk));
	T_EQ(lk.c_lflag, 0);
	if (geteuid() == 0) {
		memset(&lk, 0, sizeof lk);
		lk.c_lflag = ECHO;
		T_SYSOK(ioctl(s, TIOCSLCKTRMIOS, &lk));
		T_SYSOK(ioctl(s, TCGETS, &t));
		t.c_lflag &= ~(tcflag_t)ECHO;
		T_SYSOK(ioctl(s, TCSETS, &t));
		T_SYSOK(ioctl(s, TCGETS, &t));
		T_ASSERT(t.c_lflag & ECHO);
		memset(&lk, 0, sizeof lk);
		T_SYSOK(ioctl(s, TIOCSLCKTRMIOS, &lk));
	}
	close(s);
	close(m);
}

int main(void)
{
	t_init("t_pty");
	T_RUN(open_lock_ptn);
	T_RUN(data_canon_echo_onlcr);
	T_RUN(raw_mode);
	T_RUN(nonblock_fionread);
	T_RUN(intr_and_winch);
	T_RUN(slave_closed_eio_pollhup);
	T_RUN(peer_and_bad_ioctl);
	T_RUN(many_pairs_reuse);
	T_RUN(session_leader_o_noctty);
	T_RUN(termio_ioctls);
	T_RUN(vhangup_hangs_up_open_files_only);
	T_RUN(packet_mode_status_bytes);
	return t_done();
}
