/* services/fs/event/signalfd.h: the process service's side of signalfd.
 *
 * Layer: services (safe C). The process service calls signalfd_notify()
 * after every signal it makes pending (from any context, interrupts
 * included), so a signalfd that is polled or read looks again. */
#ifndef SERVICES_FS_EVENT_SIGNALFD_H
#define SERVICES_FS_EVENT_SIGNALFD_H

void signalfd_notify(void);

#endif
