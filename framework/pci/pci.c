/* framework/pci/pci.c: PCI enumeration, BARs, MSI-X and INTx.
 *
 * Layer: framework. Configuration mechanism #1 (PCI Local Bus 3.0,
 * section 3.2.2.3.2): write the address to port 0xCF8, move data through
 * 0xCFC. Enumeration starts at bus 0 and follows PCI-PCI bridges to their
 * secondary buses, so only buses that exist are scanned (a brute force
 * scan of 256 buses costs ~10 ms of port I/O under emulation). BARs are
 * sized once, with decoding off, at enumeration, which runs before the
 * other CPUs start. Sizing later, when a driver claims the device, made
 * enumeration 10 ms faster but crashed QEMU (TCG, 2 vCPUs) in about one
 * boot in eight with an MSI-X table assertion while the BARs held
 * all-ones: moving a BAR while another vCPU runs is not safe there. */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/pci.h>
#include <fw/sync.h>
#include "internal/irq.h"
#include "internal/pci.h"
#include "internal/heap.h"
#include "internal/io.h"

#define CFG_ADDR 0xCF8
#define CFG_DATA 0xCFC

#define PCI_COMMAND 0x04
#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_CMD_INTX_OFF 0x400
#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS 0x10
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_CAP_PTR 0x34
#define PCI_ROM 0x30
#define PCI_ROM_MASK 0xFFFFF800u
#define PCI_INT_PIN 0x3D
#define PCI_CAP_MSIX 0x11

#define BAR_IO 0x1
#define BAR_MEM64 0x4

struct pci_bar {
	uint64_t base;
	uint64_t size;  /* 0: not implemented */
	bool io;
};

struct fw_pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class;
	struct pci_bar bar[6];
	uint64_t rom_size;        /* expansion ROM, 0 if none */
	bool claimed;             /* pci_lock */
	unsigned msix_cap;        /* config offset, 0 if none */
	unsigned msix_n;          /* table entries */
	struct fw_iomem *msix_tbl; /* mapped on first route */
	struct fw_pci_dev *next;
};

static struct fw_spinlock cfg_lock = FW_SPINLOCK_INIT("pci-cfg");
static struct fw_spinlock pci_lock = FW_SPINLOCK_INIT("pci");
static struct fw_pci_dev *devices, **devices_tail = &devices;

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn,
			 unsigned off)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xFC);
}

static uint32_t cfg_read32(unsigned bus, unsigned dev, unsigned fn,
			   unsigned off)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&cfg_lock);
	uint32_t v;

	x86_outl(CFG_ADDR, cfg_addr(bus, dev, fn, off));
	v = x86_inl(CFG_DATA);
	fw_spin_unlock_irqrestore(&cfg_lock, fl);
	return v;
}

static void cfg_write32(unsigned bus, unsigned dev, unsigned fn,
			unsigned off, uint32_t v)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&cfg_lock);

	x86_outl(CFG_ADDR, cfg_addr(bus, dev, fn, off));
	x86_outl(CFG_DATA, v);
	fw_spin_unlock_irqrestore(&cfg_lock, fl);
}

static void cfg_write16(const struct fw_pci_dev *d, unsigned off, uint16_t v)
{
	uint32_t w = cfg_read32(d->bus, d->dev, d->fn, off);
	unsigned sh = (off & 2) * 8;

	w = (w & ~(0xFFFFu << sh)) | (uint32_t)v << sh;
	cfg_write32(d->bus, d->dev, d->fn, off, w);
}

static void check_off(unsigned off, unsigned size, void *caller)
{
	if (off + size > 256 || (off & (size - 1)))
		fw_panic("pci: %u-byte config read at %#x, from %p", size, off,
			 caller);
}

uint32_t fw_pci_cfg_read32(const struct fw_pci_dev *d, unsigned off)
{
	check_off(off, 4, __builtin_return_address(0));
	return cfg_read32(d->bus, d->dev, d->fn, off);
}

uint16_t fw_pci_cfg_read16(const struct fw_pci_dev *d, unsigned off)
{
	check_off(off, 2, __builtin_return_address(0));
	return (uint16_t)(cfg_read32(d->bus, d->dev, d->fn, off) >>
			  ((off & 2) * 8));
}

