/* services/sched/sched.h: the scheduler service's entry point.
 *
 * Folder services/sched: the scheduler policy (real-time classes and a
 * fair queue); includes no service. */
#ifndef SERVICES_SCHED_H
#define SERVICES_SCHED_H

#include <stdint.h>

#include <fw/compiler.h>

/* Register the policy (real-time classes, a fair queue) with the
 * framework. */
FW_MUST_CHECK int sched_init(void);

/* Linux's scheduling policies (the class a task's fw_sched_entity
 * carries) and the real-time priorities, 1..SCHED_RT_PRIO_MAX. */
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RT_PRIO_MAX 99

/* The time slice a task of this policy and nice value runs for before
 * the next one (sched_rr_get_interval(2) reports it, as Linux reports
 * CFS's): 0 for SCHED_FIFO, which has none. */
uint64_t sched_slice_ns(int policy, int nice);

#endif
