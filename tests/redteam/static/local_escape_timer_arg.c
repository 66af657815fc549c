/* redteam: a timer armed with the address of a local counter; after the function returns the callback increments a word in whatever frame now occupies that stack slot (a saved return address or a spilled pointer of another call). expect: local-escape */
#include <fw/time.h>

static void bump(uint64_t *n)
{
	(*n)++;
}

int svc_watchdog_start(void);
int svc_watchdog_start(void)
{
	uint64_t misses = 0;
	struct fw_timer *t;
	int err = FW_TIMER_CREATE(bump, &misses, &t);

	if (err)
		return err;
	fw_timer_arm(t, fw_time_ns() + 1000000000ull);
	return 0; /* the timer lives on, pointing into this dead frame */
}
