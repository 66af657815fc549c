/* Fixture: <cpuid.h>, not on the compiler header allowlist. */
#include <cpuid.h>
int svc_i(void);
int svc_i(void) { return 0; }
