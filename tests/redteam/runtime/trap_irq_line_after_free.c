/* redteam: unmask an interrupt line after freeing it, steering another driver's vector. expect: irq: invalid line handle */
#include <fw/irq.h>
#include "redteam.h"

FW_KTEST(redteam_trap_irq_line_after_free)
{
	struct fw_irq_line *l;

	FW_KT_CHECK(fw_irq_line_alloc(&l) == 0);
	fw_irq_line_free(l);
	fw_irq_line_unmask(l);
	REDTEAM_REACHED();
}
