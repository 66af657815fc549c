/* redteam: keep a pointer to a freed object and write through it after allocating an object of another type that holds a pointer, hoping to forge that pointer. expect: PASS */
#include <fw/heap.h>
#include "redteam.h"

struct plain {
	uint64_t words[4]; /* 32 bytes, the same size class as below */
};

struct holder {
	uint64_t *target;
	uint64_t pad[3];
};

FW_KTEST(redteam_ok_uaf_stays_in_type)
{
	struct plain *stale = FW_NEW(struct plain);
	struct holder *h[64];

	FW_KT_CHECK(stale != 0);
	fw_free(stale);
	/* Allocate many objects of the other type: with one heap, one of
	 * them would take the freed slot. */
	for (unsigned i = 0; i < FW_ARRAY_LEN(h); i++) {
		h[i] = FW_NEW(struct holder);
		FW_KT_CHECK(h[i] != 0);
	}
	for (unsigned i = 0; i < FW_ARRAY_LEN(stale->words); i++)
		stale->words[i] = 0x4141414141414141ull; /* the use after free */
	for (unsigned i = 0; i < FW_ARRAY_LEN(h); i++) {
		FW_KT_CHECKF(h[i]->target == 0,
			     "a stale struct plain pointer forged holder %u", i);
		fw_free(h[i]);
	}
}
