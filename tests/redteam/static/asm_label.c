/* redteam: an asm label binds a service declaration to a framework-internal symbol name. expect: inline-asm */
extern unsigned long svc_kernel_pml4 __asm__("kernel_pml4");

unsigned long svc_root(void);
unsigned long svc_root(void) { return svc_kernel_pml4; }
