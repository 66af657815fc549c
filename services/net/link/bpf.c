/* services/net/link/bpf.c: the classic BPF checker and interpreter.
 *
 * Layer: services (safe C), net/link; pure (no locks, no allocation),
 * host-tested. Why an interpreter rather than accepting and ignoring a
 * filter: a filter decides which packets a socket sees (busybox udhcpc
 * and tcpdump rely on it to skip everything but their traffic), so
 * ignoring it would hand programs packets they were promised never to
 * get. The checker runs once at attach time, so the interpreter trusts
 * opcodes, jump targets and scratch indexes; packet offsets it checks
 * at every load (through fw_bytes). */
#include <fw/errno.h>

#include "net/link/bpf.h"

/* Instruction classes and fields (linux/bpf_common.h). */
#define BPF_CLASS(c) ((c) & 0x07u)
#define BPF_LD 0x00u
#define BPF_LDX 0x01u
#define BPF_ST 0x02u
#define BPF_STX 0x03u
#define BPF_ALU 0x04u
#define BPF_JMP 0x05u
#define BPF_RET 0x06u
#define BPF_MISC 0x07u

#define BPF_SIZE(c) ((c) & 0x18u)
#define BPF_W 0x00u
#define BPF_H 0x08u
#define BPF_B 0x10u
#define BPF_MODE(c) ((c) & 0xe0u)
#define BPF_IMM 0x00u
#define BPF_ABS 0x20u
#define BPF_IND 0x40u
#define BPF_MEM 0x60u
#define BPF_LEN 0x80u
#define BPF_MSH 0xa0u

#define BPF_OP(c) ((c) & 0xf0u)
#define BPF_ADD 0x00u
#define BPF_SUB 0x10u
#define BPF_MUL 0x20u
#define BPF_DIV 0x30u
#define BPF_OR 0x40u
#define BPF_AND 0x50u
#define BPF_LSH 0x60u
#define BPF_RSH 0x70u
#define BPF_NEG 0x80u
#define BPF_MOD 0x90u
#define BPF_XOR 0xa0u

#define BPF_JA 0x00u
#define BPF_JEQ 0x10u
#define BPF_JGT 0x20u
#define BPF_JGE 0x30u
#define BPF_JSET 0x40u

#define BPF_SRC(c) ((c) & 0x08u)
#define BPF_K 0x00u
#define BPF_X 0x08u
#define BPF_RVAL(c) ((c) & 0x18u)
#define BPF_A 0x10u
#define BPF_MISCOP(c) ((c) & 0xf8u)
#define BPF_TAX 0x00u
#define BPF_TXA 0x80u

/* Negative offsets (as u32) select ancillary data or other headers. */
#define SKF_AD_OFF 0xfffff000u		/* -0x1000 */
#define SKF_AD_PROTOCOL 0u
#define SKF_AD_PKTTYPE 4u
#define SKF_AD_IFINDEX 8u
#define SKF_AD_HATYPE 28u
#define SKF_AD_MAX 64u
#define SKF_NET_OFF 0xfff00000u		/* -0x100000 */
#define SKF_LL_OFF 0xffe00000u		/* -0x200000 */

static bool ancillary_known(uint32_t k)
{
	uint32_t ad = k - SKF_AD_OFF;

	return ad == SKF_AD_PROTOCOL || ad == SKF_AD_PKTTYPE ||
	       ad == SKF_AD_IFINDEX || ad == SKF_AD_HATYPE;
}

/* A valid opcode, and its operands (Linux bpf_check_classic and
 * chk_code_allowed). */
