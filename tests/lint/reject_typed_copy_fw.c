/* Fixture: a read-only byte view over a framework struct leaks its base. */
#include <fw/bytes.h>
struct fw_bytes svc_leak(const struct fw_buf *b);
struct fw_bytes svc_leak(const struct fw_buf *b) { return FW_BYTES_OF_OBJ(b); }
