/* redteam: atomic_fetch_sub_explicit walks an _Atomic pointer backwards before its array. expect: atomic-pointer */
#include <stdatomic.h>

struct slot {
	long v;
};
static struct slot slots[2];
static _Atomic(struct slot *) top = &slots[0];

void svc_pop(void);
void svc_pop(void)
{
	atomic_fetch_sub_explicit(&top, 100, memory_order_relaxed);
	atomic_load(&top)->v = 0;
}
