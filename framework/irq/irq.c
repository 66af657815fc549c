/* framework/irq/irq.c: interrupt lines for drivers.
 *
 * Layer: framework. A line owns one vector in 48..239. Handlers are called
 * from trap_dispatch with interrupts off; the EOI follows them there. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/panic.h>
#include <fw/sync.h>
#include "internal/acpi.h"
#include "internal/irq.h"
#include "internal/lapic.h"
#include "internal/percpu.h"
#include "internal/handle.h"
#include "internal/heap.h"
#include "internal/trap.h"

#define NLINES (VEC_IRQ_LAST - VEC_IRQ_FIRST + 1)

struct fw_irq_line {
	unsigned vector;
	uint32_t gen;      /* generation: in the handle (internal/handle.h) */
	bool used;
	int32_t gsi;       /* routed IOAPIC input, -1 if none */
	struct fw_iomem *msix; /* MSI-X table, if the line is an entry of it */
	unsigned msix_idx;
	fw__irq_fn fn;
	void *arg;
	struct heap_ref arg_ref; /* arg, if a service object: it must outlive
				  * the attachment */
	uint64_t count;
};

static struct fw_irq_line lines[NLINES];
static uint32_t line_gens; /* generations handed out */
static struct fw_spinlock lines_lock = FW_SPINLOCK_INIT("irq-lines");

/* The line behind a handle: allocated, and of the handle's generation (a
 * handle kept past fw_irq_line_free does not reach the line's next
 * owner), else a panic naming the caller. */
static struct fw_irq_line *check_from(const struct fw_irq_line *h,
				      const void *caller)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t gen;
	struct fw_irq_line *l =
		(struct fw_irq_line *)(uintptr_t)handle_unpack(v, &gen);

	if (!handle_unpack_ok(v) || l < lines || l >= lines + NLINES ||
	    !l->used || l->gen != gen)
		fw_panic("irq: invalid line handle %p (freed, or never one) "
			 "from %p", (const void *)h, caller);
	return l;
}
#define check(h) check_from((h), __builtin_return_address(0))

int fw_irq_line_alloc(struct fw_irq_line **out)
{
	int err = -ENOSPC;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&lines_lock);

	for (unsigned i = 0; i < NLINES; i++)
		if (!lines[i].used) {
			lines[i] = (struct fw_irq_line){
				.vector = VEC_IRQ_FIRST + i, .used = true, .gsi = -1,
				.gen = ++line_gens & HANDLE_GEN_MASK,
			};
			*out = (struct fw_irq_line *)(uintptr_t)handle_pack(
				&lines[i], lines[i].gen);
			err = 0;
			break;
		}
	fw_spin_unlock_irqrestore(&lines_lock, fl);
	return err;
}

int irq_line_route_gsi(struct fw_irq_line *h, uint32_t gsi, bool level,
		       bool active_low)
{
	struct fw_irq_line *l = check(h);
	int err;

	if (l->gsi >= 0 || l->msix)
		return -EBUSY;
	err = ioapic_route(gsi, (uint8_t)l->vector, level, active_low);
	if (!err)
		l->gsi = (int32_t)gsi;
	return err;
}

int fw_irq_line_route_isa(struct fw_irq_line *l, unsigned isa_irq)
{
	uint16_t flags;

	check(l);
	if (isa_irq >= 16)
		return -EINVAL;
	/* MADT MPS INTI flags: polarity bits 0-1 (3 = low), trigger 2-3
	 * (3 = level); 0 means "bus default", which for ISA is high/edge. */
	flags = acpi.isa_flags[isa_irq];
	return irq_line_route_gsi(l, acpi.isa_gsi[isa_irq],
				  ((flags >> 2) & 3) == 3, (flags & 3) == 3);
}

int irq_line_bind_msix(struct fw_irq_line *h, struct fw_iomem *tbl,
		       unsigned idx)
{
	struct fw_irq_line *l = check(h);

	if (l->gsi >= 0 || l->msix)
		return -EBUSY;
	l->msix = tbl;
	l->msix_idx = idx;
	return 0;
}

uint32_t irq_boot_apic_id(void)
{
	return cpu_data(0)->apic_id;
}

void fw__irq_line_attach(struct fw_irq_line *h, fw__irq_fn fn, void *arg)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&lines_lock);
	struct fw_irq_line *l = check(h);

	heap_ref_del(&l->arg_ref);
	heap_ref_add(&l->arg_ref, arg, "an interrupt handler's argument");
	l->arg = arg;
	__atomic_store_n(&l->fn, fn, __ATOMIC_RELEASE);
	fw_spin_unlock_irqrestore(&lines_lock, fl);
}

/* MSI-X entry vector control: bit 0 masks (PCI 3.0 section 6.8.2.9). */
static void line_set_mask(struct fw_irq_line *l, bool masked)
{
	if (l->gsi >= 0)
		ioapic_mask((uint32_t)l->gsi, masked);
	else if (l->msix)
		fw_iomem_write32(l->msix, 16 * l->msix_idx + 12, masked);
}

void fw_irq_line_mask(struct fw_irq_line *h)
{
	line_set_mask(check(h), true);
}

void fw_irq_line_unmask(struct fw_irq_line *h)
{
	line_set_mask(check(h), false);
}

void fw_irq_line_free(struct fw_irq_line *h)
{
	struct fw_irq_line *l = check(h);

	line_set_mask(l, true);
	heap_ref_del(&l->arg_ref);
	fw_irqflags_t fl = fw_spin_lock_irqsave(&lines_lock);
	l->fn = 0;
	l->used = false;
	fw_spin_unlock_irqrestore(&lines_lock, fl);
}

unsigned fw_irq_line_vector(const struct fw_irq_line *l)
{
	return check(l)->vector;
}

uint64_t fw_irq_line_count(const struct fw_irq_line *l)
{
	return __atomic_load_n(&check(l)->count, __ATOMIC_RELAXED);
}

void irq_dispatch(unsigned vector)
{
	struct fw_irq_line *l = &lines[vector - VEC_IRQ_FIRST];
	fw__irq_fn fn = __atomic_load_n(&l->fn, __ATOMIC_ACQUIRE);

	__atomic_add_fetch(&l->count, 1, __ATOMIC_RELAXED);
	if (fn)
		fn(l->arg);
}
