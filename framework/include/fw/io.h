/* fw/io.h: device registers, as bounded handles.
 *
 * Layer: framework public API. A driver gets an MMIO range or a port range
 * only as a slice of a BAR of a PCI function it claimed
 * (fw_pci_bar_iomem, fw_pci_bar_ioport in fw/pci.h): a service can name
 * neither a physical address nor a port number. Every access is
 * bounds-checked against the handle; an out-of-range offset, or a handle
 * used after its release, is a driver bug and panics naming the caller.
 * Accesses are uncached and not reordered. */
#ifndef FW_IO_H
#define FW_IO_H

#include <fw/compiler.h>

struct fw_iomem;
struct fw_ioport;

void fw_iomem_release(struct fw_iomem *m);
uint64_t fw_iomem_len(const struct fw_iomem *m);
uint8_t fw_iomem_read8(const struct fw_iomem *m, uint64_t off);
uint16_t fw_iomem_read16(const struct fw_iomem *m, uint64_t off);
uint32_t fw_iomem_read32(const struct fw_iomem *m, uint64_t off);
uint64_t fw_iomem_read64(const struct fw_iomem *m, uint64_t off);
void fw_iomem_write8(struct fw_iomem *m, uint64_t off, uint8_t v);
void fw_iomem_write16(struct fw_iomem *m, uint64_t off, uint16_t v);
void fw_iomem_write32(struct fw_iomem *m, uint64_t off, uint32_t v);
void fw_iomem_write64(struct fw_iomem *m, uint64_t off, uint64_t v);

void fw_ioport_release(struct fw_ioport *p);
uint8_t fw_ioport_in8(const struct fw_ioport *p, uint16_t off);
uint16_t fw_ioport_in16(const struct fw_ioport *p, uint16_t off);
uint32_t fw_ioport_in32(const struct fw_ioport *p, uint16_t off);
void fw_ioport_out8(struct fw_ioport *p, uint16_t off, uint8_t v);
void fw_ioport_out16(struct fw_ioport *p, uint16_t off, uint16_t v);
void fw_ioport_out32(struct fw_ioport *p, uint16_t off, uint32_t v);

#endif
