/* redteam: #pragma GCC optimize drops stack-clash protection and bounds checks for the functions after it. expect: pragma */
#pragma GCC push_options
#pragma GCC optimize("no-stack-clash-protection", "no-sanitize=bounds-strict")

int svc_sum(unsigned i);
int svc_sum(unsigned i)
{
	int a[4] = { 1, 2, 3, 4 };

	return a[i];
}
#pragma GCC pop_options
