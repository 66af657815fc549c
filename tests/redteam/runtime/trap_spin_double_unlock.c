/* redteam: unlock a spinlock twice, so the next two lockers both enter (the ticket moves on). expect: unlocked by cpu */
#include <fw/sync.h>
#include "redteam.h"

static struct fw_spinlock lock = FW_SPINLOCK_INIT("redteam");

FW_KTEST(redteam_trap_spin_double_unlock)
{
	fw_spin_lock(&lock);
	fw_spin_unlock(&lock);
	fw_spin_unlock(&lock);
	REDTEAM_REACHED();
}
