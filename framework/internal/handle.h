/* internal/handle.h: what every framework object a service holds a
 * pointer to starts with.
 *
 * Layer: framework internal. C lets a service keep a handle after it
 * released it. Such an object lives in a heap partition of its own type
 * (KHEAP_NEW, framework/mm/heap.c), so the stale pointer still points at
 * an object of the same type or at a dead one, never at something else;
 * and every framework API checks the magic number before it trusts a
 * field. Release sets it to HANDLE_DEAD, so using a released handle is a
 * panic naming the kind of handle and the caller, not a write through a
 * stale mapping, list or device address. What stays possible: a stale
 * handle whose slot was reused for a new object of the same type reaches
 * that object (SOUNDNESS.md). */
#ifndef INTERNAL_HANDLE_H
#define INTERNAL_HANDLE_H

#include <fw/compiler.h>

#define HANDLE_DEAD 0xdeadbeefu

struct handle {
	uint32_t magic; /* the type's HANDLE_* number while live */
	uint32_t spare;
};

FW_NORETURN void handle_bad(const void *obj, const char *what,
			    const void *caller);

static inline void handle_init(struct handle *h, uint32_t magic)
{
	h->magic = magic;
}

static inline void handle_kill(struct handle *h)
{
	h->magic = HANDLE_DEAD;
}

/* Panic unless obj (whose first member is a struct handle named hdl) is a
 * live object of the kind `magic`. Call from every API entry point, with
 * the entry point's own return address as caller. */
#define HANDLE_CHECK(obj, magic_, what)                                        \
	do {                                                                   \
		if (FW_UNLIKELY(!(obj) || (obj)->hdl.magic != (magic_)))       \
			handle_bad((obj), (what),                              \
				   __builtin_return_address(0));               \
	} while (0)

/* Magic numbers, one per kind (ASCII tags, to be readable in a dump). */
#define HANDLE_IOMEM 0x4d4f4948u  /* "HIOM" */
#define HANDLE_IOPORT 0x54504f49u /* "IOPT" */
#define HANDLE_DMA 0x414d4448u    /* "HDMA" */
#define HANDLE_TIMER 0x524d4954u  /* "TIMR" */
#define HANDLE_TASK 0x4b534154u   /* "TASK" */
#define HANDLE_VMSPACE 0x53504d56u /* "VMPS" */

#endif
