/* redteam: __attribute__((no_sanitize("bounds"))) removes the bounds check so a variable index runs past the array. expect: attribute */
__attribute__((no_sanitize("bounds"))) int svc_index(unsigned i);

int svc_index(unsigned i)
{
	int a[4] = { 0 };

	return a[i];
}
