/* framework/io/io.c: fw_iomem and fw_ioport, device registers as handles.
 *
 * Layer: framework. Services never name a physical address or a port:
 * they get these handles only from fw_pci_bar_iomem / fw_pci_bar_ioport,
 * bounded to a BAR of a PCI function they claimed (so not the PCIe ECAM
 * window, not another function's registers, not the A20 gate at 0x92, the
 * keyboard controller or the ISA DMA controller). iomem_acquire and
 * ioport_acquire below are the framework's own way in, and still say no
 * to RAM (a driver must never get a mapping of kernel memory), to what the
 * framework drives itself, and to a range someone else holds. MMIO ranges
 * are mapped uncached into the MMIO window, above the LAPIC/IOAPIC pages.
 * Every call checks that its handle is live (internal/handle.h). */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/io.h>
#include <fw/panic.h>
#include <fw/sync.h>
#include "internal/acpi.h"
#include "internal/boot.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/handle.h"
#include "internal/heap.h"
#include "internal/io.h"

struct fw_iomem {
	struct handle hdl;     /* HANDLE_IOMEM while acquired */
	uint64_t phys, len;
	uint64_t va;           /* mapping of phys rounded down to a page */
	struct fw_iomem *next; /* on the acquired list */
};

struct fw_ioport {
	struct handle hdl;     /* HANDLE_IOPORT while acquired */
	uint16_t base, len;
	struct fw_ioport *next;
};

FW_STATIC_ASSERT(__builtin_offsetof(struct fw_iomem, hdl) == 0 &&
			 __builtin_offsetof(struct fw_ioport, hdl) == 0,
		 "handles start with their struct handle");

static uint32_t iomem_gens, ioport_gens; /* generations handed out */
static struct fw_spinlock io_lock = FW_SPINLOCK_INIT("io");
static struct fw_iomem *iomem_list;   /* guarded by io_lock */
static struct fw_ioport *ioport_list; /* guarded by io_lock */
static uint64_t mmio_next = MMIO_AREA + 64 * PAGE_SIZE; /* after APICs */

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool phys_is_ram(uint64_t phys, uint64_t len)
{
	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		if ((r->type == MEM_USABLE || r->type == MEM_ACPI ||
		     r->type == MEM_NVS) &&
		    overlaps(phys, len, r->base, r->len))
			return true;
	}
	return phys < 0x100000; /* low memory: BIOS, trampoline */
}

static bool phys_is_framework(uint64_t phys, uint64_t len)
{
	uint64_t lapic = acpi.lapic_phys ? acpi.lapic_phys : 0xFEE00000;
	if (overlaps(phys, len, lapic, PAGE_SIZE))
		return true;
	for (unsigned i = 0; i < acpi.nioapics; i++)
		if (overlaps(phys, len, acpi.ioapic[i].phys, PAGE_SIZE))
			return true;
	return false;
}

int iomem_acquire(uint64_t phys, uint64_t len, struct fw_iomem **out)
{
	struct fw_iomem *m;
	uint64_t first, npages, va;
	int err = 0;

	if (len == 0 || phys + len < phys || phys + len > (1ull << 52))
		return -EINVAL;
	if (phys_is_ram(phys, len) || phys_is_framework(phys, len))
		return -EPERM;
	m = KHEAP_NEW(struct fw_iomem);
	if (!m)
		return -ENOMEM;
	first = PAGE_ALIGN_DOWN(phys);
	npages = (PAGE_ALIGN_UP(phys + len) - first) / PAGE_SIZE;

	fw_spin_lock(&io_lock);
	for (struct fw_iomem *o = iomem_list; o; o = o->next)
		if (overlaps(phys, len, o->phys, o->len))
			err = -EBUSY;
	va = mmio_next;
	if (!err)
		mmio_next += (npages + 1) * PAGE_SIZE; /* +1: a guard gap */
	fw_spin_unlock(&io_lock);
	if (err) {
		kheap_free_typed(m);
		return err;
	}
	for (uint64_t i = 0; i < npages; i++)
		if (kmap_page(va + i * PAGE_SIZE, first + i * PAGE_SIZE,
			      KMAP_MMIO)) {
			while (i--)
				if (kunmap_page(va + i * PAGE_SIZE))
					fw_panic("iomem: unwinding a mapping failed");
			kheap_free_typed(m);
			return -ENOMEM;
		}
	handle_init_gen(&m->hdl, HANDLE_IOMEM, &iomem_gens);
	m->phys = phys;
	m->len = len;
	m->va = va + (phys - first);
	fw_spin_lock(&io_lock);
	m->next = iomem_list;
	iomem_list = m;
	fw_spin_unlock(&io_lock);
	*out = HANDLE_OUT(m);
	return 0;
}

void fw_iomem_release(struct fw_iomem *m)
{
	m = HANDLE_IN(m, HANDLE_IOMEM, "fw_iomem");
	uint64_t first = PAGE_ALIGN_DOWN(m->va);
	uint64_t end = PAGE_ALIGN_UP(m->va + m->len);

	fw_spin_lock(&io_lock);
	for (struct fw_iomem **p = &iomem_list; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			break;
		}
	fw_spin_unlock(&io_lock);
	for (uint64_t a = first; a < end; a += PAGE_SIZE)
		if (kunmap_page(a))
			fw_panic("iomem: release of an unmapped range");
	handle_kill(&m->hdl);
	kheap_free_typed(m);
}

uint64_t fw_iomem_len(const struct fw_iomem *m)
{
	m = HANDLE_IN(m, HANDLE_IOMEM, "fw_iomem");
	return m->len;
}

