/* redteam: __attribute__((cleanup)) runs a call the gate never sees when the variable goes out of scope. expect: attribute */
static void svc_drop(int *p) { *p = 0; }

int svc_scope(void);
int svc_scope(void)
{
	int x __attribute__((cleanup(svc_drop))) = 1;

	return x;
}
