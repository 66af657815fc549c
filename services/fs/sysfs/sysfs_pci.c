/* services/fs/sysfs/sysfs_pci.c: PCI devices in sysfs.
 *
 * Layer: services (safe C), part of the sys file system (see
 * sysfs_internal.h); reads the framework's PCI list (fw/pci.h).
 *
 * What Linux shows (Documentation/ABI/testing/sysfs-bus-pci,
 * Documentation/PCI/sysfs-pci.rst, drivers/pci/pci-sysfs.c), as far as
 * lspci (pciutils' sysfs access method: it lists /sys/bus/pci/devices and
 * reads irq, resource, vendor, device, class, config, the driver link...)
 * and stress-ng's pci stressor (config, resource) read it:
 *
 *     /sys/devices/pci0000:00/0000:BB:DD.F/     a function on bus 0; one
 *         behind a bridge sits in the bridge's directory, as on Linux
 *         {vendor,device,subsystem_vendor,subsystem_device,class,
 *          revision,irq,enable,numa_node,local_cpus,local_cpulist,
 *          modalias,uevent,resource,config}, subsystem -> bus/pci,
 *         driver -> bus/pci/drivers/virtio-pci when a virtio driver has
 *         claimed it
 *     /sys/bus/pci/devices/0000:BB:DD.F -> the device's directory
 *     /sys/bus/pci/drivers/virtio-pci/0000:BB:DD.F -> the same
 *
 * config is the device's configuration space, read when the file is
 * opened: 256 bytes for an opener with CAP_SYS_ADMIN, else the 64 of the
 * standard header (Linux's pci_read_config, which checks the opener's
 * credentials). Extended (PCIe) configuration space is not reachable
 * through configuration mechanism #1, so there is no 4096-byte view.
 * Writes are refused (EACCES at open). resource has the lines Debian's
 * Linux (built with CONFIG_PCI_IOV) shows in the same QEMU: one per BAR
 * and the expansion ROM, 6 for SR-IOV BARs (0 here: no SR-IOV), 13 in
 * all, and for a bridge 4 window lines more, left zero here since the
 * framework does not size bridge windows. Linux's boot-VGA quirk (the
 * ROM shown as the shadow at 0xc0000) is not copied: the ROM line is the
 * device's ROM BAR. resourceN files (mmap of a BAR) are not offered: the
 * BARs belong to the drivers. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/pci.h>
#include <fw/string.h>

#include "current/current.h"
#include "fs/sysfs/sysfs_internal.h"

enum {
	SA_PCI_VENDOR = SA_PCI_FIRST,
	SA_PCI_DEVICE,
	SA_PCI_SUBSYS_VENDOR,
	SA_PCI_SUBSYS_DEVICE,
	SA_PCI_CLASS,
	SA_PCI_REVISION,
	SA_PCI_IRQ,
	SA_PCI_ENABLE,
	SA_PCI_NUMA_NODE,
	SA_PCI_LOCAL_CPUS,
	SA_PCI_LOCAL_CPULIST,
	SA_PCI_MODALIAS,
	SA_PCI_UEVENT,
	SA_PCI_RESOURCE,
	SA_PCI_CONFIG,
};

FW_STATIC_ASSERT(SA_PCI_CONFIG <= SA_PCI_LAST, "pci attrs overflow range");

/* Configuration space offsets (PCI Local Bus 3.0, section 6.1). */
#define CFG_COMMAND 0x04
#define CFG_REVISION 0x08
#define CFG_HEADER_TYPE 0x0E
#define CFG_BAR0 0x10
#define CFG_SUBSYS_VENDOR 0x2C
#define CFG_SUBSYS_ID 0x2E
#define CFG_CAP_PTR 0x34
#define CFG_INT_LINE 0x3C
#define CFG_INT_PIN 0x3D
#define CFG_STATUS 0x06
#define CFG_STATUS_CAPS 0x10
#define CAP_SSVID 0x0D		/* bridge subsystem vendor ID capability */

/* Linux's resource flags (include/linux/ioport.h). */
#define IORESOURCE_IO 0x00000100ull
#define IORESOURCE_MEM 0x00000200ull
#define IORESOURCE_PREFETCH 0x00002000ull
#define IORESOURCE_READONLY 0x00004000ull
#define IORESOURCE_SIZEALIGN 0x00040000ull
#define IORESOURCE_MEM_64 0x00100000ull
#define IORESOURCE_ROM_ENABLE 0x1ull

#define PCI_DRIVER_VIRTIO "virtio-pci"
#define MAX_DEPTH 8		/* bridges deep, as the framework scans */