uint8_t fw_pci_cfg_read8(const struct fw_pci_dev *d, unsigned off)
{
	check_off(off, 1, __builtin_return_address(0));
	return (uint8_t)(cfg_read32(d->bus, d->dev, d->fn, off) >>
			 ((off & 3) * 8));
}

/* Size BAR i by the all-ones probe (PCI 3.0 section 6.2.5.1); returns
 * how many BAR slots it used (2 for a 64-bit memory BAR). */
static unsigned bar_probe(struct fw_pci_dev *d, unsigned i)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = cfg_read32(d->bus, d->dev, d->fn, off), szlo, hi = 0,
		 szhi = 0xFFFFFFFFu;
	bool is64 = !(lo & BAR_IO) && ((lo >> 1) & 3) == 2 && i < 5;

	cfg_write32(d->bus, d->dev, d->fn, off, 0xFFFFFFFFu);
	szlo = cfg_read32(d->bus, d->dev, d->fn, off);
	cfg_write32(d->bus, d->dev, d->fn, off, lo);
	if (is64) {
		hi = cfg_read32(d->bus, d->dev, d->fn, off + 4);
		cfg_write32(d->bus, d->dev, d->fn, off + 4, 0xFFFFFFFFu);
		szhi = cfg_read32(d->bus, d->dev, d->fn, off + 4);
		cfg_write32(d->bus, d->dev, d->fn, off + 4, hi);
	}
	if (lo & BAR_IO) {
		uint32_t mask = szlo & ~3u & 0xFFFF;

		d->bar[i].io = true;
		d->bar[i].base = lo & ~3u & 0xFFFF;
		d->bar[i].size = mask ? ((~mask + 1) & 0xFFFF) : 0;
	} else {
		uint64_t mask = ((uint64_t)szhi << 32) | (szlo & ~0xFu);

		d->bar[i].base = ((uint64_t)hi << 32) | (lo & ~0xFu);
		d->bar[i].size = (szlo & ~0xFu) ? ~mask + 1 : 0;
	}
	return is64 ? 2 : 1;
}

/* Size the expansion ROM BAR the same way (PCI 3.0 section 6.2.5.2: the
 * address bits from 11 up; bit 0, the enable, written as 0). */
static void rom_probe(struct fw_pci_dev *d)
{
	uint32_t v = cfg_read32(d->bus, d->dev, d->fn, PCI_ROM), mask;

	cfg_write32(d->bus, d->dev, d->fn, PCI_ROM, PCI_ROM_MASK);
	mask = cfg_read32(d->bus, d->dev, d->fn, PCI_ROM) & PCI_ROM_MASK;
	cfg_write32(d->bus, d->dev, d->fn, PCI_ROM, v);
	d->rom_size = mask ? (uint64_t)(~mask + 1) : 0;
}

