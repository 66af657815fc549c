/* Fixture: clang's address_space attribute (256 is %gs). */
typedef int __attribute__((address_space(256))) gs_int;
int svc_percpu(const gs_int *p);
