/* Fixture: __builtin_memcpy. */
struct s { int a[4]; };
void svc_bcopy(struct s *d, struct s *s) { __builtin_memcpy(&d->a, &s->a, sizeof d->a); }
