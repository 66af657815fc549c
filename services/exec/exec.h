/* services/exec/exec.h: program loading for execve.
 *
 * Layer: services (safe C). The process service's execve does:
 *
 *     exec_strings_init(&args);
 *     exec_strings_from_user(&args, argv, envp);   // from the old mm
 *     exec_prepare(fs, path, NULL, &args, &mm, &entry, &sp, exe_path);
 *     ... point of no return: swap mm, close CLOEXEC fds, reset signals,
 *     rip = entry, rsp = sp, other registers 0 ...
 *     exec_strings_free(&args);
 *
 * exec_prepare opens the file, follows up to 4 levels of "#!" scripts
 * (Linux binfmt_script), builds a new struct mm with the ELF program (and
 * its interpreter, PT_INTERP) mapped, and the initial stack with argv,
 * envp and the auxiliary vector (System V x86-64 psABI 3.4.1). The old
 * address space is not touched, so every error leaves the caller's
 * process intact.
 *
 * Folder services/exec: ELF and #! loading, the initial stack. May
 * include fs, mm, current, lib; its caller is proc (execve). */
#ifndef SERVICES_EXEC_EXEC_H
#define SERVICES_EXEC_EXEC_H

#include <fw/bytes.h>
#include <fw/compiler.h>
#include <fw/uaccess.h>

#include "lib/kpath.h"

struct mm;
struct file;
struct fs_context;

#define EXEC_ARGS_MAX (128u * 1024)  /* bytes of argv+envp strings (with
				      * NULs): MAX_ARG_STRLEN, and our whole
				      * budget (Linux allows 1/4 of the stack) */
#define EXEC_MAX_STRINGS 16384       /* argv + envp entries */
#define EXEC_SHEBANG_DEPTH 4         /* nested "#!" interpreters */

/* argv and envp, copied into the kernel: argc strings then envc strings,
 * each NUL-terminated, packed in buf[0, len). */
struct exec_strings {
	struct fw_buf buf;   /* EXEC_ARGS_MAX bytes from the heap */
	size_t len;          /* bytes used */
	unsigned argc;
	unsigned envc;
	struct kpath *execfn; /* the path given to execve (AT_EXECFN) */
};

/* What the loader found, for the stack and the registers. */
struct exec_image {
	uint64_t entry;      /* where to start: the interpreter's entry, or
			      * the program's */
	uint64_t prog_entry; /* AT_ENTRY: the program's entry */
	uint64_t phdr;       /* AT_PHDR: program headers in memory */
	uint64_t phnum;      /* AT_PHNUM */
	uint64_t base;       /* AT_BASE: interpreter load address, or 0 */
	uint64_t brk;        /* start of the heap */
	bool exec_stack;     /* PT_GNU_STACK asks for an executable stack */
	uint64_t hwcap;      /* AT_HWCAP */
	uint64_t minsigstksz; /* AT_MINSIGSTKSZ */
	uint32_t uid, euid, gid, egid; /* AT_UID... */
	bool secure;         /* AT_SECURE: a set-id program */
};

/* The ids a program runs with (Linux's bprm_fill_uid): the caller's, or
 * a set-user-ID file's owner as effective uid and a set-group-ID (and
 * group-executable) file's group as effective gid, unless the caller
 * says set-id bits do not apply (no_new_privs, being traced) or the
 * file's mount is nosuid. */
struct exec_ids {
	bool allow_setid;    /* in */
	uint32_t euid, egid; /* out: the new effective ids */
	bool secure;         /* out: they differ from the caller's */
};

/* Empty strings with their buffer allocated: 0 or -ENOMEM. */
FW_MUST_CHECK int exec_strings_init(struct exec_strings *s);
void exec_strings_free(struct exec_strings *s);
/* Append the NULL-terminated user arrays argv and envp (either may be
 * NULL: empty). 0, -EFAULT, -E2BIG (too long or too many), -ENOMEM. */
FW_MUST_CHECK int exec_strings_from_user(struct exec_strings *s,
					 fw_uptr_t argv, fw_uptr_t envp);
/* Append one argument / environment string (kernel side, e.g. init's
 * argv): str without NUL. Arguments must all come before environment
 * strings. 0 or -E2BIG. */
FW_MUST_CHECK int exec_strings_add_arg(struct exec_strings *s,
				       struct fw_bytes str);
FW_MUST_CHECK int exec_strings_add_env(struct exec_strings *s,
				       struct fw_bytes str);
/* Insert str as the new argv[0] (for "#!"). 0 or -E2BIG. */
FW_MUST_CHECK int exec_strings_push_front(struct exec_strings *s,
					  struct fw_bytes str);
/* Remove argv[0], if any. */
void exec_strings_pop_front(struct exec_strings *s);
/* Record the execve path for AT_EXECFN. 0 or -ENOMEM. */
FW_MUST_CHECK int exec_strings_set_execfn(struct exec_strings *s,
					  const struct kpath *path);

/* Read a "#!" line from the start of f: *is_script false (and 0) if the
 * file does not start with "#!"; else the interpreter path and its
 * optional argument (arg->s is "" when there is none). 0, -ENOEXEC,
 * -ENAMETOOLONG, -EIO. */
FW_MUST_CHECK int exec_read_shebang(struct file *f, struct kpath *interp,
				    struct kname *arg, bool *is_script);

/* Map ELF program f (and its PT_INTERP interpreter, opened through fs)
 * into the empty mm; fill img (entry points, AT_* values, brk) and set
 * mm's brk. 0, -ENOEXEC (not ELF for x86-64), -EINVAL (unmappable
 * segments), -ENOMEM, -EIO, or an error opening the interpreter. */
FW_MUST_CHECK int exec_load(struct mm *mm, struct fs_context *fs,
			    struct file *f, struct exec_image *img);

/* Create the stack VMA of mm below MM_STACK_TOP and write argc, argv,
 * envp, the auxiliary vector and the strings into it through frames (the
 * mm need not be active). *sp_out gets the 16-byte aligned stack pointer
 * (pointing at argc). 0, -E2BIG, -ENOMEM. */
FW_MUST_CHECK int exec_build_stack(struct mm *mm,
				   const struct exec_strings *args,
				   const struct exec_image *img,
				   uint64_t *sp_out);

/* Everything execve does before the point of no return: see the top of
 * this file. args is updated for "#!" (interpreter, its argument and the
 * script path in front); *new_mm gets the new address space (one
 * reference; mm_put it on a later failure); exe_path_out (may be NULL)
 * the path of the binary finally loaded (/proc/<pid>/exe). Errors:
 * those of vfs_open_exec, -ENOEXEC, -ELOOP (more than 4 "#!" levels),
 * -E2BIG, -ENOMEM, -EINVAL, -EIO. first (may be NULL): the file to run,
 * already opened (execveat with a directory fd or AT_EMPTY_PATH: path is
 * then its /dev/fd/N name, as Linux names it); the caller keeps its
 * reference. ids (may be NULL: no set-id) gets the ids the program runs
 * with; the caller installs them at the point of no return. */
FW_MUST_CHECK int exec_prepare(struct fs_context *fs, const struct kpath *path,
			       struct file *first, struct exec_strings *args,
			       struct mm **new_mm, uint64_t *entry,
			       uint64_t *sp, struct kpath *exe_path_out,
			       struct exec_ids *ids);

#endif
