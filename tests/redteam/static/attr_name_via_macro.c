/* redteam: the attribute name is hidden in a service macro so the attribute looks like an unknown word. expect: attribute */
#define ARCH target
__attribute__((ARCH("avx2"))) int svc_fast(void);
