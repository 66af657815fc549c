/* services/drivers/char/kmsg.h: /dev/kmsg and syslog(2) (kmsg.c). */
#ifndef SERVICES_DRIVERS_CHAR_KMSG_H
#define SERVICES_DRIVERS_CHAR_KMSG_H

/* Register /dev/kmsg (1:11) and syslog(2), start the poll forwarder. */
void kmsg_init(void);

#endif
