/* framework/sync/lockstat.c: lock statistics by class (fw/lockstat.h).
 *
 * Layer: framework. A fixed table, open-addressed by the class's name
 * pointer and kind; slots are claimed with a compare-and-swap and counted
 * with atomics, so recording takes no lock (it runs inside every lock's
 * acquisition, interrupt handlers' too). A class that finds the table
 * full is not counted (fw_lockstat_lost says how often). */
#include <fw/errno.h>
#include <fw/lockstat.h>
#include <fw/string.h>
#include "internal/lockstat.h"

#define CLASSES 1024 /* a power of two */

struct lock_class_stat {
	const char *name; /* NULL: free slot (claimed once, never freed) */
	bool mutex;
	uint64_t acquisitions, contentions, wait_total_ns, wait_max_ns;
};

static struct lock_class_stat classes[CLASSES];
bool lockstat_on;
static uint64_t lost_classes;

static struct lock_class_stat *class_of(const char *name, bool mutex)
{
	uint64_t h = ((uint64_t)(uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull;

	h ^= mutex;
	for (unsigned probe = 0; probe < CLASSES; probe++) {
		struct lock_class_stat *c = &classes[(h + probe) & (CLASSES - 1)];
		const char *have = __atomic_load_n(&c->name, __ATOMIC_ACQUIRE);

		if (!have) {
			const char *expect = NULL;
			/* Kind first: a reader that sees the name sees it. */
			c->mutex = mutex;
			if (__atomic_compare_exchange_n(&c->name, &expect, name,
							false, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE))
				return c;
			have = expect;
		}
		if (have == name && c->mutex == mutex)
			return c;
	}
	__atomic_add_fetch(&lost_classes, 1, __ATOMIC_RELAXED);
	return NULL;
}

void lockstat_record(const char *name, bool mutex, bool contended,
		     uint64_t wait_ns)
{
	struct lock_class_stat *c = class_of(name ? name : "(unnamed)", mutex);
	uint64_t max;

	if (!c)
		return;
	__atomic_add_fetch(&c->acquisitions, 1, __ATOMIC_RELAXED);
	if (!contended)
		return;
	__atomic_add_fetch(&c->contentions, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->wait_total_ns, wait_ns, __ATOMIC_RELAXED);
	max = __atomic_load_n(&c->wait_max_ns, __ATOMIC_RELAXED);
	while (wait_ns > max &&
	       !__atomic_compare_exchange_n(&c->wait_max_ns, &max, wait_ns, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void fw_lockstat_enable(bool on)
{
	__atomic_store_n(&lockstat_on, on, __ATOMIC_RELAXED);
}

bool fw_lockstat_enabled(void)
{
	return __atomic_load_n(&lockstat_on, __ATOMIC_RELAXED);
}

void fw_lockstat_clear(void)
{
	for (unsigned i = 0; i < CLASSES; i++) {
		struct lock_class_stat *c = &classes[i];

		__atomic_store_n(&c->acquisitions, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->contentions, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->wait_total_ns, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->wait_max_ns, 0, __ATOMIC_RELAXED);
	}
}

unsigned fw_lockstat_slots(void)
{
	return CLASSES;
}

int fw_lockstat_get(unsigned slot, struct fw_lockstat *out)
{
	const struct lock_class_stat *c;
	const char *name;

	if (slot >= CLASSES)
		return -ERANGE;
	c = &classes[slot];
	name = __atomic_load_n(&c->name, __ATOMIC_ACQUIRE);
	if (!name)
		return -ENOENT;
	fw_strlcpy(out->name, name, sizeof out->name);
	out->mutex = c->mutex;
	out->acquisitions = __atomic_load_n(&c->acquisitions, __ATOMIC_RELAXED);
	out->contentions = __atomic_load_n(&c->contentions, __ATOMIC_RELAXED);
	out->wait_total_ns = __atomic_load_n(&c->wait_total_ns, __ATOMIC_RELAXED);
	out->wait_max_ns = __atomic_load_n(&c->wait_max_ns, __ATOMIC_RELAXED);
	return 0;
}

uint64_t fw_lockstat_lost(void)
{
	return __atomic_load_n(&lost_classes, __ATOMIC_RELAXED);
}
