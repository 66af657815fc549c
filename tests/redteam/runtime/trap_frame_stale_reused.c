/* redteam: keep a frame handle past its last put until the frame is allocated again (as another process's page), then write through the old handle into the new owner's data. expect: frames: frame handle */
#include <fw/frame.h>
#include "redteam.h"

static uint8_t secret[64];

FW_KTEST(redteam_trap_frame_stale_reused)
{
	struct fw_frame *old, *fresh;

	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &old) == 0);
	fw_frame_put(old);
	/* The allocator hands the frame just freed out again. */
	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &fresh) == 0);
	if (fw_frame_write(old, 0, FW_BYTES_OF_ARRAY(secret)) == 0)
		fw_printf("redteam: wrote into the next owner's page\n");
	REDTEAM_REACHED();
}
