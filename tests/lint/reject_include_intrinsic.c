/* Fixture: a compiler intrinsic header (inline asm wrappers). */
#include <x86intrin.h>
int svc_i(void);
int svc_i(void) { return 0; }
