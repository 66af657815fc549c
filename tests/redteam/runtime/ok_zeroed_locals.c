/* redteam: read a local struct's padding and an unset field, hoping for the kernel stack's old contents (pointers) to copy to user space. expect: PASS */
#include <fw/bytes.h>
#include "redteam.h"

uint64_t redteam_zero;

struct padded {
	uint8_t tag;     /* then 7 bytes of padding */
	uint64_t value;
	uint32_t unset;  /* then 4 bytes of padding */
};

static uint64_t dirty(void)
{
	uint64_t junk[32];

	for (unsigned i = 0; i < FW_ARRAY_LEN(junk); i++)
		junk[i] = 0xFFFF800012345678ull + redteam_value(i);
	return junk[redteam_value(3) % FW_ARRAY_LEN(junk)];
}

static bool padding_clean(void)
{
	struct padded p;
	struct fw_bytes view;
	uint8_t byte;

	p.tag = 1;
	p.value = 2;
	/* Read the padding and the field never set through a byte view
	 * (reading p.unset directly is a compile error: -Werror). */
	view = FW_BYTES_OF_OBJ(&p);
	for (size_t i = 0; i < sizeof(p); i++) {
		if (i == 0 || (i >= 8 && i < 16))
			continue; /* tag and value */
		if (fw_bytes_get_u8(view, i, &byte) || byte != 0)
			return false;
	}
	return true;
}

FW_KTEST(redteam_ok_zeroed_locals)
{
	FW_KT_CHECK(dirty() != 0);
	FW_KT_CHECK(padding_clean());
}
