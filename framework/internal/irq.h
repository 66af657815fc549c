/* internal/irq.h: how the PCI code binds interrupt lines.
 *
 * Layer: framework internal. */
#ifndef INTERNAL_IRQ_H
#define INTERNAL_IRQ_H

#include <fw/compiler.h>

struct fw_irq_line;
struct fw_iomem;

/* The line is now MSI-X entry idx of the table tbl: masking writes the
 * entry's vector-control word. -EBUSY if the line is routed already. */
FW_MUST_CHECK int irq_line_bind_msix(struct fw_irq_line *l,
				     struct fw_iomem *tbl, unsigned idx);
/* Route IOAPIC input gsi to the line (masked until unmask). -EBUSY. */
FW_MUST_CHECK int irq_line_route_gsi(struct fw_irq_line *l, uint32_t gsi,
				     bool level, bool active_low);
/* Where MSI messages go: the boot CPU's local APIC id. */
uint32_t irq_boot_apic_id(void);

#endif
