/* Fixture: alias attribute. */
int svc_real(void) { return 0; }
int svc_alias(void) __attribute__((weak, alias("svc_real")));
