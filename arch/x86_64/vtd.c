/* arch/x86_64/vtd.c: the Intel VT-d IOMMU, so devices reach only DMA
 * buffers.
 *
 * Layer: arch (framework TCB). Without an IOMMU a device writes whatever
 * physical address its driver put into a descriptor, and a driver is
 * service code that can write any number there: the one way for a service
 * to corrupt memory that C checks cannot close (SOUNDNESS.md). With one,
 * every device's DMA is translated through page tables only the framework
 * writes, and those map nothing but the frames of live fw_dma buffers, at
 * their physical addresses (so fw_dma_addr is unchanged). A DMA anywhere
 * else is blocked by the hardware and logged here.
 *
 * Used when the firmware's DMAR table names a unit covering all PCI
 * devices (QEMU: -machine q35 -device intel-iommu, and the virtio devices
 * with iommu_platform=on, or they bypass it); otherwise fw_dma works as
 * before. Legacy (not scalable) mode, one domain for every device, the
 * register-based invalidation interface (Intel VT-d spec, chapters 3, 9,
 * 10, 11):
 *  - root table: 256 entries, one per bus, each naming a context table;
 *  - context table: 256 entries, one per device/function, each naming the
 *    second-level page table (translation type 0, domain 1);
 *  - second-level tables: 3 or 4 levels of 512 8-byte entries, like the
 *    CPU's, with bit 0 read and bit 1 write. */
#include <fw/errno.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/pci.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/acpi.h"
#include "internal/frame.h"
#include "internal/io.h"
#include "internal/iommu.h"
#include "internal/irq.h"
#include "internal/mem.h"

#define VTD_CAP 0x08
#define VTD_ECAP 0x10
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1c
#define VTD_RTADDR 0x20
#define VTD_CCMD 0x28
#define VTD_FSTS 0x34
#define VTD_FECTL 0x38
#define VTD_FEDATA 0x3c
#define VTD_FEADDR 0x40
#define VTD_FEUADDR 0x44

#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
/* GSTS bits that are status of one-shot commands: never written back. */
#define GSTS_ONESHOT ((1u << 30) | (1u << 29) | (1u << 27) | (1u << 24))
#define CCMD_ICC (1ull << 63)
#define CCMD_GLOBAL (1ull << 61)
#define IOTLB_IVT (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define FSTS_PPF (1u << 1)
#define FSTS_PFO (1u << 0)
#define FRCD_F (1ull << 63)
#define FRCD_T (1ull << 62) /* 1: a read was blocked, 0: a write */

#define SL_R 1ull
#define SL_W 2ull
#define SL_ADDR 0x000FFFFFFFFFF000ull
#define DOMAIN 1

static struct fw_spinlock vtd_lock = FW_SPINLOCK_INIT("vtd");
static struct fw_iomem *regs;      /* the unit's registers, NULL if none */
static unsigned levels;            /* 3 or 4 */
static uint64_t sl_root;           /* phys of the top second-level table */
static uint64_t max_addr;          /* 2^(address width) */
static unsigned iotlb_off;         /* ECAP.IRO: the IOTLB registers */
static unsigned frcd_off, nfrcd;   /* CAP.FRO, CAP.NFR: fault records */
static uint64_t blocked;           /* faults seen (for tests) */

static uint64_t *table(uint64_t phys)
{
	return phys_to_virt(phys);
}

static uint64_t zeroed_page(void)
{
	uint64_t p = kframe_alloc(0);

	if (p)
		memset(table(p), 0, PAGE_SIZE);
	return p;
}

static void wait_gsts(uint32_t bit, bool set)
{
	for (unsigned i = 0; i < 1000000; i++)
		if (!!(fw_iomem_read32(regs, VTD_GSTS) & bit) == set)
			return;
	fw_panic("vtd: the unit did not %s status bit %#x", set ? "set" : "clear", bit);
}

/* Global command: keep what is on (GSTS), add cmd (spec 10.4.4). */
static void gcmd(uint32_t cmd)
{
	uint32_t on = fw_iomem_read32(regs, VTD_GSTS) & ~GSTS_ONESHOT;

	fw_iomem_write32(regs, VTD_GCMD, on | cmd);
}

static void wait_clear64(unsigned off, uint64_t bit)
{
	for (unsigned i = 0; i < 1000000; i++)
		if (!(fw_iomem_read64(regs, off) & bit))
			return;
	fw_panic("vtd: invalidation at %#x did not complete", off);
}

