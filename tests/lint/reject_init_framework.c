/* Fixture: a positional initializer forging a view over all memory. */
#include <fw/bytes.h>
static uint8_t arr[16];
struct fw_buf svc_view(void);
struct fw_buf svc_view(void)
{
	struct fw_buf b = { arr, ~0ul };
	return b;
}
