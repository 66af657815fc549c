/* redteam: FW_BUF_OF_ARRAY over an array of pointers would be a writable view that forges pointers; the macro's element check refuses it at compile time. expect: cc:negative width in bit-field */
#include <fw/bytes.h>

static int *ptrs[4];

struct fw_buf svc_ptrs(void);
struct fw_buf svc_ptrs(void) { return FW_BUF_OF_ARRAY(ptrs); }
