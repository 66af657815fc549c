/* services/fs/procfs/procfs_lockstat.c: /proc/lock_stat and its switch,
 * /proc/sys/kernel/lock_stat (Linux's CONFIG_LOCK_STAT interface).
 *
 * Layer: services (safe C). The framework counts (fw/lockstat.h); this
 * shows the classes that waited most, as Linux sorts its table, with
 * Linux's column names for what is counted here (no cache-line bounces,
 * minimum waits or hold times: those columns are left out, not faked).
 * Times in microseconds. Writing 0 to /proc/lock_stat clears it. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/lockstat.h>
#include "fs/procfs/procfs.h"

#define SHOWN 128 /* classes listed; the rest are summed in one line */

struct lockstat_top {
	struct fw_lockstat e[SHOWN];
	unsigned n;
};

/* Most contended first, then most acquired. */
static bool before(const struct fw_lockstat *a, const struct fw_lockstat *b)
{
	if (a->contentions != b->contentions)
		return a->contentions > b->contentions;
	return a->acquisitions > b->acquisitions;
}

/* Keep c if it is among the SHOWN first (insertion into a sorted list). */
static void keep(struct lockstat_top *top, const struct fw_lockstat *c)
{
	unsigned i = top->n < SHOWN ? top->n++ : SHOWN;

	if (i == SHOWN) {
		if (!before(c, &top->e[SHOWN - 1]))
			return;
		i = SHOWN - 1;
	}
	while (i > 0 && before(c, &top->e[i - 1])) {
		top->e[i] = top->e[i - 1];
		i--;
	}
	top->e[i] = *c;
}

static void print_us(struct procfs_seq *s, uint64_t ns)
{
	procfs_printf(s, " %11llu.%02llu", (unsigned long long)(ns / 1000),
		      (unsigned long long)(ns % 1000 / 10));
}

void procfs_gen_lock_stat(struct procfs_seq *s)
{
	struct lockstat_top *top = FW_NEW(struct lockstat_top);
	uint64_t rest_acq = 0, rest_con = 0;
	unsigned classes = 0;
	struct fw_lockstat c;

	if (!top) {
		procfs_printf(s, "lock_stat: out of memory\n");
		return;
	}
	for (unsigned i = 0; i < fw_lockstat_slots(); i++) {
		if (fw_lockstat_get(i, &c) || !c.acquisitions)
			continue;
		classes++;
		rest_acq += c.acquisitions;
		rest_con += c.contentions;
		keep(top, &c);
	}
	procfs_printf(s, "lock_stat version 0.4 (framekernel: %s; %u classes)\n",
		      fw_lockstat_enabled() ? "on" : "off", classes);
	procfs_printf(s, "%40s %14s %14s %14s %14s %14s\n", "class name",
		      "contentions", "waittime-max", "waittime-total",
		      "waittime-avg", "acquisitions");
	for (unsigned i = 0; i < top->n; i++) {
		const struct fw_lockstat *e = &top->e[i];

		rest_acq -= e->acquisitions;
		rest_con -= e->contentions;
		procfs_printf(s, "%33s%7s %14llu", e->name,
			      e->mutex ? " mutex:" : " spin:",
			      (unsigned long long)e->contentions);
		print_us(s, e->wait_max_ns);
		print_us(s, e->wait_total_ns);
		print_us(s, e->contentions ? e->wait_total_ns / e->contentions : 0);
		procfs_printf(s, " %14llu\n", (unsigned long long)e->acquisitions);
	}
	if (classes > top->n)
		procfs_printf(s, "%33s%7s %14llu %14s %14s %14s %14llu\n",
			      "(the other classes)", "", (unsigned long long)rest_con,
			      "", "", "", (unsigned long long)rest_acq);
	if (fw_lockstat_lost())
		procfs_printf(s, "(table full: %llu acquisitions not counted)\n",
			      (unsigned long long)fw_lockstat_lost());
	fw_free(top);
}

int procfs_lock_stat_write(bool is_switch, uint64_t v)
{
	if (is_switch) {
		if (v > 1)
			return -EINVAL; /* proc_dointvec_minmax, 0..1 */
		fw_lockstat_enable(v == 1);
		return 0;
	}
	if (v != 0)
		return -EINVAL;
	fw_lockstat_clear();
	return 0;
}
