/* fw/lockstat.h: lock statistics, as Linux's CONFIG_LOCK_STAT.
 *
 * Layer: framework public API. Off by default (it costs a clock read per
 * contended acquisition and a table update per acquisition); while on,
 * every spinlock and mutex acquisition is counted by lock class (the
 * locks that share a name: every inode's "inode" lock is one class), and
 * one that had to wait adds the time it waited. procfs shows the table
 * as /proc/lock_stat and switches it with /proc/sys/kernel/lock_stat. */
#ifndef FW_LOCKSTAT_H
#define FW_LOCKSTAT_H

#include <fw/compiler.h>

void fw_lockstat_enable(bool on);
bool fw_lockstat_enabled(void);
/* Forget every count (Linux: `echo 0 > /proc/lock_stat`). */
void fw_lockstat_clear(void);

struct fw_lockstat {
	char name[40];          /* the class: the locks' name */
	bool mutex;             /* a sleeping lock, not a spinlock */
	uint64_t acquisitions;
	uint64_t contentions;   /* acquisitions that found it held */
	uint64_t wait_total_ns; /* their waits, summed */
	uint64_t wait_max_ns;   /* the longest */
};
/* The table's slots: 0 and *out for slot (< fw_lockstat_slots()) if a
 * class has it, -ENOENT if it is free, -ERANGE past the end. */
unsigned fw_lockstat_slots(void);
FW_MUST_CHECK int fw_lockstat_get(unsigned slot, struct fw_lockstat *out);
/* Acquisitions not counted because the table was full. */
uint64_t fw_lockstat_lost(void);

#endif
