/* bench/bench.c: LMbench-style microbenchmarks for `make bench`.
 *
 * A static musl program, run unchanged on this kernel and on Debian's
 * Linux in the same QEMU. Each benchmark repeats its operation for a
 * bounded time (so a slow kernel cannot hang the suite) and prints one
 * line: `BENCH <name> <value> <unit>`. Latencies are per operation in
 * nanoseconds (lower is better), bandwidths in MB/s (higher is better).
 * The operations do what their names say: no caching tricks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* linux/futex.h's (musl-gcc has no kernel headers) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

#define BUDGET_NS 300000000ull /* per benchmark: 0.3 s of repetitions */
#define MAX_ITERS 1000000

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
	printf("BENCH %s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

/* Run op() repeatedly for the time budget; report ns per call. */
static void latency(const char *name, void (*op)(void))
{
	uint64_t start = now_ns(), n = 0, t;

	op(); /* warm up */
	start = now_ns();
	do {
		for (int k = 0; k < 16; k++)
			op();
		n += 16;
		t = now_ns() - start;
	} while (t < BUDGET_NS && n < MAX_ITERS);
	report(name, (double)t / (double)n, "ns");
	printf("BENCH-ITERS %s %llu\n", name, (unsigned long long)n + 1);
}

static int zero_fd, null_fd;
static char buf4k[4096];

static void op_getpid(void) { syscall(SYS_getpid); }
static void op_read_zero(void) { if (read(zero_fd, buf4k, sizeof buf4k) != 4096) abort(); }
static void op_write_null(void) { if (write(null_fd, buf4k, sizeof buf4k) != 4096) abort(); }
static void op_open_close(void)
{
	int fd = open("/tmp/bench.file", O_RDONLY);
	if (fd < 0)
		abort();
	close(fd);
}
static void op_stat(void)
{
	struct stat st;
	if (stat("/tmp/bench.file", &st))
		abort();
}
static void op_fork(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
}
static void op_fork_exec(void)
{
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = { "/bench/bench", "--exit", NULL };
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(c, NULL, 0);
}
static void op_mmap_touch(void)
{
	size_t len = 1 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		abort();
	for (size_t off = 0; off < len; off += 4096)
		m[off] = 1;
	munmap(m, len);
}

/* fork_exit_wait while two processes spin, one per CPU: how soon a
 * process that starts another and waits for it gets a CPU back from
 * CPU-bound neighbours (the scheduler's wakeup placement). */
static void fork_wait_busy(void)
{
	pid_t hog[2];

	for (int i = 0; i < 2; i++) {
		hog[i] = fork();
		if (hog[i] == 0)
			for (;;)
				__asm__ volatile("" ::: "memory");
	}
	latency("fork_exit_wait_busy", op_fork);
	for (int i = 0; i < 2; i++) {
		kill(hog[i], SIGKILL);
		waitpid(hog[i], NULL, 0);
	}
}

/* Pin the calling process to one CPU; false if the kernel refuses (one
 * CPU only: the 2-CPU rows are then skipped). */
static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set) == 0;
}

static void unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &set);
	(void)sched_setaffinity(0, sizeof set, &set);
}

/* Pipe ping-pong between two processes: the ns of one round trip, or -1.
 * With cpus, the parent runs on CPU 0 and the child on CPU 1, so each
 * round trip is two cross-CPU wakeups (an IPI each) instead of two
 * switches on one CPU. */
static double pipe_roundtrip(bool cpus, uint64_t *iters)
{
	int a[2], b[2];
	char c = 'x';

	if (cpus && !pin(0)) {
		printf("BENCH-ERROR pipe_pingpong_2cpu: sched_setaffinity: %s\n", strerror(errno));
		return -1;
	}
	if (pipe(a) || pipe(b))
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		if (cpus && !pin(1))
			_exit(1);
		close(a[1]); /* so the parent's close is EOF here */
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	uint64_t start = now_ns(), n = 0, t;
	do {
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			abort();
		n++;
		t = now_ns() - start;
	} while (t < BUDGET_NS && n < MAX_ITERS);
	close(a[1]);
	waitpid(pid, NULL, 0);
	close(a[0]), close(b[0]), close(b[1]);
	if (cpus)
		unpin();
	*iters = n;
	return (double)t / (double)n;
}

