#!/usr/bin/env python3
"""tests/fuzz/net_seeds.py OUTDIR: write the seed corpus of net_fuzz.

Layer: host fuzzing (tests/fuzz/net_fuzz.c, whose header comment
describes the script format). Each seed is a short conversation with
real frames (checksums right) between the gateway 10.0.2.2 or a host
10.0.2.3 and us, 10.0.2.15: a TCP handshake with options, data both
ways and FINs; a connection we open; ARP; ICMP echo; UDP to a bound and
to a closed port; fragments; and NETLINK_ROUTE requests."""
import os
import struct
import sys

OURS = bytes([10, 0, 2, 15])
GW = bytes([10, 0, 2, 2])
HOST3 = bytes([10, 0, 2, 3])
OUR_MAC = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56])
GW_MAC = bytes([0x52, 0x55, 10, 0, 2, 2])
H3_MAC = bytes([0x52, 0x55, 10, 0, 2, 3])
BCAST = b"\xff" * 6


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, src, etype, payload):
    f = dst + src + struct.pack("!H", etype) + payload
    return f + b"\0" * max(0, 60 - len(f))


def ip(src, dst, proto, l4, ident=1, frag=0, total=None):
    tl = 20 + len(l4) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def l4sum(src, dst, proto, seg):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def tcp(src, dst, sport, dport, seq, ack, flags, data=b"", opts=b"", win=65535):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts
    c = l4sum(src, dst, 6, h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def udp(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = l4sum(src, dst, 17, h + data) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + data


def icmp(typ, code, rest):
    m = struct.pack("!BBH", typ, code, 0) + rest
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def frame(f, op=1):
    return bytes([op]) + struct.pack("!H", len(f)) + f


def ack_fix(f, delta=0):
    """Op 2: the harness sets the ack field to our last sequence end."""
    return frame(f, 2 | ((delta + 16) << 3))


def tick(t, shift=0):
    return bytes([3 | (shift << 4), t])


def act(a):
    return bytes([4, a])


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
SYN_OPTS = (b"\x02\x04\x05\xb4"  # MSS 1460
            b"\x04\x02"          # SACK permitted
            b"\x08\x0a\x00\x00\x10\x00\x00\x00\x00\x00"  # timestamps
            b"\x01"              # NOP
            b"\x03\x03\x07")     # window scale 7


def to_us(seg, src=GW, smac=GW_MAC, proto=6):
    return eth(OUR_MAC, smac, 0x0800, ip(src, OURS, proto, seg))


def tcp_session():
    s = b""
    isn = 1000
    s += frame(to_us(tcp(GW, OURS, 40000, 80, isn, 0, SYN, opts=SYN_OPTS)))
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 1, 0, ACK)))
    s += act(0)  # accept
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 1, 0, PSH | ACK, b"GET / HTTP/1.0\r\n\r\n")))
    s += act(1)  # read
    s += act(2 | (10 << 3))  # send 971 bytes
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 19, 0, ACK)))
    # out of order, then the hole filled
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 29, 0, ACK, b"y" * 10)))
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 19, 0, ACK, b"x" * 10)))
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 39, 0, FIN | ACK)))
    s += act(1)
    s += act(3)  # close: our FIN
    s += ack_fix(to_us(tcp(GW, OURS, 40000, 80, isn + 40, 0, ACK)))
    s += tick(200, 4)  # TIME_WAIT runs out
    return s


def ack_seq(f, delta=0):
    """Op 6: the ack field becomes the first sequence number of our
    last segment (a duplicate ACK once that much is acknowledged)."""
    return frame(f, 6 | ((delta + 16) << 3))


def tcp_dupacks():
    """Three duplicate ACKs: fast retransmit; then an ICMP error
    about the connection."""
    s = frame(to_us(tcp(GW, OURS, 40004, 80, 900, 0, SYN, opts=SYN_OPTS)))
    s += ack_fix(to_us(tcp(GW, OURS, 40004, 80, 901, 0, ACK)))
    s += act(0) + opt(0 | (1 << 6)) + act(2 | (31 << 3))  # NODELAY, 3008 bytes
    dup = ack_seq(to_us(tcp(GW, OURS, 40004, 80, 901, 0, ACK)))
    s += dup * 4
    inner = ip(OURS, GW, 6, tcp(OURS, GW, 80, 40004, 0, 0, ACK))[:28]
    s += frame(to_us(icmp(3, 4, b"\0\0\x02\x40" + inner), proto=1), 1)  # frag needed
    s += frame(to_us(icmp(3, 1, b"\0\0\0\0" + inner), proto=1), 1)  # host unreachable
    s += ack_fix(to_us(tcp(GW, OURS, 40004, 80, 901, 0, ACK)))
    return s


