/* Fixture: thread-local storage (%fs is the user's). */
static __thread int svc_tls;
int svc_get_tls(void) { return svc_tls; }
