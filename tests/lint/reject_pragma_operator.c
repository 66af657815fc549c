/* Fixture: the _Pragma operator inside a macro. */
#define NOOPT _Pragma("GCC optimize(\"O0\")")
NOOPT
int svc_p(void);
int svc_p(void) { return 0; }
