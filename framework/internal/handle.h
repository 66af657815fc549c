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
 * stale mapping, list or device address. Timers, DMA buffers, MMIO and
 * port ranges and address spaces also carry a generation in the handle
 * value, so a stale one is caught even when its slot holds a newer object
 * of the same type. Tasks (handed out as raw pointers, which the
 * scheduler policy also holds) have the magic check only (SOUNDNESS.md). */
#ifndef INTERNAL_HANDLE_H
#define INTERNAL_HANDLE_H

#include <fw/compiler.h>

#define HANDLE_DEAD 0xdeadbeefu

/* A generation rides in bits 48..62 of the pointer value a service holds:
 * every framework object's address has them all set (the physical window
 * and the kernel image are in the top half), so they carry no address
 * information, and services never dereference a handle (its type is
 * incomplete to them). */
#define HANDLE_GEN_SHIFT 48
#define HANDLE_GEN_MASK 0x7fffull
#define HANDLE_GEN_FIELD (HANDLE_GEN_MASK << HANDLE_GEN_SHIFT)

struct handle {
	uint32_t magic; /* the type's HANDLE_* number while live */
	uint32_t gen;   /* generation, for handles that carry one */
};

FW_NORETURN void handle_bad(const void *obj, const char *what,
			    const void *caller);

/* A live object of kind magic, without a generation (tasks: services get
 * the raw pointer). */
static inline void handle_init(struct handle *h, uint32_t magic)
{
	h->magic = magic;
	h->gen = 0;
}

/* A live object of kind magic with the next generation of its kind
 * (gens: the kind's counter). Two objects that share a slot one after
 * the other differ in generation unless 32768 others of the kind were
 * made in between. */
static inline void handle_init_gen(struct handle *h, uint32_t magic,
				   uint32_t *gens)
{
	h->magic = magic;
	h->gen = (uint32_t)(__atomic_add_fetch(gens, 1, __ATOMIC_RELAXED) &
			    HANDLE_GEN_MASK);
}

static inline void handle_kill(struct handle *h)
{
	h->magic = HANDLE_DEAD;
}

/* A kernel address with a generation in bits 48..62, and back: the
 * representation of every handle with a generation (this header's, IRQ
 * lines, frames). handle_unpack returns the address; a value from user
 * space or NULL (bit 63 clear) unpacks to an address whose bit 63 is clear,
 * which callers must refuse before touching it (handle_unpack_ok). */
static inline uint64_t handle_pack(const void *obj, uint32_t gen)
{
	return ((uint64_t)(uintptr_t)obj & ~HANDLE_GEN_FIELD) |
	       ((uint64_t)gen & HANDLE_GEN_MASK) << HANDLE_GEN_SHIFT;
}

static inline bool handle_unpack_ok(uint64_t v)
{
	return v >> 63;
}

static inline uint64_t handle_unpack(uint64_t v, uint32_t *gen)
{
	*gen = (uint32_t)((v >> HANDLE_GEN_SHIFT) & HANDLE_GEN_MASK);
	return v | HANDLE_GEN_FIELD;
}

/* The value to give a service for the object whose first member is h. */
static inline uint64_t handle_encode(const struct handle *h)
{
	return handle_pack(h, h->gen);
}

/* The object behind a value from handle_encode, if it is still the live
 * object of kind magic it was given out as; else a panic naming the
 * caller. A released handle finds the slot dead, or reused by a newer
 * object of its kind, whose generation differs. */
static inline const struct handle *handle_decode(uint64_t v, uint32_t magic,
						 const char *what,
						 const void *caller)
{
	uint32_t gen;
	const struct handle *h =
		(const struct handle *)(uintptr_t)handle_unpack(v, &gen);

	if (FW_UNLIKELY(!handle_unpack_ok(v) || h->magic != magic ||
			h->gen != gen))
		handle_bad((const void *)(uintptr_t)v, what, caller);
	return h;
}

/* For object types whose first member is `struct handle hdl`: the value
 * to hand out, and the checked object behind a value (of the same
 * pointer type, const or not). */
#define HANDLE_OUT(obj) ((__typeof__(obj))(uintptr_t)handle_encode(&(obj)->hdl))
#define HANDLE_IN(p, magic, what)                                              \
	((__typeof__(p))(uintptr_t)handle_decode((uint64_t)(uintptr_t)(p),      \
						 (magic), (what),              \
						 __builtin_return_address(0)))

/* Panic unless obj (whose member hdl is a struct handle) is a live object
 * of the kind `magic` (handles without a generation: tasks). Call from
 * every API entry point. */
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
