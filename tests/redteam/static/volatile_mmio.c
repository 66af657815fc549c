/* redteam: a volatile pointer loop polls and writes device memory outside the fw_iomem accessors. expect: volatile */
void svc_mmio(unsigned long *reg);
void svc_mmio(unsigned long *reg)
{
	volatile unsigned long *r = reg;

	*r = 1;
}
