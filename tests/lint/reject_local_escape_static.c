/* Fixture: a static local is not automatic storage: it outlives the call
 * just like a global. */
int svc_cache(int v);

int svc_cache(int v)
{
	static int *prev;
	int cur = v;
	int r = prev ? *prev : 0;

	prev = &cur;
	return r;
}
