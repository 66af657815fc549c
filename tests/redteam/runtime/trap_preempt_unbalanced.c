/* redteam: enable preemption once more than it was disabled, so that the next spinlock holder can be preempted while another task spins on its lock. expect: fw_preempt_enable without a matching disable */
#include <fw/cpu.h>
#include "redteam.h"

FW_KTEST(redteam_trap_preempt_unbalanced)
{
	fw_preempt_enable();
	REDTEAM_REACHED();
}
