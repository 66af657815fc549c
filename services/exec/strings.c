/* services/exec/strings.c: the kernel copy of execve's argv and envp.
 *
 * Layer: services (safe C). The strings must be copied out of the old
 * address space before it is replaced, and they are written to the new
 * stack later; they live packed in one heap buffer (struct exec_strings)
 * and are walked with fw_bytes_memchr. Limits: one string up to the whole
 * EXEC_ARGS_MAX (Linux's MAX_ARG_STRLEN is also 128 KiB), E2BIG beyond. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>

#include "exec/exec.h"

int exec_strings_init(struct exec_strings *s)
{
	s->len = 0;
	s->argc = 0;
	s->envc = 0;
	s->execfn = NULL;
	return fw_buf_alloc(EXEC_ARGS_MAX, &s->buf);
}

void exec_strings_free(struct exec_strings *s)
{
	fw_buf_free(&s->buf);
	if (s->execfn)
		kpath_free(s->execfn);
	s->execfn = NULL;
	s->len = 0;
	s->argc = 0;
	s->envc = 0;
}

int exec_strings_set_execfn(struct exec_strings *s, const struct kpath *path)
{
	if (!s->execfn)
		s->execfn = kpath_alloc();
	if (!s->execfn)
		return -ENOMEM;
	FW_STATIC_ASSERT(sizeof(s->execfn->s) == sizeof(path->s), "kpath");
	memcpy(s->execfn->s, path->s, sizeof(s->execfn->s));
	return 0;
}

/* Append str and a NUL at the end of the buffer. */
static int append(struct exec_strings *s, struct fw_bytes str)
{
	size_t n = fw_bytes_len(str);

	if (s->argc + s->envc >= EXEC_MAX_STRINGS ||
	    n >= fw_buf_len(s->buf) - s->len)
		return -E2BIG;
	if (fw_buf_copy_from(s->buf, s->len, str) ||
	    fw_buf_put_u8(s->buf, s->len + n, 0))
		return -E2BIG;
	s->len += n + 1;
	return 0;
}

int exec_strings_add_arg(struct exec_strings *s, struct fw_bytes str)
{
	int err;

	if (s->envc)
		return -EINVAL;
	err = append(s, str);
	if (!err)
		s->argc++;
	return err;
}

int exec_strings_add_env(struct exec_strings *s, struct fw_bytes str)
{
	int err = append(s, str);

	if (!err)
		s->envc++;
	return err;
}

/* Copy the user string at u to the end of the buffer. */
static int append_user(struct exec_strings *s, fw_uptr_t u)
{
	struct fw_buf room;
	long n;

	if (s->argc + s->envc >= EXEC_MAX_STRINGS || s->len >= fw_buf_len(s->buf))
		return -E2BIG;
	if (fw_buf_sub(s->buf, s->len, fw_buf_len(s->buf) - s->len, &room))
		return -E2BIG;
	n = fw_copy_in_str(room, u);
	if (n == -ENAMETOOLONG)
		return -E2BIG;
	if (n < 0)
		return (int)n;
	s->len += (size_t)n + 1;
	return 0;
}

/* Append the strings of a NULL-terminated user pointer array. */
static int copy_vector(struct exec_strings *s, fw_uptr_t vec, unsigned *count)
{
	if (fw_uptr_is_null(vec))
		return 0;
	for (uint64_t i = 0;; i++) {
		uint64_t ptr;
		int err;

		if (i >= EXEC_MAX_STRINGS)
			return -E2BIG;
		if (FW_COPY_IN_OBJ(&ptr, fw_uptr_add(vec, i * 8)))
			return -EFAULT;
		if (!ptr)
			return 0;
		err = append_user(s, fw_uptr(ptr));
		if (err)
			return err;
		(*count)++;
	}
}

int exec_strings_from_user(struct exec_strings *s, fw_uptr_t argv,
			   fw_uptr_t envp)
{
	int err;

	if (s->envc)
		return -EINVAL;
	err = copy_vector(s, argv, &s->argc);
	if (err)
		return err;
	return copy_vector(s, envp, &s->envc);
}

int exec_strings_push_front(struct exec_strings *s, struct fw_bytes str)
{
	size_t n = fw_bytes_len(str);
	struct fw_bytes old;

	if (s->argc + s->envc >= EXEC_MAX_STRINGS ||
	    n >= fw_buf_len(s->buf) - s->len)
		return -E2BIG;
	/* Shift everything up by n + 1 (memmove semantics), then write. */
	if (fw_bytes_sub(fw_buf_as_bytes(s->buf), 0, s->len, &old) ||
	    fw_buf_copy_from(s->buf, n + 1, old) ||
	    fw_buf_copy_from(s->buf, 0, str) || fw_buf_put_u8(s->buf, n, 0))
		return -E2BIG;
	s->len += n + 1;
	s->argc++;
	return 0;
}

void exec_strings_pop_front(struct exec_strings *s)
{
	struct fw_bytes all = fw_buf_as_bytes(s->buf), rest;
	long nul;
	size_t cut;

	if (!s->argc)
		return;
	if (fw_bytes_sub(all, 0, s->len, &all))
		return;
	nul = fw_bytes_memchr(all, 0, 0);
	if (nul < 0)
		return;
	cut = (size_t)nul + 1;
	if (fw_bytes_sub(all, cut, s->len - cut, &rest) ||
	    fw_buf_copy_from(s->buf, 0, rest))
		return;
	s->len -= cut;
	s->argc--;
}
