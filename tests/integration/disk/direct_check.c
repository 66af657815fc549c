/* direct_check.c: O_DIRECT on a disk file system, as Linux does it.
 *
 * Usage: direct_check DIR [host]. Run in the guest on ext2 and ext4
 * (disk/init) and on the host's Linux (devices.sh), which must agree:
 *   - offsets and lengths not a multiple of 512 bytes are EINVAL, and
 *     buffer addresses too (open(2): "alignment to 512-byte boundaries
 *     suffices"; Linux 6.1 refuses them, later ones with a smaller DMA
 *     alignment take them: with "host", either); aligned ones work (a
 *     zero-length read too);
 *   - a direct write is what buffered reads, mappings and direct reads
 *     see afterwards, also over a page that was cached before it;
 *   - a direct read sees what buffered writes and shared mappings wrote
 *     before it (Linux writes dirty pages back first), and stops short at
 *     the end of the file;
 *   - a file written only with O_DIRECT has no page in the page cache
 *     (mincore), the point of bypassing it.
 * Prints "ok" or the first failure, and exits 0 or 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (64 * 1024)

static int fails;
static int host; /* the buffer's alignment: EINVAL or done, as Linux's vary */

#define EXPECT(cond, ...) do { if (!(cond)) { printf("FAIL line %d: ", __LINE__); \
	printf(__VA_ARGS__); printf(" (errno %d)\n", errno); fails++; return; } } while (0)

static unsigned char pat(size_t k, unsigned seed)
{
	return (unsigned char)(k * 31 + (k >> 9) + seed);
}

static void fill(unsigned char *b, size_t off, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(off + i, seed);
}

static int same(const unsigned char *b, size_t off, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(off + i, seed))
			return 0;
	return 1;
}

static unsigned char *aligned(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, n + 4096))
		exit(1);
	return p;
}

static void alignment(const char *path)
{
	unsigned char *b = aligned(LEN);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);

	EXPECT(fd >= 0, "open O_DIRECT");
	fill(b, 0, 4096, 1);
	errno = 0;
	EXPECT((pwrite(fd, b + 1, 512, 0) < 0 && errno == EINVAL) || (host && !errno),
	       "misaligned buffer: EINVAL");
	EXPECT(pwrite(fd, b, 512, 100) < 0 && errno == EINVAL, "misaligned offset: EINVAL");
	EXPECT(pwrite(fd, b, 700, 0) < 0 && errno == EINVAL, "misaligned length: EINVAL");
	EXPECT(pwrite(fd, b, 4096, 0) == 4096, "aligned write");
	errno = 0;
	EXPECT((pread(fd, b + 1, 512, 0) < 0 && errno == EINVAL) || (host && !errno),
	       "misaligned read buffer: EINVAL");
	EXPECT(pread(fd, b, 512, 3) < 0 && errno == EINVAL, "misaligned read offset: EINVAL");
	EXPECT(pread(fd, b, 0, 0) == 0, "zero-length read");
	EXPECT(pread(fd, b, 512, 512) == 512 && same(b, 512, 512, 1), "aligned read");
	close(fd);
	free(b);
}

/* Direct writes and reads against buffered ones and mappings. */
static void coherence(const char *path)
{
	unsigned char *b = aligned(LEN), *m;
	int fd, bfd;

	/* A buffered file, its first page cached by a read. */
	bfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	EXPECT(bfd >= 0, "open");
	fill(b, 0, LEN, 2);
	EXPECT(pwrite(bfd, b, LEN, 0) == LEN, "buffered write");
	EXPECT(pread(bfd, b, 4096, 0) == 4096 && same(b, 0, 4096, 2), "buffered read");

	/* A direct write over it: buffered reads see it. */
	fd = open(path, O_RDWR | O_DIRECT);
	EXPECT(fd >= 0, "open O_DIRECT");
	fill(b, 0, 8192, 3);
	EXPECT(pwrite(fd, b, 8192, 0) == 8192, "direct write");
	EXPECT(pread(bfd, b, 8192, 0) == 8192 && same(b, 0, 8192, 3),
	       "a buffered read sees the direct write over a cached page");

	/* A buffered write, then a direct read: it sees it. */
	fill(b, 8192, 4096, 4);
	EXPECT(pwrite(bfd, b, 4096, 8192) == 4096, "buffered write");
	EXPECT(pread(fd, b, 4096, 8192) == 4096 && same(b, 8192, 4096, 4),
	       "a direct read sees a buffered write");

	/* A store through a shared mapping, then a direct read. */
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	EXPECT(m != MAP_FAILED, "mmap");
	memcpy(m + 16384 + 100, "through the map", 15);
	EXPECT(pread(fd, b, 4096, 16384) == 4096 && memcmp(b + 100, "through the map", 15) == 0,
	       "a direct read sees a store through a shared mapping");
	/* A direct write, then the mapping sees it. */
	fill(b, 20480, 4096, 5);
	EXPECT(pwrite(fd, b, 4096, 20480) == 4096, "direct write");
	EXPECT(same(m + 20480, 20480, 4096, 5), "a mapping sees a direct write");
	munmap(m, LEN);

	/* At the end of the file: a short read, then none. */
	EXPECT(ftruncate(bfd, LEN - 1000) == 0, "truncate");
	EXPECT(pread(fd, b, 4096, LEN - 4096) == 3096, "a direct read stops at the end");
	EXPECT(pread(fd, b, 4096, LEN) == 0, "a direct read past the end reads nothing");
	/* A direct write past the end extends the file. */
	fill(b, 0, 4096, 6);
	EXPECT(pwrite(fd, b, 4096, 2 * LEN) == 4096, "direct write past the end");
	EXPECT(lseek(bfd, 0, SEEK_END) == 2 * LEN + 4096, "size after it");
	EXPECT(pread(bfd, b, 4096, LEN + 4096) == 4096 && b[0] == 0 && b[4095] == 0,
	       "the gap reads as zeros");
	close(fd);
	close(bfd);
	free(b);
}

/* Written only with O_DIRECT: nothing in the page cache. */
static void bypass(const char *path)
{
	unsigned char *b = aligned(LEN), vec[LEN / 4096], *m;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	int resident = 0;

	EXPECT(fd >= 0, "open O_DIRECT");
	fill(b, 0, LEN, 7);
	EXPECT(pwrite(fd, b, LEN, 0) == LEN, "direct write");
	EXPECT(pread(fd, b, LEN, 0) == LEN && same(b, 0, LEN, 7), "direct read");
	m = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap");
	EXPECT(mincore(m, LEN, vec) == 0, "mincore");
	for (size_t i = 0; i < sizeof vec; i++)
		resident += vec[i] & 1;
	EXPECT(resident == 0, "%d of %zu pages cached after direct I/O only",
	       resident, sizeof vec);
	munmap(m, LEN);
	close(fd);
	free(b);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: direct_check DIR [host]\n");
		return 2;
	}
	host = argc == 3 && !strcmp(argv[2], "host");
	snprintf(path, sizeof path, "%s/direct-align", argv[1]);
	alignment(path);
	snprintf(path, sizeof path, "%s/direct-coherence", argv[1]);
	coherence(path);
	snprintf(path, sizeof path, "%s/direct-bypass", argv[1]);
	bypass(path);
	if (!fails)
		printf("ok\n");
	return fails ? 1 : 0;
}