static bool insn_ok(const struct bpf_prog *p, unsigned pc)
{
	const struct bpf_insn in = p->insn[pc];
	uint16_t c = in.code;
	unsigned left = p->len - pc - 1; /* instructions after this one */

	if (c > 0xffu)
		return false;
	switch (BPF_CLASS(c)) {
	case BPF_LD:
		if (c == (BPF_LD | BPF_W | BPF_IMM) ||
		    c == (BPF_LD | BPF_W | BPF_LEN))
			return true;
		if (c == (BPF_LD | BPF_W | BPF_MEM))
			return in.k < BPF_MEMWORDS;
		if (BPF_SIZE(c) == 0x18u)
			return false;
		if (BPF_MODE(c) == BPF_IND)
			return true;
		if (BPF_MODE(c) != BPF_ABS)
			return false;
		if (in.k >= SKF_AD_OFF && in.k < SKF_AD_OFF + SKF_AD_MAX)
			return ancillary_known(in.k);
		return true;
	case BPF_LDX:
		if (c == (BPF_LDX | BPF_W | BPF_IMM) ||
		    c == (BPF_LDX | BPF_W | BPF_LEN))
			return true;
		if (c == (BPF_LDX | BPF_W | BPF_MEM))
			return in.k < BPF_MEMWORDS;
		return c == (BPF_LDX | BPF_B | BPF_MSH);
	case BPF_ST:
	case BPF_STX:
		return c == BPF_CLASS(c) && in.k < BPF_MEMWORDS;
	case BPF_ALU:
		switch (BPF_OP(c)) {
		case BPF_NEG:
			return c == (BPF_ALU | BPF_NEG);
		case BPF_DIV:
		case BPF_MOD:
			if (BPF_SRC(c) == BPF_K && in.k == 0)
				return false;
			return true;
		case BPF_LSH:
		case BPF_RSH:
			/* Linux: a constant shift of 32 or more is refused. */
			return BPF_SRC(c) == BPF_X || in.k < 32;
		case BPF_ADD:
		case BPF_SUB:
		case BPF_MUL:
		case BPF_OR:
		case BPF_AND:
		case BPF_XOR:
			return true;
		default:
			return false;
		}
	case BPF_JMP:
		if (BPF_OP(c) == BPF_JA)
			return c == (BPF_JMP | BPF_JA) && in.k < left;
		if (BPF_OP(c) > BPF_JSET)
			return false;
		return in.jt < left && in.jf < left;
	case BPF_RET:
		return c == (BPF_RET | BPF_K) || c == (BPF_RET | BPF_A);
	default: /* BPF_MISC */
		return c == (BPF_MISC | BPF_TAX) || c == (BPF_MISC | BPF_TXA);
	}
}

int bpf_check(const struct bpf_prog *p)
{
	if (p->len == 0 || p->len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned pc = 0; pc < p->len; pc++)
		if (!insn_ok(p, pc))
			return -EINVAL;
	/* The last instruction must return (Linux: "must end with RET"). */
	if (BPF_CLASS(p->insn[p->len - 1].code) != BPF_RET)
		return -EINVAL;
	return 0;
}

/* Load size bytes (1, 2, 4; big-endian) at k of the view the address
 * selects: 0 and *out, or -EINVAL (outside the packet). */
static int load(const struct bpf_ctx *c, uint32_t k, unsigned size,
		uint32_t *out)
{
	size_t base = c->data_off;
	size_t off;
	uint8_t b;
	uint16_t h;

	if (k >= SKF_LL_OFF && k < SKF_NET_OFF) {
		base = 0;
		off = k - SKF_LL_OFF;
	} else if (k >= SKF_NET_OFF && k < SKF_AD_OFF) {
		base = c->net_off;
		off = k - SKF_NET_OFF;
	} else if (k >= SKF_AD_OFF) {
		return -EINVAL; /* IND loads into the ancillary range */
	} else {
		off = k;
	}
	off += base;
	switch (size) {
	case 1:
		if (fw_bytes_get_u8(c->frame, off, &b))
			return -EINVAL;
		*out = b;
		return 0;
	case 2:
		if (fw_bytes_get_u16_be(c->frame, off, &h))
			return -EINVAL;
		*out = h;
		return 0;
	default:
		return fw_bytes_get_u32_be(c->frame, off, out);
	}
}

