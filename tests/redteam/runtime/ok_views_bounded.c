/* redteam: read and write past the end of byte views and cursors with every accessor, with lengths and offsets that overflow. expect: PASS */
#include <fw/bytes.h>
#include "redteam.h"

static uint8_t data[16];
static uint8_t after[16];

FW_KTEST(redteam_ok_views_bounded)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(data);
	struct fw_buf sub;
	struct fw_reader r;
	uint64_t v;

	FW_KT_CHECK(fw_buf_sub(b, 8, 9, &sub) == -EINVAL);
	FW_KT_CHECK(fw_buf_sub(b, redteam_value(~0ull), 2, &sub) == -EINVAL);
	FW_KT_CHECK(fw_buf_sub(b, 2, redteam_value(~0ull - 1), &sub) == -EINVAL);
	FW_KT_CHECK(fw_buf_put_u64_le(b, 9, ~0ull) == -EINVAL);
	FW_KT_CHECK(fw_buf_fill(b, 1, 16, 0xff) == -EINVAL);
	fw_reader_init(&r, fw_buf_as_bytes(b));
	FW_KT_CHECK(fw_reader_skip(&r, 17) == -EINVAL);
	FW_KT_CHECK(fw_reader_skip(&r, 12) == 0);
	FW_KT_CHECK(fw_reader_u64_le(&r, &v) == -EINVAL);
	for (unsigned i = 0; i < sizeof(after); i++)
		FW_KT_CHECK(after[i] == 0);
}
