/* redteam: a computed #include hides the intrinsic header's name behind a macro. expect: include */
#define HDR <x86intrin.h>
#include HDR

int svc_c(void);
int svc_c(void) { return 0; }
