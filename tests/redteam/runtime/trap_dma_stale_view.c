/* redteam: keep a CPU view of a DMA buffer past fw_dma_free and write a forged link into the freed frames, to steer the next allocation onto a page table. expect: dma: the free-buffer pool was overwritten */
#include <fw/dma.h>
#include "redteam.h"

FW_KTEST(redteam_trap_dma_stale_view)
{
	struct fw_dma *d1, *d2, *d3;

	FW_KT_CHECK(fw_dma_alloc(8192, &d1) == 0);
	FW_KT_CHECK(fw_dma_alloc(8192, &d2) == 0);
	struct fw_buf stale = fw_dma_buf(d2);
	fw_dma_free(d1);
	fw_dma_free(d2);
	/* The stale view still covers d2's frames: forge their first word. */
	FW_KT_CHECK(fw_buf_put_u64_le(stale, 0, 0x1000) == 0);
	FW_KT_CHECK(fw_dma_alloc(8192, &d3) == 0); /* takes d2 back */
	FW_KT_CHECK(fw_dma_alloc(8192, &d3) == 0); /* would follow the link */
	REDTEAM_REACHED();
}
