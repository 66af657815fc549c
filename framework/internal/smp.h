/* internal/smp.h: application-processor bring-up. */
#ifndef INTERNAL_SMP_H
#define INTERNAL_SMP_H

void smp_init(void);

#endif
