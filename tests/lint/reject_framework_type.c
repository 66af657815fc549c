/* Fixture: a service defining an opaque framework type, making its layout
 * whatever the service likes. */
#include <fw/io.h>
struct fw_iomem {
	unsigned long base;
	unsigned long len;
};
