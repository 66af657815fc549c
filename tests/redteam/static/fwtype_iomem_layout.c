/* redteam: a service defines the opaque struct fw_iomem itself and rewrites the mapping's base and length, so MMIO accessors reach any physical page. expect: framework-type */
#include <fw/io.h>

struct fw_iomem {
	uint64_t base;
	uint64_t len;
};

void svc_retarget(struct fw_iomem *m);
void svc_retarget(struct fw_iomem *m)
{
	m->base = 0xfee00000;
	m->len = ~0ull;
}
