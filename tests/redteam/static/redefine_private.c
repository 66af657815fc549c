/* redteam: #define __private to something else before the headers tries to unmark the framework's private fields. expect: redefine */
#define __private __attribute__((unused))
#include <fw/bytes.h>

int svc_p(void);
int svc_p(void) { return 0; }
