/* Fixture: alloca. */
int svc_alloca(unsigned long n) { char *p = __builtin_alloca(n); return p != 0; }