static void pipe_latency(void)
{
	uint64_t n;
	double ns = pipe_roundtrip(false, &n);

	report("pipe_pingpong", ns, "ns");
	printf("BENCH-ITERS pipe_pingpong %llu\n", (unsigned long long)n);
	/* Two context switches per round trip. */
	report("context_switch", ns / 2.0, "ns");
}

static void pipe_latency_2cpu(void)
{
	uint64_t n;
	double ns = pipe_roundtrip(true, &n);

	if (ns >= 0)
		report("pipe_pingpong_2cpu", ns, "ns");
}

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Two processes on two CPUs hand a word in shared memory back and forth
 * with futex wait and wake (shared, not private futexes: the word is in
 * a MAP_SHARED mapping): one round trip per op. */
static void futex_latency_2cpu(void)
{
	int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (w == MAP_FAILED)
		abort();
	if (!pin(0)) {
		printf("BENCH-ERROR futex_pingpong_2cpu: sched_setaffinity: %s\n", strerror(errno));
		munmap(w, 4096);
		return;
	}
	w[0] = 0; /* 0: the child's turn is over; 1: the child's turn */
	w[1] = 0; /* set when the parent is done */
	pid_t pid = fork();
	if (pid == 0) {
		if (!pin(1))
			_exit(1);
		for (;;) {
			while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) == 0) {
				if (__atomic_load_n(&w[1], __ATOMIC_ACQUIRE))
					_exit(0);
				futex(&w[0], FUTEX_WAIT, 0);
			}
			__atomic_store_n(&w[0], 0, __ATOMIC_RELEASE);
			futex(&w[0], FUTEX_WAKE, 1);
		}
	}
	uint64_t start = now_ns(), n = 0, t;
	do {
		__atomic_store_n(&w[0], 1, __ATOMIC_RELEASE);
		futex(&w[0], FUTEX_WAKE, 1);
		while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) == 1)
			futex(&w[0], FUTEX_WAIT, 1);
		n++;
		t = now_ns() - start;
	} while (t < BUDGET_NS && n < MAX_ITERS);
	__atomic_store_n(&w[1], 1, __ATOMIC_RELEASE);
	futex(&w[0], FUTEX_WAKE, 1);
	waitpid(pid, NULL, 0);
	munmap(w, 4096);
	unpin();
	report("futex_pingpong_2cpu", (double)t / (double)n, "ns");
}

static void pipe_bandwidth(void)
{
	int p[2];
	static char chunk[65536];
	if (pipe(p))
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], chunk, sizeof chunk) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	uint64_t start = now_ns(), bytes = 0, t;
	do {
		if (write(p[1], chunk, sizeof chunk) != sizeof chunk)
			abort();
		bytes += sizeof chunk;
		t = now_ns() - start;
	} while (t < BUDGET_NS);
	close(p[1]);
	waitpid(pid, NULL, 0);
	report("pipe_bandwidth", (double)bytes / ((double)t / 1e9) / 1e6, "MB/s");
}

static void page_fault(void)
{
	size_t len = 16 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		abort();
	uint64_t start = now_ns();
	for (size_t off = 0; off < len; off += 4096)
		m[off] = 1;
	uint64_t t = now_ns() - start;
	munmap(m, len);
	report("page_fault", (double)t / (double)(len / 4096), "ns");
	printf("BENCH-ITERS page_fault %zu\n", len / 4096);
}

/* mmap when a process already has thousands of mappings (allocators,
 * JITs, and databases make that many): each mapping takes one page, with
 * alternating protections so that none merges with its neighbour. */
static void mmap_many(void)
{
	enum { N = 20000 };
	static char *maps[N];
	uint64_t start = now_ns(), t;

	for (int i = 0; i < N; i++) {
		maps[i] = mmap(NULL, 4096, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED)
			abort();
	}
	t = now_ns() - start;
	for (int i = 0; i < N; i++)
		munmap(maps[i], 4096);
	report("mmap_20k_mappings", (double)t / N, "ns");
	printf("BENCH-ITERS mmap_20k_mappings %d\n", N);
}

