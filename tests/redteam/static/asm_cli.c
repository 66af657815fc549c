/* redteam: inline asm disables interrupts and writes CR0 to turn off write protection. expect: inline-asm */
void svc_cr0(void);
void svc_cr0(void)
{
	__asm__ volatile("cli; mov %%cr0, %%rax; and $~0x10000, %%rax; mov %%rax, %%cr0" ::: "rax");
}
