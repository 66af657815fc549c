/* redteam: token pasting builds 'volatile' from a literal prefix to slip an MMIO-style access past the volatile rule. expect: token-paste */
#define QUAL(x) vola##x

int svc_v(void);
int svc_v(void)
{
	QUAL(tile) int x = 1;

	return x;
}
