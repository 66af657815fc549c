/* redteam: release a mutex the task does not hold, letting a second task into the critical section. expect: mutex 'redteam': unlocked by a task that does not hold it */
#include <fw/sync.h>
#include "redteam.h"

static struct fw_mutex m;

FW_KTEST(redteam_trap_mutex_not_owner)
{
	fw_mutex_init(&m, "redteam");
	fw_mutex_unlock(&m);
	REDTEAM_REACHED();
}
