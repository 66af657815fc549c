/* Fixture: integer -> pointer cast (forging a pointer). */
int svc_forge(unsigned long addr) { int *p = (int *)addr; return *p; }
