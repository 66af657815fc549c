/* redteam: #undef FW_ARRAY_LEN and a version without the pointer check make views over pointers the size of the pointee array. expect: redefine */
#include <fw/bytes.h>
#undef FW_ARRAY_LEN
#define FW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

int svc_l(void);
int svc_l(void) { return 0; }
