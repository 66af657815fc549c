/* redteam: __attribute__((target("sse2"))) emits SSE code in the kernel that clobbers the interrupted user thread's XMM registers. expect: attribute */
__attribute__((target("sse2"))) long svc_sum(const long *a);
