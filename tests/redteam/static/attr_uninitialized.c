/* redteam: __attribute__((uninitialized)) undoes -ftrivial-auto-var-init=zero so an old pointer left on the stack is used. expect: attribute */
int svc_stale(void);
int svc_stale(void)
{
	int *p __attribute__((uninitialized));

	return p != 0;
}