static uint64_t iomem_addr(const struct fw_iomem *m, uint64_t off,
			   unsigned size, void *caller)
{
	m = (const struct fw_iomem *)handle_decode((uint64_t)(uintptr_t)m,
						   HANDLE_IOMEM, "fw_iomem",
						   caller);
	if (off > m->len || size > m->len - off || (off & (size - 1)))
		fw_panic("iomem: %u-byte access at offset %#llx of a %#llx-byte "
			 "range, from %p",
			 size, (unsigned long long)off, (unsigned long long)m->len,
			 caller);
	return m->va + off;
}

#define IOMEM_RW(bits)                                                         \
	uint##bits##_t fw_iomem_read##bits(const struct fw_iomem *m,           \
					   uint64_t off)                       \
	{                                                                      \
		uint64_t a = iomem_addr(m, off, bits / 8,                      \
					__builtin_return_address(0));          \
		return *(volatile uint##bits##_t *)(uintptr_t)a;               \
	}                                                                      \
	void fw_iomem_write##bits(struct fw_iomem *m, uint64_t off,            \
				  uint##bits##_t v)                            \
	{                                                                      \
		uint64_t a = iomem_addr(m, off, bits / 8,                      \
					__builtin_return_address(0));          \
		*(volatile uint##bits##_t *)(uintptr_t)a = v;                  \
	}
IOMEM_RW(8)
IOMEM_RW(16)
IOMEM_RW(32)
IOMEM_RW(64)

/* Ports the framework drives itself: PIC, PIT, keyboard-controller/speaker
 * gate, CMOS/RTC, COM1, PCI configuration, QEMU debug-exit. */
static const struct { uint16_t base, len; } framework_ports[] = {
	{ 0x20, 2 }, { 0xA0, 2 }, { 0x40, 4 }, { 0x61, 1 }, { 0x70, 2 },
	{ 0x3F8, 8 }, { 0xCF8, 8 }, { 0xF4, 4 },
};

static bool port_is_framework(uint16_t base, uint16_t len)
{
	for (unsigned i = 0; i < FW_ARRAY_LEN(framework_ports); i++)
		if (overlaps(base, len, framework_ports[i].base,
			     framework_ports[i].len))
			return true;
	if (acpi.pm1a_cnt && overlaps(base, len, acpi.pm1a_cnt, 2))
		return true;
	if (acpi.pm1b_cnt && overlaps(base, len, acpi.pm1b_cnt, 2))
		return true;
	if (acpi.smi_cmd && overlaps(base, len, acpi.smi_cmd, 1))
		return true;
	return false;
}

int ioport_acquire(uint16_t base, uint16_t len, struct fw_ioport **out)
{
	struct fw_ioport *p;
	int err = 0;

	if (len == 0 || (uint32_t)base + len > 0x10000)
		return -EINVAL;
	if (port_is_framework(base, len))
		return -EPERM;
	p = KHEAP_NEW(struct fw_ioport);
	if (!p)
		return -ENOMEM;
	fw_spin_lock(&io_lock);
	for (struct fw_ioport *o = ioport_list; o; o = o->next)
		if (overlaps(base, len, o->base, o->len))
			err = -EBUSY;
	if (!err) {
		handle_init_gen(&p->hdl, HANDLE_IOPORT, &ioport_gens);
		p->base = base;
		p->len = len;
		p->next = ioport_list;
		ioport_list = p;
	}
	fw_spin_unlock(&io_lock);
	if (err) {
		kheap_free_typed(p);
		return err;
	}
	*out = HANDLE_OUT(p);
	return 0;
}

void fw_ioport_release(struct fw_ioport *p)
{
	p = HANDLE_IN(p, HANDLE_IOPORT, "fw_ioport");
	fw_spin_lock(&io_lock);
	for (struct fw_ioport **q = &ioport_list; *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	fw_spin_unlock(&io_lock);
	handle_kill(&p->hdl);
	kheap_free_typed(p);
}

static uint16_t port_of(const struct fw_ioport *p, uint16_t off, unsigned size,
			void *caller)
{
	p = (const struct fw_ioport *)handle_decode((uint64_t)(uintptr_t)p,
						    HANDLE_IOPORT, "fw_ioport",
						    caller);
	if (off > p->len || size > (unsigned)(p->len - off))
		fw_panic("ioport: %u-byte access at offset %#x of a %u-port "
			 "range, from %p",
			 size, off, p->len, caller);
	return (uint16_t)(p->base + off);
}

uint8_t fw_ioport_in8(const struct fw_ioport *p, uint16_t off)
{
	return x86_inb(port_of(p, off, 1, __builtin_return_address(0)));
}
uint16_t fw_ioport_in16(const struct fw_ioport *p, uint16_t off)
{
	return x86_inw(port_of(p, off, 2, __builtin_return_address(0)));
}
uint32_t fw_ioport_in32(const struct fw_ioport *p, uint16_t off)
{
	return x86_inl(port_of(p, off, 4, __builtin_return_address(0)));
}
void fw_ioport_out8(struct fw_ioport *p, uint16_t off, uint8_t v)
{
	x86_outb(port_of(p, off, 1, __builtin_return_address(0)), v);
}
void fw_ioport_out16(struct fw_ioport *p, uint16_t off, uint16_t v)
{
	x86_outw(port_of(p, off, 2, __builtin_return_address(0)), v);
}
void fw_ioport_out32(struct fw_ioport *p, uint16_t off, uint32_t v)
{
	x86_outl(port_of(p, off, 4, __builtin_return_address(0)), v);
}
