/* fw/list.h: intrusive doubly linked lists.
 *
 * Layer: framework public API (header only). Services cannot write the
 * pointer cast that turns a list node back into its containing object, so
 * FW_LIST_ENTRY does it here, where casts are allowed; the gate looks at
 * where a token is spelled. Circular with a sentinel head, as in Linux. */
#ifndef FW_LIST_H
#define FW_LIST_H

#include <fw/compiler.h>

struct fw_list {
	struct fw_list *next; /* next node, or the head */
	struct fw_list *prev; /* previous node, or the head */
};

#define FW_LIST_HEAD_INIT(name) { &(name), &(name) }

/* The object of type `type` whose field `member` is the node `ptr`.
 * Checked at compile time: ptr must point to the member's own type (so a
 * struct fw_timer * cannot be turned into the object around a list node),
 * and member must name a field at a constant offset (gcc accepts
 * offsetof(type, arr[i]) with a run-time i, which would make this pointer
 * arithmetic by any amount; a bit-field width must be a constant). What
 * no compiler can check is that the node really lives in a `type`: see
 * SOUNDNESS.md. */
#define FW_CONTAINER_OF(ptr, type, member)                                     \
	(FW_EXPR_ASSERT(__builtin_types_compatible_p(                          \
				__typeof__(*(ptr)),                            \
				__typeof__(((type *)0)->member)),              \
			"FW_CONTAINER_OF: ptr is not a pointer to the member's type"), \
	 (void)sizeof(struct {                                                 \
		 int fw_member_offset_must_be_constant_                        \
		     : 0 * (int)__builtin_offsetof(type, member) + 1;          \
	 }),                                                                   \
	 (type *)(void *)((char *)(ptr)-__builtin_offsetof(type, member)))
#define FW_LIST_ENTRY(ptr, type, member) FW_CONTAINER_OF(ptr, type, member)
#define FW_LIST_FIRST(head, type, member)                                      \
	((head)->next == (head) ? (type *)0                                    \
				: FW_CONTAINER_OF((head)->next, type, member))
#define FW_LIST_LAST(head, type, member)                                       \
	((head)->prev == (head) ? (type *)0                                    \
				: FW_CONTAINER_OF((head)->prev, type, member))
#define FW_LIST_FOR_EACH(pos, head, member)                                    \
	for (pos = FW_CONTAINER_OF((head)->next, __typeof__(*pos), member);    \
	     &pos->member != (head);                                           \
	     pos = FW_CONTAINER_OF(pos->member.next, __typeof__(*pos), member))
#define FW_LIST_FOR_EACH_REVERSE(pos, head, member)                            \
	for (pos = FW_CONTAINER_OF((head)->prev, __typeof__(*pos), member);    \
	     &pos->member != (head);                                           \
	     pos = FW_CONTAINER_OF(pos->member.prev, __typeof__(*pos), member))
#define FW_LIST_FOR_EACH_SAFE(pos, tmp, head, member)                          \
	for (pos = FW_CONTAINER_OF((head)->next, __typeof__(*pos), member),    \
	    tmp = FW_CONTAINER_OF(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head); pos = tmp,                                \
	    tmp = FW_CONTAINER_OF(tmp->member.next, __typeof__(*tmp), member))

static inline void fw_list_init(struct fw_list *l)
{
	l->next = l;
	l->prev = l;
}
static inline bool fw_list_empty(const struct fw_list *l)
{
	return l->next == l;
}
static inline void fw__list_insert(struct fw_list *n, struct fw_list *prev,
				   struct fw_list *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void fw_list_add_head(struct fw_list *head, struct fw_list *n)
{
	fw__list_insert(n, head, head->next);
}
static inline void fw_list_add_tail(struct fw_list *head, struct fw_list *n)
{
	fw__list_insert(n, head->prev, head);
}
/* Unlink n and leave it pointing at itself, so a second del is harmless and
 * fw_list_empty(n) tells whether it is on a list. */
static inline void fw_list_del(struct fw_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#endif
