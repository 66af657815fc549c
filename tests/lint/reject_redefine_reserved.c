/* Fixture: #undef of a compiler-predefined (reserved) macro. */
#undef __x86_64__
int svc_r(void);
int svc_r(void) { return 0; }
