/* redteam: FW_ARRAY_LEN on a pointer would give sizeof(pointer)/sizeof(element) and a view of the wrong length. expect: cc:negative width in bit-field */
#include <fw/compiler.h>

unsigned long svc_len(int *p);
unsigned long svc_len(int *p)
{
	return FW_ARRAY_LEN(p);
}
