/* Fixture: implicit void * -> struct pointer. */
#include <fw/fake.h>
struct foo { int x; };
static struct foo *svc_get(void) { return fw_fake_raw(); }
int svc_use(void) { struct foo *p = FW_RAW(); return p->x + svc_get()->x; }
