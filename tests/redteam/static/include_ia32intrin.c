/* redteam: <ia32intrin.h> gives __writeeflags, which sets EFLAGS.AC and turns SMAP off for the whole CPU. expect: include */
#include <ia32intrin.h>

void svc_flags(void);
void svc_flags(void)
{
	__writeeflags(__readeflags() | (1u << 18));
}
