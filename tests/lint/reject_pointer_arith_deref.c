/* Fixture: *(p + 1) and pointer difference. */
long svc_diff(int *p, int *q) { return *(p + 1) + (q - p); }
