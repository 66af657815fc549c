/* Peer of conflict_typedef.c: svc_cookie_t holds a pointer here. */
typedef struct {
	char *name;
	unsigned long len;
} svc_cookie_t;

char svc_cookie_first(const svc_cookie_t *c);
char svc_cookie_first(const svc_cookie_t *c)
{
	return *c->name;
}
