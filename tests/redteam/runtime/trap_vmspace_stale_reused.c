/* redteam: destroy an address space, let another be created in its slot, then map a frame through the old handle into the new owner's page tables. expect: fw_vmspace handle */
#include <fw/frame.h>
#include <fw/vmspace.h>
#include "redteam.h"

FW_KTEST(redteam_trap_vmspace_stale_reused)
{
	struct fw_vmspace *old, *fresh;
	struct fw_frame *f;

	FW_KT_CHECK(fw_vmspace_create(&old) == 0);
	fw_vmspace_destroy(old);
	FW_KT_CHECK(fw_vmspace_create(&fresh) == 0);
	FW_KT_CHECK(fw_frame_alloc(0, &f) == 0);
	if (fw_vmspace_map(old, 0x400000, f, FW_PROT_READ | FW_PROT_WRITE) == 0)
		fw_printf("redteam: mapped into the new owner's space\n");
	REDTEAM_REACHED();
}
