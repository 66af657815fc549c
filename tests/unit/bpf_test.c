/* tests/unit/bpf_test.c: the classic BPF checker and interpreter
 * (services/net/link/bpf.c).
 *
 * Layer: host unit test for services/net/link. The programs are the
 * ones user space attaches with SO_ATTACH_FILTER (busybox udhcpc's DHCP
 * filter, tcpdump-style "arp" and "ip" filters); the rules for what the
 * checker refuses are Linux's bpf_check_classic.
 * unit-sources: services/net/link/bpf.c framework/bytes/bytes.c */
#include <string.h>

#include "harness.h"
#include "fw/errno.h"
#include "net/link/bpf.h"

#define ST(c, k) { (c), 0, 0, (k) }
#define JMP(c, k, t, f) { (c), (t), (f), (k) }

static struct bpf_prog prog;

static void load(const struct bpf_insn *in, unsigned n)
{
	memset(&prog, 0, sizeof prog);
	prog.len = n;
	memcpy(prog.insn, in, n * sizeof *in);
}

/* A frame: Ethernet header, then an IPv4/UDP header to dport. */
static uint8_t frame[64];

static void udp_frame(uint8_t proto, uint16_t frag, uint16_t dport)
{
	memset(frame, 0, sizeof frame);
	frame[12] = 0x08;
	frame[14] = 0x45;                 /* IPv4, 20-byte header */
	frame[14 + 6] = frag >> 8;
	frame[14 + 7] = frag & 0xff;
	frame[14 + 9] = proto;
	frame[14 + 20 + 2] = dport >> 8;
	frame[14 + 20 + 3] = dport & 0xff;
}

static struct bpf_ctx ctx(unsigned data_off)
{
	struct bpf_ctx c = { .frame = FW_BYTES_OF_ARRAY(frame),
			     .data_off = data_off, .net_off = 14,
			     .protocol = 0x0800, .pkttype = 0, .ifindex = 3,
			     .hatype = 1 };
	return c;
}

/* busybox networking/udhcp/dhcpc.c: UDP to port 68, not a fragment. */
static const struct bpf_insn udhcpc[] = {
	ST(0x30, 9),                       /* ldb [9] */
	JMP(0x15, 17, 0, 6),               /* jeq #UDP */
	ST(0x28, 6),                       /* ldh [6] */
	JMP(0x45, 0x1fff, 4, 0),           /* jset #0x1fff */
	ST(0xb1, 0),                       /* ldxb 4*([0]&0xf) */
	ST(0x48, 2),                       /* ldh [x+2] */
	JMP(0x15, 68, 0, 1),               /* jeq #68 */
	ST(0x06, 0x7fffffff),              /* ret #0x7fffffff */
	ST(0x06, 0),                       /* ret #0 */
};

static void udhcpc_filter(void)
{
	struct bpf_ctx c = ctx(14); /* SOCK_DGRAM: data is the IP header */

	load(udhcpc, 9);
	CHECK(bpf_check(&prog) == 0);
	udp_frame(17, 0, 68);
	CHECK(bpf_run(&prog, &c) == 0x7fffffff);
	udp_frame(17, 0, 67);
	CHECK(bpf_run(&prog, &c) == 0);
	udp_frame(17, 0x2001, 68); /* a later fragment */
	CHECK(bpf_run(&prog, &c) == 0);
	udp_frame(6, 0, 68); /* TCP */
	CHECK(bpf_run(&prog, &c) == 0);
}

static void raw_socket_offsets(void)
{
	/* tcpdump "arp" on a SOCK_RAW socket: ldh [12]; jeq #0x806 */
	static const struct bpf_insn arp[] = {
		ST(0x28, 12), JMP(0x15, 0x0806, 0, 1), ST(0x06, 262144),
		ST(0x06, 0),
	};
	struct bpf_ctx c = ctx(0);

	load(arp, 4);
	CHECK(bpf_check(&prog) == 0);
	udp_frame(17, 0, 68);
	CHECK(bpf_run(&prog, &c) == 0);
	frame[13] = 0x06;
	CHECK(bpf_run(&prog, &c) == 262144);
}

static void out_of_bounds_load_drops(void)
{
	static const struct bpf_insn far[] = { ST(0x20, 62), ST(0x06, 1) };
	static const struct bpf_insn ind[] = { ST(0x01, 0xfffffff0u),
					       ST(0x50, 2), ST(0x06, 1) };
	struct bpf_ctx c = ctx(0);

	load(far, 2);
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == 0); /* a word at 62 of 64: past the end */
	{
		static const struct bpf_insn near[] = { ST(0x20, 60),
							 ST(0x06, 1) };
		load(near, 2);
		CHECK(bpf_run(&prog, &c) == 1);
	}
	load(ind, 3); /* x + k is -14: a negative offset Linux refuses */
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == 0);
	c.data_off = 65; /* beyond the frame: nothing to read */
	CHECK(bpf_run(&prog, &c) == 0);
}

