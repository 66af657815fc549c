/* redteam: two files give the typedef svc_cookie_t different anonymous struct layouts, one with a pointer where the other has an integer. redteam-with: tests/redteam/static/peers/conflict_typedef_peer.c. expect: type-conflict */
typedef struct {
	unsigned long raw;
	unsigned long len;
} svc_cookie_t;

void svc_cookie_set(svc_cookie_t *c);
void svc_cookie_set(svc_cookie_t *c)
{
	c->raw = 0xffff800000001000;
}
