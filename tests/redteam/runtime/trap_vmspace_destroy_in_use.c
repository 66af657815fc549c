/* redteam: destroy an address space a task is still set to run in, so its next switch loads freed page tables into CR3. expect: vmspace: destroying a space */
#include <fw/task.h>
#include <fw/vmspace.h>
#include "redteam.h"

FW_KTEST(redteam_trap_vmspace_destroy_in_use)
{
	struct fw_vmspace *vs;

	FW_KT_CHECK(fw_vmspace_create(&vs) == 0);
	fw_task_set_vmspace(fw_task_current(), vs);
	fw_vmspace_destroy(vs);
	REDTEAM_REACHED();
}
