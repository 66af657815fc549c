/* fw/irq.h: interrupt lines for drivers.
 *
 * Layer: framework public API. A line is a CPU interrupt vector the
 * framework allocated; it can be routed from a legacy ISA IRQ through the
 * IOAPIC now, and from PCI MSI/MSI-X later. Handlers run in interrupt
 * context (no sleeping) with the EOI done by the framework. */
#ifndef FW_IRQ_H
#define FW_IRQ_H

#include <fw/compiler.h>

struct fw_irq_line;
typedef void (*fw__irq_fn)(void *arg);

/* Allocate a free vector: 0 and *out, -ENOSPC when none is left. */
FW_MUST_CHECK int fw_irq_line_alloc(struct fw_irq_line **out);
/* Route ISA IRQ `isa_irq` (after ACPI overrides) to the line, masked. */
FW_MUST_CHECK int fw_irq_line_route_isa(struct fw_irq_line *l,
					unsigned isa_irq);
void fw__irq_line_attach(struct fw_irq_line *l, fw__irq_fn fn, void *arg);
#define FW_IRQ_ATTACH(l, fn, arg)                                              \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                          \
				__typeof__(&(fn)), void (*)(__typeof__(arg))), \
			"irq handler must take the argument's type"),          \
	 fw__irq_line_attach((l), (fw__irq_fn)(void (*)(void))(fn),            \
			     (void *)(arg)))
void fw_irq_line_mask(struct fw_irq_line *l);
void fw_irq_line_unmask(struct fw_irq_line *l);
/* Detach, mask and return the vector to the pool. */
void fw_irq_line_free(struct fw_irq_line *l);
unsigned fw_irq_line_vector(const struct fw_irq_line *l);
/* How many times the line fired (for tests and /proc/interrupts). */
uint64_t fw_irq_line_count(const struct fw_irq_line *l);

#endif
