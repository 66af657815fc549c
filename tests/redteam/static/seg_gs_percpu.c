/* redteam: a __seg_gs pointer reads and writes the current CPU's per-CPU block (current task, kernel stack) at %gs-relative offsets. expect: address-space */
void svc_percpu(void);
void svc_percpu(void)
{
	__seg_gs unsigned long *slot = 0;

	slot[1] = 0;
}
