/* tests/unit/inet_csum_test.c: the Internet checksum and TCP sequence
 * arithmetic (services/net/inet/csum.c, csum.h).
 *
 * Layer: host unit test for services/net/inet. The checksum is checked
 * against a plain word-by-word RFC 1071 sum over random buffers of every
 * length and offset (so the 8-byte fast path, odd tails and the folding
 * are covered), and against a known IPv4 header; the sequence
 * comparisons around the 2^32 wrap.
 * unit-sources: services/net/inet/csum.c framework/bytes/bytes.c */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "net/inet/csum.h"

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void random_buffers(void)
{
	static uint8_t buf[2100];
	unsigned seed = 12345;

	for (size_t i = 0; i < sizeof buf; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n + off <= sizeof buf; n += (n < 80 ? 1 : 37)) {
			struct fw_bytes b = fw__bytes_make(buf + off, n);

			CHECK(inet_csum_fold(inet_csum_add(0, b)) == ref_csum(buf + off, n));
		}
	/* all ones: the sum folds to 0xffff, checksum 0 */
	memset(buf, 0xff, 64);
	CHECK(inet_csum_fold(inet_csum_add(0, fw__bytes_make(buf, 64))) == 0);
	/* pieces with even lengths add up to the whole */
	uint32_t part = inet_csum_add(0, fw__bytes_make(buf + 64, 100));
	part = inet_csum_add(part, fw__bytes_make(buf + 164, 51));
	CHECK(inet_csum_fold(part) == ref_csum(buf + 64, 151));
}

static void ipv4_header(void)
{
	/* RFC 1071-style example: a header whose checksum field is b861 */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
			  0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
			  0xc0, 0xa8, 0x00, 0xc7 };

	CHECK(inet_csum_fold(inet_csum_add(0, fw__bytes_make(h, 20))) == 0xb861);
	h[10] = 0xb8;
	h[11] = 0x61;
	CHECK(inet_csum_fold(inet_csum_add(0, fw__bytes_make(h, 20))) == 0);
}

static void pseudo_header(void)
{
	/* 127.0.0.1 -> 127.0.0.1, UDP, 12 bytes: 0x7f00+0x0001 twice, 17, 12 */
	uint32_t lo = 0x7f000001u; /* host order, as the callers hold it */
	uint32_t s = inet_csum_pseudo(lo, lo, 17, 12);
	uint32_t want = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 17 + 12;

	CHECK(inet_csum_fold(s) == inet_csum_fold(want));
}

static void sequence(void)
{
	CHECK(seq_lt(1, 2));
	CHECK(!seq_lt(2, 2));
	CHECK(seq_le(2, 2));
	CHECK(seq_lt(0xfffffff0u, 0x10));	/* across the wrap */
	CHECK(seq_gt(0x10, 0xfffffff0u));
	CHECK(seq_ge(0x10, 0x10));
	CHECK(seq_in(0xffffffffu, 0xfffffffeu, 5));
	CHECK(seq_in(4, 0xfffffffeu, 5));
	CHECK(!seq_in(5, 0xfffffffeu, 5));
	CHECK(!seq_in(7, 7, 7));		/* empty window */
	CHECK(seq_lt(0x7fffffffu, 0xfffffffeu) == true);
}

int main(void)
{
	TEST_SUITE("inet_csum");
	RUN(random_buffers);
	RUN(ipv4_header);
	RUN(pseudo_header);
	RUN(sequence);
	HARNESS_EXIT();
}
