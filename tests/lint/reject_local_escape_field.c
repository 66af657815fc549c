/* Fixture: &local stored into a field of an object reached through a
 * pointer (the caller's or the heap's: it outlives this frame). */
struct req {
	char *buf;
	unsigned len;
};

void svc_fill(struct req *r);

void svc_fill(struct req *r)
{
	char scratch[32] = { 0 };

	r->buf = scratch;
	r->len = sizeof scratch;
}
