/* redteam: a static local caches the address of the previous call's stack buffer; the next call writes into it, into a frame that belongs to some other, deeper call by then. expect: local-escape */
struct line {
	char s[64];
};

int svc_cached_put(char c);
int svc_cached_put(char c)
{
	static struct line *last;
	struct line cur = { .s = "" };

	if (last)
		last->s[0] = c;
	last = &cur;
	return cur.s[0];
}
