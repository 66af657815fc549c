/* Fixture: including an arch header. */
#include <arch/x86.h>
int svc_inc2(void) { return 0; }
