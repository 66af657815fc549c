/* redteam: clang's address_space(256) attribute is the same %gs-relative access spelled as an attribute. expect: address-space */
typedef unsigned long __attribute__((address_space(256))) gs_ulong;

unsigned long svc_gs(const gs_ulong *p);
