/* services/fs/pipe/pipe_ring.h: the arithmetic of a pipe's byte ring.
 *
 * Layer: services (safe C), pure logic, host-unit-tested
 * (tests/unit/pipe_ring_test.c). head and tail count bytes ever written
 * and read; they only grow (64-bit: they cannot wrap in practice), so
 * used = head - tail needs no "full vs empty" flag. Byte n of the stream
 * is at ring offset n % PIPE_RING_SIZE, in page (n % size) / 4096. */
#ifndef SERVICES_FS_PIPE_RING_H
#define SERVICES_FS_PIPE_RING_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define PIPE_RING_PAGE 4096u
#define PIPE_RING_PAGES 16u
#define PIPE_RING_SIZE (PIPE_RING_PAGE * PIPE_RING_PAGES) /* 64 KiB, Linux's default */
#define PIPE_ATOMIC_MAX 4096u /* PIPE_BUF */

struct pipe_chunk {
	unsigned page;	/* which ring page */
	size_t off;	/* offset in that page */
	size_t len;	/* bytes, never crossing the page end */
};

static inline uint64_t pipe_ring_used(uint64_t head, uint64_t tail)
{
	return head - tail;
}

static inline uint64_t pipe_ring_free(uint64_t head, uint64_t tail)
{
	return PIPE_RING_SIZE - (head - tail);
}

/* The contiguous piece at stream position pos of at most max bytes. */
static inline struct pipe_chunk pipe_ring_chunk(uint64_t pos, size_t max)
{
	struct pipe_chunk c;
	uint64_t ring_off = pos % PIPE_RING_SIZE;

	c.page = (unsigned)(ring_off / PIPE_RING_PAGE);
	c.off = (size_t)(ring_off % PIPE_RING_PAGE);
	c.len = PIPE_RING_PAGE - c.off;
	if (c.len > max)
		c.len = max;
	return c;
}

/* How many bytes a write of `want` more bytes (of a call of total `total`
 * with `done` already written) may put in now. POSIX: a write of at most
 * PIPE_BUF bytes is atomic, so it waits until all of it fits; a larger one
 * may be split anywhere. 0 means wait. */
static inline size_t pipe_ring_writable(uint64_t head, uint64_t tail,
					size_t total, size_t done)
{
	uint64_t room = pipe_ring_free(head, tail);
	size_t want = total - done;

	if (total <= PIPE_ATOMIC_MAX)
		return room >= want ? want : 0;
	return room < want ? (size_t)room : want;
}

#endif
