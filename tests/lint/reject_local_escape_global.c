/* Fixture: &local stored in a global outlives the frame. */
static int *g_last;

void svc_remember(int v);

void svc_remember(int v)
{
	int copy = v;

	g_last = &copy;
}

int svc_last(void);

int svc_last(void)
{
	return g_last ? *g_last : 0;
}
