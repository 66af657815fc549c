/* services/exec/shebang.h: "#!" interpreter lines (Linux binfmt_script).
 *
 * Layer: services (safe C), pure logic, host-tested in
 * tests/unit/elf_test.c. */
#ifndef SERVICES_EXEC_SHEBANG_H
#define SERVICES_EXEC_SHEBANG_H

#include <fw/bytes.h>
#include <fw/compiler.h>

#define SHEBANG_BUF 256 /* BINPRM_BUF_SIZE: Linux looks at no more */

/* Parse the start of a file (up to SHEBANG_BUF bytes; fewer if the file is
 * shorter). If it does not start with "#!", *is_script = false and 0.
 * Otherwise, as Linux's load_script: the line ends at the first newline
 * (or the end of the 256 bytes, if the interpreter name is followed by a
 * blank or NUL there, else the name may be truncated: -ENOEXEC); leading
 * and trailing blanks are trimmed; the interpreter is the first word and
 * the optional argument the rest of the line, inner blanks kept. Both are
 * written as C strings to interp and arg (arg gets "" when absent,
 * *has_arg tells). 0, -ENOEXEC (no interpreter name), -ENAMETOOLONG (does
 * not fit in interp/arg). */
FW_MUST_CHECK int shebang_parse(struct fw_bytes head, bool *is_script,
				struct fw_buf interp, struct fw_buf arg,
				bool *has_arg);

#endif
