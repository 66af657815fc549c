/* redteam: a designated initializer names the __private ticket and owner-CPU fields of a spinlock, so it starts out held by CPU 3 and the first fw_spin_lock spins forever. expect: init-framework */
#include <fw/sync.h>

static struct fw_spinlock lock = { .owner = 7, .cpu = 3 };

void svc_take(void);
void svc_take(void)
{
	fw_spin_lock(&lock);
	fw_spin_unlock(&lock);
}
