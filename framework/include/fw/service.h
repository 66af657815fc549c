/* fw/service.h: the two entry points the services half provides.
 *
 * Layer: framework public API, implemented by services/init. The framework
 * calls services_init() once on the boot CPU before any task exists (it
 * must register the scheduler policy), then runs services_main() as the
 * first kernel task, with every CPU online and interrupts on. */
#ifndef FW_SERVICE_H
#define FW_SERVICE_H

void services_init(void);
void services_main(void);

#endif
