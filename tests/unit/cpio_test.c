/* tests/unit/cpio_test.c: the newc cpio parser (services/fs/initramfs/cpio.c).
 *
 * Layer: host unit test for services/fs. The fixture
 * tests/unit/fixtures/cpio_newc.cpio was made by GNU cpio on the host:
 *   mkdir -p root/bin root/etc root/dev; printf 'hello\n' > root/etc/motd
 *   printf abc > root/bin/a; ln root/bin/a root/bin/b; ln -s a root/bin/c
 *   chmod 4755 root/bin/a; mknod root/dev/null c 1 3; mkfifo root/dev/fifo
 *   (cd root && find . | sort | cpio -o -H newc --owner=0:0) > cpio_newc.cpio
 * Malformed archives are made by editing copies of it.
 * (-Iservices is on the sources line because the parser includes its
 * headers as "fs/initramfs/cpio.h", as the kernel build does.)
 * unit-sources: -Iservices services/fs/initramfs/cpio.c framework/bytes/bytes.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../../services/fs/initramfs/cpio.h"

#define FIXTURE "tests/unit/fixtures/cpio_newc.cpio"

static uint8_t *fx;
static size_t fx_len;

static void load_fixture(void)
{
	FILE *f = fopen(FIXTURE, "rb");
	long n;

	if (!f) {
		perror(FIXTURE);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	fx = malloc((size_t)n);
	if (!fx || fread(fx, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fx_len = (size_t)n;
	fclose(f);
}

static struct fw_bytes view(const uint8_t *p, size_t n)
{
	return fw__bytes_make(p, n);
}

/* An exact-size heap copy, so ASan catches any read past the end. */
static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	memcpy(d, p, n);
	return d;
}

struct seen {
	char name[64];
	uint32_t mode, ino, nlink, rmaj, rmin;
	char data[16];
	size_t len;
};

static int parse_all(struct fw_bytes b, struct seen *out, int max, int *ret,
		     const char **why)
{
	static struct cpio_entry e; /* 4 KiB name: not on the stack */
	struct cpio_reader c;
	int n = 0, r;

	cpio_init(&c, b);
	while ((r = cpio_next(&c, &e, why)) == 1) {
		if (n < max) {
			strncpy(out[n].name, e.name.s, sizeof(out[n].name) - 1);
			out[n].name[sizeof(out[n].name) - 1] = 0;
			out[n].mode = e.mode;
			out[n].ino = e.ino;
			out[n].nlink = e.nlink;
			out[n].rmaj = e.rdevmajor;
			out[n].rmin = e.rdevminor;
			out[n].len = fw_bytes_len(e.data);
			if (out[n].len < sizeof(out[n].data))
				memcpy(out[n].data, fw__bytes_ptr(e.data) ? fw__bytes_ptr(e.data) : "", out[n].len);
		}
		n++;
	}
	*ret = r;
	return n;
}

