/* Fixture: function pointer cast. */
typedef int (*fn_t)(int);
static long other(long x) { return x; }
int svc_call(int v) { fn_t f = (fn_t)other; return f(v); }
