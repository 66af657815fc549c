/* redteam: <cpuid.h> brings inline asm into the service under a compiler header's trust. expect: include */
#include <cpuid.h>

unsigned svc_cpu(void);
unsigned svc_cpu(void)
{
	unsigned a, b, c, d;

	__cpuid(0, a, b, c, d);
	return a + b + c + d;
}
