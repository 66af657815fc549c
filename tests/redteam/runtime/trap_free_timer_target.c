/* redteam: free the object a live timer's callback will be handed, so the callback later writes into whatever reuses the slot. expect: fw_free: a timer's callback argument still points to object */
#include <fw/heap.h>
#include <fw/time.h>
#include "redteam.h"

struct ticker {
	uint64_t ticks;
	struct fw_timer *timer;
};

static void tick(struct ticker *k)
{
	k->ticks++;
}

FW_KTEST(redteam_trap_free_timer_target)
{
	struct ticker *k = FW_NEW(struct ticker);

	FW_KT_CHECK(k != 0);
	FW_KT_CHECK(FW_TIMER_CREATE(tick, k, &k->timer) == 0);
	fw_timer_arm(k->timer, fw_time_ns() + 50 * FW_NSEC_PER_MSEC);
	fw_free(k); /* the timer is neither destroyed nor fired */
	REDTEAM_REACHED();
}
