/* arch/x86.h: small static-inline wrappers around x86-64 instructions.
 *
 * Layer: arch (framework TCB only; services cannot include <arch/...>).
 * One instruction each, named for it, so the rest of the framework never
 * spells inline asm (xv6 kernel/riscv.h does the same for RISC-V). */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <stdint.h>
#include <stdbool.h>

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void x86_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t x86_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t x86_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* XCR0, the extended-state features XSAVE/XRSTOR cover (CR4.OSXSAVE on). */
static inline void x86_xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t x86_xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define X86_RW_CR(n)                                                           \
	static inline uint64_t x86_read_cr##n(void)                            \
	{                                                                      \
		uint64_t v;                                                    \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static inline void x86_write_cr##n(uint64_t v)                         \
	{                                                                      \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");     \
	}
X86_RW_CR(0)
X86_RW_CR(2)
X86_RW_CR(3)
X86_RW_CR(4)
#undef X86_RW_CR

static inline void x86_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void x86_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void x86_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void x86_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti takes effect after the next instruction, so no interrupt is lost
 * between the two: the canonical idle instruction pair. */
static inline void x86_sti_hlt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
static inline void x86_pause(void) { __asm__ volatile("pause" ::: "memory"); }

static inline uint64_t x86_read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}
static inline void x86_write_rflags(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc");
}
#define X86_RFLAGS_IF (1ull << 9)

static inline uint64_t x86_read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* FSGSBASE instructions: only with CR4.FSGSBASE on (user.c checks). */
static inline uint64_t x86_rdfsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}
static inline uint64_t x86_rdgsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdgsbase %0" : "=r"(v));
	return v;
}
static inline void x86_swapgs(void) { __asm__ volatile("swapgs" ::: "memory"); }

#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE 0x1B

#define EFER_NXE (1ull << 11)

#define CR0_WP (1ull << 16)
#define CR4_UMIP (1ull << 11)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PGE (1ull << 7)

#endif
