/* services/proc/sched/numa.c: the NUMA memory-policy calls:
 * set_mempolicy(2), get_mempolicy(2), mbind(2), migrate_pages(2) and
 * move_pages(2), as Linux's mm/mempolicy.c and mm/migrate.c answer them
 * on a machine with one memory node.
 *
 * Layer: services (safe C), proc. Every page lives on node 0, the only
 * node (nr_node_ids 1; node masks are read as Linux's MAX_NUMNODES, 1024
 * bits). A policy is validated as Linux validates it (the nodes it names
 * must include an allowed one, i.e. node 0, and so on) and kept: a
 * thread's own policy here, a range's on its VMAs (services/mm), to be
 * reported by get_mempolicy. Placing, interleaving and moving pages have
 * nothing to do with one node: move_pages reports each page on node 0
 * (or -ENOENT, -EFAULT), migrate_pages moves nothing and says so (0). */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/uaccess.h>
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_MAX 6
#define MPOL_F_STATIC_NODES (1u << 15)
#define MPOL_F_RELATIVE_NODES (1u << 14)
#define MPOL_F_NUMA_BALANCING (1u << 13)
#define MPOL_MODE_FLAGS \
	(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
#define MPOL_F_NODE 1u       /* get_mempolicy flags */
#define MPOL_F_ADDR 2u
#define MPOL_F_MEMS_ALLOWED 4u
#define MPOL_MF_STRICT 1u    /* mbind and move_pages flags */
#define MPOL_MF_MOVE 2u
#define MPOL_MF_MOVE_ALL 4u
#define MAX_NUMNODES 1024u   /* Debian's CONFIG_NODES_SHIFT 10 */
#define ALLOWED_NODES 1ull   /* node 0 */

/* A node mask from user space: its first word (nodes 0..63) and whether
 * any node at all is named (the others cannot exist here, but an empty
 * mask and a mask of absent nodes are different errors). */
struct nodes_in {
	uint64_t word0;
	bool any;
};

/* Linux's get_nodes: maxnode - 1 bits at nmask (the historical off by
 * one); nodes past MAX_NUMNODES must be clear. */
static int get_nodes(fw_uptr_t nmask, uint64_t maxnode, struct nodes_in *out)
{
	uint64_t bits = maxnode - 1;

	*out = (struct nodes_in){ 0 };
	if (bits == 0 || !nmask.addr)
		return 0;
	if (bits > FW_PAGE_SIZE * 8)
		return -EINVAL;
	for (uint64_t w = 0; w * 64 < bits; w++) {
		uint64_t word;

		if (FW_COPY_IN_OBJ(&word, fw_uptr_add(nmask, w * 8)))
			return -EFAULT;
		if (bits - w * 64 < 64)
			word &= (1ull << (bits - w * 64)) - 1;
		if (word && w * 64 >= MAX_NUMNODES)
			return -EINVAL;
		if (w == 0)
			out->word0 = word;
		out->any |= word != 0;
	}
	return 0;
}

/* Linux's copy_nodes_to_user: ALIGN(maxnode - 1, 64) bits, the words past
 * the node ids cleared. */
static int put_nodes(fw_uptr_t nmask, uint64_t maxnode, uint64_t nodes)
{
	uint64_t copy = (maxnode - 1 + 63) / 64 * 8; /* bytes */

	if (copy > 8) {
		if (copy > FW_PAGE_SIZE)
			return -EINVAL;
		if (fw_clear_user(fw_uptr_add(nmask, 8), copy - 8))
			return -EFAULT;
		copy = 8;
	}
	return copy && FW_COPY_OUT_OBJ(nmask, &nodes) ? -EFAULT : 0;
}

/* Linux's sanitize_mpol_flags: split mode and flags. */
static int split_mode(uint64_t arg, unsigned *mode, unsigned *flags)
{
	*flags = (unsigned)arg & MPOL_MODE_FLAGS;
	*mode = (unsigned)arg & ~MPOL_MODE_FLAGS;
	if ((uint32_t)arg != arg || *mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if ((*flags & MPOL_F_NUMA_BALANCING) && *mode != MPOL_BIND)
		return -EINVAL;
	return 0;
}

/* Linux's mpol_new and mpol_set_nodemask: the policy, or -EINVAL. */
static int make_policy(unsigned mode, unsigned flags,
		       const struct nodes_in *in, struct mempolicy *out)
{
	bool user_mask = flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
	uint64_t eff;

	*out = (struct mempolicy){ 0 };
	if (mode == MPOL_DEFAULT)
		return in->any ? -EINVAL : 0;
	if (mode == MPOL_PREFERRED && !in->any) {
		if (user_mask)
			return -EINVAL;
		mode = MPOL_LOCAL; /* preferred with no node: local */
	} else if (mode == MPOL_LOCAL) {
		if (in->any || user_mask)
			return -EINVAL;
	} else if (!in->any) {
		return -EINVAL;
	}
	out->mode = (uint16_t)mode;
	out->flags = (uint16_t)flags;
	if (mode == MPOL_LOCAL)
		return 0;
	/* The nodes that may be used: relative ones map onto the allowed
	 * set, so any names node 0; others are cut to it. */
	eff = (flags & MPOL_F_RELATIVE_NODES) ? ALLOWED_NODES
					      : in->word0 & ALLOWED_NODES;
	if (!eff)
		return -EINVAL;
	out->nodes = user_mask ? in->word0 : eff;
	return 0;
}

static long sys_set_mempolicy(const struct sys_args *a)
{
	struct mempolicy pol;
	struct nodes_in in;
	unsigned mode, flags;
	int err;

	err = split_mode(a->arg[0], &mode, &flags);
	if (!err)
		err = get_nodes(fw_uptr(a->arg[1]), a->arg[2], &in);
	if (!err)
		err = make_policy(mode, flags, &in, &pol);
	if (!err)
		thread_current()->mpol = pol;
	return err;
}

static long sys_get_mempolicy(const struct sys_args *a)
{
	fw_uptr_t umode = fw_uptr(a->arg[0]), nmask = fw_uptr(a->arg[1]);
	uint64_t maxnode = a->arg[2], addr = a->arg[3], flags = a->arg[4];
	struct mempolicy pol = thread_current()->mpol;
	struct mm *mm = current_mm();
	int32_t mode;
	int err;

	if (nmask.addr && maxnode < 1)
		return -EINVAL; /* fewer bits than node ids */
	if (flags & ~(uint64_t)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		pol = (struct mempolicy){ .nodes = ALLOWED_NODES };
		mode = 0;
	} else {
		if (flags & MPOL_F_ADDR) {
			err = mm ? mm_get_policy(mm, addr, &pol) : -EFAULT;
			if (err)
				return err;
		} else if (addr) {
			return -EINVAL;
		}
		mode = pol.mode | pol.flags;
		if (flags & MPOL_F_NODE) {
			struct fw_frame *fr;

			/* The node of the page at addr (faulted in), or the
			 * next node an interleaving thread allocates on. */
			if (flags & MPOL_F_ADDR) {
				err = mm_remote_page(mm, addr, false, false, &fr);
				if (err)
					return err;
				fw_frame_put(fr);
			} else if (pol.mode != MPOL_INTERLEAVE) {
				return -EINVAL;
			}
			mode = 0;
		}
	}
	if (umode.addr && FW_COPY_OUT_OBJ(umode, &mode))
		return -EFAULT;
	return nmask.addr ? put_nodes(nmask, maxnode, pol.nodes) : 0;
}

static long sys_mbind(const struct sys_args *a)
{
	uint64_t start = a->arg[0], len = a->arg[1], flags = a->arg[5];
	struct mm *mm = current_mm();
	struct mempolicy pol;
	struct nodes_in in;
	unsigned mode, mflags;
	int err;

	err = split_mode(a->arg[2], &mode, &mflags);
	if (!err)
		err = get_nodes(fw_uptr(a->arg[3]), a->arg[4], &in);
	if (err)
		return err;
	if (flags & ~(uint64_t)(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) &&
	    !cred_capable(&proc_current()->cred, CAP_SYS_NICE))
		return -EPERM;
	if (start % FW_PAGE_SIZE)
		return -EINVAL;
	len = (len + FW_PAGE_SIZE - 1) & ~(uint64_t)(FW_PAGE_SIZE - 1);
	if (start + len < start)
		return -EINVAL;
	if (!len)
		return 0;
	err = make_policy(mode, mflags, &in, &pol);
	if (err)
		return err;
	/* Every page is on node 0, which the policy includes: STRICT finds
	 * nothing misplaced, MOVE nothing to move. */
	return mm ? mm_set_policy(mm, start, start + len, &pol) : -EFAULT;
}

/* The address space pid names (0: the caller's), referenced. */
static int target_mm(int pid, struct mm **out)
{
	if (pid < 0)
		return -ESRCH;
	if (pid == 0 || pid == proc_current()->pid) {
		*out = current_mm();
		if (!*out)
			return -EINVAL;
		mm_get(*out);
		return 0;
	}
	return ptrace_access_mm(pid, out);
}

static long sys_migrate_pages(const struct sys_args *a)
{
	struct nodes_in old, new;
	struct mm *mm;
	int err;

	err = get_nodes(fw_uptr(a->arg[2]), a->arg[1], &old);
	if (!err)
		err = get_nodes(fw_uptr(a->arg[3]), a->arg[1], &new);
	if (!err)
		err = target_mm((int)a->arg[0], &mm);
	if (err)
		return err;
	mm_put(mm);
	if (((new.word0 & ~ALLOWED_NODES) || (new.any && !new.word0)) &&
	    !cred_capable(&proc_current()->cred, CAP_SYS_NICE))
		return -EPERM; /* nodes the target may not use */
	return 0; /* nothing is on another node: none left unmoved */
}

static long sys_move_pages(const struct sys_args *a)
{
	uint64_t n = a->arg[1], flags = a->arg[5];
	fw_uptr_t pages = fw_uptr(a->arg[2]), nodes = fw_uptr(a->arg[3]);
	fw_uptr_t status = fw_uptr(a->arg[4]);
	struct mm *mm;
	long err;

	if (flags & ~(uint64_t)(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) &&
	    !cred_capable(&proc_current()->cred, CAP_SYS_NICE))
		return -EPERM;
	err = target_mm((int)a->arg[0], &mm);
	if (err)
		return err;
	for (uint64_t i = 0; i < n && !err; i++) {
		uint64_t addr;
		int32_t node, st;

		if (FW_COPY_IN_OBJ(&addr, fw_uptr_add(pages, i * 8))) {
			err = -EFAULT;
			break;
		}
		if (nodes.addr) {
			if (FW_COPY_IN_OBJ(&node, fw_uptr_add(nodes, i * 4))) {
				err = -EFAULT;
				break;
			}
			/* Linux's do_pages_move: a node without memory
			 * (any but 0 here) fails the call. */
			if (node != 0) {
				err = -ENODEV;
				break;
			}
		}
		st = mm_page_node(mm, addr);
		if (FW_COPY_OUT_OBJ(fw_uptr_add(status, i * 4), &st))
			err = -EFAULT;
	}
	mm_put(mm);
	return err;
}

static const struct sys_entry numa_syscalls[] = {
	{ __NR_mbind, "mbind", sys_mbind },
	{ __NR_set_mempolicy, "set_mempolicy", sys_set_mempolicy },
	{ __NR_get_mempolicy, "get_mempolicy", sys_get_mempolicy },
	{ __NR_migrate_pages, "migrate_pages", sys_migrate_pages },
	{ __NR_move_pages, "move_pages", sys_move_pages },
};

void numa_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(numa_syscalls);
}
