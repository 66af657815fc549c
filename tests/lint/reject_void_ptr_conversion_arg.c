/* Fixture: void * passed to a struct pointer parameter. */
struct foo { int x; };
static int take(struct foo *f) { return f->x; }
int svc_pass(void *v) { return take(v); }
