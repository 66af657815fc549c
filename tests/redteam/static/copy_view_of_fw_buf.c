/* redteam: a writable byte view over a struct fw_buf itself lets the service rewrite the view's private base and length. expect: typed-copy */
#include <fw/bytes.h>

static uint8_t arr[16];

int svc_widen(void);
int svc_widen(void)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(arr);
	uint8_t len[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (fw_buf_copy_from(FW_BUF_OF_OBJ(&b), 8, FW_BYTES_OF_ARRAY(len)))
		return -1;
	return fw_buf_fill(b, 0, 1ul << 30, 0);
}
