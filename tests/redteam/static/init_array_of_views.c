/* redteam: brace elision across an array of fw_buf views sets every view's private fields from a flat list of numbers. expect: init-framework */
#include <fw/bytes.h>

static uint8_t arr[16];

int svc_many(void);
int svc_many(void)
{
	struct fw_buf v[2] = { arr, 65536, arr, 65536 };

	return fw_buf_fill(v[1], 0, 65536, 0);
}
