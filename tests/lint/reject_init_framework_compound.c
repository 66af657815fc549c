/* Fixture: a compound literal of a framework struct. */
#include <fw/bytes.h>
static const uint8_t arr[16];
struct fw_bytes svc_bytes(void);
struct fw_bytes svc_bytes(void) { return (struct fw_bytes){ arr, 9 }; }
