/* redteam: wake a task after joining it, writing to a freed task's state and run-queue link. expect: fw_task handle */
#include <fw/task.h>
#include "redteam.h"

static void body(uint64_t *x)
{
	(*x)++;
}

static uint64_t counter;

FW_KTEST(redteam_trap_task_after_join)
{
	struct fw_task *t;

	FW_KT_CHECK(FW_TASK_SPAWN("redteam", body, &counter, -1, &t) == 0);
	FW_KT_CHECK(fw_task_join(t, 0) == 0);
	(void)fw_task_wake(t);
	REDTEAM_REACHED();
}
