/* services/net/netem.c: the lossy-link knobs (net.loss=, net.reorder=,
 * net.seed=), see netem.h.
 *
 * Layer: services (safe C), net. Each device (by index) has a receive
 * and a send side, each with its own pseudo-random generator
 * (xorshift64*, seeded from net.seed, the index and the side through
 * splitmix64), so the decisions on one side do not depend on how the
 * traffic of the others interleaves with it. Every packet draws twice
 * (loss, then reorder), whatever the first draw said, so the sequence
 * of decisions depends only on the number of packets seen. A held frame
 * is a heap copy (the caller's buffer is reused at once); it goes out
 * right after the next frame of its side, or from the net task after
 * NETEM_HOLD_MAX_NS if none follows. */
#include <fw/boot.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/time.h>

#include "net/inet/inet.h"
#include "net/netem.h"

#define NETEM_DEVS 64u	/* netdev.c's NETDEV_MAX */

bool netem_on;
static unsigned loss_pct, reorder_pct;
static uint64_t seed = 1;

struct netem_side {
	struct fw_spinlock lock;
	uint64_t rng;
	bool seeded;
	/* The held frame: frame[0, len), since when, and where it goes. */
	bool held;
	struct fw_buf frame;
	size_t len;
	uint64_t since;
	struct netdev *dev;
	netem_deliver_fn deliver;
};
static struct netem_side sides[NETEM_DEVS][2];

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A number in [0, 100) (lock held). */
static unsigned draw(struct netem_side *sd)
{
	uint64_t x = sd->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sd->rng = x;
	return (unsigned)(((x * 0x2545f4914f6cdd1dull) >> 32) % 100u);
}

static unsigned pct(const char *key)
{
	uint64_t v = 0;

	if (fw_boot_opt_u64(key, &v))
		return 0;
	return v > 100 ? 100u : (unsigned)v;
}

void netem_init(void)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < NETEM_DEVS; i++) {
		fw_spin_init(&sides[i][0].lock, "netem");
		fw_spin_init(&sides[i][1].lock, "netem");
	}
	loss_pct = pct("net.loss");
	reorder_pct = pct("net.reorder");
	if (fw_boot_opt_u64("net.seed", &s) == 0)
		seed = s;
	netem_on = loss_pct || reorder_pct;
	if (netem_on)
		fw_info("net: lossy link: loss %u%%, reorder %u%%, seed %llu",
			loss_pct, reorder_pct, (unsigned long long)seed);
}

static struct netem_side *side_of(struct netdev *d, bool tx)
{
	if (d->ifindex < 1 || (unsigned)d->ifindex > NETEM_DEVS)
		return NULL;
	return &sides[d->ifindex - 1][tx ? 1 : 0];
}

enum netem_verdict netem_judge(struct netdev *d, bool tx)
{
	struct netem_side *sd = side_of(d, tx);
	unsigned lose, hold;

	if (!sd)
		return NETEM_PASS;
	fw_spin_lock(&sd->lock);
	if (!sd->seeded) {
		sd->rng = splitmix64(seed ^ ((uint64_t)d->ifindex << 1) ^ (tx ? 1u : 0u));
		if (!sd->rng)
			sd->rng = 1;
		sd->seeded = true;
	}
	lose = draw(sd);
	hold = draw(sd);
	fw_spin_unlock(&sd->lock);
	if (lose < loss_pct) {
		atomic_fetch_add(tx ? &d->stats.tx_dropped : &d->stats.rx_dropped, 1);
		return NETEM_DROP;
	}
	return hold < reorder_pct ? NETEM_HOLD : NETEM_PASS;
}

/* Take the held frame out of sd (lock held): false if there is none. */
static bool take_held(struct netem_side *sd, struct fw_buf *frame, size_t *len)
{
	if (!sd->held)
		return false;
	*frame = sd->frame;
	*len = sd->len;
	sd->held = false;
	sd->frame = (struct fw_buf){ 0 };
	return true;
}

static void deliver_copy(struct netdev *d, netem_deliver_fn deliver,
			 struct fw_buf *frame, size_t len)
{
	struct fw_bytes b;

	if (fw_bytes_sub(fw_buf_as_bytes(*frame), 0, len, &b) == 0 &&
	    deliver(d, b)) {
		/* held, then failed: as if lost (the device counted it) */
	}
	fw_buf_free(frame);
}

int netem_frame(struct netdev *d, bool tx, struct fw_bytes frame,
		netem_deliver_fn deliver)
{
	struct netem_side *sd = side_of(d, tx);
	enum netem_verdict v = netem_judge(d, tx);
	struct fw_buf copy = { 0 }, prev = { 0 };
	size_t len = fw_bytes_len(frame), plen = 0;
	bool have_prev;
	int err;

	if (v == NETEM_DROP)
		return 0;
	if (!sd)
		return deliver(d, frame);
	if (v == NETEM_HOLD && (fw_buf_alloc(len ? len : 1, &copy) ||
				fw_buf_copy_from(copy, 0, frame))) {
		fw_buf_free(&copy);
		v = NETEM_PASS; /* no memory to hold it: send it now */
	}
	fw_spin_lock(&sd->lock);
	if (v == NETEM_HOLD && !sd->held) {
		sd->held = true;
		sd->frame = copy;
		sd->len = len;
		sd->since = fw_time_ns();
		sd->dev = d;
		sd->deliver = deliver;
		fw_spin_unlock(&sd->lock);
		inet_timer_kick(sd->since + NETEM_HOLD_MAX_NS);
		return 0;
	}
	have_prev = take_held(sd, &prev, &plen);
	fw_spin_unlock(&sd->lock);
	if (v == NETEM_HOLD)
		fw_buf_free(&copy); /* one held already: this one goes now */
	err = deliver(d, frame);
	if (have_prev)
		deliver_copy(d, deliver, &prev, plen);
	return err;
}

uint64_t netem_poll(uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!netem_on)
		return next;
	for (unsigned i = 0; i < NETEM_DEVS; i++) {
		for (unsigned t = 0; t < 2; t++) {
			struct netem_side *sd = &sides[i][t];
			struct fw_buf f = { 0 };
			size_t len = 0;
			struct netdev *d = NULL;
			netem_deliver_fn deliver = NULL;
			bool due = false;

			fw_spin_lock(&sd->lock);
			if (sd->held && now - sd->since >= NETEM_HOLD_MAX_NS) {
				d = sd->dev;
				deliver = sd->deliver;
				due = take_held(sd, &f, &len);
			} else if (sd->held && sd->since + NETEM_HOLD_MAX_NS < next) {
				next = sd->since + NETEM_HOLD_MAX_NS;
			}
			fw_spin_unlock(&sd->lock);
			if (due)
				deliver_copy(d, deliver, &f, len);
		}
	}
	return next;
}
