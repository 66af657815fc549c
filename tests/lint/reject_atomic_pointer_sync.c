/* Fixture: the legacy __sync builtins. */
static long counter;
long svc_inc(void);
long svc_inc(void) { return __sync_fetch_and_add(&counter, 1); }
