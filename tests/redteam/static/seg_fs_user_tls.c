/* redteam: a __seg_fs pointer dereferences the user's TLS base from kernel mode. expect: address-space */
unsigned long svc_tls(void);
unsigned long svc_tls(void)
{
	const __seg_fs unsigned long *tls = 0;

	return *tls;
}
