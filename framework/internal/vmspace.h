/* internal/vmspace.h: address-space switching for the scheduler. */
#ifndef INTERNAL_VMSPACE_H
#define INTERNAL_VMSPACE_H

struct fw_vmspace;

/* Load vs's page tables on this CPU (NULL: the kernel-only tables).
 * Interrupts must be off. */
void vmspace_switch(struct fw_vmspace *vs);
/* The space behind a service's handle (checked; NULL stays NULL). The
 * framework keeps raw pointers (a task's space, the CPU's CR3 owner); the
 * functions below take raw ones. */
struct fw_vmspace *vmspace_of_handle(struct fw_vmspace *vs);
/* A task starts (+1) or stops (-1) naming vs as the space it runs in;
 * NULL is ignored. */
void vmspace_task_ref(struct fw_vmspace *vs, int delta);

/* The memory service's resolver for uaccess faults, or NULL. */
#include <fw/vmspace.h>
fw_vmspace_fault_fn vmspace_fault_handler(void);

#endif
