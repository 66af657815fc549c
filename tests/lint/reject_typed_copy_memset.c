/* Fixture: memset with a non-zero byte over a struct with a _Bool. */
#include <stdbool.h>
#include <fw/string.h>
struct flags {
	bool on;
	int n;
};
static struct flags fl;
void svc_fill(void);
void svc_fill(void) { memset(&fl, 0xc8, sizeof fl); }
