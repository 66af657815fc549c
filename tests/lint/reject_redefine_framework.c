/* Fixture: #define of a framework function's name after its header. */
#include <fw/bytes.h>
#define fw_buf_len(b) ((size_t)-1)
int svc_r(void);
int svc_r(void) { return 0; }
