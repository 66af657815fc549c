/* Fixture: brace elision reaching the __private fields of a framework struct
 * inside a service struct. */
#include <fw/bytes.h>
static uint8_t arr[16];
struct svc {
	struct fw_buf b;
	int n;
};
struct svc svc_make(void);
struct svc svc_make(void)
{
	struct svc s = { arr, 4096, 1 };
	return s;
}
