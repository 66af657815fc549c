/* Fixture: union whose member struct holds a pointer. */
struct holder { char *p; };
union pun2 { struct holder h; unsigned long raw; };
unsigned long svc_pun2(union pun2 u) { return u.raw; }
