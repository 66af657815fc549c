/* redteam: a cast turns an integer into a pointer to the framework's task list and writes through it. expect: pointer-cast */
void svc_poke(unsigned long addr);
void svc_poke(unsigned long addr)
{
	*(unsigned long *)addr = 0;
}
