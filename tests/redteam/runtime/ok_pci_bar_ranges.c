/* redteam: ask for registers outside a PCI function's BARs (a BAR number past 5, an offset that wraps, a range longer than the BAR) to reach another device or RAM. expect: PASS */
#include <fw/io.h>
#include <fw/pci.h>
#include "redteam.h"

FW_KTEST(redteam_ok_pci_bar_ranges)
{
	struct fw_iomem *m;
	struct fw_ioport *p;
	unsigned tried = 0;

	for (struct fw_pci_dev *d = fw_pci_next(0); d; d = fw_pci_next(d)) {
		FW_KT_CHECK(fw_pci_bar_iomem(d, redteam_value(6), 0, 16, &m) != 0);
		FW_KT_CHECK(fw_pci_bar_ioport(d, redteam_value(7), 0, 4, &p) != 0);
		for (unsigned bar = 0; bar < 6; bar++) {
			FW_KT_CHECK(fw_pci_bar_iomem(d, bar, redteam_value(~0ull - 8),
						     16, &m) != 0);
			FW_KT_CHECK(fw_pci_bar_iomem(d, bar, 0,
						     redteam_value(1ull << 62), &m) != 0);
			FW_KT_CHECK(fw_pci_bar_ioport(d, bar, 0xfff0,
						      (uint16_t)redteam_value(0x20), &p) != 0);
		}
		tried++;
	}
	FW_KT_CHECK(tried > 0);
}
