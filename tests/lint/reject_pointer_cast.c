/* Fixture: explicit cast between pointer types. */
struct a { int x; };
struct b { long y; };
long svc_cast(struct a *p) { return ((struct b *)p)->y; }
