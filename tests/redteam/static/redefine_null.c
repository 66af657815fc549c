/* redteam: #undef NULL and a non-zero NULL make the framework's NULL checks in inline helpers compare against the wrong value. expect: redefine */
#include <stddef.h>
#undef NULL
#define NULL ((void *)4096)
#include <fw/bytes.h>

int svc_n(void);
int svc_n(void) { return 0; }