/* Drop every cached translation; returns once the unit is done, so a
 * frame just unmapped can be reused. Caller holds vtd_lock. */
static void flush_iotlb(void)
{
	fw_iomem_write64(regs, iotlb_off + 8, IOTLB_IVT | IOTLB_GLOBAL);
	wait_clear64(iotlb_off + 8, IOTLB_IVT);
}

/* The leaf entry for iova, creating tables on the way if asked. Caller
 * holds vtd_lock. */
static uint64_t *leaf(uint64_t iova, bool create)
{
	uint64_t *t = table(sl_root);

	for (unsigned level = levels; level > 1; level--) {
		uint64_t *e = &t[(iova >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & (SL_R | SL_W))) {
			uint64_t p;

			if (!create || !(p = zeroed_page()))
				return 0;
			*e = p | SL_R | SL_W;
		}
		t = table(*e & SL_ADDR);
	}
	return &t[(iova >> 12) & 511];
}

bool iommu_active(void)
{
	return regs != 0;
}

int iommu_map(uint64_t phys, uint64_t npages)
{
	uint64_t done;
	int err = 0;

	if (!regs)
		return 0;
	if (phys + npages * PAGE_SIZE > max_addr)
		return -ENOMEM; /* beyond what the unit translates */
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vtd_lock);
	for (done = 0; done < npages; done++) {
		uint64_t a = phys + done * PAGE_SIZE;
		uint64_t *e = leaf(a, true);

		if (!e) {
			err = -ENOMEM;
			break;
		}
		*e = a | SL_R | SL_W;
	}
	/* Making entries present needs no flush (no caching mode), but a
	 * failure must take back what was mapped. */
	while (err && done--)
		*leaf(phys + done * PAGE_SIZE, false) = 0;
	if (err)
		flush_iotlb();
	fw_spin_unlock_irqrestore(&vtd_lock, fl);
	return err;
}

void iommu_unmap(uint64_t phys, uint64_t npages)
{
	if (!regs)
		return;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vtd_lock);
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t *e = leaf(phys + i * PAGE_SIZE, false);

		if (e)
			*e = 0;
	}
	flush_iotlb();
	fw_spin_unlock_irqrestore(&vtd_lock, fl);
}

uint64_t iommu_blocked(void)
{
	return __atomic_load_n(&blocked, __ATOMIC_ACQUIRE);
}

/* The fault event: log each recorded fault and clear it (spec 7.3). */
static void fault_irq(struct fw_iomem *r)
{
	uint32_t fsts = fw_iomem_read32(r, VTD_FSTS);

	for (unsigned i = 0; i < nfrcd && (fsts & FSTS_PPF); i++) {
		unsigned off = frcd_off + 16 * i;
		uint64_t hi = fw_iomem_read64(r, off + 8);

		if (!(hi & FRCD_F))
			continue;
		uint64_t lo = fw_iomem_read64(r, off);
		uint16_t sid = (uint16_t)hi;

		fw_err("iommu: blocked a DMA %s by %02x:%02x.%u at %#llx "
		       "(reason %u): not a DMA buffer",
		       hi & FRCD_T ? "read" : "write", sid >> 8, (sid >> 3) & 31,
		       sid & 7, (unsigned long long)(lo & ~0xfffull),
		       (unsigned)((hi >> 32) & 0xff));
		__atomic_add_fetch(&blocked, 1, __ATOMIC_RELEASE);
		fw_iomem_write32(r, off + 12, (uint32_t)(FRCD_F >> 32)); /* RW1C */
	}
	fw_iomem_write32(r, VTD_FSTS, FSTS_PFO); /* overflow, RW1C */
}

static void fault_event_init(void)
{
	struct fw_irq_line *l;

	if (fw_irq_line_alloc(&l)) {
		fw_warn("vtd: no vector for fault events; faults are not logged");
		return;
	}
	FW_IRQ_ATTACH(l, fault_irq, regs);
	fw_iomem_write32(regs, VTD_FEDATA, fw_irq_line_vector(l));
	fw_iomem_write32(regs, VTD_FEADDR, 0xFEE00000u | irq_boot_apic_id() << 12);
	fw_iomem_write32(regs, VTD_FEUADDR, 0);
	fw_iomem_write32(regs, VTD_FECTL, 0); /* unmask */
}

