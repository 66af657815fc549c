/* tests/ktest/pci_test.c: PCI enumeration, BAR handles, MSI-X routing and
 * DMA buffers, on the devices QEMU's q35 always has (host bridge, the std
 * VGA 1234:1111, the e1000e NIC 8086:10d3 with MSI-X).
 *
 * Layer: kernel tests, public framework API only. Claims are permanent,
 * which is fine: a ktest boot powers off afterwards. */
#include <fw/dma.h>
#include <fw/errno.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/ktest.h>
#include <fw/pci.h>

static struct fw_pci_dev *find(uint16_t vendor, uint16_t device)
{
	struct fw_pci_dev *d = NULL;

	while ((d = fw_pci_next(d)))
		if (fw_pci_vendor(d) == vendor && fw_pci_device(d) == device)
			return d;
	return NULL;
}

FW_KTEST(pci_enumerates_host_bridge)
{
	struct fw_pci_dev *d = fw_pci_next(NULL);

	FW_KT_CHECK(d);
	FW_KT_CHECK(fw_pci_bdf(d) == 0);
	FW_KT_CHECK(fw_pci_class(d) >> 16 == 0x06); /* bridge */
	FW_KT_CHECK(fw_pci_cfg_read16(d, 0) == fw_pci_vendor(d));
	FW_KT_CHECK(fw_pci_cfg_read16(d, 2) == fw_pci_device(d));
	FW_KT_CHECK(fw_pci_cfg_read32(d, 0) ==
		    ((uint32_t)fw_pci_device(d) << 16 | fw_pci_vendor(d)));
	FW_KT_CHECK(fw_pci_cfg_read8(d, 1) == fw_pci_vendor(d) >> 8);
}

FW_KTEST(pci_bars_only_through_claims)
{
	struct fw_pci_dev *vga = find(0x1234, 0x1111);
	struct fw_iomem *m;
	struct fw_ioport *p;

	FW_KT_CHECK(vga);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0, 4096, &m) == -EPERM);
	FW_KT_CHECK(fw_pci_claim(vga) == 0);
	FW_KT_CHECK(fw_pci_claim(vga) == -EBUSY);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 5, 0, 16, &m) == -ENODEV);
	FW_KT_CHECK(fw_pci_bar_ioport(vga, 2, 0, 16, &p) == -ENODEV);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0, 0, &m) == -EINVAL);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0x1000, 1, &m) == -EINVAL);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0, 0x1001, &m) == -EINVAL);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0, 4096, &m) == 0);
	/* The Bochs display interface ID register (MMIO BAR offset 0x500)
	 * reads 0xB0C0..0xB0C5: the mapping reaches the device. */
	FW_KT_CHECK((fw_iomem_read16(m, 0x500) & 0xFFF0) == 0xB0C0);
	FW_KT_CHECK(fw_pci_bar_iomem(vga, 2, 0, 16, &m) == -EBUSY);
	fw_iomem_release(m);
}

FW_KTEST(pci_msix_routes_lines)
{
	struct fw_pci_dev *nic = find(0x8086, 0x10d3);
	struct fw_irq_line *l;

	FW_KT_CHECK(nic);
	FW_KT_CHECK(fw_pci_msix_count(nic) >= 1);
	FW_KT_CHECK(fw_irq_line_alloc(&l) == 0);
	FW_KT_CHECK(fw_pci_msix_route(nic, 0, l) == -EPERM);
	FW_KT_CHECK(fw_pci_claim(nic) == 0);
	FW_KT_CHECK(fw_pci_msix_route(nic, 4096, l) == -EINVAL);
	FW_KT_CHECK(fw_pci_msix_route(nic, 0, l) == 0);
	FW_KT_CHECK(fw_pci_msix_route(nic, 1, l) == -EBUSY);
	fw_irq_line_mask(l);
	fw_irq_line_unmask(l);
	fw_irq_line_mask(l);
}

FW_KTEST(dma_buffers)
{
	struct fw_dma *d, *e;
	struct fw_buf b;
	uint8_t v = 1;

	FW_KT_CHECK(fw_dma_alloc(0, &d) == -EINVAL);
	FW_KT_CHECK(fw_dma_alloc((4u << 20) + 1, &d) == -EINVAL);
	FW_KT_CHECK(fw_dma_alloc(100, &d) == 0);
	FW_KT_CHECK(fw_dma_len(d) == 100);
	b = fw_dma_buf(d);
	FW_KT_CHECK(fw_buf_len(b) == 100);
	FW_KT_CHECK(fw_bytes_get_u8(fw_buf_as_bytes(b), 99, &v) == 0 && v == 0);
	FW_KT_CHECK(fw_buf_put_u8(b, 100, 1) == -EINVAL);
	FW_KT_CHECK((fw_dma_addr(d, 0) & 4095) == 0);
	FW_KT_CHECK(fw_dma_addr(d, 99) == fw_dma_addr(d, 0) + 99);
	/* Contiguous: a 3-page buffer's last byte is 3 pages on. */
	FW_KT_CHECK(fw_dma_alloc(3 * 4096, &e) == 0);
	FW_KT_CHECK(fw_dma_addr(e, 3 * 4096 - 1) == fw_dma_addr(e, 0) + 3 * 4096 - 1);
	FW_KT_CHECK(fw_dma_addr(e, 0) != fw_dma_addr(d, 0));
	fw_dma_free(e);
	fw_dma_free(d);
}
