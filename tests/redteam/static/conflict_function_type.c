/* redteam: a file calls a function of another file through its own prototype with another parameter type, passing an integer where a pointer is read. redteam-with: tests/redteam/static/peers/conflict_function_peer.c. expect: type-conflict */
long svc_lookup(long key);

long svc_use(void);
long svc_use(void)
{
	return svc_lookup(0xffff800000001000);
}