def tcp_time_wait():
    """We close first: FIN_WAIT1, FIN_WAIT2, TIME_WAIT; the peer's FIN
    comes again."""
    s = frame(to_us(tcp(GW, OURS, 40005, 80, 300, 0, SYN)))
    s += ack_fix(to_us(tcp(GW, OURS, 40005, 80, 301, 0, ACK)))
    s += act(0) + act(3)
    s += ack_fix(to_us(tcp(GW, OURS, 40005, 80, 301, 0, ACK)))
    s += ack_fix(to_us(tcp(GW, OURS, 40005, 80, 301, 0, ACK | FIN)))
    s += ack_fix(to_us(tcp(GW, OURS, 40005, 80, 301, 0, ACK | FIN)))
    s += frame(to_us(tcp(GW, OURS, 40005, 80, 302, 0, SYN)))
    s += tick(255, 6) + tick(255, 6)
    return s


def tcp_retransmit():
    s = frame(to_us(tcp(HOST3, OURS, 41000, 80, 5, 0, SYN, opts=b"\x02\x04\x02\x00"), HOST3, H3_MAC))
    s += frame(eth(OUR_MAC, H3_MAC, 0x0806, arp(2, H3_MAC, HOST3, OUR_MAC, OURS)))
    s += tick(255, 2) + tick(255, 4) + tick(255, 6)
    return s


def tcp_data_then_rst():
    s = frame(to_us(tcp(GW, OURS, 40001, 80, 77, 0, SYN, opts=SYN_OPTS)))
    s += ack_fix(to_us(tcp(GW, OURS, 40001, 80, 78, 0, ACK, b"hello")))
    s += act(0) + act(2 | (30 << 3)) + tick(250, 2)
    s += ack_fix(to_us(tcp(GW, OURS, 40001, 80, 83, 0, ACK, win=0)))
    s += tick(250, 4)
    s += ack_fix(to_us(tcp(GW, OURS, 40001, 80, 83, 0, RST | ACK)))
    return s


def tcp_active():
    s = act(6 | (1 << 3))  # connect to 10.0.2.2:8080
    s += ack_fix(to_us(tcp(GW, OURS, 8080, 0, 9000, 0, SYN | ACK, opts=SYN_OPTS)))
    s += act(2) + act(1)
    s += ack_fix(to_us(tcp(GW, OURS, 8080, 0, 9001, 0, PSH | ACK | FIN, b"bye")))
    s += act(3) + tick(255, 6)
    return s


def opt(a):
    return bytes([4 | 8, a])


def tcp_loopback():
    """A connection to ourselves over lo: both ends are ours."""
    s = act(6 | (2 << 3)) + act(0) + opt(0 | (64 << 0)) + act(2 | (20 << 3))
    s += act(1) + act(2 | (9 << 3)) + act(4 | (1 << 3)) + act(1) + act(3) + act(3)
    s += tick(255, 6)
    return s


def tcp_small_mtu():
    """eth0 with an MTU of 308: our MSS shrinks below the peer's."""
    s = bytes([0x14, 40])
    s += frame(to_us(tcp(GW, OURS, 40003, 80, 700, 0, SYN, opts=SYN_OPTS)))
    s += ack_fix(to_us(tcp(GW, OURS, 40003, 80, 701, 0, ACK)))
    s += act(0) + act(2 | (3 << 3)) + tick(100)
    s += ack_fix(to_us(tcp(GW, OURS, 40003, 80, 701, 0, ACK | FIN)))
    s += act(3)
    return s


def tcp_options():
    """Keepalive, a small receive buffer and a small MSS on a connection."""
    s = frame(to_us(tcp(GW, OURS, 40002, 80, 500, 0, SYN, opts=SYN_OPTS)))
    s += ack_fix(to_us(tcp(GW, OURS, 40002, 80, 501, 0, ACK)))
    s += act(0) + opt(3) + opt(4) + opt(2) + opt(1 | (2 << 3)) + opt(7 | 8)
    s += ack_fix(to_us(tcp(GW, OURS, 40002, 80, 501, 0, ACK, b"z" * 1000)))
    s += act(2 | (5 << 3)) + tick(255, 4) + tick(255, 6)
    s += ack_fix(to_us(tcp(GW, OURS, 40002, 80, 1501, 0, ACK)))
    s += opt(5) + act(3)
    return s


def packet_send():
    """Frames built by the packet socket: an ARP request, a short frame."""
    f = eth(BCAST, OUR_MAC, 0x0806, arp(1, OUR_MAC, OURS, b"\0" * 6, HOST3))
    s = bytes([0x24]) + struct.pack("!H", len(f)) + f
    s += bytes([0x24]) + struct.pack("!H", 20) + f[:20]
    return s + act(1)


