/* redteam: a __thread variable is addressed through %fs, which in the kernel still holds the user's TLS base. expect: thread-local */
static __thread int counter;

int svc_tls(void);
int svc_tls(void) { return ++counter; }
