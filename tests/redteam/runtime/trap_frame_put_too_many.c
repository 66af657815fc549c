/* redteam: drop one frame reference too many while a user mapping still holds the frame, so it is freed and reused under the mapping. expect: one put too many */
#include <fw/frame.h>
#include <fw/vmspace.h>
#include "redteam.h"

FW_KTEST(redteam_trap_frame_put_too_many)
{
	struct fw_vmspace *vs;
	struct fw_frame *f;

	FW_KT_CHECK(fw_vmspace_create(&vs) == 0);
	FW_KT_CHECK(fw_frame_alloc(FW_FRAME_ZERO, &f) == 0);
	FW_KT_CHECK(fw_vmspace_map(vs, 0x400000, f, FW_PROT_READ | FW_PROT_WRITE) == 0);
	fw_frame_put(f); /* ours: the mapping holds its own */
	fw_frame_put(f); /* the mapping's: must not be ours to drop */
	REDTEAM_REACHED();
}
