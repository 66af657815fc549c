/* redteam: the _Pragma operator inside a macro turns off the frame size warning for a 64 KiB local array. expect: pragma */
#define QUIET _Pragma("GCC diagnostic ignored \"-Wframe-larger-than=\"")

QUIET
int svc_big(unsigned i);
int svc_big(unsigned i)
{
	char big[65536];

	big[i & 65535] = 1;
	return big[0];
}
