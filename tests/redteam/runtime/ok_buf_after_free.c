/* redteam: keep a copy of an owning fw_buf after fw_buf_free and fill it, hoping the bytes land in a newly allocated object with a pointer. expect: PASS */
#include <fw/heap.h>
#include "redteam.h"

struct buf_holder {
	uint64_t *target;
	uint64_t pad[7];
};

FW_KTEST(redteam_ok_buf_after_free)
{
	struct fw_buf b, stale;
	struct buf_holder *h[64];

	FW_KT_CHECK(fw_buf_alloc(64, &b) == 0);
	stale = b;
	fw_buf_free(&b);
	FW_KT_CHECK(fw_buf_len(b) == 0); /* the owner's copy is cleared */
	for (unsigned i = 0; i < FW_ARRAY_LEN(h); i++) {
		h[i] = FW_NEW(struct buf_holder);
		FW_KT_CHECK(h[i] != 0);
	}
	FW_KT_CHECK(fw_buf_fill(stale, 0, fw_buf_len(stale), 0x41) == 0);
	for (unsigned i = 0; i < FW_ARRAY_LEN(h); i++) {
		FW_KT_CHECKF(h[i]->target == 0, "a stale fw_buf forged holder %u", i);
		fw_free(h[i]);
	}
}
