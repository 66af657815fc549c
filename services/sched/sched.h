/* services/sched/sched.h: the scheduler service's entry point.
 *
 * Folder services/sched: the scheduler policy (round-robin); includes
 * no service. */
#ifndef SERVICES_SCHED_H
#define SERVICES_SCHED_H

#include <fw/compiler.h>

/* Register the round-robin policy with the framework. */
FW_MUST_CHECK int sched_init(void);

/* The time slice a task of this nice value runs for before the next one
 * (sched_rr_get_interval(2) reports it, as Linux reports CFS's). */
uint64_t sched_slice_ns(int nice);

#endif
