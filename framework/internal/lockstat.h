/* internal/lockstat.h: what the locks tell lock statistics. */
#ifndef INTERNAL_LOCKSTAT_H
#define INTERNAL_LOCKSTAT_H

#include <fw/compiler.h>

/* Set while statistics are on (read on every acquisition). */
extern bool lockstat_on;

static inline bool lockstat_enabled(void)
{
	return FW_UNLIKELY(__atomic_load_n(&lockstat_on, __ATOMIC_RELAXED));
}

/* One acquisition of a lock of class `name`; contended ones waited
 * wait_ns. */
void lockstat_record(const char *name, bool mutex, bool contended,
		     uint64_t wait_ns);

#endif
