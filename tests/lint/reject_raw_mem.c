/* Fixture: memcpy on a raw pointer. */
#include <fw/fake.h>
void svc_copy(struct fake_obj *dst, const struct fake_obj *src) { memcpy(dst, src, 64); }
