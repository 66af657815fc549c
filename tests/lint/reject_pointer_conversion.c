/* Fixture: implicit conversion between incompatible pointer types (clang only
 * warns; the gate rejects). */
struct a { int x; };
struct b { long y; };
long svc_conv(struct a *p) { struct b *q = p; return q->y; }
