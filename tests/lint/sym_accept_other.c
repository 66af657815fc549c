/* Symbol-gate fixture: a second services object that defines svc_other. */
int svc_other(int x) { return x + 1; }
