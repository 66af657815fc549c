/* Fixture: redefining a type name the framework headers use before
 * including them: struct fw_user_context's registers shrink to one byte in
 * this file while the framework writes eight. */
#include <stdint.h>
#define uint64_t uint8_t
#include <fw/user.h>
int svc_r(void);
int svc_r(void) { return 0; }
