/* Fixture: reaching into framework internals by a relative path. */
#include "../../framework/include/fw/compiler.h"
int svc_inc(void) { return 0; }
