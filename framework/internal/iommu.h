/* internal/iommu.h: confining devices' DMA (arch/x86_64/vtd.c).
 *
 * When the machine has a usable IOMMU, devices can reach only what is
 * mapped here: the frames of live fw_dma buffers, at their physical
 * addresses. Without one, these do nothing and DMA is not confined. */
#ifndef INTERNAL_IOMMU_H
#define INTERNAL_IOMMU_H

#include <fw/compiler.h>

/* Find and turn on the IOMMU (after pci_init, before any driver runs). */
void iommu_init(void);
bool iommu_active(void);
/* Let devices read and write [phys, phys + npages pages): 0 or -ENOMEM. */
FW_MUST_CHECK int iommu_map(uint64_t phys, uint64_t npages);
/* Take it back; on return no device can reach it any more. */
void iommu_unmap(uint64_t phys, uint64_t npages);
/* DMA accesses the IOMMU blocked so far. */
uint64_t iommu_blocked(void);

#endif
