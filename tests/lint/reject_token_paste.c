/* Fixture: '##' on a macro parameter can form any name (here asm) that the
 * token rules would never see. */
#define CAT(a, b) a##b
int svc_t(void);
int svc_t(void) { return 0; }
