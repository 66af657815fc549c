/* redteam: calling fw__buf_make directly builds a view of any length over any array. expect: private-name */
#include <fw/bytes.h>

static uint8_t arr[16];

struct fw_buf svc_make(void);
struct fw_buf svc_make(void) { return fw__buf_make(arr, 1ul << 30); }
