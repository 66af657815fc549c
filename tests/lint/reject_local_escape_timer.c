/* Fixture: FW_TIMER_CREATE keeps its argument until the timer is destroyed;
 * the callback would increment a counter in a dead frame. */
#include <fw/time.h>

static void tick(int *n)
{
	(*n)++;
}

int svc_arm(void);

int svc_arm(void)
{
	int ticks = 0;
	struct fw_timer *t;
	int err = FW_TIMER_CREATE(tick, &ticks, &t);

	if (err)
		return err;
	fw_timer_arm(t, fw_time_ns() + 1000000);
	return 0;
}
