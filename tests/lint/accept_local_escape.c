/* Fixture: what local-escape allows: borrowing a local for the length of a
 * call, keeping its address in other locals of the same function (members,
 * arrays, views, cursors), returning and storing values, not addresses. */
#include <fw/bytes.h>
#include <fw/time.h>

struct req {
	char *buf;
	unsigned len;
	struct fw_buf view;
};

static struct req g_req;
static int g_sum;
static int g_ticks;

static int consume(struct req *r)
{
	return (int)r->len;
}

static int sum_view(struct fw_bytes b)
{
	return (int)fw_bytes_len(b);
}

static void tick(int *n)
{
	(*n)++;
}

int svc_local_ok(struct req *out, char *caller_buf);

int svc_local_ok(struct req *out, char *caller_buf)
{
	char scratch[32] = { 0 };
	int vals[4] = { 1, 2, 3, 4 };
	struct req r = { .buf = scratch, .len = sizeof scratch };
	struct req rs[2];
	struct fw_reader rd;
	struct fw_bytes head;
	struct fw_timer *t;
	char *q = scratch;
	int n;

	r.view = FW_BUF_OF_ARRAY(scratch);          /* local struct member */
	rs[0] = r;                                  /* local array element */
	rs[1].buf = q;
	n = consume(&r) + consume(&rs[1]);          /* borrowed for the call */
	n += sum_view(FW_BYTES_OF_ARRAY(vals));     /* a view passed to a call */
	fw_reader_init(&rd, FW_BYTES_OF_ARRAY(vals));
	if (fw_reader_bytes(&rd, 4, &head) == 0)
		n += sum_view(head);
	g_sum = n + (int)r.len;                     /* values, not addresses */
	g_req.len = r.len;
	out->len = rs[0].len;
	out->buf = caller_buf;                      /* not a local's address */
	g_req.buf = out->buf;
	if (FW_TIMER_CREATE(tick, &g_ticks, &t) == 0) /* static storage: fine */
		fw_timer_destroy(t);
	return n;
}

char *svc_pass_through(char *p);

char *svc_pass_through(char *p)
{
	char *q = p;

	return q;
}
