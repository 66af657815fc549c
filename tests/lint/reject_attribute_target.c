/* Fixture: target("sse2") enables SSE code in the kernel, clobbering the
 * user's FPU registers. */
__attribute__((target("sse2"))) int svc_sum(const int *a);
