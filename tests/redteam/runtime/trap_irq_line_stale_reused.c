/* redteam: keep an interrupt line past its free until another driver allocates the same vector, then mask it through the old handle, silencing the new owner's device. expect: irq: invalid line handle */
#include <fw/irq.h>
#include "redteam.h"

FW_KTEST(redteam_trap_irq_line_stale_reused)
{
	struct fw_irq_line *old, *fresh;

	FW_KT_CHECK(fw_irq_line_alloc(&old) == 0);
	fw_irq_line_free(old);
	FW_KT_CHECK(fw_irq_line_alloc(&fresh) == 0); /* the same vector */
	fw_irq_line_mask(old);
	REDTEAM_REACHED();
}
