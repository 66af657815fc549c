/* mmap_check: file mappings and the page cache of a disk file system, as
 * the disk test runs them (the binary is copied to the ext2 disk and run
 * from there, which checks exec from ext2 too).
 *
 *   mmap_check write DIR FILE   FILE is an existing file of the workload
 *                               (only read); DIR is a fresh directory on the
 *                               same file system, where the checks make
 *                               their own files (also checking the
 *                               fadvise/readahead cache controls) and
 *                               leave DIR/persist,
 *                               written through a shared mapping only.
 *   mmap_check verify DIR       after a reboot: DIR/persist and
 *                               DIR/shared hold what the write run left.
 *   mmap_check bigread FILE     map a sparse FILE bigger than memory and
 *                               read every page.
 *   mmap_check bigwrite FILE MB write every page of a new MB MiB FILE
 *                               (more than memory) through one mapping,
 *                               msync, read it all back, unlink it.
 *
 * Prints "ok" and exits 0, or says what failed and exits 1. Every
 * expectation is Linux's (checked there on ext4 and tmpfs). */
#define _GNU_SOURCE /* readahead */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define PERSIST_LEN (5 * PG + 123)
#define SHARED_LEN (3 * PG + 100)

static int fail(const char *what)
{
	printf("mmap_check: %s (errno %d)\n", what, errno);
	return 1;
}

static char pattern(size_t i, unsigned seed)
{
	return (char)('a' + (i * 7 + seed + i / 4096) % 26);
}

static int path_in(char *out, size_t len, const char *dir, const char *name)
{
	return snprintf(out, len, "%s/%s", dir, name) >= (int)len ? -1 : 0;
}

/* The workload's file, mapped private: it shows what read(2) does and a
 * write to it stays private. */
static int check_private(const char *file)
{
	char head[16] = { 0 };
	char *p;
	int fd = open(file, O_RDWR);

	if (fd < 0 || read(fd, head, sizeof head) != sizeof head)
		return fail("open/read");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED || memcmp(p, head, sizeof head) != 0)
		return fail("MAP_PRIVATE does not show what read(2) did");
	p[0] ^= 1;
	if (pread(fd, head, 1, 0) != 1 || head[0] == p[0])
		return fail("a MAP_PRIVATE write reached the file");
	munmap(p, PG);
	close(fd);
	return 0;
}

/* A shared writable mapping is coherent with read/write, with a second
 * mapping in another process, and with a child's inherited mapping. */
