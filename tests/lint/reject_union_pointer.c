/* Fixture: union with a pointer member (pointer/integer punning). */
union pun { unsigned long addr; int *ptr; };
int svc_pun(unsigned long a) { union pun u; u.addr = a; return *u.ptr; }
