/* redteam: take the CPU view of a DMA buffer after freeing it, to write into frames given to someone else. expect: fw_dma handle */
#include <fw/dma.h>
#include "redteam.h"

FW_KTEST(redteam_trap_dma_after_free)
{
	struct fw_dma *d;

	FW_KT_CHECK(fw_dma_alloc(4096, &d) == 0);
	fw_dma_free(d);
	struct fw_buf b = fw_dma_buf(d);
	if (fw_buf_fill(b, 0, fw_buf_len(b), 0xff) == 0)
		fw_printf("redteam: filled\n");
	REDTEAM_REACHED();
}
