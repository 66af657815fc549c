/* redteam: writing a __private field of a framework struct by its name moves a cursor past its view. expect: private-field */
#include <fw/sync.h>

void svc_lock_steal(struct fw_spinlock *l);
void svc_lock_steal(struct fw_spinlock *l)
{
	l->owner = l->next;
}