static void ancillary_and_headers(void)
{
	static const struct bpf_insn anc[] = {
		ST(0x28, 0xfffff000u),              /* ldh #proto */
		ST(0x02, 0),                        /* st M[0] */
		ST(0x20, 0xfffff008u),              /* ld #ifindex */
		ST(0x61, 0),                        /* ldx M[0] */
		ST(0x0c, 0),                        /* add x */
		ST(0x16, 0),                        /* ret a */
	};
	static const struct bpf_insn net[] = {
		ST(0x30, 0xfff00009u),              /* ldb net[9] */
		ST(0x07, 0),                        /* tax */
		ST(0x30, 0xffe0000cu),              /* ldb ll[12] */
		ST(0x0c, 0),                        /* add x */
		ST(0x16, 0),                        /* ret a */
	};
	struct bpf_ctx c = ctx(14);

	load(anc, 6);
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == 0x0800 + 3);
	load(net, 5);
	CHECK(bpf_check(&prog) == 0);
	udp_frame(17, 0, 68);
	c.data_off = 0;
	CHECK(bpf_run(&prog, &c) == 17 + 8);
}

static void alu_and_jumps(void)
{
	static const struct bpf_insn p[] = {
		ST(0x00, 10),              /* ld #10 */
		ST(0x24, 3),               /* mul #3 -> 30 */
		ST(0x14, 5),               /* sub #5 -> 25 */
		ST(0x34, 2),               /* div #2 -> 12 */
		ST(0x94, 5),               /* mod #5 -> 2 */
		ST(0x64, 4),               /* lsh #4 -> 32 */
		ST(0x74, 1),               /* rsh #1 -> 16 */
		ST(0x44, 1),               /* or #1 -> 17 */
		ST(0x54, 0x1d),            /* and #0x1d -> 17 */
		ST(0xa4, 3),               /* xor #3 -> 18 */
		JMP(0x25, 17, 1, 0),       /* jgt #17 */
		ST(0x06, 100),
		JMP(0x35, 19, 0, 1),       /* jge #19 */
		ST(0x06, 101),
		ST(0x84, 0),               /* neg */
		ST(0x87, 0),               /* txa: x is 0 */
		ST(0x80, 0),               /* ld len */
		ST(0x06 | 0x10, 0),        /* ret a */
	};
	struct bpf_ctx c = ctx(14);

	load(p, 18);
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == 64 - 14);
}

static void divide_by_x_zero_drops(void)
{
	static const struct bpf_insn p[] = { ST(0x00, 7), ST(0x3c, 0),
					     ST(0x06, 1) };
	struct bpf_ctx c = ctx(0);

	load(p, 3);
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == 0);
}

static void checker_refuses(void)
{
	static const struct bpf_insn ret[] = { ST(0x06, 1) };
	static const struct bpf_insn jump_out[] = { JMP(0x15, 0, 1, 0),
						    ST(0x06, 1) };
	static const struct bpf_insn ja_out[] = { ST(0x05, 1), ST(0x06, 1) };
	static const struct bpf_insn div0[] = { ST(0x34, 0), ST(0x06, 1) };
	static const struct bpf_insn mem16[] = { ST(0x02, 16), ST(0x06, 1) };
	static const struct bpf_insn noret[] = { ST(0x06, 1), ST(0x00, 1) };
	static const struct bpf_insn badop[] = { ST(0xff, 0), ST(0x06, 1) };
	static const struct bpf_insn anc[] = { ST(0x20, 0xfffff000u + 40),
					       ST(0x06, 1) };
	static const struct bpf_insn shift[] = { ST(0x64, 32), ST(0x06, 1) };
	static const struct bpf_insn wide[] = { ST(0x106, 1) };

	load(ret, 1);
	CHECK(bpf_check(&prog) == 0);
	prog.len = 0;
	CHECK(bpf_check(&prog) == -EINVAL);
	prog.len = BPF_MAXINSNS + 1;
	CHECK(bpf_check(&prog) == -EINVAL);
	load(jump_out, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(ja_out, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(div0, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(mem16, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(noret, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(badop, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(anc, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(shift, 2);
	CHECK(bpf_check(&prog) == -EINVAL);
	load(wide, 1);
	CHECK(bpf_check(&prog) == -EINVAL);
}

/* The longest program runs to its end: forward jumps only. */
static void longest_program_ends(void)
{
	struct bpf_ctx c = ctx(0);

	memset(&prog, 0, sizeof prog);
	prog.len = BPF_MAXINSNS;
	for (unsigned i = 0; i + 1 < BPF_MAXINSNS; i++)
		prog.insn[i] = (struct bpf_insn)ST(0x04, 1); /* add #1 */
	prog.insn[BPF_MAXINSNS - 1] = (struct bpf_insn)ST(0x16, 0);
	CHECK(bpf_check(&prog) == 0);
	CHECK(bpf_run(&prog, &c) == BPF_MAXINSNS - 1);
}

int main(void)
{
	TEST_SUITE("bpf");
	RUN(udhcpc_filter);
	RUN(raw_socket_offsets);
	RUN(out_of_bounds_load_drops);
	RUN(ancillary_and_headers);
	RUN(alu_and_jumps);
	RUN(divide_by_x_zero_drops);
	RUN(checker_refuses);
	RUN(longest_program_ends);
	HARNESS_EXIT();
}
