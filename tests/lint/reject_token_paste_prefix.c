/* Fixture: '##' forming __builtin_* / volatile from a literal prefix. */
#define VOL(x) vola##x
#define BI(x) __builtin##x
int svc_t(void);
int svc_t(void) { return 0; }
