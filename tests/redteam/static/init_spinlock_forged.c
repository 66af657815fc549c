/* redteam: a spinlock initialized by position claims to be held by CPU 3 with tickets out of step, so unlock corrupts the framework's debug state and the next lock spins forever. expect: init-framework */
#include <fw/sync.h>

static struct fw_spinlock lock = { 1, 0, 3, "forged" };

void svc_take(void);
void svc_take(void)
{
	fw_spin_lock(&lock);
	fw_spin_unlock(&lock);
}
