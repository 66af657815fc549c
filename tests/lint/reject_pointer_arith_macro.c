/* Fixture: pointer arithmetic hidden in a service macro. */
#define NEXT(p) ((p) + 1)
int svc_m(int *p) { return *NEXT(p); }
