/* services/init/init.h: the services' start-up steps. */
#ifndef SERVICES_INIT_H
#define SERVICES_INIT_H

#include <fw/compiler.h>

/* Build the root file system, the console and pid 1. */
FW_MUST_CHECK int userland_start(void);

#endif
