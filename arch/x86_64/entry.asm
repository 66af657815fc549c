; arch/x86_64/entry.asm: interrupt entry, context switch, fault-safe probes.
;
; Layer: arch (framework TCB). Every vector has a stub that pushes a uniform
; frame (struct trapframe in internal/trap.h) and calls trap_dispatch(frame).
; Vectors without a CPU error code push a zero so the layout never varies.

bits 64
section .text

extern trap_dispatch

; Vectors that push an error code (SDM vol. 3, 6.15).
%define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro ISR 1
align 16
isr_%1:
%if HAS_ERR(%1) == 0
	push 0
%endif
	push %1
	jmp trap_common
%endmacro

%assign v 0
%rep 256
ISR v
%assign v v + 1
%endrep

trap_common:
	; Coming from user mode (CS.RPL = 3)? Then GS holds the user base.
	test byte [rsp + 24], 3
	jz .from_kernel
	swapgs
.from_kernel:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call trap_dispatch
global trap_return
trap_return:
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	test byte [rsp + 24], 3
	jz .to_kernel
	swapgs
.to_kernel:
	add rsp, 16                     ; vector and error code
	iretq

section .rodata
align 8
global isr_table
isr_table:
%assign v 0
%rep 256
	dq isr_ %+ v
%assign v v + 1
%endrep

section .text

; void arch_switch(uint64_t *save_rsp, uint64_t new_rsp)
; Saves the callee-saved registers on the old stack, stores its rsp, loads
; the new one and returns into whatever that stack was switched out in.
global arch_switch
arch_switch:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; First entry of a new task: arch_switch "returns" here with r12 = entry
; function and r13 = its argument (task.c builds that initial frame).
extern task_first_entry
global arch_task_trampoline
arch_task_trampoline:
	xor ebp, ebp                    ; end of the backtrace chain
	mov rdi, r12
	mov rsi, r13
	call task_first_entry
	ud2

; Fault-safe probes: a page fault at the labelled instruction resumes at the
; fixup, which returns -EFAULT (-14). The exception table pairs them.
%macro EXTABLE 2
section .extable
	dq %1, %2
section .text
%endmacro

; int arch_probe_write8(uint64_t addr, uint8_t v)
global arch_probe_write8
arch_probe_write8:
.insn:	mov [rdi], sil
	xor eax, eax
	ret
.fix:	mov eax, -14
	ret
EXTABLE arch_probe_write8.insn, arch_probe_write8.fix

; int arch_probe_read8(uint64_t addr, uint8_t *out)
global arch_probe_read8
arch_probe_read8:
.insn:	mov al, [rdi]
	mov [rsi], al
	xor eax, eax
	ret
.fix:	mov eax, -14
	ret
EXTABLE arch_probe_read8.insn, arch_probe_read8.fix