static struct fw_pci_dev *pci_nth(unsigned index)
{
	struct fw_pci_dev *d = fw_pci_next(NULL);

	for (unsigned i = 0; d && i < index; i++)
		d = fw_pci_next(d);
	return d;
}

/* "0000:BB:DD.F": segment 0, the only one configuration mechanism #1
 * reaches. */
static void slot_name(const struct fw_pci_dev *d, char *buf, size_t size)
{
	uint16_t bdf = fw_pci_bdf(d);

	snprintf(buf, size, "0000:%02x:%02x.%u", bdf >> 8, (bdf >> 3) & 0x1f,
		 bdf & 7u);
}

static unsigned header_type(const struct fw_pci_dev *d)
{
	return fw_pci_cfg_read8(d, CFG_HEADER_TYPE) & 0x7fu;
}

/* A bridge's secondary bus number, or -1 if d is not a PCI-PCI bridge. */
static int secondary_bus(const struct fw_pci_dev *d)
{
	return header_type(d) == 1 ? fw_pci_cfg_read8(d, 0x19) : -1;
}

/* Subsystem vendor and device: in the type 0 header, in a bridge's
 * SSVID capability (Linux's pci_setup_device), else 0. */
static uint32_t subsystem_ids(const struct fw_pci_dev *d)
{
	unsigned off, guard = 48;

	if (header_type(d) == 0)
		return fw_pci_cfg_read32(d, CFG_SUBSYS_VENDOR);
	if (header_type(d) != 1 ||
	    !(fw_pci_cfg_read16(d, CFG_STATUS) & CFG_STATUS_CAPS))
		return 0;
	off = fw_pci_cfg_read8(d, CFG_CAP_PTR) & 0xfcu;
	while (off >= 0x40 && guard--) {
		if (fw_pci_cfg_read8(d, off) == CAP_SSVID)
			return fw_pci_cfg_read32(d, off + 4);
		off = fw_pci_cfg_read8(d, off + 1) & 0xfcu;
	}
	return 0;
}

static bool has_driver(const struct fw_pci_dev *d)
{
	return fw_pci_claimed(d) && fw_pci_vendor(d) == 0x1af4;
}

static void put_modalias(struct procfs_seq *s, const struct fw_pci_dev *d)
{
	uint32_t sub = subsystem_ids(d), cls = fw_pci_class(d);

	procfs_printf(s, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		      fw_pci_vendor(d), fw_pci_device(d), sub & 0xffffu,
		      sub >> 16, cls >> 16, (cls >> 8) & 0xffu, cls & 0xffu);
}

/* One resource line per BAR (0..5), the ROM, 6 SR-IOV BARs (Linux's
 * resource_show: start, end, flags; zeros where nothing is decoded), and
 * for a bridge 4 window lines, left zero. The flags are Linux's decoding of the BAR's
 * type bits (drivers/pci/probe.c, decode_bar), which keeps the bits. */
static void put_resource(struct procfs_seq *s, const struct fw_pci_dev *d)
{
	unsigned nbar = header_type(d) == 0 ? 6 : header_type(d) == 1 ? 2 : 0;
	unsigned lines = header_type(d) == 1 ? 17 : 13;

	for (unsigned i = 0; i < lines; i++) {
		uint64_t size = 0, start = 0, flags = 0;

		if (i < nbar) {
			uint32_t lo = fw_pci_cfg_read32(d, CFG_BAR0 + 4 * i);

			size = fw_pci_bar_size(d, i);
			if (size && (lo & 1)) {
				start = lo & 0xfffcu;
				flags = IORESOURCE_IO | (lo & 3u);
			} else if (size) {
				start = lo & ~0xfu;
				flags = IORESOURCE_MEM | (lo & 0xfu);
				if (lo & 8)
					flags |= IORESOURCE_PREFETCH;
				if (((lo >> 1) & 3) == 2 && i < 5) {
					flags |= IORESOURCE_MEM_64;
					start |= (uint64_t)fw_pci_cfg_read32(
							 d, CFG_BAR0 + 4 * i + 4)
						 << 32;
				}
			}
		} else if (i == 6 && header_type(d) == 0) {
			uint32_t rom = fw_pci_cfg_read32(d, 0x30);

			size = fw_pci_bar_size(d, FW_PCI_ROM);
			start = rom & 0xfffff800u;
			flags = IORESOURCE_MEM | IORESOURCE_PREFETCH |
				IORESOURCE_READONLY |
				(rom & 1 ? IORESOURCE_ROM_ENABLE : 0);
		}
		if (!size) {
			start = 0;
			flags = 0;
		} else {
			flags |= IORESOURCE_SIZEALIGN;
		}
		procfs_printf(s, "0x%016llx 0x%016llx 0x%016llx\n",
			      (unsigned long long)start,
			      (unsigned long long)(size ? start + size - 1 : 0),
			      (unsigned long long)flags);
	}
}

