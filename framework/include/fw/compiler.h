/* fw/compiler.h: compiler annotations shared by the framework and services.
 *
 * Layer: framework public API (no code, only macros).
 * The lock annotations follow Zircon's __TA_* and FreeBSD's sys/cdefs.h: under
 * clang they become -Wthread-safety attributes, elsewhere they vanish. */
#ifndef FW_COMPILER_H
#define FW_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Results that carry a negative errno must be looked at. */
#define FW_MUST_CHECK __attribute__((warn_unused_result))
#define FW_NORETURN __attribute__((noreturn))
#define FW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FW_UNUSED __attribute__((unused))
#define FW_LIKELY(x) __builtin_expect(!!(x), 1)
#define FW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FW_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
/* A static assertion usable inside an expression (typed-macro front ends). */
#define FW_EXPR_ASSERT(cond, msg)                                              \
	((void)sizeof(struct {                                                 \
		_Static_assert(cond, msg);                                     \
		int fw_expr_assert_;                                           \
	}))
/* Number of elements of a real array (not a pointer: the sizeof trick would
 * silently give the wrong answer, so reject pointers at compile time). */
#define FW_ARRAY_LEN(a)                                                        \
	(sizeof(a) / sizeof((a)[0]) +                                          \
	 0 * sizeof(struct {                                                   \
		 int not_an_array                                              \
		     : __builtin_types_compatible_p(__typeof__(a),             \
						    __typeof__(&(a)[0])) ? -1 : 1; \
	 }))

/* Fields of framework structs that services must not touch directly. The
 * structs are visible only so hot accessors can be static inline. */
#define __private

#if defined(__clang__)
#define FW_CAPABILITY(x) __attribute__((capability(x)))
#define FW_GUARDED_BY(l) __attribute__((guarded_by(l)))
#define FW_REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define FW_ACQUIRES(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define FW_RELEASES(...) __attribute__((release_capability(__VA_ARGS__)))
#define FW_NO_THREAD_SAFETY __attribute__((no_thread_safety_analysis))
#else
#define FW_CAPABILITY(x)
#define FW_GUARDED_BY(l)
#define FW_REQUIRES(...)
#define FW_ACQUIRES(...)
#define FW_RELEASES(...)
#define FW_NO_THREAD_SAFETY
#endif

#endif
