/* redteam: a vector_size type makes the compiler use SSE registers in the kernel. expect: attribute */
typedef int v4si __attribute__((vector_size(16)));

v4si svc_vec(v4si a, v4si b);