/* The configuration space, as much as the opener may see. */
static void put_config(struct procfs_seq *s, const struct fw_pci_dev *d)
{
	uint32_t cfg[64];
	size_t n = cred_capable(fs_cred(), CAP_SYS_ADMIN) ? 256 : 64;
	struct fw_bytes b;

	for (unsigned i = 0; i < n / 4; i++)
		cfg[i] = fw_pci_cfg_read32(d, 4 * i);
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(cfg), 0, n, &b) == 0)
		procfs_write(s, b);
}

int sysfs_pci_generate(unsigned attr, unsigned index, struct procfs_seq *s)
{
	const struct fw_pci_dev *d = pci_nth(index);
	char name[16];
	uint32_t sub;

	if (!d)
		return -ENODEV;
	switch (attr) {
	case SA_PCI_VENDOR:
		procfs_printf(s, "0x%04x\n", fw_pci_vendor(d));
		return 0;
	case SA_PCI_DEVICE:
		procfs_printf(s, "0x%04x\n", fw_pci_device(d));
		return 0;
	case SA_PCI_SUBSYS_VENDOR:
		procfs_printf(s, "0x%04x\n", subsystem_ids(d) & 0xffffu);
		return 0;
	case SA_PCI_SUBSYS_DEVICE:
		procfs_printf(s, "0x%04x\n", subsystem_ids(d) >> 16);
		return 0;
	case SA_PCI_CLASS:
		procfs_printf(s, "0x%06x\n", fw_pci_class(d));
		return 0;
	case SA_PCI_REVISION:
		procfs_printf(s, "0x%02x\n", fw_pci_cfg_read8(d, CFG_REVISION));
		return 0;
	case SA_PCI_IRQ:
		/* The legacy line the firmware assigned (Linux shows the
		 * IRQ it routed the pin to; no pin, no IRQ: 0). */
		procfs_printf(s, "%u\n",
			      fw_pci_cfg_read8(d, CFG_INT_PIN)
				      ? fw_pci_cfg_read8(d, CFG_INT_LINE)
				      : 0u);
		return 0;
	case SA_PCI_ENABLE:
		procfs_printf(s, "%d\n", fw_pci_claimed(d) ? 1 : 0);
		return 0;
	case SA_PCI_NUMA_NODE:
		procfs_printf(s, "-1\n"); /* no NUMA: Linux's NUMA_NO_NODE */
		return 0;
	case SA_PCI_LOCAL_CPUS:
		sysfs_put_cpumask(s, 0, fw_cpu_count() - 1);
		return 0;
	case SA_PCI_LOCAL_CPULIST:
		sysfs_put_cpulist(s, 0, fw_cpu_count() - 1);
		return 0;
	case SA_PCI_MODALIAS:
		put_modalias(s, d);
		return 0;
	case SA_PCI_UEVENT:
		slot_name(d, name, sizeof name);
		sub = subsystem_ids(d);
		if (has_driver(d))
			procfs_printf(s, "DRIVER=%s\n", PCI_DRIVER_VIRTIO);
		procfs_printf(s,
			      "PCI_CLASS=%X\nPCI_ID=%04X:%04X\n"
			      "PCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
			      "MODALIAS=",
			      fw_pci_class(d), fw_pci_vendor(d), fw_pci_device(d),
			      sub & 0xffffu, sub >> 16, name);
		put_modalias(s, d);
		return 0;
	case SA_PCI_RESOURCE:
		put_resource(s, d);
		return 0;
	case SA_PCI_CONFIG:
		put_config(s, d);
		return 0;
	}
	return -EINVAL;
}

/* "../" repeated n times (n <= 16), into buf. */
static void ups(char *buf, size_t size, unsigned n)
{
	static const char many[] = "../../../../../../../../../../../../../../../../";

	snprintf(buf, size, "%.*s", (int)(3 * (n < 16 ? n : 16)), many);
}

/* The directory of the index-th device d, under dir (path: its path
 * below /sys/devices, depth: how many directories below /sys that is),
 * with its files and links, then the devices behind it if it is a
 * bridge. */
static bool build_fn(struct inode *root, struct inode *dir, const char *path,
		     unsigned depth, unsigned index, const struct fw_pci_dev *d);

