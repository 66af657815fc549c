/* tests/lint/include/fw/fake.h: a fake framework header for the gate's
 * fixtures. Layer: framework (as far as the gate is concerned: it lives under
 * an include/fw/ directory), so casts, pointer arithmetic and fw__ names
 * spelled here are allowed even when the macros expand in a service. */
#ifndef FW_FAKE_H
#define FW_FAKE_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct fake_obj {
	int a;
	struct fake_obj *next;
};


/* A framework struct with a __private field (conventions section 6). */
#define __private
struct fake_cursor {
	size_t pos __private;
	size_t len;
};

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void *fw__fake_alloc(size_t n);
void *fw_fake_raw(void);
int fw_fake_use(const void *p, size_t n);

/* Typed allocator: the cast is spelled here, so services get no void *. */
#define FW_NEW(type) ((type *)fw__fake_alloc(sizeof(type)))
/* container_of: cast and pointer arithmetic spelled in the framework. */
#define FW_CONTAINER_OF(ptr, type, member)                                     \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define FW_RAW() fw_fake_raw()

static inline uint8_t fw_fake_byte_at(const uint8_t *p, size_t i)
{
	return *(p + i); /* pointer arithmetic inside the framework: fine */
}

static inline size_t fw_fake_cursor_pos(const struct fake_cursor *c)
{
	return c->pos;
}

#endif
