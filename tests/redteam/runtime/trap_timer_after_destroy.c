/* redteam: arm a timer after destroying it, linking freed memory into the CPU's timer list. expect: fw_timer handle */
#include <fw/time.h>
#include "redteam.h"

static void fire(uint64_t *count)
{
	(*count)++;
}

static uint64_t count;

FW_KTEST(redteam_trap_timer_after_destroy)
{
	struct fw_timer *t;

	FW_KT_CHECK(FW_TIMER_CREATE(fire, &count, &t) == 0);
	fw_timer_destroy(t);
	fw_timer_arm(t, fw_time_ns() + 1000000);
	REDTEAM_REACHED();
}
