/* mmap_check FILE: mappings of a file on ext2, as the disk test runs it
 * (copied to the disk and executed from there, which checks exec from
 * ext2 too). Prints "ok" and exits 0, or says what failed and exits 1.
 * ext2 pages are private copies here, so a shared writable mapping is
 * refused with ENODEV (see services/fs/vfs/file.c, vfs_mmap_check). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("mmap_check: %s (errno %d)\n", what, errno);
	return 1;
}

int main(int argc, char **argv)
{
	char head[16] = { 0 };
	char *p;
	int fd;

	if (argc != 2)
		return fail("usage: mmap_check FILE");
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || read(fd, head, sizeof head) != sizeof head)
		return fail("open/read");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED || memcmp(p, head, sizeof head) != 0)
		return fail("MAP_PRIVATE does not show what read(2) did");
	/* A private write stays private. */
	p[0] ^= 1;
	if (pread(fd, head, 1, 0) != 1 || head[0] == p[0])
		return fail("a MAP_PRIVATE write reached the file");
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || p[0] != head[0])
		return fail("read-only MAP_SHARED");
	if (mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0)
		return fail("mprotect made a shared ext2 mapping writable");
	munmap(p, 4096);
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED || errno != ENODEV)
		return fail("shared writable mapping not refused with ENODEV");
	puts("ok");
	return 0;
}
