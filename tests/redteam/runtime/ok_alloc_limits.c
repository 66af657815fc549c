/* redteam: ask the heap and the DMA allocator for absurd sizes, hoping for a size wrap and a short buffer. expect: PASS */
#include <fw/dma.h>
#include <fw/heap.h>
#include "redteam.h"

FW_KTEST(redteam_ok_alloc_limits)
{
	struct fw_buf b;
	struct fw_dma *d;

	FW_KT_CHECK(fw_buf_alloc(0, &b) == -EINVAL);
	FW_KT_CHECK(fw_buf_alloc(redteam_value(~0ull), &b) == -EINVAL);
	FW_KT_CHECK(fw_buf_alloc(redteam_value(1ull << 40), &b) == -EINVAL);
	FW_KT_CHECK(fw_dma_alloc(0, &d) == -EINVAL);
	FW_KT_CHECK(fw_dma_alloc(redteam_value(~0ull), &d) == -EINVAL);
}
