/* redteam: take the running task's scheduler entity outside the policy hooks and unlink it from the run queue behind the scheduler's back. expect: fw_task_sched: called outside a fw_sched_ops hook */
#include <fw/sched.h>
#include <fw/task.h>
#include "redteam.h"

FW_KTEST(redteam_trap_task_sched_outside)
{
	struct fw_sched_entity *se = fw_task_sched(fw_task_current());

	fw_list_del(&se->node);
	REDTEAM_REACHED();
}
