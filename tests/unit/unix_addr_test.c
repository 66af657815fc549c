/* tests/unit/unix_addr_test.c: Unix socket address parsing
 * (services/net/unix/unix_addr.c).
 *
 * Layer: host unit test for services/net. The lengths and normal forms
 * are Linux's (unix_validate_addr, unix_mkname_bsd, unix_autobind), which
 * tests/user/t_unix.c checks against a real kernel end to end.
 * unit-sources: services/net/unix/unix_addr.c */
#include <string.h>

#include "harness.h"
#include "fw/errno.h"
#include "net/unix/unix_addr.h"

static struct sock_addr raw(const char *path, size_t pathlen, size_t len)
{
	struct sock_addr a;

	memset(&a, 0, sizeof a);
	a.b[0] = 1; /* AF_UNIX, little-endian */
	memcpy(a.b + 2, path, pathlen);
	a.len = (unsigned)len;
	return a;
}

static void lengths(void)
{
	struct unix_addr u;
	enum unix_addr_kind k;
	struct sock_addr a = raw("x", 1, 1);

	CHECK(unix_addr_parse(&a, &u, &k) == -EINVAL);
	a.len = 111;
	CHECK(unix_addr_parse(&a, &u, &k) == -EINVAL);
	a.len = 128;
	CHECK(unix_addr_parse(&a, &u, &k) == -EINVAL);
	a.len = 2;
	CHECK(unix_addr_parse(&a, &u, &k) == 0 && k == UNIX_ADDR_AUTOBIND);
	a.b[0] = 2; /* AF_INET */
	a.len = 5;
	CHECK(unix_addr_parse(&a, &u, &k) == -EINVAL);
}

static void paths_end_at_nul(void)
{
	struct unix_addr u;
	enum unix_addr_kind k;
	struct sock_addr a = raw("/tmp/s\0junk", 11, 110);

	CHECK(unix_addr_parse(&a, &u, &k) == 0 && k == UNIX_ADDR_PATH);
	CHECK(u.len == 2 + 6 + 1);
	CHECK(strcmp((const char *)u.b + 2, "/tmp/s") == 0);
	/* no NUL within the length: one is added */
	a = raw("/tmp/s", 6, 8);
	CHECK(unix_addr_parse(&a, &u, &k) == 0 && u.len == 9 && u.b[8] == 0);
	/* a full 108-byte path without NUL fits */
	char full[108];
	memset(full, 'a', sizeof full);
	a = raw(full, sizeof full, 110);
	CHECK(unix_addr_parse(&a, &u, &k) == 0 && u.len == 111 && u.b[110] == 0);
}

static void abstract_names_keep_every_byte(void)
{
	struct unix_addr u, v;
	enum unix_addr_kind k;
	struct sock_addr a = raw("\0ab\0c", 5, 7);

	CHECK(unix_addr_parse(&a, &u, &k) == 0 && k == UNIX_ADDR_ABSTRACT);
	CHECK(u.len == 7 && u.b[5] == 0 && u.b[6] == 'c');
	a.len = 6;
	CHECK(unix_addr_parse(&a, &v, &k) == 0);
	CHECK(!unix_addr_eq(&u, &v));
	a.len = 7;
	CHECK(unix_addr_parse(&a, &v, &k) == 0 && unix_addr_eq(&u, &v));
}

static void autobind_names(void)
{
	struct unix_addr u;

	unix_addr_auto(0xabcde, &u);
	CHECK(u.len == 8 && u.b[0] == 1 && u.b[2] == 0);
	CHECK(memcmp(u.b + 3, "abcde", 5) == 0);
	unix_addr_auto(1, &u);
	CHECK(memcmp(u.b + 3, "00001", 5) == 0);
}

int main(void)
{
	TEST_SUITE("unix_addr");
	RUN(lengths);
	RUN(paths_end_at_nul);
	RUN(abstract_names_keep_every_byte);
	RUN(autobind_names);
	HARNESS_EXIT();
}
