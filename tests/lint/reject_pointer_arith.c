/* Fixture: pointer + integer. */
int svc_next(int *p) { int *q = p + 1; return *q; }
