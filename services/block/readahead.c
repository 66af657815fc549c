/* services/block/readahead.c: the read-ahead window (readahead.h).
 *
 * Layer: services (safe C), block layer. */
#include "block/readahead.h"

static unsigned grow(unsigned win, unsigned max)
{
	return win >= max / 2 ? max : win * 2;
}

unsigned ra_miss(struct ra_state *ra, uint64_t unit, unsigned max)
{
	unsigned n = 1;

	/* Right after the last window: the reader is sequential and went
	 * faster than the read-ahead. Inside it: a unit of the window was
	 * dropped, or its asynchronous part not started yet; the reader is
	 * still sequential, and keeps its window. */
	if (ra->win && unit == ra->next)
		n = grow(ra->win, max);
	else if (ra->win && unit >= ra->start && unit < ra->next)
		n = ra->win < max ? ra->win : max;
	ra->start = unit;
	ra->next = unit + n;
	ra->win = n;
	/* Halfway through: the next window then has the other half's
	 * reading time to arrive. */
	ra->mark = n >= 2 ? unit + n / 2 : RA_NO_MARK;
	return n;
}

bool ra_hit(struct ra_state *ra, uint64_t unit, unsigned max,
	    struct ra_window *out)
{
	if (!ra->win || ra->mark == RA_NO_MARK || unit != ra->mark)
		return false;
	out->start = ra->next;
	out->n = grow(ra->win, max);
	/* The new window's first unit is its mark: when the reader gets
	 * there, it has this whole window left, and the one after is
	 * asked for. */
	ra->start = out->start;
	ra->next = out->start + out->n;
	ra->win = out->n;
	ra->mark = out->start;
	return true;
}
