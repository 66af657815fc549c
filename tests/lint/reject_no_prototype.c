/* Fixture: unprototyped declaration: arguments are not type-checked. */
int svc_helper();
int svc_np(void) { return svc_helper(1, 2, 3); }
