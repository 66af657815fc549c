/* services/block/readahead.h: the read-ahead window of a block device.
 *
 * Layer: services (safe C), block layer; pure logic (no locks, no I/O),
 * so the host tests can drive it. The block cache (bcache.c) calls it
 * under bcache_lock and does the reading.
 *
 * Linux's mm/readahead.c, in units of the block cache: a miss that
 * continues the last window is a sequential reader, and its window
 * doubles up to one request's worth; any other miss reads just its unit,
 * so metadata and random reads drag in nothing. Each window of two units
 * or more carries a mark (Linux's PG_readahead): when the reader reaches
 * the marked unit, the next window is read asynchronously, while the
 * reader still has the rest of this one to consume, so the disk works
 * while the reader copies instead of between its copies. */
#ifndef SERVICES_BLOCK_READAHEAD_H
#define SERVICES_BLOCK_READAHEAD_H

#include <stdbool.h>
#include <stdint.h>

#define RA_NO_MARK UINT64_MAX

struct ra_state {
	uint64_t start;			/* first unit of the last window */
	uint64_t next;			/* unit after it */
	uint64_t mark;			/* unit whose use reads the next
					   window, or RA_NO_MARK */
	unsigned win;			/* last window's size, units; 0: none */
};

/* A window to read: units [start, start + n). */
struct ra_window {
	uint64_t start;
	unsigned n;
};

/* A miss at unit: how many units to read from it (1..max, max >= 1). */
unsigned ra_miss(struct ra_state *ra, uint64_t unit, unsigned max);
/* The cached (or being read) unit was used: true and *out if that
 * should start an asynchronous read of the next window. */
bool ra_hit(struct ra_state *ra, uint64_t unit, unsigned max,
	    struct ra_window *out);

#endif