def bpf(*insns):
    b = b"".join(struct.pack("<HBBI", *i) for i in insns)
    return bytes([0x34]) + struct.pack("!H", len(b)) + b


def bpf_seed():
    """Filters using each kind of instruction, then frames through them."""
    s = bpf((0x28, 0, 0, 12), (0x15, 0, 8, 0x0800), (0xb1, 0, 0, 14),  # ldxb 4*([14]&0xf)
            (0x48, 0, 0, 16), (0x02, 0, 0, 3), (0x61, 0, 0, 3), (0x87, 0, 0, 0),  # ldh [x+16]; st M[3]; ldx M[3]; txa
            (0x54, 0, 0, 0xFFFF), (0x35, 0, 1, 40), (0x20, 0, 0, 0xFFFFF004),  # and; jge; ld #len (ancillary)
            (0x16, 0, 0, 0), (0x06, 0, 0, 0xFFFF))  # ret a; ret #65535
    s += frame(to_us(udp(GW, OURS, 5353, 53, b"filtered"), proto=17), 0)
    s += bpf((0x80, 0, 0, 0), (0x04, 0, 0, 1), (0x24, 0, 0, 3), (0x34, 0, 0, 2),  # ld len; add; mul; div
             (0x94, 0, 0, 7), (0x74, 0, 0, 1), (0x64, 0, 0, 2), (0x84, 0, 0, 0),  # mod; rsh; lsh; neg
             (0x30, 0, 0, 0xFFFFF000), (0x45, 1, 0, 0x800), (0x06, 0, 0, 0), (0x06, 0, 0, 100))
    s += frame(eth(BCAST, GW_MAC, 0x0806, arp(1, GW_MAC, GW, b"\0" * 6, OURS)), 0)
    s += act(1)
    return s


def arp_seed():
    s = frame(eth(BCAST, H3_MAC, 0x0806, arp(1, H3_MAC, HOST3, b"\0" * 6, OURS)), 0)
    s += frame(eth(OUR_MAC, GW_MAC, 0x0806, arp(2, GW_MAC, GW, OUR_MAC, OURS)), 0)
    s += frame(eth(BCAST, GW_MAC, 0x0806, arp(1, GW_MAC, GW, b"\0" * 6, GW)), 0)
    s += act(5)  # UDP to 10.0.2.99: ARP asks
    s += tick(255, 2) + tick(255, 4)
    return s


def icmp_seed():
    echo = icmp(8, 0, struct.pack("!HH", 0x1234, 1) + b"ping" * 8)
    s = frame(to_us(echo, proto=1), 0)
    s += act(7 | (1 << 3))  # ping 10.0.2.2
    s += frame(to_us(icmp(0, 0, struct.pack("!HH", 1, 1) + b"\0" * 8), proto=1), 1)
    s += act(1)
    # a port unreachable about a UDP datagram we sent
    inner = ip(OURS, GW, 17, udp(OURS, GW, 53, 1001, b""))
    s += act(5 | (1 << 3))
    s += frame(to_us(icmp(3, 3, b"\0\0\0\0" + inner[:28]), proto=1), 1)
    return s


def udp_seed():
    s = frame(to_us(udp(GW, OURS, 5353, 53, b"\x12\x34" + b"q" * 30), proto=17), 0)
    s += frame(to_us(udp(GW, OURS, 5353, 9999, b"closed"), proto=17), 0)
    s += frame(eth(BCAST, GW_MAC, 0x0800, ip(GW, b"\xff" * 4, 17, udp(GW, b"\xff" * 4, 68, 53, b"b"))), 0)
    s += act(1)
    return s


def frag_seed():
    data = udp(GW, OURS, 5353, 53, b"f" * 1200)
    a = ip(GW, OURS, 17, data[:800], ident=7, frag=0x2000)
    b = ip(GW, OURS, 17, data[800:], ident=7, frag=100)
    s = frame(eth(OUR_MAC, GW_MAC, 0x0800, a), 0) + frame(eth(OUR_MAC, GW_MAC, 0x0800, b), 0)
    s += act(1) + tick(255, 6)
    s += frame(eth(OUR_MAC, GW_MAC, 0x0800, b), 0) + tick(255, 6)
    return s


def nlmsg(typ, flags, payload, seq=1):
    return struct.pack("<IHHII", 16 + len(payload), typ, flags, seq, 0) + payload


def rta(typ, data):
    b = struct.pack("<HH", 4 + len(data), typ) + data
    return b + b"\0" * ((4 - len(b) % 4) % 4)


def nl_rec(msg, bits=0):
    return struct.pack("!H", len(msg) | bits) + msg


def ifreq(name, u=b""):
    return name.ljust(16, b"\0") + u.ljust(24, b"\0")


