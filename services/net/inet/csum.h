/* services/net/inet/csum.h: the Internet checksum and TCP sequence
 * arithmetic, as pure logic.
 *
 * Layer: services (safe C), net/inet; no locks and no state, so it is
 * host-tested (tests/unit/inet_csum_test.c). The checksum is RFC 1071's
 * one's complement sum of 16-bit big-endian words; sequence numbers
 * compare modulo 2^32 (RFC 9293 3.4, Linux before()/after()). */
#ifndef SERVICES_NET_INET_CSUM_H
#define SERVICES_NET_INET_CSUM_H

#include <stdbool.h>
#include <stdint.h>

#include <fw/bytes.h>

/* Add the bytes of b to a running 32-bit partial sum (an odd length is
 * padded with a zero byte, so only the last piece of a packet may be
 * odd). */
uint32_t inet_csum_add(uint32_t sum, struct fw_bytes b);
/* Fold a partial sum to 16 bits and complement it: the checksum field. */
uint16_t inet_csum_fold(uint32_t sum);
/* The pseudo-header partial sum for TCP/UDP over IPv4 (addresses as
 * numbers, host order, as ip_output and the receive path hold them:
 * read and written with the _be accessors; proto; L4 length). */
uint32_t inet_csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto,
			  uint32_t len);

/* a < b, a <= b, ... modulo 2^32. */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return seq_lt(b, a);
}

static inline bool seq_ge(uint32_t a, uint32_t b)
{
	return seq_le(b, a);
}

/* lo <= x < hi, modulo 2^32 (an empty window holds nothing). */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x - lo < hi - lo;
}

#endif
