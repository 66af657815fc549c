/* redteam: map a frame into an address space after destroying it, writing into a freed page table. expect: fw_vmspace handle */
#include <fw/frame.h>
#include <fw/vmspace.h>
#include "redteam.h"

FW_KTEST(redteam_trap_vmspace_after_destroy)
{
	struct fw_vmspace *vs;
	struct fw_frame *f;

	FW_KT_CHECK(fw_vmspace_create(&vs) == 0);
	FW_KT_CHECK(fw_frame_alloc(0, &f) == 0);
	fw_vmspace_destroy(vs);
	FW_KT_CHECK(fw_vmspace_map(vs, 0x400000, f, FW_PROT_READ) == 0);
	REDTEAM_REACHED();
}
