/* redteam: #include_next skips the allowed header and pulls whatever comes next on the search path. expect: include */
#include_next <stdint.h>

int svc_n(void);
int svc_n(void) { return 0; }
