/* services/net/link/bpf.h: classic BPF (SO_ATTACH_FILTER programs).
 *
 * Layer: services (safe C), net/link; pure logic, host-tested
 * (tests/unit/bpf_test.c). The instruction set and the checks are
 * Linux's (linux/filter.h, net/core/filter.c bpf_check_classic and
 * __bpf_prog_run's classic semantics): A and X registers, 16 scratch
 * words, forward jumps only, so a program runs at most len
 * instructions. A load outside the packet ends the program with 0
 * (drop), as Linux. */
#ifndef SERVICES_NET_LINK_BPF_H
#define SERVICES_NET_LINK_BPF_H

#include <stdint.h>

#include <fw/bytes.h>
#include <fw/compiler.h>

#define BPF_MAXINSNS 4096
#define BPF_MEMWORDS 16

/* struct sock_filter, as user space lays it out. */
struct bpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

struct bpf_prog {
	unsigned len;
	struct bpf_insn insn[BPF_MAXINSNS];
};

/* What a program sees besides the bytes. */
struct bpf_ctx {
	struct fw_bytes frame;		/* the whole frame, link header first */
	unsigned data_off;		/* where the socket's data starts (0:
					 * SOCK_RAW, ETH_HLEN: SOCK_DGRAM) */
	unsigned net_off;		/* the network header (SKF_NET_OFF) */
	uint16_t protocol;		/* SKF_AD_PROTOCOL (host order) */
	uint8_t pkttype;		/* SKF_AD_PKTTYPE */
	int ifindex;			/* SKF_AD_IFINDEX */
	uint16_t hatype;		/* SKF_AD_HATYPE */
};

/* Check p as Linux bpf_check_classic: 0 or -EINVAL (length 0 or over
 * BPF_MAXINSNS, an unknown opcode, a jump out of the program, a
 * scratch index over 15, division by constant 0, an ancillary load this
 * kernel does not have, no return at the end). */
FW_MUST_CHECK int bpf_check(const struct bpf_prog *p);
/* Run a checked program: the bytes to keep (0: drop). */
uint32_t bpf_run(const struct bpf_prog *p, const struct bpf_ctx *c);

#endif
