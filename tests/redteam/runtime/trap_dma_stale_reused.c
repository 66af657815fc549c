/* redteam: free a DMA buffer and allocate another of the same size (the slot and the frames are reused), then take the CPU view through the old handle to write into the new owner's buffer. expect: fw_dma handle */
#include <fw/dma.h>
#include "redteam.h"

FW_KTEST(redteam_trap_dma_stale_reused)
{
	struct fw_dma *old, *fresh;

	FW_KT_CHECK(fw_dma_alloc(4096, &old) == 0);
	fw_dma_free(old);
	FW_KT_CHECK(fw_dma_alloc(4096, &fresh) == 0);
	struct fw_buf b = fw_dma_buf(old);
	if (fw_buf_fill(b, 0, fw_buf_len(b), 0x41) == 0)
		fw_printf("redteam: wrote into the new owner's buffer\n");
	REDTEAM_REACHED();
}
