/* redteam: a reader cursor built by position holds a forged view and a read position past its end, so reads walk off the array. expect: init-framework */
#include <fw/bytes.h>

static const uint8_t arr[16];

int svc_peek(void);
int svc_peek(void)
{
	struct fw_reader r = { { arr, 1ul << 20 }, 4096 };
	uint8_t v[8];
	int err = fw_reader_copy(&r, FW_BUF_OF_ARRAY(v));

	return err ? err : v[0];
}