static void find_msix(struct fw_pci_dev *d)
{
	unsigned off, guard = 48;

	if (!(fw_pci_cfg_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return;
	off = fw_pci_cfg_read8(d, PCI_CAP_PTR) & 0xFC;
	while (off >= 0x40 && guard--) {
		if (fw_pci_cfg_read8(d, off) == PCI_CAP_MSIX) {
			d->msix_cap = off;
			d->msix_n = (fw_pci_cfg_read16(d, off + 2) & 0x7FF) + 1;
			return;
		}
		off = fw_pci_cfg_read8(d, off + 1) & 0xFC;
	}
}

static void scan_bus(unsigned bus, unsigned depth);

static void scan_fn(unsigned bus, unsigned dev, unsigned fn, unsigned depth)
{
	uint32_t id = cfg_read32(bus, dev, fn, 0), cls;
	uint8_t hdr = (uint8_t)(cfg_read32(bus, dev, fn, PCI_HEADER_TYPE & ~3u) >>
				16);
	struct fw_pci_dev *d;
	uint16_t cmd;

	cls = cfg_read32(bus, dev, fn, 0x08) >> 8;
	if ((hdr & 0x7F) == 1) { /* PCI-PCI bridge: follow it */
		unsigned sec = (cfg_read32(bus, dev, fn, 0x18) >> 8) & 0xFF;

		if (sec > bus && depth < 8)
			scan_bus(sec, depth + 1);
	}
	d = KHEAP_NEW(struct fw_pci_dev);
	if (!d)
		fw_panic("pci: out of memory at enumeration");
	d->bus = (uint8_t)bus;
	d->dev = (uint8_t)dev;
	d->fn = (uint8_t)fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->class = cls;
	if ((hdr & 0x7F) == 0) {
		/* Decoding off while the BARs hold all-ones. */
		cmd = fw_pci_cfg_read16(d, PCI_COMMAND);
		cfg_write16(d, PCI_COMMAND,
			    cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
		for (unsigned i = 0; i < 6;)
			i += bar_probe(d, i);
		rom_probe(d);
		cfg_write16(d, PCI_COMMAND, cmd);
		find_msix(d);
	}
	*devices_tail = d;
	devices_tail = &d->next;
	fw_dbg("pci %02x:%02x.%u %04x:%04x class %06x%s", bus, dev, fn,
		 d->vendor, d->device, cls, d->msix_cap ? " msix" : "");
}

static void scan_bus(unsigned bus, unsigned depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_read32(bus, dev, 0, 0);
		unsigned nfn;

		if ((id & 0xFFFF) == 0xFFFF)
			continue;
		nfn = (cfg_read32(bus, dev, 0, 0x0C) >> 16) & 0x80 ? 8 : 1;
		for (unsigned fn = 0; fn < nfn; fn++)
			if ((cfg_read32(bus, dev, fn, 0) & 0xFFFF) != 0xFFFF)
				scan_fn(bus, dev, fn, depth);
	}
}

void pci_init(void)
{
	unsigned n = 0;

	scan_bus(0, 0);
	for (struct fw_pci_dev *d = devices; d; d = d->next)
		n++;
	fw_info("pci: %u functions", n);
}

struct fw_pci_dev *fw_pci_next(const struct fw_pci_dev *prev)
{
	return prev ? prev->next : devices;
}

uint16_t fw_pci_vendor(const struct fw_pci_dev *d)
{
	return d->vendor;
}

uint16_t fw_pci_device(const struct fw_pci_dev *d)
{
	return d->device;
}

uint32_t fw_pci_class(const struct fw_pci_dev *d)
{
	return d->class;
}

uint16_t fw_pci_bdf(const struct fw_pci_dev *d)
{
	return (uint16_t)(d->bus << 8 | d->dev << 3 | d->fn);
}

uint64_t fw_pci_bar_size(const struct fw_pci_dev *d, unsigned bar)
{
	if (bar == FW_PCI_ROM)
		return d->rom_size;
	return bar < 6 ? d->bar[bar].size : 0;
}

int fw_pci_claim(struct fw_pci_dev *d)
{
	bool was;

	fw_spin_lock(&pci_lock);
	was = d->claimed;
	d->claimed = true;
	fw_spin_unlock(&pci_lock);
	if (was)
		return -EBUSY;
	cfg_write16(d, PCI_COMMAND,
		    fw_pci_cfg_read16(d, PCI_COMMAND) | PCI_CMD_IO |
			    PCI_CMD_MEM | PCI_CMD_MASTER);
	return 0;
}

static bool claimed(const struct fw_pci_dev *d)
{
	return __atomic_load_n(&d->claimed, __ATOMIC_ACQUIRE);
}

bool fw_pci_claimed(const struct fw_pci_dev *d)
{
	return claimed(d);
}

int fw_pci_bar_iomem(struct fw_pci_dev *d, unsigned bar, uint64_t off,
		     uint64_t len, struct fw_iomem **out)
{
	if (!claimed(d))
		return -EPERM;
	if (bar >= 6 || !d->bar[bar].size || d->bar[bar].io)
		return -ENODEV;
	if (len == 0 || off > d->bar[bar].size ||
	    len > d->bar[bar].size - off)
		return -EINVAL;
	return iomem_acquire(d->bar[bar].base + off, len, out);
}

int fw_pci_bar_ioport(struct fw_pci_dev *d, unsigned bar, uint16_t off,
		      uint16_t len, struct fw_ioport **out)
{
	if (!claimed(d))
		return -EPERM;
	if (bar >= 6 || !d->bar[bar].size || !d->bar[bar].io)
		return -ENODEV;
	if (len == 0 || off > d->bar[bar].size ||
	    len > d->bar[bar].size - off)
		return -EINVAL;
	return ioport_acquire((uint16_t)(d->bar[bar].base + off), len, out);
}

int fw_pci_msix_count(const struct fw_pci_dev *d)
{
	return d->msix_cap ? (int)d->msix_n : -ENODEV;
}

/* Map the MSI-X table (PCI 3.0 section 6.8.2): its BAR and offset are in
 * the capability's Table Offset/BIR dword. */
static int msix_map(struct fw_pci_dev *d)
{
	uint32_t tbl = fw_pci_cfg_read32(d, d->msix_cap + 4);
	unsigned bir = tbl & 7;
	struct fw_iomem *m;
	int err;

	if (d->msix_tbl)
		return 0;
	if (bir >= 6 || !d->bar[bir].size || d->bar[bir].io)
		return -ENODEV;
	err = iomem_acquire(d->bar[bir].base + (tbl & ~7u), 16ull * d->msix_n,
			       &m);
	if (err)
		return err;
	/* Every entry masked before MSI-X is switched on. */
	for (unsigned i = 0; i < d->msix_n; i++)
		fw_iomem_write32(m, 16 * i + 12, 1);
	d->msix_tbl = m;
	return 0;
}

int fw_pci_msix_route(struct fw_pci_dev *d, unsigned idx,
		      struct fw_irq_line *line)
{
	unsigned ctl = d->msix_cap + 2;
	int err;

	if (!claimed(d))
		return -EPERM;
	if (!d->msix_cap)
		return -ENODEV;
	if (idx >= d->msix_n)
		return -EINVAL;
	fw_spin_lock(&pci_lock);
	err = msix_map(d);
	fw_spin_unlock(&pci_lock);
	if (err)
		return err;
	err = irq_line_bind_msix(line, d->msix_tbl, idx);
	if (err)
		return err;
	/* Message address: the boot CPU's LAPIC, physical destination;
	 * data: the vector, fixed delivery, edge (SDM vol. 3, 11.11). */
	fw_iomem_write32(d->msix_tbl, 16 * idx, 0xFEE00000u | irq_boot_apic_id() << 12);
	fw_iomem_write32(d->msix_tbl, 16 * idx + 4, 0);
	fw_iomem_write32(d->msix_tbl, 16 * idx + 8, fw_irq_line_vector(line));
	fw_iomem_write32(d->msix_tbl, 16 * idx + 12, 0);
	/* MSI-X enable (bit 15), function mask (bit 14) off; INTx off. */
	cfg_write16(d, ctl, (fw_pci_cfg_read16(d, ctl) | 0x8000) & ~0x4000);
	cfg_write16(d, PCI_COMMAND,
		    fw_pci_cfg_read16(d, PCI_COMMAND) | PCI_CMD_INTX_OFF);
	return 0;
}

int fw_pci_intx_route(struct fw_pci_dev *d, struct fw_irq_line *line)
{
	unsigned pin;

	if (!claimed(d))
		return -EPERM;
	pin = fw_pci_cfg_read8(d, PCI_INT_PIN);
	if (pin < 1 || pin > 4)
		return -ENODEV;
	/* Without an AML interpreter there is no _PRT to read; this is the
	 * routing QEMU's q35 wires for bus 0 (hw/i386/acpi-build.c builds
	 * the same table into the DSDT): slot s, pin p goes to PIRQ
	 * (s + p - 1) mod 4 of E..H, which the ICH9 sends to IOAPIC inputs
	 * 20..23. Devices behind bridges are not routed here. */
	if (d->bus != 0)
		return -ENODEV;
	return irq_line_route_gsi(line, 20 + ((d->dev + pin - 1) & 3), true,
				  true);
}
