/* Fixture: writing a __private field of a framework struct. */
#include <fw/fake.h>
void svc_seek(struct fake_cursor *c) { c->pos = 4096; }
