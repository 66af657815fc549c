/* redteam: a positional initializer makes a fw_buf view of 2^64 bytes starting at a service array, so fw_buf_fill writes anywhere in the kernel. expect: init-framework */
#include <fw/bytes.h>

static uint8_t arr[16];

int svc_wipe(size_t off);
int svc_wipe(size_t off)
{
	struct fw_buf b = { arr, ~0ul };

	return fw_buf_fill(b, off, 4096, 0xcc);
}
