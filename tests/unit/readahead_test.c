/* tests/unit/readahead_test.c: the block cache's read-ahead window
 * (services/block/readahead.h).
 *
 * Layer: host unit test for services/block. A model reader walks units
 * the way the block cache sees it: a miss reads the window ra_miss gives
 * (those units become cached), a use of a cached unit may start an
 * asynchronous window (ra_hit), which the model reads at once. Sequential
 * readers must grow to the maximum window and then miss no more; random
 * ones must read one unit per miss.
 * unit-sources: services/block/readahead.c */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "../../services/block/readahead.h"

#define UNITS 4096u
#define MAX 32u

static bool cached[UNITS];

struct model {
	struct ra_state ra;
	unsigned misses, largest, units_read;
};

static void model_read(struct model *m, uint64_t start, unsigned n)
{
	for (unsigned i = 0; i < n && start + i < UNITS; i++)
		if (!cached[start + i]) {
			cached[start + i] = true;
			m->units_read++;
		}
	if (n > m->largest)
		m->largest = n;
}

/* The reader wants unit u. */
static void use(struct model *m, uint64_t u)
{
	struct ra_window w;

	if (!cached[u]) {
		m->misses++;
		model_read(m, u, ra_miss(&m->ra, u, MAX));
		return;
	}
	if (ra_hit(&m->ra, u, MAX, &w))
		model_read(m, w.start, w.n);
}

static void reset(struct model *m)
{
	memset(cached, 0, sizeof cached);
	memset(m, 0, sizeof *m); /* a new device's state: all zero */
}

static void sequential_grows_to_max(void)
{
	struct model m;
	unsigned n, expect = 1;

	reset(&m);
	/* Misses only: each continues the last window, which doubles. */
	for (uint64_t u = 100; expect < MAX; u += n, expect *= 2) {
		n = ra_miss(&m.ra, u, MAX);
		CHECKF(n == expect, "window %u, expected %u", n, expect);
	}
	CHECK(ra_miss(&m.ra, m.ra.next, MAX) == MAX);
	CHECK(ra_miss(&m.ra, m.ra.next, MAX) == MAX);
}

static void sequential_reader_stops_missing(void)
{
	struct model m;

	reset(&m);
	for (uint64_t u = 0; u < 2048; u++)
		use(&m, u);
	/* The first misses ramp the window up (1, 2); from then on the
	 * asynchronous windows stay ahead of the reader. */
	CHECKF(m.misses <= 3, "%u misses", m.misses);
	CHECK(m.largest == MAX);
	/* Never more than a window past what it read. */
	CHECKF(m.units_read <= 2048 + 2 * MAX, "%u units read", m.units_read);
}

static void random_stays_small(void)
{
	struct model m;
	uint64_t seed = 42;

	reset(&m);
	for (int i = 0; i < 500; i++) {
		uint64_t u;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		u = (seed >> 33) % UNITS;
		if (u == m.ra.next || (u >= m.ra.start && u < m.ra.next))
			continue; /* by chance sequential: not this case */
		if (!cached[u])
			CHECK(ra_miss(&m.ra, u, MAX) == 1);
		cached[u] = true;
	}
	CHECK(m.ra.win == 1);
}

static void random_after_sequential_shrinks(void)
{
	struct model m;
	struct ra_window w;

	reset(&m);
	for (uint64_t u = 0; u < 300; u++)
		use(&m, u);
	CHECK(m.ra.win == MAX);
	CHECK(ra_miss(&m.ra, 3000, MAX) == 1);
	/* And no read-ahead mark is left: uses start nothing. */
	for (uint64_t u = 0; u < UNITS; u++)
		CHECK(!ra_hit(&m.ra, u, MAX, &w));
}

static void one_unit_requests(void)
{
	struct model m;
	struct ra_window w;

	reset(&m);
	for (uint64_t u = 0; u < 100; u++) {
		CHECK(ra_miss(&m.ra, u, 1) == 1);
		CHECK(!ra_hit(&m.ra, u, 1, &w));
	}
}

static void fresh_state_starts_nothing(void)
{
	struct ra_state ra;
	struct ra_window w;

	memset(&ra, 0, sizeof ra);
	CHECK(!ra_hit(&ra, 0, MAX, &w));
	CHECK(ra_miss(&ra, 0, MAX) == 1);
}

int main(void)
{
	TEST_SUITE("readahead");
	RUN(sequential_grows_to_max);
	RUN(sequential_reader_stops_missing);
	RUN(random_stays_small);
	RUN(random_after_sequential_shrinks);
	RUN(one_unit_requests);
	RUN(fresh_state_starts_nothing);
	HARNESS_EXIT();
}
