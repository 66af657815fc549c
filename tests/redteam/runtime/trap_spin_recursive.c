/* redteam: take a spinlock this CPU already holds (a self-deadlock that would hang the CPU with interrupts off). expect: recursive lock */
#include <fw/sync.h>
#include "redteam.h"

static struct fw_spinlock lock = FW_SPINLOCK_INIT("redteam");

FW_KTEST(redteam_trap_spin_recursive)
{
	fw_spin_lock(&lock);
	fw_spin_lock(&lock);
	REDTEAM_REACHED();
}
