; arch/x86_64/user.asm: entering and leaving user mode.
;
; Layer: arch (framework TCB). arch_user_enter saves the kernel's callee-
; saved registers, records its stack pointer (as the syscall stack and the
; TSS ring-0 stack, so any entry from user mode lands just below this frame)
; and irets into the user context. Every way back -- syscall, exception,
; interrupt -- stores the user registers into that context and returns from
; arch_user_enter, so fw_user_run looks like an ordinary call that returns
; when user mode stops (Asterinas OSTD's UserMode::execute, in assembly).

bits 64
section .text

; stac/clac, each recorded in .alt_smap so alternative.c can turn it into a
; NOP on a CPU without SMAP (where it would raise #UD).
%macro SMAP_SITE 1
%%site:	%1
	section .alt_smap progbits alloc noexec nowrite align=8
	dq %%site
	section .text
%endmacro
%define SMAP_STAC SMAP_SITE stac
%define SMAP_CLAC SMAP_SITE clac

; Offsets in struct fw_user_context (fw/user.h) and struct percpu.
%define U_RAX 0
%define U_RBX 8
%define U_RCX 16
%define U_RDX 24
%define U_RSI 32
%define U_RDI 40
%define U_RBP 48
%define U_RSP 56
%define U_R8 64
%define U_R9 72
%define U_R10 80
%define U_R11 88
%define U_R12 96
%define U_R13 104
%define U_R14 112
%define U_R15 120
%define U_RIP 128
%define U_RFLAGS 136
%define PC_SCRATCH 16
%define PC_KRSP 24
%define PC_CTX 32
%define PC_KSAVE 40
%define PC_EXIT 48
%define EXIT_SYSCALL 1

; void arch_user_enter(struct fw_user_context *ctx, uint64_t *tss_rsp0)
; Interrupts are off on entry (fw_user_run); iretq turns them on.
global arch_user_enter
arch_user_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [gs:PC_KSAVE], rsp
	mov [gs:PC_KRSP], rsp
	mov [rsi], rsp                  ; TSS rsp0
	mov [gs:PC_CTX], rdi
	push 0x1B                       ; ss: user data
	push qword [rdi + U_RSP]
	push qword [rdi + U_RFLAGS]
	push 0x23                       ; cs: user code
	push qword [rdi + U_RIP]
	; ZF: back from a system call, rcx and r11 still holding the rip and
	; rflags the syscall instruction saved. Then sysret returns, which
	; loads the fixed user selectors instead of reading the iret frame
	; and two descriptors. The register loads below keep the flags.
	mov rax, [rdi + U_RCX]
	xor rax, [rdi + U_RIP]
	mov rbx, [rdi + U_R11]
	xor rbx, [rdi + U_RFLAGS]
	or rax, rbx
	mov rax, [rdi + U_RAX]
	mov rbx, [rdi + U_RBX]
	mov rcx, [rdi + U_RCX]
	mov rdx, [rdi + U_RDX]
	mov rsi, [rdi + U_RSI]
	mov rbp, [rdi + U_RBP]
	mov r8, [rdi + U_R8]
	mov r9, [rdi + U_R9]
	mov r10, [rdi + U_R10]
	mov r11, [rdi + U_R11]
	mov r12, [rdi + U_R12]
	mov r13, [rdi + U_R13]
	mov r14, [rdi + U_R14]
	mov r15, [rdi + U_R15]
	jnz .iret
	; The user rsp is live for two instructions with interrupts off; an
	; NMI there runs on its own IST stack (idt.c). fw_user_run has checked
	; that rip is canonical (sysret would #GP in ring 0 otherwise).
	mov rsp, [rdi + U_RSP]
	mov rdi, [rdi + U_RDI]
	swapgs
	o64 sysret
.iret:
	mov rdi, [rdi + U_RDI]
	swapgs
	iretq

; The syscall instruction lands here (LSTAR) with interrupts masked
; (SFMASK), rcx = user rip, r11 = user rflags, still on the user stack.
global syscall_entry
syscall_entry:
	swapgs
	mov [gs:PC_SCRATCH], rsp
	mov rsp, [gs:PC_KRSP]
	push rax
	mov rax, [gs:PC_CTX]
	mov [rax + U_RBX], rbx
	mov [rax + U_RCX], rcx
	mov [rax + U_RDX], rdx
	mov [rax + U_RSI], rsi
	mov [rax + U_RDI], rdi
	mov [rax + U_RBP], rbp
	mov [rax + U_R8], r8
	mov [rax + U_R9], r9
	mov [rax + U_R10], r10
	mov [rax + U_R11], r11
	mov [rax + U_R12], r12
	mov [rax + U_R13], r13
	mov [rax + U_R14], r14
	mov [rax + U_R15], r15
	mov [rax + U_RIP], rcx
	mov [rax + U_RFLAGS], r11
	mov rbx, [gs:PC_SCRATCH]
	mov [rax + U_RSP], rbx
	pop rbx
	mov [rax + U_RAX], rbx
	mov qword [gs:PC_EXIT], EXIT_SYSCALL
	; fall through

; Return from arch_user_enter, wherever the kernel is now on its stack.
global arch_user_leave
arch_user_leave:
	mov rsp, [gs:PC_KSAVE]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; Both copies move 8 bytes per step ("rep movsq"/"rep stosq") and the last
; n % 8 bytes one by one. Under QEMU's TCG every iteration of a string
; instruction is a pass through the translated loop, so 8-byte steps are
; 8 times fewer passes than "rep movsb"; on hardware with ERMS a single
; "rep movsb"/"rep stosb" is as fast or faster, and copy_select.c picks it
; (copy_use_movsb) where it measures so at boot. The caller keeps the user
; address 8-byte aligned, so an 8-byte step never straddles two pages and a
; fault always stops the copy at the start of the page that is not mapped.

extern copy_use_movsb

; unsigned long arch_copy_user(void *dst, const void *src, size_t n)
; One of dst/src is a user address. Returns the bytes NOT copied: 0, or
; what was left when a page fault stopped the copy.
global arch_copy_user
arch_copy_user:
	SMAP_STAC
	cmp byte [rel copy_use_movsb], 0
	jne .bytes
	mov rcx, rdx
	shr rcx, 3
	and edx, 7
.q:	rep movsq
	mov ecx, edx
.b:	rep movsb
.done:
	SMAP_CLAC
	xor eax, eax
	ret
.bytes:
	mov rcx, rdx
.all:	rep movsb
	jmp .done
.fixq:
	SMAP_CLAC
	lea rax, [rdx + rcx * 8]
	ret
.fixb:
	SMAP_CLAC
	mov rax, rcx
	ret
section .extable
	dq arch_copy_user.q, arch_copy_user.fixq
	dq arch_copy_user.b, arch_copy_user.fixb
	dq arch_copy_user.all, arch_copy_user.fixb
section .text

; unsigned long arch_clear_user(void *dst, size_t n): bytes NOT cleared.
global arch_clear_user
arch_clear_user:
	xor eax, eax
	SMAP_STAC
	cmp byte [rel copy_use_movsb], 0
	jne .bytes
	mov rcx, rsi
	shr rcx, 3
	and esi, 7
.q:	rep stosq
	mov ecx, esi
.b:	rep stosb
.done:
	SMAP_CLAC
	ret
.bytes:
	mov rcx, rsi
.all:	rep stosb
	jmp .done
.fixq:
	SMAP_CLAC
	lea rax, [rsi + rcx * 8]
	ret
.fixb:
	SMAP_CLAC
	mov rax, rcx
	ret
section .extable
	dq arch_clear_user.q, arch_clear_user.fixq
	dq arch_clear_user.b, arch_clear_user.fixb
	dq arch_clear_user.all, arch_clear_user.fixb
section .text