/* Every device on bus under dir. */
static bool build_bus(struct inode *root, struct inode *dir, const char *path,
		      unsigned depth, unsigned bus)
{
	unsigned index = 0;

	if (depth > MAX_DEPTH + 3)
		return true;
	for (struct fw_pci_dev *d = fw_pci_next(NULL); d;
	     d = fw_pci_next(d), index++)
		if ((unsigned)(fw_pci_bdf(d) >> 8) == bus &&
		    !build_fn(root, dir, path, depth, index, d))
			return false;
	return true;
}

static bool build_fn(struct inode *root, struct inode *dir, const char *path,
		     unsigned depth, unsigned index, const struct fw_pci_dev *d)
{
	static const struct { const char *name; unsigned attr; } files[] = {
		{ "vendor", SA_PCI_VENDOR },
		{ "device", SA_PCI_DEVICE },
		{ "subsystem_vendor", SA_PCI_SUBSYS_VENDOR },
		{ "subsystem_device", SA_PCI_SUBSYS_DEVICE },
		{ "class", SA_PCI_CLASS },
		{ "revision", SA_PCI_REVISION },
		{ "irq", SA_PCI_IRQ },
		{ "enable", SA_PCI_ENABLE },
		{ "numa_node", SA_PCI_NUMA_NODE },
		{ "local_cpus", SA_PCI_LOCAL_CPUS },
		{ "local_cpulist", SA_PCI_LOCAL_CPULIST },
		{ "modalias", SA_PCI_MODALIAS },
		{ "uevent", SA_PCI_UEVENT },
		{ "resource", SA_PCI_RESOURCE },
	};
	struct inode *dev, *cfg, *bus_devs, *drv;
	char name[16], target[192], up[64], mypath[160];
	struct kname n;
	int sec;

	slot_name(d, name, sizeof name);
	snprintf(mypath, sizeof mypath, "%s/%s", path, name);
	dev = sysfs_subdir(dir, name);
	if (!dev)
		return false;
	for (unsigned k = 0; k < FW_ARRAY_LEN(files); k++)
		if (!sysfs_add_file(dev, files[k].name, files[k].attr, index))
			return false;
	/* config: 0644 as Linux's (root may write there; here nobody),
	 * sized as Linux's bin attribute for a conventional device. */
	snprintf(n.s, sizeof(n.s), "config");
	cfg = sysfs_add_node(dev, &n, S_IFREG | 0644, SA_PCI_CONFIG, index);
	if (!cfg)
		return false;
	cfg->size = 256;
	/* depth + 1: the device's own directory. */
	ups(up, sizeof up, depth + 1);
	snprintf(target, sizeof target, "%sbus/pci", up);
	if (!sysfs_add_link(dev, "subsystem", target))
		return false;
	if (has_driver(d)) {
		snprintf(target, sizeof target, "%sbus/pci/drivers/%s", up,
			 PCI_DRIVER_VIRTIO);
		drv = sysfs_subdir(sysfs_subdir(sysfs_subdir(sysfs_subdir(
						root, "bus"), "pci"), "drivers"),
				   PCI_DRIVER_VIRTIO);
		if (!drv || !sysfs_add_link(dev, "driver", target))
			return false;
		snprintf(target, sizeof target, "../../../../devices/%s",
			 mypath);
		if (!sysfs_add_link(drv, name, target))
			return false;
	}
	bus_devs = sysfs_subdir(sysfs_subdir(sysfs_subdir(root, "bus"), "pci"),
				"devices");
	snprintf(target, sizeof target, "../../../devices/%s", mypath);
	if (!bus_devs || !sysfs_add_link(bus_devs, name, target))
		return false;
	sec = secondary_bus(d);
	if (sec > (int)(fw_pci_bdf(d) >> 8))
		return build_bus(root, dev, mypath, depth + 1, (unsigned)sec);
	return true;
}

bool sysfs_pci_build(struct inode *root)
{
	struct inode *host;

	/* lspci looks for /sys/bus/pci/devices, so it is there even with
	 * no device; drivers/ likewise, as on Linux. */
	if (!sysfs_subdir(sysfs_subdir(sysfs_subdir(root, "bus"), "pci"),
			  "devices") ||
	    !sysfs_subdir(sysfs_subdir(sysfs_subdir(root, "bus"), "pci"),
			  "drivers"))
		return false;
	if (!fw_pci_next(NULL))
		return true;
	host = sysfs_subdir(sysfs_subdir(root, "devices"), "pci0000:00");
	/* /sys/devices/pci0000:00 is depth 2 below /sys. */
	return host && build_bus(root, host, "pci0000:00", 2, 0);
}
