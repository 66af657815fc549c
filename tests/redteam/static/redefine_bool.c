/* redteam: #define bool int before the framework headers changes the size of every bool field the framework lays out. expect: redefine */
#define bool int
#include <fw/bytes.h>

int svc_b(void);
int svc_b(void) { return 0; }
