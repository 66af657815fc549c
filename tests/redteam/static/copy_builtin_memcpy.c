/* redteam: __builtin_memcpy of integers over a struct holding a function pointer forges the pointer and calls through it. expect: typed-copy */
struct ops {
	int (*run)(void);
};

static struct ops o;

int svc_run(unsigned long addr);
int svc_run(unsigned long addr)
{
	unsigned long raw[1] = { addr };

	__builtin_memcpy(&o, raw, sizeof o);
	return o.run();
}
