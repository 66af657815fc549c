/* Fixture: the local address goes through a local copy (and a struct
 * member of a local) before it is stored in a global. */
struct ctx {
	char *cursor;
	int n;
};

static struct ctx g_ctx;
static char *g_ptr;

void svc_parse(void);

void svc_parse(void)
{
	char line[64] = { 0 };
	char *q = line;
	struct ctx c = { 0 };

	c.cursor = q;
	g_ctx = c;
	g_ptr = q;
}
