/* internal/gdt.h: segment selectors and IST slots. */
#ifndef INTERNAL_GDT_H
#define INTERNAL_GDT_H

#include <stdint.h>

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UDATA 0x1B
#define GDT_UCODE 0x23
#define GDT_TSS 0x28

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2

/* The stack the CPU switches to on an interrupt from user mode. */
void gdt_set_kernel_stack(uint64_t rsp0);

#endif
