/* framework/panic/ubsan.c: what a compiler-inserted check in a service
 * calls when it fails.
 *
 * Layer: framework (panic). Services are compiled with
 * -fsanitize=bounds-strict,bool,enum -fno-sanitize-recover=all (Makefile,
 * SERVICES_HARDEN): every array index is compared with the array's bound,
 * and every _Bool or enum loaded from memory with its range, before the
 * access happens. A failed check calls one of the handlers below, which
 * panic with the source line, the type and the bad value, so the access
 * that would have corrupted memory never runs. This is Linux's
 * CONFIG_UBSAN_BOUNDS with CONFIG_UBSAN_TRAP's outcome, and the message of
 * lib/ubsan.c.
 *
 * The descriptors are the layout gcc and clang emit for these handlers
 * (the UBSan runtime ABI, compiler-rt ubsan_handlers.h); only the fields
 * read here are declared. Recoverable variants exist too, because a file
 * built without -fno-sanitize-recover would call them: they panic all the
 * same. */
#include <fw/panic.h>

struct ubsan_loc {
	const char *file; /* source file, as the compiler was given it */
	uint32_t line;
	uint32_t column;
};

struct ubsan_type {
	uint16_t kind; /* 0: integer, 1: float, 0xffff: other */
	uint16_t info; /* integers: bit 0 signed, bits 1..: log2(bit width) */
	char name[];   /* NUL-terminated, e.g. "int [4]" */
};

struct ubsan_oob_data {
	struct ubsan_loc loc;
	const struct ubsan_type *array;
	const struct ubsan_type *index;
};

struct ubsan_invalid_data {
	struct ubsan_loc loc;
	const struct ubsan_type *type;
};

/* Values no wider than a pointer are passed in the pointer itself;
 * wider ones (128-bit) by address. Signed values are sign-extended from
 * their width so a negative index prints as one. */
static int64_t ubsan_value(const struct ubsan_type *t, uintptr_t v)
{
	unsigned bits = t->kind == 0 ? 1u << (t->info >> 1) : 64;

	if (bits > 64)
		return (int64_t)*(const uint64_t *)v; /* low half is enough */
	if ((t->info & 1) && bits < 64) {
		uint64_t sign = 1ull << (bits - 1);
		uint64_t x = v & ((sign << 1) - 1);
		return (int64_t)((x ^ sign) - sign);
	}
	return (int64_t)v;
}

void __ubsan_handle_out_of_bounds(struct ubsan_oob_data *d, uintptr_t index);
void __ubsan_handle_out_of_bounds_abort(struct ubsan_oob_data *d,
					uintptr_t index);
void __ubsan_handle_load_invalid_value(struct ubsan_invalid_data *d,
				       uintptr_t val);
void __ubsan_handle_load_invalid_value_abort(struct ubsan_invalid_data *d,
					     uintptr_t val);

void __ubsan_handle_out_of_bounds(struct ubsan_oob_data *d, uintptr_t index)
{
	fw_panic("ubsan: index %lld out of bounds for type %s at %s:%u:%u",
		 (long long)ubsan_value(d->index, index), d->array->name,
		 d->loc.file, d->loc.line, d->loc.column);
}

void __ubsan_handle_out_of_bounds_abort(struct ubsan_oob_data *d,
					uintptr_t index)
{
	__ubsan_handle_out_of_bounds(d, index);
}

void __ubsan_handle_load_invalid_value(struct ubsan_invalid_data *d,
				       uintptr_t val)
{
	fw_panic("ubsan: load of value %lld, which is not a valid value for "
		 "type %s, at %s:%u:%u",
		 (long long)ubsan_value(d->type, val), d->type->name,
		 d->loc.file, d->loc.line, d->loc.column);
}

void __ubsan_handle_load_invalid_value_abort(struct ubsan_invalid_data *d,
					     uintptr_t val)
{
	__ubsan_handle_load_invalid_value(d, val);
}
