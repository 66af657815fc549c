/* internal/pci.h: PCI start-up.
 *
 * Layer: framework internal. */
#ifndef INTERNAL_PCI_H
#define INTERNAL_PCI_H

/* Enumerate the buses (boot CPU, after the heap and before services). */
void pci_init(void);

#endif
