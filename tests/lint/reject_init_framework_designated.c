/* Fixture: a designator naming a __private field of a framework struct
 * (struct fake_cursor's pos; the field name has no fw__ prefix). */
#include <fw/fake.h>
struct fake_cursor svc_cursor(void);
struct fake_cursor svc_cursor(void)
{
	struct fake_cursor c = { .len = 4, .pos = 100 };
	return c;
}
