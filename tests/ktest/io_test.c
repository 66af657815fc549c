/* tests/ktest/io_test.c: the refusal rules of fw_iomem / fw_ioport, IRQ
 * line allocation and the boot information.
 *
 * Layer: kernel tests, public framework API only. */
#include <fw/boot.h>
#include <fw/errno.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/ktest.h>
#include "internal/io.h"

FW_KTEST(iomem_refuses_ram_and_framework_devices)
{
	struct fw_iomem *m;

	FW_KT_CHECK(iomem_acquire(0x200000, 4096, &m) == -EPERM);   /* RAM */
	FW_KT_CHECK(iomem_acquire(0xFEE00000, 16, &m) == -EPERM);   /* LAPIC */
	FW_KT_CHECK(iomem_acquire(0xFEC00000, 16, &m) == -EPERM);   /* IOAPIC */
	FW_KT_CHECK(iomem_acquire(0, 0, &m) == -EINVAL);
	FW_KT_CHECK(iomem_acquire(~0ull - 10, 100, &m) == -EINVAL); /* wraps */
}

FW_KTEST(iomem_acquire_is_exclusive)
{
	struct fw_iomem *m, *m2;

	/* Well above RAM, below the APICs: an unclaimed MMIO hole. */
	FW_KT_CHECK(iomem_acquire(0xFD000000, 0x2000, &m) == 0);
	FW_KT_CHECK(fw_iomem_len(m) == 0x2000);
	FW_KT_CHECK(iomem_acquire(0xFD001000, 16, &m2) == -EBUSY);
	fw_iomem_release(m);
	FW_KT_CHECK(iomem_acquire(0xFD001000, 16, &m2) == 0);
	fw_iomem_release(m2);
}

FW_KTEST(ioport_refuses_framework_ports)
{
	struct fw_ioport *p, *p2;

	FW_KT_CHECK(ioport_acquire(0x3F8, 8, &p) == -EPERM);  /* COM1 */
	FW_KT_CHECK(ioport_acquire(0x20, 2, &p) == -EPERM);   /* PIC */
	FW_KT_CHECK(ioport_acquire(0xCF8, 4, &p) == -EPERM);  /* PCI cfg */
	FW_KT_CHECK(ioport_acquire(0x70, 1, &p) == -EPERM);   /* RTC */
	FW_KT_CHECK(ioport_acquire(0xFFFF, 2, &p) == -EINVAL);
	FW_KT_CHECK(ioport_acquire(0x2F8, 8, &p) == 0);       /* COM2 */
	FW_KT_CHECK(ioport_acquire(0x2FC, 1, &p2) == -EBUSY);
	fw_ioport_release(p);
	FW_KT_CHECK(ioport_acquire(0x2FC, 1, &p2) == 0); /* free again */
	fw_ioport_release(p2);
}

FW_KTEST(irq_lines_allocate_and_free)
{
	struct fw_irq_line *a, *b;

	FW_KT_CHECK(fw_irq_line_alloc(&a) == 0);
	FW_KT_CHECK(fw_irq_line_alloc(&b) == 0);
	FW_KT_CHECK(fw_irq_line_vector(a) != fw_irq_line_vector(b));
	FW_KT_CHECK(fw_irq_line_route_isa(a, 99) == -EINVAL);
	fw_irq_line_free(a);
	fw_irq_line_free(b);
}

FW_KTEST(boot_info_and_initramfs_view)
{
	struct fw_boot_module m;

	FW_KT_CHECK(fw_boot_opt_has("ktest"));
	FW_KT_CHECK(fw_boot_mem_usable() > (64ull << 20));
	FW_KT_CHECK(fw_boot_module_count() >= 1);
	FW_KT_CHECK(fw_boot_module(0, &m) == 0);
	FW_KT_CHECK(fw_boot_module(99, &m) == -ENOENT);
	FW_KT_CHECK(fw_boot_module(0, &m) == 0);
	/* The initramfs is a newc cpio: it starts with the magic "070701". */
	FW_KT_CHECK(fw_bytes_len(m.data) >= 6);
	struct fw_bytes magic;
	FW_KT_CHECK(fw_bytes_sub(m.data, 0, 6, &magic) == 0);
	FW_KT_CHECK(fw_bytes_eq(magic, FW_BYTES_OF_LITERAL("070701")));
	uint8_t b;
	FW_KT_CHECK(fw_bytes_get_u8(m.data, fw_bytes_len(m.data), &b) == -EINVAL);
}
