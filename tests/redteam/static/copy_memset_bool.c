/* redteam: memset with 0xc8 over a struct with a bool stores 200 in it, which indexes a two-entry table far out of bounds. expect: typed-copy */
#include <stdbool.h>
#include <fw/string.h>

struct state {
	bool on;
	int n;
};

static struct state st;
static const int table[2] = { 1, 2 };

int svc_state(void);
int svc_state(void)
{
	memset(&st, 0xc8, sizeof st);
	return table[st.on];
}
