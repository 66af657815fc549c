/* redteam: a block-scope compound literal has automatic storage; its address kept in a global points into a dead frame that later calls overwrite, so the "constant" default config read through it is attacker-shaped. expect: local-escape */
struct cfg {
	unsigned long limit;
	unsigned long flags;
};

static struct cfg *g_cfg;

void svc_default_cfg(void);
void svc_default_cfg(void)
{
	g_cfg = &(struct cfg){ .limit = 4096, .flags = 0 };
}

unsigned long svc_limit(void);
unsigned long svc_limit(void)
{
	return g_cfg ? g_cfg->limit : 0;
}
