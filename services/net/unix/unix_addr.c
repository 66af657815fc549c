/* services/net/unix/unix_addr.c: Unix socket addresses (pure logic).
 *
 * Layer: services (safe C), net; see unix_addr.h. Host-tested by
 * tests/unit/unix_addr_test.c. */
#include <fw/errno.h>
#include <fw/string.h>

#include "net/unix/unix_addr.h"

#define AF_UNIX_NR 1

int unix_addr_parse(const struct sock_addr *raw, struct unix_addr *out,
		    enum unix_addr_kind *kind)
{
	size_t len = raw->len, n = 0;

	/* Linux unix_validate_addr: the family and at least one path byte
	 * (bind's family-only autobind is the one shorter form). */
	if (len < UNIX_FAMILY_LEN || len > UNIX_ADDR_BYTES ||
	    len > sizeof(raw->b))
		return -EINVAL;
	if ((raw->b[0] | raw->b[1] << 8) != AF_UNIX_NR)
		return -EINVAL;
	*out = (struct unix_addr){ 0 };
	out->b[0] = raw->b[0];
	out->b[1] = raw->b[1];
	if (len == UNIX_FAMILY_LEN) {
		*kind = UNIX_ADDR_AUTOBIND;
		return 0;
	}
	if (raw->b[2] == 0) {
		/* Abstract: every byte up to len is the name. */
		for (size_t i = 2; i < len; i++)
			out->b[i] = raw->b[i];
		out->len = (unsigned)len;
		*kind = UNIX_ADDR_ABSTRACT;
		return 0;
	}
	/* A path ends at its first NUL or at len; stored with the NUL
	 * (Linux unix_mkname_bsd: the length getsockname reports). */
	while (2 + n < len && raw->b[2 + n]) {
		out->b[2 + n] = raw->b[2 + n];
		n++;
	}
	out->b[2 + n] = 0;
	out->len = (unsigned)(2 + n + 1);
	*kind = UNIX_ADDR_PATH;
	return 0;
}

bool unix_addr_eq(const struct unix_addr *a, const struct unix_addr *b)
{
	if (a->len != b->len || a->len > sizeof(a->b))
		return false;
	for (unsigned i = 0; i < a->len; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

void unix_addr_auto(unsigned n, struct unix_addr *out)
{
	static const char hex[] = "0123456789abcdef";

	*out = (struct unix_addr){ 0 };
	out->b[0] = AF_UNIX_NR;
	out->b[2] = 0;
	for (unsigned i = 0; i < 5; i++)
		out->b[3 + i] = (uint8_t)hex[(n >> (4 * (4 - i))) & 0xf];
	out->len = 8;
}
