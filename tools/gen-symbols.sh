#!/usr/bin/env bash
# tools/gen-symbols.sh: emit the kernel's function symbol table as assembly.
#
# The panic handler symbolizes backtraces with it. Sorted by address; the
# names are NUL-terminated strings addressed by 32-bit offsets so the table
# stays compact. Usage: gen-symbols.sh kernel.elf > symbols.S
set -euo pipefail
nm -n --defined-only "$1" | awk 'BEGIN { n = 0 }
NF == 3 && $1 ~ /^[0-9a-f]+$/ && $2 ~ /^[tT]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .rodata"
	print "\t.balign 8"
	print "\t.globl fw_symtab_count"
	print "fw_symtab_count:\n\t.quad " n
	print "\t.globl fw_symtab_addr"
	print "fw_symtab_addr:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "\t.globl fw_symtab_name_off"
	print "fw_symtab_name_off:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "\t.globl fw_symtab_names"
	print "fw_symtab_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
	print "\t.section .note.GNU-stack,\"\",@progbits"
}'
