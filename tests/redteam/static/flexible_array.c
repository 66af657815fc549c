/* redteam: a flexible array member has no bound, so indexes past the allocation are never checked. expect: flexible-array */
struct msg {
	unsigned len;
	char data[];
};

char svc_at(struct msg *m, unsigned i);
