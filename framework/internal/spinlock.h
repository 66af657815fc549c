/* internal/spinlock.h: spinlock set-up at boot. */
#ifndef INTERNAL_SPINLOCK_H
#define INTERNAL_SPINLOCK_H

/* Choose the fair (bare metal) or virtualization-friendly lock mode. */
void spinlock_detect_mode(void);

#endif
