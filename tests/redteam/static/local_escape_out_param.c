/* redteam: a lookup hands its caller a pointer to a name built in its own stack array through an out-parameter; the caller's later reads return another call's saved registers (a kernel address leak) and its writes corrupt them. expect: local-escape */
struct name {
	char s[32];
};

int svc_lookup(int id, struct name **out);
int svc_lookup(int id, struct name **out)
{
	struct name n = { .s = "tmp" };

	n.s[0] = (char)('a' + id % 26);
	*out = &n;
	return 0;
}