static int check_shared(const char *dir)
{
	char path[512], buf[64];
	char *p, *q;
	int fd, status;
	pid_t pid;

	if (path_in(path, sizeof path, dir, "shared"))
		return fail("path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, SHARED_LEN))
		return fail("create shared");
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("MAP_SHARED|PROT_WRITE of a disk file");
	for (size_t i = 0; i < SHARED_LEN; i++)
		if (p[i] != 0)
			return fail("a new file's mapping is not zero");
	memcpy(p + PG - 3, "across", 6);
	if (pread(fd, buf, 6, PG - 3) != 6 || memcmp(buf, "across", 6))
		return fail("read(2) does not see a write through the mapping");
	if (pwrite(fd, "pwrite", 6, 2 * PG + 10) != 6 ||
	    memcmp(p + 2 * PG + 10, "pwrite", 6))
		return fail("the mapping does not see pwrite(2)");
	/* Another process maps it on its own and writes; a child writes
	 * through the mapping it inherited. */
	pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR);
		char *c = cfd < 0 ? MAP_FAILED :
			mmap(NULL, SHARED_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);

		if (c == MAP_FAILED || memcmp(c + PG - 3, "across", 6))
			_exit(1);
		memcpy(c + 100, "other", 5);
		memcpy(p + 200, "child", 5);
		_exit(msync(c, SHARED_LEN, MS_SYNC) ? 2 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return fail("the second mapper failed");
	if (memcmp(p + 100, "other", 5) || memcmp(p + 200, "child", 5))
		return fail("writes of another mapper or a child not seen");
	if (msync(p, 4 * PG, MS_SYNC) || msync(p, PG, MS_ASYNC))
		return fail("msync");
	errno = 0;
	if (msync(p + 1, PG, MS_SYNC) == 0 || errno != EINVAL)
		return fail("msync of an unaligned address is not EINVAL");
	/* A private mapping taken now sees the shared writes until it
	 * writes itself. */
	q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (q == MAP_FAILED || memcmp(q + 100, "other", 5))
		return fail("a private mapping does not see shared writes");
	q[0] = 'Q';
	if (p[0] == 'Q')
		return fail("a private write reached the shared mapping");
	munmap(q, PG);
	/* The page holding the end: bytes past it are not the file's. */
	p[SHARED_LEN] = 'X';
	if (pread(fd, buf, 4, SHARED_LEN - 2) != 2)
		return fail("read past the end is not short");
	munmap(p, 4 * PG);
	close(fd);
	return 0;
}

/* Past the end of the file a mapping raises SIGBUS; truncation drops the
 * bytes past the new end, and extension brings zeros back. */
static int check_ends(const char *dir)
{
	char path[512], buf[2 * PG];
	char *p;
	int fd, status;
	pid_t pid;

	if (path_in(path, sizeof path, dir, "ends"))
		return fail("path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, PG + 10))
		return fail("create ends");
	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap ends");
	memset(p, 'e', PG + 10);
	pid = fork();
	if (pid == 0) {
		p[2 * PG] = 1; /* wholly past the end: SIGBUS */
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFSIGNALED(status) || WTERMSIG(status) != SIGBUS)
		return fail("a page past the end of the file did not SIGBUS");
	if (ftruncate(fd, 100) || ftruncate(fd, PG + 10))
		return fail("ftruncate");
	if (pread(fd, buf, PG + 10, 0) != PG + 10)
		return fail("read after truncate");
	for (size_t i = 0; i < PG + 10; i++)
		if (buf[i] != (i < 100 ? 'e' : 0))
			return fail("truncate then extend does not read zeros");
	if (p[50] != 'e' || p[100] != 0 || p[PG + 5] != 0)
		return fail("the mapping does not show the truncation");
	munmap(p, 3 * PG);
	close(fd);
	return 0;
}

/* A hole written through a mapping gets a block at msync. */
static int check_hole(const char *dir)
{
	char path[512];
	struct stat st;
	char *p;
	int fd;

	if (path_in(path, sizeof path, dir, "hole"))
		return fail("path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 64 * PG))
		return fail("create hole");
	if (fstat(fd, &st) || st.st_blocks != 0)
		return fail("a truncated-up file has blocks");
	p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap hole");
	if (p[40 * PG] != 0)
		return fail("a hole does not read zero");
	p[40 * PG + 1] = 'h';
	if (msync(p, 64 * PG, MS_SYNC) || fstat(fd, &st) || st.st_blocks == 0)
		return fail("msync did not give the written hole a block");
	munmap(p, 64 * PG);
	close(fd);
	return 0;
}

/* Cached: in /proc/meminfo, in kB. */
static long cached_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *m = fopen("/proc/meminfo", "r");

	while (m && fgets(line, sizeof line, m))
		if (sscanf(line, "Cached: %ld kB", &kb) == 1)
			break;
	if (m)
		fclose(m);
	return kb;
}

/* How many of the first n pages of fd's mapping mincore(2) reports in
 * memory (it reports the page cache's pages, mapped or not), -1 on error. */
static int resident(int fd, size_t n)
{
	unsigned char vec[512];
	void *p;
	int in = 0;

	if (n > sizeof vec)
		return -1;
	p = mmap(NULL, n * PG, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	if (mincore(p, n * PG, vec))
		in = -1;
	for (size_t i = 0; in >= 0 && i < n; i++)
		in += vec[i] & 1;
	munmap(p, n * PG);
	return in;
}

/* Are the first n pages in memory, or do they come within 10 s? (Linux
 * reads WILLNEED's pages in the background and mincore counts a page
 * once its read is done.) */
static bool resident_soon(int fd, int n)
{
	for (int tries = 0; tries < 1000; tries++) {
		if (resident(fd, (size_t)n) == n)
			return true;
		usleep(10000);
	}
	return false;
}

/* posix_fadvise(DONTNEED) gives a file's clean pages back (Cached goes
 * down by about its size; mincore sees them gone), WILLNEED and
 * readahead(2) read them in again (mincore sees them, unmapped), and the
 * bytes stay right; readahead of a pipe is EINVAL. */
static int check_advise(const char *dir)
{
	static char buf[8 << 20];
	char path[512];
	long before, after;
	int fd, pfd[2];

	if (path_in(path, sizeof path, dir, "advise"))
		return fail("path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = pattern(i, 5);
	if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf || fsync(fd))
		return fail("write advise");
	if (pread(fd, buf, sizeof buf, 0) != sizeof buf)
		return fail("read advise");
	before = cached_kb();
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return fail("POSIX_FADV_DONTNEED");
	after = cached_kb();
	if (before < 0 || after > before - 4096)
		return fail("DONTNEED did not drop the file's pages from Cached");
	if (resident(fd, 512) != 0)
		return fail("mincore sees pages DONTNEED dropped");
	if (posix_fadvise(fd, 0, 1 << 20, POSIX_FADV_WILLNEED) ||
	    readahead(fd, 1 << 20, 1 << 20))
		return fail("WILLNEED / readahead");
	if (cached_kb() < after + 1024)
		return fail("WILLNEED and readahead did not read pages in");
	if (!resident_soon(fd, 512))
		return fail("mincore does not see the cached pages of a file");
	memset(buf, 0, sizeof buf);
	if (pread(fd, buf, sizeof buf, 0) != sizeof buf)
		return fail("read advise again");
	for (size_t i = 0; i < sizeof buf; i++)
		if (buf[i] != pattern(i, 5))
			return fail("bytes changed after DONTNEED");
	errno = 0;
	if (pipe(pfd) || readahead(pfd[0], 0, 4096) != -1 || errno != EINVAL)
		return fail("readahead of a pipe is not EINVAL");
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	return unlink(path) ? fail("unlink advise") : 0;
}

/* DIR/persist is written through a shared mapping only, then unmapped
 * and closed without msync: sync(2) or unmount must write it. */
static int write_persist(const char *dir)
{
	char path[512];
	char *p;
	int fd;

	if (path_in(path, sizeof path, dir, "persist"))
		return fail("path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, PERSIST_LEN))
		return fail("create persist");
	p = mmap(NULL, PERSIST_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap persist");
	close(fd);
	for (size_t i = 0; i < PERSIST_LEN; i++)
		p[i] = pattern(i, 3);
	munmap(p, PERSIST_LEN);
	return 0;
}

static int verify(const char *dir)
{
	static char buf[PERSIST_LEN + 1];
	char path[512];
	int fd;

	if (path_in(path, sizeof path, dir, "persist"))
		return fail("path too long");
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof buf) != PERSIST_LEN)
		return fail("persist: wrong size after the reboot");
	for (size_t i = 0; i < PERSIST_LEN; i++)
		if (buf[i] != pattern(i, 3))
			return fail("persist: mapped writes lost");
	close(fd);
	if (path_in(path, sizeof path, dir, "shared"))
		return fail("path too long");
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof buf) != SHARED_LEN ||
	    memcmp(buf + PG - 3, "across", 6) || memcmp(buf + 100, "other", 5) ||
	    memcmp(buf + 200, "child", 5) || memcmp(buf + 2 * PG + 10, "pwrite", 6))
		return fail("shared: writes lost across the reboot");
	close(fd);
	return 0;
}

/* Map all of FILE (a file bigger than the machine's memory) read-only
 * and read a byte of every page: the page cache must give mapped pages
 * back as it goes. The file is sparse, so every byte is zero. */
static int big_read(const char *file)
{
	struct stat st;
	unsigned long sum = 0;
	const volatile char *p;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return fail("open bigread");
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap bigread");
	for (off_t o = 0; o < st.st_size; o += PG)
		sum += (unsigned char)p[o];
	munmap((void *)p, (size_t)st.st_size);
	close(fd);
	return sum ? fail("a sparse file's mapping is not zero") : 0;
}

/* Write every page of a new FILE of mb MiB (more than the machine's
 * memory) through one shared mapping, msync, and read a sample of every
 * page back with pread: mapped pages written must be written back and
 * given back while the mapping lives, and nothing may be lost. */
static int big_write(const char *file, long mb)
{
	size_t len = (size_t)mb << 20;
	unsigned long long got;
	char *p;
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)len))
		return fail("create bigwrite");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap bigwrite");
	for (size_t o = 0; o < len; o += PG) {
		unsigned long long tag = o / PG * 2654435761ull;

		memcpy(p + o, &tag, sizeof tag);
	}
	if (msync(p, len, MS_SYNC))
		return fail("msync bigwrite");
	munmap(p, len);
	for (size_t o = 0; o < len; o += PG)
		if (pread(fd, &got, sizeof got, (off_t)o) != sizeof got ||
		    got != o / PG * 2654435761ull)
			return fail("a page written through the big mapping was lost");
	close(fd);
	return unlink(file) ? fail("unlink bigwrite") : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "verify") == 0) {
		if (verify(argv[2]))
			return 1;
	} else if (argc == 3 && strcmp(argv[1], "bigread") == 0) {
		if (big_read(argv[2]))
			return 1;
	} else if (argc == 4 && strcmp(argv[1], "bigwrite") == 0) {
		if (big_write(argv[2], atol(argv[3])))
			return 1;
	} else if (argc == 4 && strcmp(argv[1], "write") == 0) {
		if (check_private(argv[3]) || check_shared(argv[2]) ||
		    check_ends(argv[2]) || check_hole(argv[2]) ||
		    check_advise(argv[2]) || write_persist(argv[2]))
			return 1;
	} else {
		return fail("usage: mmap_check write DIR FILE | verify DIR | "
			    "bigread FILE | bigwrite FILE MIB");
	}
	puts("ok");
	return 0;
}