def ioctl(index, req):
    """An interface ioctl record: the command's index in net_fuzz's table."""
    return struct.pack("!H", 0x1FFF) + bytes([index]) + req


def sin_u(a):
    return struct.pack("<HH", 2, 0) + a


def ioctls():
    s = ioctl(0, ifreq(b"", struct.pack("<i", 2)))            # SIOCGIFNAME
    s += ioctl(1, struct.pack("<ii", 200, 0) + b"\0" * 32)    # SIOCGIFCONF
    s += ioctl(2, ifreq(b"eth0"))                              # SIOCGIFFLAGS
    s += ioctl(3, ifreq(b"eth0", struct.pack("<h", 0x1002)))   # down
    s += ioctl(3, ifreq(b"eth0", struct.pack("<h", 0x1043)))   # up
    s += ioctl(5, ifreq(b"eth0", sin_u(bytes([10, 0, 5, 15]))))  # SIOCSIFADDR
    s += ioctl(10, ifreq(b"eth0", sin_u(bytes([255, 255, 0, 0]))))  # netmask
    s += ioctl(8, ifreq(b"lo", sin_u(bytes([127, 255, 255, 255]))))  # broadcast
    s += ioctl(14, ifreq(b"eth0", struct.pack("<i", 576)))     # SIOCSIFMTU
    s += ioctl(16, ifreq(b"eth0"))                             # SIOCGIFHWADDR
    s += ioctl(20, ifreq(b"lo", struct.pack("<i", 5)))         # SIOCSIFTXQLEN
    return s


def netlink_seed():
    REQ, ACKF, DUMP = 1, 4, 0x300
    ifinfo = struct.pack("<BBHiII", 0, 0, 0, 0, 0, 0)
    ifinfo2 = struct.pack("<BBHiII", 0, 0, 0, 2, 0, 0)
    ifa = struct.pack("<BBBBI", 2, 24, 0, 0, 2)
    s = b"N"
    s += nl_rec(nlmsg(18, REQ | DUMP, ifinfo))  # RTM_GETLINK
    s += nl_rec(nlmsg(18, REQ, ifinfo2 + rta(3, b"eth0\0")))
    s += nl_rec(nlmsg(22, REQ | DUMP, struct.pack("<BBBBI", 2, 0, 0, 0, 0)), 0x8000)
    s += nl_rec(nlmsg(20, REQ | ACKF, ifa + rta(2, bytes([10, 0, 3, 15])) + rta(1, bytes([10, 0, 3, 15]))))
    s += nl_rec(nlmsg(21, REQ | ACKF, ifa + rta(2, bytes([10, 0, 3, 15]))), 0x4000)
    s += nl_rec(nlmsg(30, REQ | DUMP, struct.pack("<BBHiHBB", 2, 0, 0, 0, 0, 0, 0)), 0x2000)
    s += nl_rec(nlmsg(26, REQ | DUMP, struct.pack("<BBBBBBBBI", 2, 0, 0, 0, 0, 0, 0, 0, 0)))  # RTM_GETROUTE
    s += nl_rec(nlmsg(24, REQ | ACKF, struct.pack("<BBBBBBBBI", 2, 0, 0, 0, 254, 4, 0, 1, 0)
                      + rta(1, bytes([10, 9, 0, 0])) + rta(5, GW)))  # RTM_NEWROUTE
    s += nl_rec(nlmsg(25, REQ | ACKF, struct.pack("<BBBBBBBBI", 2, 0, 0, 0, 254, 4, 0, 1, 0)))
    s += ioctls()
    # replies left unread until the queue is full, then read
    s += nl_rec(nlmsg(18, REQ | DUMP, ifinfo), 0xE000) * 70
    s += nl_rec(nlmsg(30, REQ | DUMP, struct.pack("<BBHiHBB", 2, 0, 0, 0, 0, 0, 0)))
    two = nlmsg(18, REQ | DUMP, ifinfo, 5) + nlmsg(22, REQ | DUMP, ifinfo[:8], 6)
    s += nl_rec(two)
    return s


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "tcp-session": tcp_session(), "tcp-retransmit": tcp_retransmit(),
        "tcp-rst": tcp_data_then_rst(), "tcp-active": tcp_active(),
        "tcp-dupacks": tcp_dupacks(), "tcp-time-wait": tcp_time_wait(),
        "tcp-loopback": tcp_loopback(), "tcp-small-mtu": tcp_small_mtu(), "tcp-options": tcp_options(),
        "bpf": bpf_seed(), "arp": arp_seed(), "packet-send": packet_send(), "icmp": icmp_seed(), "udp": udp_seed(),
        "frag": frag_seed(), "netlink": netlink_seed(),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


main()
