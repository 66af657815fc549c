/* redteam: #define uint64_t uint8_t before <fw/user.h> shrinks every saved register of struct fw_user_context to one byte in this file while the framework writes eight bytes each. expect: redefine */
#include <stdint.h>
#define uint64_t uint8_t
#include <fw/user.h>

struct svc_thread {
	struct fw_user_context ctx;
	uint8_t flags;
};
