/* services/exec/exec.c: execve's preparation: "#!" scripts and the new
 * address space (exec_prepare, exec_read_shebang).
 *
 * Layer: services (safe C). See exec.h for the sequence the process
 * service follows around these calls. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>

#include "exec/exec.h"
#include "exec/shebang.h"
#include "fs/vfs/uapi.h"
#include "fs/vfs/vfs.h"
#include "mm/mm.h"
#include "current/current.h"

int exec_read_shebang(struct file *f, struct kpath *interp, struct kname *arg,
		      bool *is_script)
{
	uint8_t head[SHEBANG_BUF];
	struct fw_bytes b;
	bool has_arg;
	long n;

	n = vfs_read_at(f, 0, FW_BUF_OF_ARRAY(head));
	if (n < 0)
		return (int)n;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(head), 0, (size_t)n, &b))
		return -EIO;
	return shebang_parse(b, is_script, FW_BUF_OF_ARRAY(interp->s),
			     FW_BUF_OF_ARRAY(arg->s), &has_arg);
}

/* Rewrite args for "#!" as Linux's load_script: argv[0] is replaced by
 * the script path, in front of which go the optional argument and the
 * interpreter path. */
static int script_args(struct exec_strings *args, const struct kpath *script,
		       const struct kpath *interp, const struct kname *arg)
{
	struct fw_bytes b;
	int err;

	exec_strings_pop_front(args);
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(script->s), 0, strlen(script->s), &b))
		return -E2BIG;
	err = exec_strings_push_front(args, b);
	if (err)
		return err;
	if (arg->s[0]) {
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(arg->s), 0, strlen(arg->s), &b))
			return -E2BIG;
		err = exec_strings_push_front(args, b);
		if (err)
			return err;
	}
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(interp->s), 0, strlen(interp->s), &b))
		return -E2BIG;
	return exec_strings_push_front(args, b);
}

/* Open path (or take first, already open), following "#!" interpreters;
 * *out gets the ELF (or other non-script) file and cur its path. */
static int open_binary(struct fs_context *fs, struct kpath *cur,
		       struct file *first, struct exec_strings *args,
		       struct file **out)
{
	struct kpath *interp = kpath_alloc();
	struct kname *arg = FW_NEW(struct kname);
	int err = -ENOMEM;

	if (!interp || !arg)
		goto out;
	for (int depth = 0;; depth++) {
		struct file *f;
		bool script;

		if (depth == 0 && first) {
			file_get(first);
			f = first;
		} else {
			err = vfs_open_exec(fs, cur, &f);
			if (err)
				goto out;
		}
		err = exec_read_shebang(f, interp, arg, &script);
		if (!err && !script) {
			*out = f;
			goto out;
		}
		file_put(f);
		if (err)
			goto out;
		err = -ELOOP;
		if (depth >= EXEC_SHEBANG_DEPTH)
			goto out;
		err = script_args(args, cur, interp, arg);
		if (err)
			goto out;
		FW_STATIC_ASSERT(sizeof(cur->s) == sizeof(interp->s), "kpath");
		memcpy(cur->s, interp->s, sizeof(cur->s));
	}
out:
	fw_free(arg);
	kpath_free(interp);
	return err;
}

/* Linux's bprm_fill_uid: the effective ids f runs with. */
static void setid_ids(const struct file *f, const struct cred *c,
		      struct exec_ids *ids)
{
	const struct inode *ino = f->path.inode;

	ids->euid = c->euid;
	ids->egid = c->egid;
	if (!ids->allow_setid || !ino ||
	    (f->path.mnt && (f->path.mnt->flags & MS_NOSUID)))
		return;
	if (ino->mode & S_ISUID)
		ids->euid = ino->uid;
	/* set-group-ID without group execute is mandatory locking's mark */
	if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
		ids->egid = ino->gid;
}

int exec_prepare(struct fs_context *fs, const struct kpath *path,
		 struct file *first, struct exec_strings *args,
		 struct mm **new_mm, uint64_t *entry, uint64_t *sp,
		 struct kpath *exe_path_out, struct exec_ids *ids)
{
	struct exec_ids none = { .allow_setid = false };
	struct kpath *cur = kpath_alloc();
	struct exec_image img = { 0 };
	const struct cred *c = fs_cred(); /* root's, all 0, for a kernel task */
	struct file *f = NULL;
	struct mm *mm = NULL;
	int err = -ENOMEM;

	if (!cur)
		return -ENOMEM;
	memcpy(cur->s, path->s, sizeof(cur->s));
	err = exec_strings_set_execfn(args, path);
	if (err)
		goto out;
	/* Linux 5.18+: an empty argv becomes { "" }, so argv[0] exists. */
	if (args->argc == 0) {
		err = exec_strings_push_front(args, FW_BYTES_OF_LITERAL(""));
		if (err)
			goto out;
	}
	err = open_binary(fs, cur, first, args, &f);
	if (err)
		goto out;
	err = mm_create(&mm);
	if (err)
		goto out;
	img.hwcap = fw_cpuid(1, 0).edx; /* AT_HWCAP: CPUID.1:EDX, as Linux */
	img.minsigstksz = signal_min_stack_size();
	if (!ids)
		ids = &none;
	setid_ids(f, c, ids);
	ids->secure = ids->euid != c->euid || ids->egid != c->egid;
	img.uid = c->uid;
	img.euid = ids->euid;
	img.gid = c->gid;
	img.egid = ids->egid;
	img.secure = ids->secure;
	err = exec_load(mm, fs, f, &img);
	if (!err)
		err = exec_build_stack(mm, args, &img, sp);
	if (err)
		goto out;
	*entry = img.entry;
	*new_mm = mm;
	mm = NULL;
	/* /proc/<pid>/exe names the file that runs, with symlinks resolved
	 * (Linux keeps the file itself): /bin/sh -> /bin/busybox. */
	if (exe_path_out && vfs_get_path(f, exe_path_out))
		memcpy(exe_path_out->s, cur->s, sizeof(cur->s));
out:
	if (mm)
		mm_put(mm);
	if (f)
		file_put(f);
	kpath_free(cur);
	return err;
}
