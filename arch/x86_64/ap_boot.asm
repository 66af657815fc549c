; arch/x86_64/ap_boot.asm: the application-processor start-up trampoline.
;
; Layer: arch (framework TCB). smp.c copies these bytes to physical 0x8000
; and sends INIT-SIPI-SIPI (SDM vol. 3, 8.4.4); each AP starts here in real
; mode at 0800:0000, switches to protected and then long mode with the
; kernel's page tables (which identity-map the low 2 MiB while APs start),
; and jumps to ap_main(cpu) on the stack smp.c left in the data slots.

TRAMP equ 0x8000
%define A(x) (TRAMP + ((x) - ap_trampoline_start))

section .rodata
global ap_trampoline_start, ap_trampoline_end
global ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry, ap_tramp_cpu

bits 16
ap_trampoline_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	o32 lgdt [A(ap_gdt_ptr)]
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword 0x08:A(ap_pm32)

bits 32
ap_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [A(ap_tramp_cr3)]
	mov cr3, eax
	mov ecx, 0xC0000080             ; EFER: LME, NXE
	rdmsr
	or eax, (1 << 8) | (1 << 11)
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)   ; PG, WP
	mov cr0, eax
	jmp 0x18:A(ap_lm64)

bits 64
ap_lm64:
	xor eax, eax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [A(ap_tramp_stack)]
	mov rdi, [A(ap_tramp_cpu)]
	mov rax, [A(ap_tramp_entry)]
	xor ebp, ebp
	push 0                          ; fake return address, keeps alignment
	jmp rax

align 8
ap_gdt:
	dq 0
	dq 0x00CF9A000000FFFF           ; 0x08: 32-bit code
	dq 0x00CF92000000FFFF           ; 0x10: data
	dq 0x00AF9A000000FFFF           ; 0x18: 64-bit code
ap_gdt_ptr:
	dw ap_gdt_ptr - ap_gdt - 1
	dd A(ap_gdt)
align 8
ap_tramp_cr3:   dq 0
ap_tramp_stack: dq 0
ap_tramp_entry: dq 0
ap_tramp_cpu:   dq 0
ap_trampoline_end:
