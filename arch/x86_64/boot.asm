; arch/x86_64/boot.asm: the first instructions, Multiboot2 to 64-bit C.
;
; Layer: arch (framework TCB). GRUB enters boot_entry32 in 32-bit protected
; mode with paging off, EAX = Multiboot2 magic, EBX = physical address of the
; boot information. We build throw-away page tables that map the first 1 GiB
; three times -- identity (so the next instruction still exists after paging
; is switched on), at the physical-memory window 0xFFFF800000000000, and at
; the kernel's link address 0xFFFFFFFF80000000 -- switch to long mode, and
; call kmain(magic, mbi_phys) on the boot stack. A CPU without long mode or
; NX is refused with a message on COM1 (the serial port is usable without
; setup at its BIOS defaults; nothing else is up yet). paging.c replaces these
; tables with the real ones (W^X, guard pages) as soon as memory is known.

KERNEL_VIRT     equ 0xFFFFFFFF80000000
MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0
MB2_BOOT_MAGIC  equ 0x36D76289
COM1            equ 0x3F8

section .multiboot2
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; module alignment tag: modules start on a page boundary
	align 8
	dw 6, 0
	dd 8
	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.text
bits 32
global boot_entry32
boot_entry32:
	cli
	cld
	mov esp, boot_stack_top - KERNEL_VIRT
	mov edi, eax                    ; keep magic and mbi for kmain
	mov esi, ebx

	cmp eax, MB2_BOOT_MAGIC
	jne .not_multiboot

	; Long mode needs CPUID leaf 0x80000001 with the LM bit.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	; NX too: EFER.NXE is set below, and on a CPU without NX that write
	; faults (#GP) with no IDT to report it -- a silent triple fault.
	test edx, 1 << 20
	jz .no_nx

	; PD: 512 x 2 MiB pages = the first 1 GiB, present+writable+large.
	mov edi, boot_pd - KERNEL_VIRT
	xor ecx, ecx
.fill_pd:
	mov eax, ecx
	shl eax, 21
	or eax, 0x83
	mov [edi + ecx * 8], eax
	mov dword [edi + ecx * 8 + 4], 0
	inc ecx
	cmp ecx, 512
	jne .fill_pd

	mov eax, boot_pd - KERNEL_VIRT
	or eax, 0x3
	mov [boot_pdpt_low - KERNEL_VIRT], eax          ; PDPT[0]   -> 0..1 GiB
	mov [boot_pdpt_high - KERNEL_VIRT + 510 * 8], eax ; PDPT[510] -> 0..1 GiB
	mov eax, boot_pdpt_low - KERNEL_VIRT
	or eax, 0x3
	mov [boot_pml4 - KERNEL_VIRT], eax              ; identity
	mov [boot_pml4 - KERNEL_VIRT + 256 * 8], eax    ; physical window
	mov eax, boot_pdpt_high - KERNEL_VIRT
	or eax, 0x3
	mov [boot_pml4 - KERNEL_VIRT + 511 * 8], eax    ; kernel image

	mov edi, esi                    ; restore: edi = mbi (esi clobbered below)
	mov ebx, edi

	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, boot_pml4 - KERNEL_VIRT
	mov cr3, eax
	mov ecx, 0xC0000080             ; EFER
	rdmsr
	or eax, (1 << 8) | (1 << 11)    ; LME, NXE
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1 ; PG, WP, PE
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp 0x08:boot_entry64

.not_multiboot:
	mov esi, msg_not_mb
	jmp .fatal
.no_long_mode:
	mov esi, msg_no_lm
	jmp .fatal
.no_nx:
	mov esi, msg_no_nx
.fatal:
	mov dx, COM1
	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp .fatal
.halt:
	hlt
	jmp .halt

bits 64
boot_entry64:
	xor eax, eax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov rax, .high
	jmp rax
.high:
	mov rsp, boot_stack_top
	xor ebp, ebp
	mov edi, MB2_BOOT_MAGIC         ; kmain(magic, mbi_phys)
	mov esi, ebx
	extern kmain
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .boot.data
align 8
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code
boot_gdt_ptr:
	dw boot_gdt_ptr - boot_gdt - 1
	dd boot_gdt
msg_not_mb: db "boot: not started by a Multiboot2 loader; boot with GRUB (make run)", 13, 10, 0
msg_no_lm:  db "boot: this CPU has no 64-bit long mode; an x86-64 CPU is needed", 13, 10, 0
msg_no_nx:  db "boot: this CPU has no NX (execute-disable) bit; the kernel needs it for W^X", 13, 10, 0

section .bss
align 4096
global boot_pml4
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096
; The page below the boot stack is left unmapped by paging.c: a guard page.
global boot_stack_guard
boot_stack_guard: resb 4096
global boot_stack_bottom
boot_stack_bottom: resb 16384
global boot_stack_top
boot_stack_top:
