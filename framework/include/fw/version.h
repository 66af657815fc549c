/* fw/version.h: the kernel's version string (shown in the banner). */
#ifndef FW_VERSION_H
#define FW_VERSION_H

#define FW_VERSION "0.1.0"

#endif
