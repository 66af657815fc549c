/* redteam: #undef __OPTIMIZE__ and #define __STDC_HOSTED__ change which code paths the compiler headers select. expect: redefine */
#undef __OPTIMIZE__
#define __STDC_HOSTED__ 1
#include <stdint.h>

int svc_r(void);
int svc_r(void) { return 0; }
