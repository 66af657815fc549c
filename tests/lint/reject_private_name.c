/* Fixture: calling a framework-private helper. */
#include <fw/fake.h>
struct fake_obj *svc_alloc(void) { struct fake_obj *o = fw__fake_alloc(sizeof *o); return o; }
