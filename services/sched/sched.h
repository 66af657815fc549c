/* services/sched/sched.h: the scheduler service's entry point. */
#ifndef SERVICES_SCHED_H
#define SERVICES_SCHED_H

#include <fw/compiler.h>

/* Register the round-robin policy with the framework. */
FW_MUST_CHECK int sched_init(void);

#endif
