/* services/init/init.h: the services' start-up steps.
 *
 * Folder services/init: the top -- starts every service in order and
 * pid 1; may include any of them. */
#ifndef SERVICES_INIT_H
#define SERVICES_INIT_H

#include <fw/compiler.h>

/* Build the root file system, the console and pid 1. */
FW_MUST_CHECK int userland_start(void);

#endif