static struct seen *find(struct seen *s, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

static void fixture_entries(void)
{
	struct seen s[16];
	const char *why = NULL;
	uint8_t *buf = dup_bytes(fx, fx_len);
	int ret, n = parse_all(view(buf, fx_len), s, 16, &ret, &why);
	struct seen *a, *b, *c, *null, *fifo, *motd, *dot;

	free(buf);
	CHECKF(ret == 0, "ret %d (%s)", ret, why ? why : "");
	CHECKF(n == 10, "%d entries", n);
	dot = find(s, n, ".");
	CHECK(dot && (dot->mode & 0170000) == 0040000);
	motd = find(s, n, "etc/motd");
	CHECK(motd && motd->len == 6 && memcmp(motd->data, "hello\n", 6) == 0);
	CHECK((motd->mode & 07777) == 0644);
	a = find(s, n, "bin/a");
	b = find(s, n, "bin/b");
	CHECK(a && b);
	/* Hard links: same inode, nlink 2, data only with the last one. */
	CHECK(a->ino == b->ino && a->nlink == 2 && b->nlink == 2);
	CHECK(a->len == 0 && b->len == 3 && memcmp(b->data, "abc", 3) == 0);
	CHECK((a->mode & 07777) == 04755);
	c = find(s, n, "bin/c");
	CHECK(c && (c->mode & 0170000) == 0120000 && c->len == 1 && c->data[0] == 'a');
	null = find(s, n, "dev/null");
	CHECK(null && (null->mode & 0170000) == 0020000 && null->rmaj == 1 && null->rmin == 3);
	fifo = find(s, n, "dev/fifo");
	CHECK(fifo && (fifo->mode & 0170000) == 0010000);
}

static void empty_and_padding(void)
{
	static const uint8_t zeros[512];
	struct seen s[1];
	const char *why = NULL;
	int ret;

	CHECK(parse_all(view(NULL, 0), s, 1, &ret, &why) == 0 && ret == 0);
	CHECK(parse_all(view(zeros, sizeof(zeros)), s, 1, &ret, &why) == 0 && ret == 0);
}

static void concatenated_archives(void)
{
	struct seen s[32];
	const char *why = NULL;
	size_t n2 = fx_len * 2 + 512;
	uint8_t *buf = calloc(1, n2);
	int ret, n;

	memcpy(buf, fx, fx_len);
	memcpy(buf + fx_len + 512, fx, fx_len);
	n = parse_all(view(buf, n2), s, 32, &ret, &why);
	free(buf);
	CHECKF(ret == 0 && n == 20, "ret %d n %d (%s)", ret, n, why ? why : "");
}

static void bad_magic(void)
{
	struct seen s[16];
	const char *why = NULL;
	uint8_t *buf = dup_bytes(fx, fx_len);
	int ret, n;

	buf[5] = '7'; /* "070707": the old binary-less odc format */
	n = parse_all(view(buf, fx_len), s, 16, &ret, &why);
	free(buf);
	CHECK(ret == -EINVAL && n == 0 && why && strstr(why, "magic"));
}

static void truncated_keeps_prefix(void)
{
	struct seen s[16];
	const char *why = NULL;
	int ret, n;

	/* Cut inside the data of a later entry: entries before it parse. */
	for (size_t cut = 1; cut < fx_len; cut += 37) {
		uint8_t *buf = dup_bytes(fx, cut);

		n = parse_all(view(buf, cut), s, 16, &ret, &why);
		free(buf);
		CHECKF(ret == -EINVAL || ret == 0, "cut %zu ret %d", cut, ret);
		CHECKF(n <= 10, "cut %zu: %d entries", cut, n);
		if (ret == -EINVAL)
			CHECK(why != NULL);
	}
	{
		uint8_t *buf = dup_bytes(fx, 300);

		n = parse_all(view(buf, 300), s, 16, &ret, &why);
		free(buf);
		CHECKF(ret == -EINVAL && n >= 1, "ret %d n %d", ret, n);
	}
}

/* Field offsets in the 110-byte header: namesize is field 11. */
#define NAMESIZE_OFF (6 + 11 * 8)
#define FILESIZE_OFF (6 + 6 * 8)

static void bad_name_length(void)
{
	struct seen s[4];
	const char *why = NULL;
	uint8_t *buf = dup_bytes(fx, fx_len);
	int ret, n;

	memcpy(buf + NAMESIZE_OFF, "00000000", 8);
	n = parse_all(view(buf, fx_len), s, 4, &ret, &why);
	CHECK(ret == -EINVAL && n == 0 && strstr(why, "name length"));
	memcpy(buf + NAMESIZE_OFF, "00000001", 8); /* "." needs 2 with NUL */
	n = parse_all(view(buf, fx_len), s, 4, &ret, &why);
	CHECK(ret == -EINVAL && n == 0 && strstr(why, "NUL"));
	memcpy(buf + NAMESIZE_OFF, "7fffffff", 8);
	n = parse_all(view(buf, fx_len), s, 4, &ret, &why);
	CHECK(ret == -EINVAL && n == 0);
	free(buf);
}

static void huge_file_size(void)
{
	struct seen s[4];
	const char *why = NULL;
	uint8_t *buf = dup_bytes(fx, fx_len);
	int ret, n;

	memcpy(buf + FILESIZE_OFF, "ffffffff", 8);
	n = parse_all(view(buf, fx_len), s, 4, &ret, &why);
	free(buf);
	CHECK(ret == -EINVAL && n == 0 && strstr(why, "past the end"));
}

static void bad_hex(void)
{
	struct seen s[4];
	const char *why = NULL;
	uint8_t *buf = dup_bytes(fx, fx_len);
	int ret, n;

	buf[FILESIZE_OFF + 3] = 'x';
	n = parse_all(view(buf, fx_len), s, 4, &ret, &why);
	free(buf);
	CHECK(ret == -EINVAL && n == 0 && strstr(why, "hex"));
}

int main(void)
{
	TEST_SUITE("cpio");
	load_fixture();
	RUN(fixture_entries);
	RUN(empty_and_padding);
	RUN(concatenated_archives);
	RUN(bad_magic);
	RUN(truncated_keeps_prefix);
	RUN(bad_name_length);
	RUN(huge_file_size);
	RUN(bad_hex);
	free(fx);
	HARNESS_EXIT();
}
