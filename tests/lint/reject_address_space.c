/* Fixture: a %gs-relative pointer reaching per-CPU data. */
int svc_percpu(void);
int svc_percpu(void)
{
	const __seg_gs int *p = 0;
	return *p;
}