/* Is the device behind the unit (listed in its DMAR scope)? */
static bool covered(uint16_t bdf)
{
	if (acpi.dmar_all)
		return true;
	for (unsigned i = 0; i < acpi.dmar_nscope; i++)
		if (acpi.dmar_scope[i] == bdf)
			return true;
	return false;
}

/* One context table per bus that has a device, every entry pointing at
 * the one domain. */
static int contexts_init(uint64_t root)
{
	uint64_t aw = levels == 4 ? 2 : 1;

	for (struct fw_pci_dev *d = fw_pci_next(0); d; d = fw_pci_next(d)) {
		unsigned bus = fw_pci_bdf(d) >> 8;
		uint64_t *re = &table(root)[2 * bus];

		if (*re & 1)
			continue;
		uint64_t ctx = zeroed_page();
		if (!ctx)
			return -ENOMEM;
		for (unsigned devfn = 0; devfn < 256; devfn++) {
			table(ctx)[2 * devfn] = sl_root | 1; /* P, TT 0 */
			table(ctx)[2 * devfn + 1] = aw | (uint64_t)DOMAIN << 8;
		}
		*re = ctx | 1;
	}
	return 0;
}

void iommu_init(void)
{
	uint64_t cap, ecap, root;
	unsigned sagaw;

	if (!acpi.dmar_unit)
		return;
	if (iomem_acquire(acpi.dmar_unit, PAGE_SIZE, &regs)) {
		fw_warn("vtd: cannot map the unit at %#llx; DMA is not confined",
			(unsigned long long)acpi.dmar_unit);
		regs = 0;
		return;
	}
	cap = fw_iomem_read64(regs, VTD_CAP);
	ecap = fw_iomem_read64(regs, VTD_ECAP);
	sagaw = (unsigned)(cap >> 8) & 0x1f;
	levels = sagaw & 4 ? 4 : sagaw & 2 ? 3 : 0;
	iotlb_off = (unsigned)((ecap >> 8) & 0x3ff) * 16;
	frcd_off = (unsigned)((cap >> 24) & 0x3ff) * 16;
	nfrcd = (unsigned)((cap >> 40) & 0xff) + 1;
	max_addr = 1ull << (levels == 4 ? 48 : 39);
	if (!levels || (cap & (1ull << 7)) || iotlb_off + 16 > PAGE_SIZE ||
	    frcd_off + 16 * nfrcd > PAGE_SIZE || frame_max_phys() > max_addr) {
		/* No 3- or 4-level tables, caching mode (it would need a
		 * flush for every new entry), registers beyond the page, or
		 * RAM it cannot address: not ours to drive. */
		fw_warn("vtd: unit at %#llx not usable (cap %#llx); DMA is not "
			"confined", (unsigned long long)acpi.dmar_unit,
			(unsigned long long)cap);
		fw_iomem_release(regs);
		regs = 0;
		return;
	}
	sl_root = zeroed_page();
	root = zeroed_page();
	if (!sl_root || !root || contexts_init(root))
		fw_panic("vtd: out of memory for the translation tables");
	fw_iomem_write64(regs, VTD_RTADDR, root);
	gcmd(GCMD_SRTP);
	wait_gsts(GCMD_SRTP, true);
	fw_iomem_write64(regs, VTD_CCMD, CCMD_ICC | CCMD_GLOBAL);
	wait_clear64(VTD_CCMD, CCMD_ICC);
	flush_iotlb();
	fault_event_init();
	gcmd(GCMD_TE);
	wait_gsts(GCMD_TE, true);
	unsigned outside = 0;
	for (struct fw_pci_dev *d = fw_pci_next(0); d; d = fw_pci_next(d)) {
		uint16_t bdf = fw_pci_bdf(d);

		if (!covered(bdf)) {
			fw_warn("iommu: %02x:%02x.%u is not behind the IOMMU: its "
				"DMA is not confined", bdf >> 8, (bdf >> 3) & 31,
				bdf & 7);
			outside++;
		}
	}
	fw_info("iommu: VT-d at %#llx, %u-level tables: %s reach only DMA "
		"buffers", (unsigned long long)acpi.dmar_unit, levels,
		outside ? "the devices behind it" : "all devices");
}