static uint32_t ancillary(const struct bpf_ctx *c, uint32_t k)
{
	switch (k - SKF_AD_OFF) {
	case SKF_AD_PROTOCOL:
		return c->protocol;
	case SKF_AD_PKTTYPE:
		return c->pkttype;
	case SKF_AD_IFINDEX:
		return (uint32_t)c->ifindex;
	default: /* SKF_AD_HATYPE: the checker let nothing else through */
		return c->hatype;
	}
}

static unsigned size_of(uint16_t code)
{
	return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

static uint32_t alu(uint16_t code, uint32_t a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV: return v ? a / v : 0;
	case BPF_MOD: return v ? a % v : 0;
	case BPF_OR: return a | v;
	case BPF_AND: return a & v;
	case BPF_LSH: return v < 32 ? a << v : 0;
	case BPF_RSH: return v < 32 ? a >> v : 0;
	case BPF_XOR: return a ^ v;
	default: return 0u - a; /* BPF_NEG */
	}
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	default: return (a & v) != 0; /* BPF_JSET */
	}
}

uint32_t bpf_run(const struct bpf_prog *p, const struct bpf_ctx *c)
{
	uint32_t a = 0, x = 0, v = 0;
	uint32_t mem[BPF_MEMWORDS] = { 0 };
	size_t pktlen;
	unsigned pc = 0;

	if (c->data_off > fw_bytes_len(c->frame))
		return 0;
	pktlen = fw_bytes_len(c->frame) - c->data_off;
	/* Forward jumps only (checked): each step moves pc on, so this ends
	 * within p->len steps. */
	while (pc < p->len) {
		const struct bpf_insn in = p->insn[pc++];
		uint16_t code = in.code;

		switch (BPF_CLASS(code)) {
		case BPF_LD:
			switch (BPF_MODE(code)) {
			case BPF_IMM: a = in.k; break;
			case BPF_LEN: a = (uint32_t)pktlen; break;
			case BPF_MEM: a = mem[in.k % BPF_MEMWORDS]; break;
			case BPF_ABS:
				if (in.k >= SKF_AD_OFF &&
				    in.k < SKF_AD_OFF + SKF_AD_MAX) {
					a = ancillary(c, in.k);
					break;
				}
				if (load(c, in.k, size_of(code), &a))
					return 0;
				break;
			default: /* BPF_IND */
				if (load(c, x + in.k, size_of(code), &a))
					return 0;
				break;
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(code)) {
			case BPF_IMM: x = in.k; break;
			case BPF_LEN: x = (uint32_t)pktlen; break;
			case BPF_MEM: x = mem[in.k % BPF_MEMWORDS]; break;
			default: /* BPF_MSH: 4 * (P[k] & 0xf), an IP header */
				if (load(c, in.k, 1, &v))
					return 0;
				x = (v & 0xfu) << 2;
				break;
			}
			break;
		case BPF_ST:
			mem[in.k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[in.k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU:
			/* Linux: dividing by an X of 0 ends the program
			 * with 0 (drop). */
			if (BPF_SRC(code) == BPF_X && x == 0 &&
			    (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD))
				return 0;
			a = alu(code, a, BPF_SRC(code) == BPF_X ? x : in.k);
			break;
		case BPF_JMP:
			if (BPF_OP(code) == BPF_JA)
				pc += in.k;
			else if (jump_taken(code, a,
					    BPF_SRC(code) == BPF_X ? x : in.k))
				pc += in.jt;
			else
				pc += in.jf;
			break;
		case BPF_RET:
			return BPF_RVAL(code) == BPF_A ? a : in.k;
		default: /* BPF_MISC */
			if (BPF_MISCOP(code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0; /* unreachable for a checked program (it ends in RET) */
}
