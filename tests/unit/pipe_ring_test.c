/* tests/unit/pipe_ring_test.c: pipe ring arithmetic (services/fs/pipe/pipe_ring.h).
 *
 * Layer: host unit test for services/fs. A model ring (a plain byte
 * array) is driven through pipe_ring_chunk/pipe_ring_writable with
 * pseudo-random reads and writes; the bytes read must be exactly the bytes
 * written, in order, and a write of at most PIPE_BUF bytes must never be
 * split.
 * unit-sources: */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "../../services/fs/pipe/pipe_ring.h"

static void chunk_never_crosses_page(void)
{
	for (uint64_t pos = 0; pos < 3 * PIPE_RING_SIZE; pos += 1237) {
		struct pipe_chunk c = pipe_ring_chunk(pos, 100000);

		CHECK(c.page < PIPE_RING_PAGES);
		CHECK(c.off + c.len == PIPE_RING_PAGE);
		CHECK(c.page * PIPE_RING_PAGE + c.off == pos % PIPE_RING_SIZE);
	}
	CHECK(pipe_ring_chunk(10, 5).len == 5);
	CHECK(pipe_ring_chunk(PIPE_RING_SIZE - 1, 100).page == PIPE_RING_PAGES - 1);
	CHECK(pipe_ring_chunk(PIPE_RING_SIZE, 100).page == 0);
}

static void atomic_small_writes(void)
{
	/* 100 bytes free: a 200-byte write (<= PIPE_BUF) must wait whole. */
	uint64_t tail = 0, head = PIPE_RING_SIZE - 100;

	CHECK(pipe_ring_writable(head, tail, 200, 0) == 0);
	CHECK(pipe_ring_writable(head, tail, 100, 0) == 100);
	/* A large write takes what fits. */
	CHECK(pipe_ring_writable(head, tail, 10000, 0) == 100);
	CHECK(pipe_ring_writable(head, tail, 10000, 9950) == 50);
	CHECK(pipe_ring_writable(0, 0, 70000, 0) == PIPE_RING_SIZE);
	CHECK(pipe_ring_used(head, tail) == PIPE_RING_SIZE - 100);
}

static uint8_t ring[PIPE_RING_SIZE];

static void model_stream(void)
{
	uint64_t head = 0, tail = 0, seed = 12345;
	uint8_t next_w = 0, next_r = 0;

	for (int step = 0; step < 200000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = (seed >> 33) % 9000;

		if ((seed >> 20) & 1) {
			size_t can = pipe_ring_writable(head, tail, n ? n : 1, 0);

			while (can) {
				struct pipe_chunk c = pipe_ring_chunk(head, can);

				for (size_t i = 0; i < c.len; i++)
					ring[c.page * PIPE_RING_PAGE + c.off + i] = next_w++;
				head += c.len;
				can -= c.len;
			}
		} else {
			uint64_t used = pipe_ring_used(head, tail);
			size_t want = n < used ? n : (size_t)used;

			while (want) {
				struct pipe_chunk c = pipe_ring_chunk(tail, want);

				for (size_t i = 0; i < c.len; i++)
					CHECK(ring[c.page * PIPE_RING_PAGE + c.off + i] == next_r++);
				tail += c.len;
				want -= c.len;
			}
		}
		CHECK(pipe_ring_used(head, tail) <= PIPE_RING_SIZE);
	}
}

int main(void)
{
	TEST_SUITE("pipe_ring");
	RUN(chunk_never_crosses_page);
	RUN(atomic_small_writes);
	RUN(model_stream);
	HARNESS_EXIT();
}
