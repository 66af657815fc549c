/* Fixture: a service declaring a framework-internal symbol itself. */
extern void fw_mm_map_raw(unsigned long phys, unsigned long virt);
void svc_map(void) { fw_mm_map_raw(0, 0); }
