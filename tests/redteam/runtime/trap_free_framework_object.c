/* redteam: fw_free a framework handle (a timer), so the framework's object is reused while the framework still uses it. expect: fw_free: */
#include <fw/heap.h>
#include <fw/time.h>
#include "redteam.h"

static void fire(uint64_t *unused)
{
	(void)unused;
}

static uint64_t arg;

FW_KTEST(redteam_trap_free_framework_object)
{
	struct fw_timer *t;

	FW_KT_CHECK(FW_TIMER_CREATE(fire, &arg, &t) == 0);
	fw_free(t);
	REDTEAM_REACHED();
}
