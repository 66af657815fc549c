/* internal/heap.h: heap set-up at boot. */
#ifndef INTERNAL_HEAP_H
#define INTERNAL_HEAP_H

void heap_init(void);

#endif