static void tmpfs_bandwidth(void)
{
	static char chunk[65536];
	size_t total = 16 << 20;
	int fd = open("/tmp/bench.big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	memset(chunk, 'b', sizeof chunk);
	uint64_t start = now_ns();
	for (size_t done = 0; done < total; done += sizeof chunk)
		if (write(fd, chunk, sizeof chunk) != sizeof chunk)
			abort();
	uint64_t tw = now_ns() - start;
	lseek(fd, 0, SEEK_SET);
	start = now_ns();
	for (size_t done = 0; done < total; done += sizeof chunk)
		if (read(fd, chunk, sizeof chunk) != sizeof chunk)
			abort();
	uint64_t tr = now_ns() - start;
	close(fd);
	unlink("/tmp/bench.big");
	report("tmpfs_write", (double)total / ((double)tw / 1e9) / 1e6, "MB/s");
	report("tmpfs_read", (double)total / ((double)tr / 1e9) / 1e6, "MB/s");
}

/* ext2 on the virtio disk /dev/vda and ext4 on /dev/vdb (empty 64 MiB
 * file systems the runner made: ext2 with 1 KiB blocks, ext4 as mkfs.ext4
 * makes it, journal and all): write 8 MiB and fsync; unmount and mount again, so the next
 * read comes from the disk (both kernels drop a file system's cached
 * blocks when it is unmounted); read it again from the cache; map the
 * cached file and touch every page (a fault each, per page); write every
 * page through a shared mapping and msync it to the disk; then 50 4 KiB
 * writes each followed by fsync. */
static void disk_bandwidth(const char *dev, const char *fs)
{
	static char chunk[65536];
	size_t total = 8 << 20;
	uint64_t start, tw, tc, tr, tf, tm, ts;
	volatile char sink = 0;
	char name[64];
	char *p;
	int fd;

	if (access(dev, F_OK) != 0)
		return; /* no disk: the runner attaches one */
	if (mount(dev, "/mnt", fs, 0, NULL) != 0) {
		printf("BENCH-ERROR mount %s: %s\n", fs, strerror(errno));
		return;
	}
	fd = open("/mnt/bench.big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	memset(chunk, 'e', sizeof chunk);
	start = now_ns();
	for (size_t done = 0; done < total; done += sizeof chunk)
		if (write(fd, chunk, sizeof chunk) != sizeof chunk)
			abort();
	if (fsync(fd) != 0)
		abort();
	tw = now_ns() - start;
	close(fd);
	if (umount("/mnt") != 0 || mount(dev, "/mnt", fs, 0, NULL) != 0)
		abort();
	fd = open("/mnt/bench.big", O_RDONLY);
	if (fd < 0)
		abort();
	start = now_ns();
	for (size_t done = 0; done < total; done += sizeof chunk)
		if (read(fd, chunk, sizeof chunk) != sizeof chunk)
			abort();
	tc = now_ns() - start;
	lseek(fd, 0, SEEK_SET);
	start = now_ns();
	for (size_t done = 0; done < total; done += sizeof chunk)
		if (read(fd, chunk, sizeof chunk) != sizeof chunk)
			abort();
	tr = now_ns() - start;
	close(fd);
	fd = open("/mnt/bench.big", O_RDWR);
	if (fd < 0)
		abort();
	start = now_ns();
	p = mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		abort();
	for (size_t o = 0; o < total; o += 4096)
		sink = (char)(sink + p[o]);
	munmap(p, total);
	tf = now_ns() - start;
	start = now_ns();
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		abort();
	for (size_t o = 0; o < total; o += 4096)
		p[o] = 'm';
	if (msync(p, total, MS_SYNC) != 0)
		abort();
	munmap(p, total);
	tm = now_ns() - start;
	close(fd);
	unlink("/mnt/bench.big");
	/* What a database does: a small write and fsync, again and again
	 * (each one a journal commit on ext4). */
	fd = open("/mnt/bench.small", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	start = now_ns();
	for (int i = 0; i < 50; i++)
		if (pwrite(fd, chunk, 4096, (off_t)i * 4096) != 4096 || fsync(fd) != 0)
			abort();
	ts = now_ns() - start;
	close(fd);
	unlink("/mnt/bench.small");
	umount("/mnt");
#define ROW(what) (snprintf(name, sizeof name, "%s_%s", fs, what), name)
	report(ROW("write_fsync"), (double)total / ((double)tw / 1e9) / 1e6, "MB/s");
	report(ROW("read_cold"), (double)total / ((double)tc / 1e9) / 1e6, "MB/s");
	report(ROW("read_warm"), (double)total / ((double)tr / 1e9) / 1e6, "MB/s");
	report(ROW("mmap_fault_warm"), (double)tf / (double)(total / 4096), "ns");
	report(ROW("mmap_write_msync"), (double)total / ((double)tm / 1e9) / 1e6, "MB/s");
	report(ROW("write_4k_fsync"), (double)ts / 50, "ns");
#undef ROW
}

/* With arguments, only the benchmarks named (as their BENCH lines name
 * them; a group runs when any of its names is asked for), so a profile
 * (tools/profile.sh) can look at one operation. */
static char **only;

static bool want(const char *a, const char *b)
{
	if (!only || !*only)
		return true;
	for (char **o = only; *o; o++)
		if (strcmp(*o, a) == 0 || (b && strcmp(*o, b) == 0))
			return true;
	return false;
}

/* Sockets. Each benchmark connects a pair of descriptors, forks a peer
 * that serves the far end, and measures from the near end: a one-byte
 * round trip (echoed by the peer) or a stream of 64 KiB writes (drained
 * by the peer). TCP and UDP go over the loopback interface, which Linux
 * brings up only when asked: lo_up() asks, as `ip link set lo up` does. */
static void lo_up(void)
{
	static bool up;
	struct ifreq ifr = { 0 };
	int s;

	if (up)
		return;
	up = true;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		abort();
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		abort();
	close(s);
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listener on 127.0.0.1 with a kernel-chosen port; *port gets it. */
static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof a;
	int l;

	lo_up();
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(l, 128) != 0 || getsockname(l, (struct sockaddr *)&a, &len) != 0)
		abort();
	*port = ntohs(a.sin_port);
	return l;
}

/* A connected TCP pair on loopback, Nagle off on both ends (a one-byte
 * ping-pong would otherwise wait for delayed ACKs on either kernel). */
static void tcp_pair(int sv[2])
{
	uint16_t port;
	int l = tcp_listener(&port), one = 1;
	struct sockaddr_in a = loopback(port);

	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof a) != 0)
		abort();
	sv[1] = accept(l, NULL, NULL);
	if (sv[1] < 0)
		abort();
	close(l);
	setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Two UDP sockets on loopback, each connected to the other. */
static void udp_pair(int sv[2])
{
	struct sockaddr_in a[2];
	socklen_t len = sizeof a[0];

	lo_up();
	for (int i = 0; i < 2; i++) {
		a[i] = loopback(0);
		sv[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (sv[i] < 0 || bind(sv[i], (struct sockaddr *)&a[i], sizeof a[i]) != 0 ||
		    getsockname(sv[i], (struct sockaddr *)&a[i], &len) != 0)
			abort();
	}
	if (connect(sv[0], (struct sockaddr *)&a[1], sizeof a[1]) != 0 ||
	    connect(sv[1], (struct sockaddr *)&a[0], sizeof a[0]) != 0)
		abort();
}

/* One-byte round trips over a connected pair; sv[1] goes to the peer. */
static void socket_pingpong(const char *name, int sv[2])
{
	char c = 'x';
	pid_t pid = fork();

	if (pid == 0) {
		close(sv[0]);
		while (read(sv[1], &c, 1) == 1 && c != 'q')
			if (write(sv[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(sv[1]);
	uint64_t start = now_ns(), n = 0, t;
	do {
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			abort();
		n++;
		t = now_ns() - start;
	} while (t < BUDGET_NS && n < MAX_ITERS);
	c = 'q'; /* UDP has no end of file: tell the peer to stop */
	if (write(sv[0], &c, 1) != 1)
		abort();
	waitpid(pid, NULL, 0);
	close(sv[0]);
	report(name, (double)t / (double)n, "ns");
	printf("BENCH-ITERS %s %llu\n", name, (unsigned long long)n);
}

/* 64 KiB writes into a connected stream pair, drained by the peer; the
 * time runs until the peer has read everything (it closes its end, which
 * the writer sees as end of file), so data still queued is not counted
 * as moved. */
static void socket_bandwidth(const char *name, int sv[2])
{
	static char chunk[65536];
	pid_t pid = fork();

	if (pid == 0) {
		close(sv[0]);
		while (read(sv[1], chunk, sizeof chunk) > 0)
			;
		_exit(0);
	}
	close(sv[1]);
	uint64_t start = now_ns(), bytes = 0, t;
	do {
		ssize_t w = write(sv[0], chunk, sizeof chunk);
		if (w <= 0)
			abort();
		bytes += (uint64_t)w;
		t = now_ns() - start;
	} while (t < BUDGET_NS);
	shutdown(sv[0], SHUT_WR);
	waitpid(pid, NULL, 0);
	t = now_ns() - start;
	close(sv[0]);
	report(name, (double)bytes / ((double)t / 1e9) / 1e6, "MB/s");
}

/* A new TCP connection on loopback: connect, accept, close both ends. */
static int connect_listener;
static struct sockaddr_in connect_addr;
static void op_tcp_connect(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (struct sockaddr *)&connect_addr, sizeof connect_addr) != 0)
		abort();
	int s = accept(connect_listener, NULL, NULL);
	if (s < 0)
		abort();
	close(c); /* the client closes first: its end, not the server's,
		   * waits in TIME_WAIT, as with most protocols */
	close(s);
}

static void socket_benchmarks(void)
{
	int sv[2];

	if (want("unix_stream_pingpong", NULL)) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			abort();
		socket_pingpong("unix_stream_pingpong", sv);
	}
	if (want("unix_stream_bandwidth", NULL)) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			abort();
		socket_bandwidth("unix_stream_bandwidth", sv);
	}
	if (want("tcp_pingpong", NULL)) {
		tcp_pair(sv);
		socket_pingpong("tcp_pingpong", sv);
	}
	if (want("tcp_bandwidth", NULL)) {
		tcp_pair(sv);
		socket_bandwidth("tcp_bandwidth", sv);
	}
	if (want("udp_pingpong", NULL)) {
		udp_pair(sv);
		socket_pingpong("udp_pingpong", sv);
	}
	if (want("tcp_connect_accept_close", NULL)) {
		uint16_t port;
		connect_listener = tcp_listener(&port);
		connect_addr = loopback(port);
		latency("tcp_connect_accept_close", op_tcp_connect);
		close(connect_listener);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;
	only = argv + 1;
	zero_fd = open("/dev/zero", O_RDONLY);
	null_fd = open("/dev/null", O_WRONLY);
	int fd = open("/tmp/bench.file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (zero_fd < 0 || null_fd < 0 || fd < 0) {
		printf("BENCH-ERROR setup failed\n");
		return 1;
	}
	close(fd);
	if (want("null_syscall", NULL))
		latency("null_syscall", op_getpid);
	if (want("read_dev_zero_4k", NULL))
		latency("read_dev_zero_4k", op_read_zero);
	if (want("write_dev_null_4k", NULL))
		latency("write_dev_null_4k", op_write_null);
	if (want("open_close", NULL))
		latency("open_close", op_open_close);
	if (want("stat", NULL))
		latency("stat", op_stat);
	if (want("fork_exit_wait", NULL))
		latency("fork_exit_wait", op_fork);
	if (want("fork_exec_wait", NULL))
		latency("fork_exec_wait", op_fork_exec);
	if (want("fork_exit_wait_busy", NULL))
		fork_wait_busy();
	if (want("mmap_touch_munmap_1m", NULL))
		latency("mmap_touch_munmap_1m", op_mmap_touch);
	if (want("page_fault", NULL))
		page_fault();
	if (want("mmap_20k_mappings", NULL))
		mmap_many();
	if (want("pipe_pingpong", "context_switch"))
		pipe_latency();
	if (want("pipe_pingpong_2cpu", NULL))
		pipe_latency_2cpu();
	if (want("futex_pingpong_2cpu", NULL))
		futex_latency_2cpu();
	if (want("pipe_bandwidth", NULL))
		pipe_bandwidth();
	if (want("tmpfs_write", "tmpfs_read"))
		tmpfs_bandwidth();
	if (want("ext2_write_fsync", "ext2_read_cold") || want("ext2_read_warm", NULL) ||
	    want("ext2_mmap_fault_warm", "ext2_mmap_write_msync"))
		disk_bandwidth("/dev/vda", "ext2");
	if (want("ext4_write_fsync", "ext4_read_cold") || want("ext4_read_warm", NULL) ||
	    want("ext4_mmap_fault_warm", "ext4_write_4k_fsync"))
		disk_bandwidth("/dev/vdb", "ext4");
	socket_benchmarks();
	printf("BENCH-DONE\n");
	return 0;
}
