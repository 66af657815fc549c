/* Fixture: #define of a keyword. */
#define struct union
int svc_r(void);
int svc_r(void) { return 0; }
