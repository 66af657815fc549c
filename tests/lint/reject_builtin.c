/* Fixture: __builtin_frame_address walks the kernel stack. */
unsigned long svc_fp(void) { return __builtin_frame_address(0) != 0; }
