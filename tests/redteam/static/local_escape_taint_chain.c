/* redteam: the address of a local is laundered through a local pointer and a local struct before it lands in a global context; the next system call writes its arguments through the global into a dead frame. expect: local-escape */
struct io_ctx {
	unsigned long *args;
	int nargs;
};

static struct io_ctx g_ctx;

void svc_prepare(unsigned long a0);
void svc_prepare(unsigned long a0)
{
	unsigned long args[6] = { a0 };
	unsigned long *p = args;
	struct io_ctx c = { 0 };

	c.nargs = 6;
	c.args = p;
	g_ctx = c;
}

void svc_next_call(unsigned long v);
void svc_next_call(unsigned long v)
{
	if (g_ctx.args)
		*g_ctx.args = v;
}
