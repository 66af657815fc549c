#!/usr/bin/python3
# tools/gate/check_services.py: the "safe C" gate for services/.
#
# Layer: build tooling (host side). Plays the part of Asterinas'
# #![deny(unsafe_code)] for the C services (see /work/shared/DESIGN.md, "The
# gate"). Run with the Debian python3-clang-14 bindings, i.e. /usr/bin/python3:
#
#   /usr/bin/python3 tools/gate/check_services.py [--cflags "<flags>"] file.c ...
#
# Each file is parsed by libclang with the real services build flags and every
# token/AST node SPELLED in a checked file (anything that is not a framework
# header, an arch file or a compiler header) is checked. Output, one line per
# violation:   file:line:col: rule-name: explanation
# Exit status: 0 clean, 1 violations, 2 a file did not parse (diagnostics are
# printed; a file that does not parse is never silently skipped).
#
# Rules (rule name: what it rejects):
#   inline-asm           asm/__asm__/__asm statements, file-scope asm, asm labels
#   attribute            an allowlist (ATTR_ALLOWED: unused, noreturn, format,
#                        packed, cold, noinline, nonnull...): everything else,
#                        e.g. naked, section, alias, used, constructor,
#                        no_sanitize*, target (SSE code clobbers the user's FPU
#                        state), optimize, vector_size, mode, may_alias,
#                        transparent_union, cleanup, uninitialized, alloc_size,
#                        malloc; aligned(N)/_Alignas(N) above 64 (the stack
#                        realignment jumps the guard page); [[...]] attributes
#   pointer-cast         explicit cast to or from a pointer type ((void)x and
#                        (void *)0 are fine)
#   void-ptr-conversion  implicit conversion from void * to another pointer type
#   pointer-conversion   implicit conversion between different pointer types,
#                        int<->pointer, one that drops const, or va_arg of a
#                        type that is or holds a pointer, _Bool or framework
#                        struct (clang only warns about most of these; the
#                        gate parses without -Werror and checks itself)
#   pointer-arith        + - += -= ++ -- on a pointer, pointer difference,
#                        subscript of a pointer (or of an array of unknown size)
#   volatile             the volatile qualifier
#   union-pointer        a union with a member that is or holds a pointer or a
#                        framework struct
#   raw-mem              mem*/str* calls whose pointer arguments are not a real
#                        array, &lvalue or string literal; taking their address
#   private-name         identifiers starting with fw__
#   private-field        a member access to a framework struct field marked
#                        __private
#   builtin              __builtin_* calls outside a small allowlist
#   vla                  variable-length arrays, alloca
#   computed-goto        goto *p, &&label
#   extern-decl          declaring fw_*, fw__*, arch_*, x86_* symbols, or a
#                        framework export (framework/exports.txt: memcpy...) or
#                        __name yourself (a prototype of your own choosing)
#   include              an allowlist: <fw/*.h> (the framework's public
#                        headers), <stdbool.h> <stddef.h> <stdint.h> <stdarg.h>
#                        <stdatomic.h> <stdalign.h> <stdnoreturn.h> <float.h>,
#                        and "x.h" resolving under services/ or the including
#                        file's directory; no '..', absolute, computed,
#                        #include_next or #import includes, no intrinsic
#                        headers (<x86intrin.h>, <cpuid.h>, <mm_malloc.h>...)
#   no-prototype         unprototyped (K&R / implicit) function declarations
#   flexible-array       flexible or zero-length array members (unbounded)
#   thread-local         __thread/_Thread_local (%fs is the user's in a kernel)
#   init-framework       brace initializers (init lists, compound literals,
#                        brace-elided ones inside service structs and arrays)
#                        that set a field of a framework struct (one defined in
#                        a framework header) by position with anything but 0,
#                        or a __private field by designator. {0}, {}, the
#                        framework's INIT macros, designated public fields and
#                        a whole framework-struct member initialized from an
#                        object of its type are fine.
#   framework-type       a service definition of a struct/union/enum tagged
#                        fw_* or declared by a framework header (except struct
#                        fw_task_data, which services define), a fw_* typedef
#   type-conflict        across the whole run (give it all of services/): two
#                        layouts of one struct/union/enum tag or typedef name
#                        (field names, canonical types, sizes, offsets), or two
#                        types of one external function or variable
#   typed-copy           memcpy/memmove/memset/bcopy/bzero (and __builtin_
#                        forms) writing into a type that holds a pointer, _Bool
#                        or framework struct (memset to 0 is fine), or reading
#                        one that holds a pointer or framework struct; the byte
#                        views FW_BUF_OF_OBJ/FW_BUF_OF_ARRAY (writable: no
#                        pointer, _Bool or framework struct) and FW_BYTES_OF_OBJ/
#                        FW_BYTES_OF_ARRAY (read-only: no pointer or framework
#                        struct) over such types, also through FW_COPY_IN_OBJ/
#                        FW_COPY_OUT_OBJ (checked at the fw__buf_make/
#                        fw__bytes_make call, on the service's argument)
#   pragma               #pragma, %:pragma, _Pragma(...), __pragma
#   redefine             #define/#undef of a reserved identifier (__x, _X;
#                        except the Linux UAPI names __NR_*, __WALL, __WCLONE,
#                        __WNOTHREAD, _POSIX_VDISABLE), a C keyword (or bool,
#                        true, false...), or any identifier spelled in the
#                        framework or compiler headers the file includes (and
#                        in gcc's header of the same name)
#   address-space        __seg_gs, __seg_fs, __attribute__((address_space(N)))
#   atomic-pointer       __sync_* builtins; __atomic_*/__c11_atomic_* arithmetic
#                        (fetch_add, add_fetch, ...) on an object that is or
#                        holds a pointer, even when the builtin is spelled in
#                        <stdatomic.h> (atomic_fetch_add on _Atomic(T *)); the
#                        generic __atomic_load/store/exchange/compare_exchange
#                        (not _n: they copy bytes between any types);
#                        __atomic_test_and_set/clear except on bool/char
#   token-paste          '##' in a service macro whose left operand is a macro
#                        parameter, or a literal a keyword or builtin the token
#                        rules look for could start with (asm, volatile,
#                        __attribute__, _Pragma, __builtin*, __sync*, __seg*...)
#   local-escape         the address of automatic storage of the enclosing
#                        function (&x, &x.f, &x[i], a local array decaying, a
#                        block-scope compound literal, &p->f / &p[i] / *p with
#                        p holding such an address) or a byte view of it
#                        (FW_BUF_OF_*/FW_BYTES_OF_* = fw__buf_make/
#                        fw__bytes_make, and fw_buf_as_bytes, fw_buf_sub,
#                        fw_bytes_sub, fw_reader_init/_bytes/_limit,
#                        fw_writer_init over one): (a) returned, also inside
#                        a struct or compound literal; (b) stored by '=' or
#                        by one of those fw_ calls' out-arguments into
#                        anything whose base is not an automatic variable of
#                        the same function (a global, a static local, *p,
#                        p->f, a pointer's element, a member of one of
#                        those); (c) passed as the argument FW_TIMER_CREATE,
#                        FW_IRQ_ATTACH or FW_TASK_SPAWN keeps (also with a
#                        later fw_task_join: a return between spawn and join
#                        would leave the task on a dead frame). A local
#                        (pointer, view, cursor, struct or array holding one)
#                        that is ever initialized or assigned such a value,
#                        even in part (h.p = buf taints h), holds it for the
#                        whole function (flow-insensitive, so conservative).
#                        Passing it to an ordinary call is allowed (a borrow).
#
# "Spelled where": libclang 14 cannot report the spelling location of a token
# that comes from a macro body (clang_getSpellingLocation only resolves macro
# arguments). So the gate works it out: a node whose file location is the start
# of a macro expansion comes from a macro body; if the macro was defined in a
# framework header the node belongs to the framework. If it was defined in a
# service, the node belongs to the service unless the service macro's body
# (followed through other service macros) cannot have produced it (e.g. it
# contains no '+'/'-' token for pointer arithmetic) -- then it came from a
# framework macro the service macro invokes. Token rules (asm, volatile,
# attribute, pragma, redefine, address-space, __sync, fw__ names, __thread,
# '##') scan the raw tokens of every checked file, so they also see service
# macro bodies; token-paste keeps '##' from forming what they look for.
# Exceptions to "trusted if spelled in a trusted header": atomic builtins are
# checked on the object's type wherever they are spelled (<stdatomic.h> is
# trusted, the object named in the service is not), and the byte-view
# constructors fw__buf_make/fw__bytes_make are checked on the argument the
# service spelled.
#
# Known limits (what safe C under this gate still cannot prevent):
#   * Lifetimes: use-after-free, a view of heap memory that outlives it,
#     double free. C has no ownership; the framework APIs must make these
#     detectable (handles with generations) where possible.
#   * local-escape narrows dangling locals, it does not close them. Calls are
#     not followed: a callee given &local (a borrow, allowed) may keep it --
#     a service function that stores its pointer argument in a global, a
#     framework call that links it (fw_list_add_tail(&g_head, &local.node),
#     a wait queue) -- and a call returning its argument (q = id(&x);
#     g = q) launders it. Values read back through a pointer (*pp, p->f)
#     are not followed, so a local address stored into local memory through
#     a pointer and read back out passes; so does one converted to an
#     integer and back (pointer-conversion/pointer-cast reject those).
#     Inner blocks are not told apart: a pointer to a local of a block that
#     has ended (p = b inside { char b[4]; }, used after the brace) is
#     "the same function" to the rule.
#     Conservative the other way: a store through a pointer that in fact
#     points into this frame (struct s *sp = &ls; sp->p = buf) is reported,
#     and one tainted member taints the whole local (g = h.n is fine: an
#     integer carries nothing; g_ptr = h.q is reported even if only h.p was
#     given the local address). Framework macros' own stores are trusted.
#   * Sizes: memcpy(&a, &b, n) and similar are accepted whatever n is; the
#     gate checks the ORIGIN and the TYPE of the pointers, not the length.
#     Lengths are checked at run time by the fortified mem*/str* family
#     (fw/string.h, __builtin_dynamic_object_size) and array subscripts by
#     -fsanitize=bounds-strict; where the compiler cannot know an object's
#     size the fortify check is skipped. memcpy(&s.bytes, src, sizeof s)
#     over a char array member of a pointer-holding struct passes the gate
#     (the destination type is char) and relies on the fortify check's
#     subobject size (mode 1).
#   * typed-copy looks at the static type of the destination/source: a
#     plain-data view or memcpy whose bytes later become a pointer through
#     some other legal path is not tracked. memcmp/memchr over pointer-holding
#     objects (comparison only) are accepted.
#   * init-framework does not flag public fields of framework structs set by
#     designator (struct fw_list's next/prev are public), nor assignments to
#     them afterwards: public means the framework tolerates any value.
#   * type-conflict compares definitions by name across the files of ONE
#     run: run the gate over all of services/ at once (make check does).
#     Anonymous struct types are compared by layout inside their typedef or
#     parent. Same-named file-local struct types and typedefs in two files
#     are compared too (and reported if they differ; rename one); static
#     functions and variables are not (internal linkage).
#   * redefine compares macro names with the identifiers of the headers a
#     file includes: a #define of a name only a service header uses, or a
#     framework name in a file that includes no header using it, passes.
#     Identifiers in comments and strings of those headers do not count.
#   * atomic-pointer finds the builtin of an atomic expression through the
#     macro expanded at its location; a service macro mixing several atomic
#     builtins is judged by the strictest of them (conservative).
#   * Uninitialized pointers (struct x *p; p->f = 1) are left to the compiler's
#     -Wuninitialized / -Wmaybe-uninitialized and -ftrivial-auto-var-init=zero.
#   * va_arg(ap, long) with a mismatched caller is not reported (variadic
#     calls are unchecked in C); only pointer/_Bool/framework-struct reads are.
#   * A service macro that expands a framework macro containing a cast is
#     reported (the gate cannot tell which macro body the cast came from);
#     wrap framework macros in static inline functions instead.
#   * A service macro whose body contains '+' / '-' and also invokes a framework
#     macro doing pointer arithmetic is reported (conservative).
#   * Raw tokens include #if 0 regions, so asm/volatile/#pragma there is
#     reported.
#   * Deep qualifier changes (char ** -> const char **) are not reported.
#   * restrict, signed overflow and other UB the optimizer may exploit (the
#     allowed const/pure/nonnull/returns_nonnull attributes are promises the
#     gate does not verify; a false one is UB of this kind).
#   * Stack depth: recursion is not limited by the gate; frames are limited
#     by gcc's -Wframe-larger-than=2048 and probed by -fstack-clash-protection
#     (alignment above 64 is rejected so realignment cannot skip the guard).
#   * Format strings: non-literal formats are left to gcc's
#     -Wformat-nonliteral/-Wformat-security in the services flags.
#   * Everything the compiler accepts in framework headers is trusted: a
#     framework static inline or macro that is unsound makes services unsound.
#     Of the compiler's headers only the allowlisted freestanding ones are
#     reachable.

import argparse
import glob
import os
import re
import shlex
import sys

import clang.cindex as ci
from clang.cindex import CursorKind as CK, TypeKind as TK
import ctypes

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

DEFAULT_CFLAGS = ("-std=gnu11 -O2 -ffreestanding -nostdinc -fno-pic -mno-red-zone "
                  "-mcmodel=kernel -mno-sse -mno-sse2 -mno-mmx -mno-80387 "
                  "-fno-stack-protector -Wall -Wextra -Werror -Iframework/include")


# ---------------------------------------------------------------- libclang setup

def _setup_libclang():
    cands = []
    if os.environ.get("LIBCLANG"):
        cands.append(os.environ["LIBCLANG"])
    for pat in ("/usr/lib/llvm-14/lib/libclang.so.1", "/usr/lib/llvm-14/lib/libclang-14.so.1",
                "/usr/lib/x86_64-linux-gnu/libclang-14.so.1", "/usr/lib/llvm-14/lib/libclang.so",
                "/usr/lib/llvm-*/lib/libclang.so.1", "/usr/lib/x86_64-linux-gnu/libclang-*.so.1",
                "/usr/lib/*/libclang*.so*"):
        cands.extend(sorted(glob.glob(pat), reverse=True))
    for c in cands:
        if os.path.exists(c):
            try:
                ci.Config.set_library_file(c)
            except Exception:
                pass
            try:
                ci.conf.lib  # force load
                return c
            except Exception:
                continue
    ci.conf.lib  # let it raise with libclang's own message
    return None


LIBCLANG = _setup_libclang()


def _resource_include():
    # clang's own builtin headers (stddef.h, stdint.h, stdatomic.h ...), matching
    # the libclang we loaded when possible.
    m = re.search(r"llvm-(\d+)", LIBCLANG or "") or re.search(r"clang-(\d+)", LIBCLANG or "")
    ver = m.group(1) if m else "*"
    for pat in ("/usr/lib/llvm-%s/lib/clang/*/include" % ver, "/usr/lib/clang/%s*/include" % ver,
                "/usr/lib/llvm-*/lib/clang/*/include"):
        hits = sorted(glob.glob(pat), reverse=True)
        for h in hits:
            if os.path.exists(os.path.join(h, "stddef.h")):
                return os.path.realpath(h)
    return None


RESOURCE_INC = _resource_include()


def _fileloc(loc):
    f = ci.c_object_p()
    line, col, off = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    ci.conf.lib.clang_getFileLocation(loc, ctypes.byref(f), ctypes.byref(line), ctypes.byref(col),
                                      ctypes.byref(off))
    if not f:
        return (None, 0, 0, 0)
    return (ci.File(f).name, line.value, col.value, off.value)


# ---------------------------------------------------------------- flags

GCC_INC_DIRS = []


def build_args(cflags):
    toks = shlex.split(cflags)
    out = []
    sysdirs = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "-isystem" and i + 1 < len(toks):
            d = toks[i + 1]
            i += 2
            if "gcc" in d or (RESOURCE_INC and os.path.realpath(d) == RESOURCE_INC):
                if "gcc" in d:
                    GCC_INC_DIRS.append(os.path.realpath(d))
                continue  # the compiler's include dir: replaced by clang's below
            out += ["-isystem", d]
            sysdirs.append(os.path.realpath(d))
            continue
        if t.startswith("-isystem") and len(t) > 8:
            d = t[8:]
            i += 1
            if "gcc" in d:
                continue
            out.append(t)
            sysdirs.append(os.path.realpath(d))
            continue
        i += 1
        # -Werror is dropped: the gate's own rules (pointer-conversion...) cover
        # the warnings that matter, and clang-only warnings must not turn into
        # spurious parse failures. gcc's -Werror build still applies.
        # Code-generation hardening (sanitizers, -ftrivial-auto-var-init,
        # which clang 14 refuses without an opt-in) changes no AST.
        if t == "-Werror" or t in ("-c", "-MMD", "-MP") or t.startswith("-fsanitize") or \
                t.startswith("-fno-sanitize") or t.startswith("-ftrivial-auto-var-init"):
            continue
        if t in ("-MF", "-MT", "-MQ", "-o"):
            i += 1
            continue
        out.append(t)
    if RESOURCE_INC:
        out += ["-isystem", RESOURCE_INC]
        sysdirs.append(RESOURCE_INC)
    out += ["-x", "c", "-Wno-unknown-warning-option", "-Wno-unused-command-line-argument"]
    return out, sysdirs


# ---------------------------------------------------------------- trust model

SYSTEM_PREFIXES = ["/usr/lib/gcc/", "/usr/include/", "/usr/local/include/"]


class Trust:
    def __init__(self, sysdirs):
        self.sysdirs = [d.rstrip("/") + "/" for d in sysdirs] + SYSTEM_PREFIXES
        self.cache = {}

    def trusted(self, path):
        """True for framework/arch/fixture-framework/compiler headers."""
        if path is None:
            return True
        r = self.cache.get(path)
        if r is not None:
            return r
        if path == "<scratch space>" or path.startswith("<"):
            r = False
        else:
            p = os.path.realpath(path)
            if p.startswith(ROOT + "/"):
                rel = p[len(ROOT) + 1:]
                r = (rel.startswith("framework/") or rel.startswith("arch/")
                     or rel.startswith("tests/lint/include/fw/"))
            else:
                r = "/include/fw/" in p or any(p.startswith(d) for d in self.sysdirs)
        self.cache[path] = r
        return r

    def framework_header(self, path):
        """A header of the framework itself (not a compiler header): structs
        defined here are framework structs."""
        if path is None or path.startswith("<"):
            return False
        p = os.path.realpath(path)
        if p.startswith(ROOT + "/"):
            rel = p[len(ROOT) + 1:]
            return (rel.startswith("framework/") or rel.startswith("arch/")
                    or rel.startswith("tests/lint/include/fw/"))
        return "/include/fw/" in p

    def compiler_header(self, path):
        p = os.path.realpath(path)
        return any(p.startswith(d) for d in self.sysdirs) and not self.framework_header(p)

    def public_header(self, path):
        """Headers a service may include: the framework's include dir(s) and
        the compiler's freestanding headers."""
        p = os.path.realpath(path)
        if p.startswith(ROOT + "/"):
            rel = p[len(ROOT) + 1:]
            return rel.startswith("framework/include/") or rel.startswith("tests/lint/include/")
        return "/include/fw/" in p or any(p.startswith(d) for d in self.sysdirs)


# ---------------------------------------------------------------- rules data

# attribute: an allowlist. These only add warnings, change inlining or
# placement hints, or describe a function's contract to the optimizer in a way
# that cannot move a memory access outside its object. Everything else is
# rejected: naked, section, alias, weak, used, constructor, no_sanitize*,
# target (SSE code in the kernel clobbers the user's FPU state), optimize,
# vector_size, mode, transparent_union, may_alias, cleanup (a call the gate
# does not see), malloc/alloc_size/assume_aligned (lies make the compiler's
# object sizes, and so the bounds checks, wrong), uninitialized (undoes
# -ftrivial-auto-var-init), address_space, no_caller_saved_registers,
# zero_call_used_regs, nocf_check, visibility, copy, scalar_storage_order...
ATTR_ALLOWED = {
    "unused", "maybe_unused", "warn_unused_result", "nodiscard", "noreturn", "format",
    "format_arg", "aligned", "packed", "const", "pure", "cold", "hot", "noinline",
    "always_inline", "flatten", "noclone", "noipa", "nonnull", "returns_nonnull",
    "deprecated", "unavailable", "fallthrough", "sentinel", "designated_init", "access",
    "nonstring", "warning", "error", "artificial",
}

# include: the compiler's headers a service may include (<...>). No intrinsic
# headers (<x86intrin.h>, <cpuid.h>, <mm_malloc.h>...): they are inline asm
# and builtins the gate would otherwise reject. <limits.h> is left out: gcc's
# include_next()s a libc header that -nostdinc hides.
INCLUDE_COMPILER_OK = {
    "stdbool.h", "stddef.h", "stdint.h", "stdarg.h", "stdatomic.h",
    "stdalign.h", "stdnoreturn.h", "float.h",
}

# redefine: C keywords (and GNU spellings) a service may not #define/#undef.
C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "asm", "typeof",
    "bool", "true", "false", "alignas", "alignof", "static_assert", "thread_local",
    "nullptr", "constexpr", "typeof_unqual", "noreturn", "defined",
}

# redefine: the Linux UAPI names services mirror from Linux's headers are
# reserved identifiers too; these (and only these) may be #defined, as long as
# no included framework or compiler header uses them.
LINUX_UAPI_RE = re.compile(r"^(__NR_[a-z0-9_]+|__W(ALL|CLONE|NOTHREAD)|_POSIX_VDISABLE)$")

# token-paste: names a '##' in a service macro may not be able to form (the
# token rules would not see them), and prefixes it may not start with.
PASTE_DANGER = {
    "asm", "__asm", "__asm__", "volatile", "__volatile", "__volatile__", "__attribute__",
    "__attribute", "__declspec", "_Pragma", "__pragma", "__thread", "_Thread_local",
    "thread_local", "__seg_gs", "__seg_fs", "alloca", "_Alignas", "alignas", "goto",
}
PASTE_DANGER_PREFIX = ("__builtin", "__sync", "__atomic", "__c11", "fw__", "__seg")

# typed-copy: the byte copies whose destination (and source) types are checked.
TYPED_COPY = {"memcpy", "memmove", "memset", "mempcpy", "bcopy", "bzero"}

# local-escape: framework calls that keep an argument past the call (the
# argument's index in the fw__ function the public macro expands to, and the
# macro's name): the object must outlive the timer, IRQ line or task.
RETAINED_ARG = {
    "fw__timer_create": (1, "FW_TIMER_CREATE", "the timer callback"),
    "fw__irq_line_attach": (2, "FW_IRQ_ATTACH", "the interrupt handler"),
    "fw__task_spawn": (2, "FW_TASK_SPAWN", "the new task"),
}
# local-escape: framework calls that put a view (or a cursor over one) derived
# from one argument into the object another points to: (source index, source
# is the view itself ("val") or the object a pointer argument points to
# ("obj"), destination index).
VIEW_DERIVE = {
    "fw_bytes_sub": (0, "val", 3),
    "fw_buf_sub": (0, "val", 3),
    "fw_reader_init": (1, "val", 0),
    "fw_writer_init": (1, "val", 0),
    "fw_reader_bytes": (0, "obj", 2),
    "fw_reader_limit": (0, "obj", 2),
}
# local-escape: calls whose result is a view of the memory their first
# argument points to (or is a view of).
VIEW_MAKERS = {"fw__buf_make", "fw__bytes_make", "fw_buf_as_bytes"}


class FnCtx:
    """local-escape: what one function definition does with addresses."""

    def __init__(self, fn):
        self.fn = fn
        self.autos = {}     # hash of an automatic variable or parameter -> name
        self.inits = []     # (VAR_DECL, initializer) of locals that can hold an address
        self.static_inits = []  # the same for static/extern locals
        self.assigns = []   # (BINARY_OPERATOR, lhs, rhs) that may be '=' of an address
        self.returns = []   # (RETURN_STMT, value)
        self.calls = []     # (CALL_EXPR, fw name): RETAINED_ARG and VIEW_DERIVE calls
        self.tainted = {}   # hash of a local that holds a local address -> why


# atomic-pointer: read-modify-write operations that do arithmetic on the object.
ATOMIC_ARITH = {
    "fetch_add", "fetch_sub", "fetch_and", "fetch_or", "fetch_xor", "fetch_nand",
    "fetch_min", "fetch_max", "add_fetch", "sub_fetch", "and_fetch", "or_fetch",
    "xor_fetch", "nand_fetch", "min_fetch", "max_fetch",
}
# __atomic_load/store/exchange/compare_exchange (not _n) copy bytes between
# objects of any type; __atomic_test_and_set/clear write a byte of any object.
ATOMIC_GENERIC = {"load", "store", "exchange", "compare_exchange"}
ATOMIC_BYTE = {"test_and_set", "clear"}
ATOMIC_NAME_RE = re.compile(r"^(__atomic_|__c11_atomic_|__hip_atomic_|__opencl_atomic_|__sync_)"
                            r"([A-Za-z0-9_]*)$")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

RAW_MEM = {
    "memcpy", "memmove", "memset", "memcmp", "memchr", "strlen", "strnlen", "strcmp",
    "strncmp", "strchr", "strrchr", "strcpy", "strncpy", "strcat", "strncat", "fw_strlcpy",
    "strlcpy", "strlcat", "strstr", "strspn", "strcspn", "strpbrk", "strtok", "bzero",
    "bcopy", "bcmp", "mempcpy", "stpcpy", "stpncpy", "memrchr", "memccpy",
}

# Not __builtin_unreachable/__builtin_assume: a false promise is UB the
# optimizer acts on (execution falls off the end of the function, checks
# folded away); services write FW_ASSERT or a real error path instead.
BUILTIN_OK_RE = re.compile(
    r"^__builtin_(expect|expect_with_probability|trap|offsetof|types_compatible_p|"
    r"constant_p|(clz|ctz|popcount|ffs|parity|clrsb)(l|ll)?|bswap(16|32|64)|"
    r"[su]?(add|sub|mul)(l|ll)?_overflow|(add|sub|mul)_overflow_p|va_start|va_end|va_arg|"
    r"va_copy|c23_va_start|choose_expr|classify_type|object_size|dynamic_object_size|"
    r"prefetch|abs|labs|llabs)$")

EXTERN_PREFIX_RE = re.compile(r"^(fw_|fw__|arch_|x86_)")

ARRAY_KINDS = (TK.CONSTANTARRAY, TK.INCOMPLETEARRAY, TK.VARIABLEARRAY, TK.DEPENDENTSIZEDARRAY)
INT_KINDS = {TK.BOOL, TK.CHAR_U, TK.UCHAR, TK.CHAR16, TK.CHAR32, TK.USHORT, TK.UINT, TK.ULONG,
             TK.ULONGLONG, TK.UINT128, TK.CHAR_S, TK.SCHAR, TK.WCHAR, TK.SHORT, TK.INT,
             TK.LONG, TK.LONGLONG, TK.INT128, TK.ENUM}


_EXPORTS = None


def framework_exports():
    """Symbols of framework/exports.txt (what services may link against)."""
    global _EXPORTS
    if _EXPORTS is None:
        _EXPORTS = set()
        try:
            with open(os.path.join(ROOT, "framework", "exports.txt")) as fh:
                for line in fh:
                    w = line.split("#", 1)[0].strip()
                    if w:
                        _EXPORTS.add(w)
        except OSError:
            pass
    return _EXPORTS


def canon(t):
    return t.get_canonical()


def is_ptr(t):
    return t is not None and canon(t).kind in (TK.POINTER, TK.BLOCKPOINTER)


def is_array(t):
    return t is not None and canon(t).kind in ARRAY_KINDS


def is_int(t):
    return t is not None and canon(t).kind in INT_KINDS


def is_void_ptr(t):
    if not is_ptr(t):
        return False
    return canon(t).get_pointee().get_canonical().kind == TK.VOID


QUAL_RE = re.compile(r"\b(const|volatile|restrict|__restrict)\b\s*")


def unqual(spelling):
    return re.sub(r"\s+", " ", QUAL_RE.sub("", spelling)).strip()


def contains_pointer(t, depth=0, seen=None):
    """Does type t (a union member) hold a pointer anywhere?"""
    if depth > 16:
        return False
    c = canon(t)
    if c.kind == TK.ATOMIC:
        if _value_type is None:
            return "*" in c.spelling
        c = unatomic(c)
    if c.kind in (TK.POINTER, TK.BLOCKPOINTER):
        return True
    if c.kind in ARRAY_KINDS:
        return contains_pointer(c.element_type, depth + 1, seen)
    if c.kind == TK.RECORD:
        d = c.get_declaration()
        seen = seen or set()
        key = d.hash
        if key in seen:
            return False
        seen.add(key)
        for f in d.get_children():
            if f.kind == CK.FIELD_DECL and contains_pointer(f.type, depth + 1, seen):
                return True
            if f.kind in (CK.STRUCT_DECL, CK.UNION_DECL) and contains_pointer(f.type, depth + 1, seen):
                return True
    return False


def has_vla(t, depth=0):
    if t is None or depth > 16:
        return False
    c = canon(t)
    if c.kind == TK.VARIABLEARRAY:
        return True
    if c.kind in ARRAY_KINDS:
        return has_vla(c.element_type, depth + 1)
    if c.kind == TK.POINTER:
        return has_vla(c.get_pointee(), depth + 1)
    return False


def children(c):
    return list(c.get_children())


try:
    _value_type = ci.conf.lib.clang_Type_getValueType
    _value_type.argtypes = [ci.Type]
    _value_type.restype = ci.Type
    _value_type.errcheck = ci.Type.from_result
except AttributeError:  # libclang < 11
    _value_type = None


def unatomic(t):
    """The canonical value type of _Atomic(T) (T itself for other types)."""
    c = canon(t)
    if c.kind == TK.ATOMIC and _value_type is not None:
        return canon(_value_type(c))
    return c


def atomic_holds_pointer(t):
    c = canon(t)
    if c.kind == TK.ATOMIC:
        if _value_type is not None:
            return contains_pointer(unatomic(c))
        return "*" in c.spelling
    return contains_pointer(c)


ANON_RE = re.compile(r"\((unnamed|anonymous)( struct| union| enum)? at [^)]*\)")


def norm_spelling(t):
    """A type's canonical spelling without the locations clang puts into the
    names of anonymous structs (they differ between files)."""
    return ANON_RE.sub("(anonymous)", canon(t).spelling)


def strip_parens(c):
    while c.kind == CK.PAREN_EXPR:
        ch = children(c)
        if len(ch) != 1:
            break
        c = ch[0]
    return c


def is_implicit_cast(c):
    """ImplicitCastExpr shows up as a one-child UNEXPOSED_EXPR."""
    if c.kind != CK.UNEXPOSED_EXPR:
        return False
    ch = children(c)
    return len(ch) == 1 and ch[0].kind not in (CK.INIT_LIST_EXPR,) and c.type.kind != TK.INVALID


def strip_implicit(c):
    while True:
        c2 = strip_parens(c)
        if is_implicit_cast(c2) and canon(c2.type).kind != TK.VOID:
            inner = children(c2)[0]
            # keep the array that decays: the caller wants to see it
            c = inner
            continue
        return c2


def is_array_param_ref(e):
    """A parameter declared as an array (int a[], int a[4]) is a pointer, but
    libclang 14 reports its original array type and no decay."""
    e = strip_parens(e)
    while is_implicit_cast(e):
        e = strip_parens(children(e)[0])
    if e.kind != CK.DECL_REF_EXPR:
        return False
    d = e.referenced
    return d is not None and d.kind == CK.PARM_DECL and is_array(d.type)


def ptrlike(e):
    return is_ptr(e.type) or is_array_param_ref(e)


def literal_int_value(c):
    toks = [t.spelling for t in c.get_tokens()]
    if len(toks) != 1:
        return None
    s = re.sub(r"[uUlL]+$", "", toks[0])
    try:
        return int(s, 0)
    except ValueError:
        if s.startswith("'") and s in ("'\\0'",):
            return 0
        return None


class _EvalResult(ctypes.c_void_p):
    pass


try:
    _lib = ci.conf.lib
    _eval = _lib.clang_Cursor_Evaluate
    _eval.argtypes = [ci.Cursor]
    _eval.restype = ctypes.c_void_p
    _eval_kind = _lib.clang_EvalResult_getKind
    _eval_kind.argtypes = [ctypes.c_void_p]
    _eval_kind.restype = ctypes.c_int
    _eval_ll = _lib.clang_EvalResult_getAsLongLong
    _eval_ll.argtypes = [ctypes.c_void_p]
    _eval_ll.restype = ctypes.c_longlong
    _eval_free = _lib.clang_EvalResult_dispose
    _eval_free.argtypes = [ctypes.c_void_p]
    _eval_free.restype = None
except AttributeError:
    _eval = None


def eval_int(c):
    """The value of an integer constant expression, or None."""
    v = literal_int_value(c)
    if v is not None or _eval is None:
        return v
    r = _eval(c)
    if not r:
        return None
    try:
        if _eval_kind(r) == 1:  # CXEval_Int
            return _eval_ll(r)
        return None
    finally:
        _eval_free(r)


def is_zero(c):
    """0, '\\0', NULL, false, (void *)0: the value every framework object
    starts from."""
    if is_null_constant(c):
        return True
    e = strip_implicit(c)
    while e.kind == CK.CSTYLE_CAST_EXPR and children(e):
        e = strip_implicit(children(e)[-1])
    if e.kind in (CK.INTEGER_LITERAL, CK.CHARACTER_LITERAL, CK.CXX_BOOL_LITERAL_EXPR,
                  CK.UNEXPOSED_EXPR, CK.PAREN_EXPR) and is_int(e.type):
        return eval_int(e) == 0
    return False


def is_null_constant(c):
    c = strip_implicit(c)
    if c.kind == CK.CSTYLE_CAST_EXPR and is_void_ptr(c.type):
        ch = children(c)
        if ch:
            return is_null_constant(ch[-1])
        return False
    if c.kind in (CK.INTEGER_LITERAL, CK.CHARACTER_LITERAL):
        return literal_int_value(c) == 0
    return False


# ---------------------------------------------------------------- the checker

class Checker:
    def __init__(self, index, args, sysdirs):
        self.index = index
        self.args = args
        self.trust = Trust(sysdirs)
        self.violations = []
        self.seen = set()
        self.scanned_files = set()
        self.parse_failed = False
        self.type_sigs = {}     # (kind, tag) -> (layout signature, where): whole run
        self.holds_cache = {}
        self.header_idents = set()
        self.fw_tags = set()

    # ------------------------------------------------------------ reporting
    def report(self, where, rule, msg):
        fname, line, col = where
        key = (os.path.realpath(fname) if fname else fname, line, col, rule)
        if key in self.seen:
            return
        self.seen.add(key)
        self.violations.append((fname, line, col, rule, msg))

    # ------------------------------------------------------------ macro index
    def index_macros(self, tu):
        self.macro_starts = {}  # (file, offset) -> [instantiation cursor]
        self.macro_list = {}    # file -> [(start, end, cursor)]
        for c in tu.cursor.get_children():
            if c.kind != CK.MACRO_INSTANTIATION:
                continue
            f, _, _, s = _fileloc(c.extent.start)
            _, _, _, e = _fileloc(c.extent.end)
            if f is None:
                continue
            self.macro_starts.setdefault((f, s), []).append(c)
            self.macro_list.setdefault(f, []).append((s, e, c))
        self.macro_defs = {}
        self.body_cache = {}

    def macro_def(self, inst):
        try:
            d = inst.referenced
        except Exception:
            d = None
        return d if d is not None and d.kind == CK.MACRO_DEFINITION else None

    def macro_body(self, d):
        key = d.hash
        if key in self.body_cache:
            return self.body_cache[key]
        toks = list(d.get_tokens())
        body = toks[1:]
        if len(toks) >= 2 and toks[1].spelling == "(" and \
                toks[1].extent.start.offset == toks[0].extent.end.offset:
            depth = 0
            for i, t in enumerate(toks[1:], 1):
                if t.spelling == "(":
                    depth += 1
                elif t.spelling == ")":
                    depth -= 1
                    if depth == 0:
                        body = toks[i + 1:]
                        break
        body = [t.spelling for t in body]
        self.body_cache[key] = body
        return body

    def macro_trusted(self, inst):
        d = self.macro_def(inst)
        if d is None:
            return False  # builtin macro (__LINE__...): treat as service text
        f = d.location.file
        return self.trust.trusted(f.name if f else None)

    def service_macro_bodies(self, inst, tu_macros):
        """Token lists of the service macro `inst` and of the service macros
        its body names, transitively (framework macros are not followed)."""
        out = []
        todo = [self.macro_def(inst)]
        done = set()
        while todo:
            d = todo.pop()
            if d is None or d.hash in done:
                continue
            done.add(d.hash)
            f = d.location.file
            if self.trust.trusted(f.name if f else None):
                continue
            body = self.macro_body(d)
            out.append(body)
            for tok in body:
                nd = tu_macros.get(tok)
                if nd is not None:
                    todo.append(nd)
        return out

    def containing_macros(self, fname, off, end=None):
        """Expansions that contain the node: its start, and its end when the
        end is known to be in the same file after the start."""
        if end is None or end < off:
            end = off
        return [c for (s, e, c) in self.macro_list.get(fname, ()) if s <= off and end <= e]

    # ------------------------------------------------------------ origin
    def origin(self, c, body_pred=None):
        """Where node c is spelled, as (trusted, (file, line, col)).
        body_pred(tokens) says whether a service macro body could have
        produced the node; default: yes."""
        f, line, col, off = _fileloc(c.location)
        if f is None:
            return True, (None, 0, 0)
        where = (f, line, col)
        if self.trust.trusted(f):
            return True, where
        insts = self.macro_starts.get((f, off))
        if not insts:
            return False, where
        return self.macro_origin(insts, where, body_pred)

    def macro_origin(self, insts, where, body_pred):
        # The node comes from the body of the macro expanded here.
        for inst in insts:
            if self.macro_trusted(inst):
                continue
            if body_pred is None:
                return False, where
            for body in self.service_macro_bodies(inst, self.tu_macros):
                if body_pred(body):
                    return False, where
        return True, where

    def op_origin(self, node, left, right, ops):
        """Origin of a binary/postfix/subscript operator token (one of ops)
        written between `left` and `right` (right may be None: postfix)."""
        f, line, col, loff = _fileloc(left.extent.end)
        if right is not None:
            rf, _, _, roff = _fileloc(right.extent.start)
        else:
            rf, _, _, roff = _fileloc(node.extent.end)
            roff += 1
        if f is not None and f == rf and roff >= loff:
            tu = node.translation_unit
            fobj = tu.get_file(f)
            rng = ci.SourceRange.from_locations(ci.SourceLocation.from_offset(tu, fobj, loff),
                                                ci.SourceLocation.from_offset(tu, fobj, roff))
            for t in tu.get_tokens(extent=rng):
                if t.extent.start.offset < loff:
                    continue
                if t.extent.start.offset > roff:
                    break
                if t.spelling in ops:
                    where = (f, t.location.line, t.location.column)
                    return self.trust.trusted(f), where
        # The operator comes from a macro body.
        nf, nl, nc, noff = _fileloc(node.extent.start)
        if nf is None:
            return True, (None, 0, 0)
        where = (nf, nl, nc)
        if self.trust.trusted(nf):
            return True, where
        ef, _, _, eoff = _fileloc(node.extent.end)
        insts = self.containing_macros(nf, noff, eoff if ef == nf else None)
        if not insts:
            return False, where
        return self.macro_origin(insts, where, lambda body: any(t in ops for t in body))

    # ------------------------------------------------------------ driver
    def check_file(self, path):
        try:
            tu = self.index.parse(path, args=self.args,
                                  options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
        except ci.TranslationUnitLoadError as e:
            print("%s: error: libclang could not parse the file: %s" % (path, e), file=sys.stderr)
            self.parse_failed = True
            return
        bad = False
        for d in tu.diagnostics:
            if d.severity >= ci.Diagnostic.Error:
                loc = d.location
                if loc.file is None and "unknown argument" in d.spelling:
                    print("%s: warning (flags): %s" % (path, d.spelling), file=sys.stderr)
                    continue
                where = "%s:%d:%d" % (loc.file.name, loc.line, loc.column) if loc.file else path
                print("%s: error: %s" % (where, d.spelling), file=sys.stderr)
                bad = True
        self.tu = tu
        self.holds_cache = {}
        files = {tu.spelling}
        self.header_idents = set()
        for inc in tu.get_includes():
            files.add(inc.include.name)
            if self.trust.trusted(inc.include.name):
                self.header_idents |= self.idents_of(inc.include.name)
        if bad:
            # Still report includes that escape the include path (the usual
            # reason such a file does not parse is that the header is hidden)
            # and the token rules.
            for c in tu.cursor.get_children():
                if c.kind == CK.INCLUSION_DIRECTIVE:
                    self.check_include(c)
            for f in sorted(files):
                if not self.trust.trusted(f):
                    self.scan_tokens(tu, f)
            print("%s: parse error: the gate refuses files that do not compile" % path,
                  file=sys.stderr)
            self.parse_failed = True
            return
        self.index_macros(tu)
        self.tu_macros = {}
        self.fw_tags = set()
        for c in tu.cursor.get_children():
            if c.kind == CK.MACRO_DEFINITION:
                self.tu_macros[c.spelling] = c
            elif c.kind in (CK.STRUCT_DECL, CK.UNION_DECL, CK.ENUM_DECL) and c.spelling:
                f = c.location.file
                if f is not None and self.trust.framework_header(f.name):
                    self.fw_tags.add(c.spelling)
        for f in sorted(files):
            if not self.trust.trusted(f):
                self.scan_tokens(tu, f)
        self.callee_refs = set()
        self.fnctx = None
        self.walk(tu.cursor, None)

    # ------------------------------------------------------------ source text
    def text_of(self, fname):
        cache = self.__dict__.setdefault("_text_cache", {})
        if fname not in cache:
            try:
                with open(fname, "rb") as fh:
                    cache[fname] = fh.read().decode("utf-8", "replace")
            except OSError:
                cache[fname] = ""
        return cache[fname]

    def ident_at(self, fname, off):
        m = IDENT_RE.match(self.text_of(fname), off)
        return m.group(0) if m else None

    def idents_of(self, fname):
        """Identifiers a trusted header spells (comments and strings
        stripped), plus those of gcc's header of the same name: the gate
        parses with clang's headers, the build uses gcc's."""
        key = os.path.realpath(fname)
        cache = self.__dict__.setdefault("_idents_cache", {})
        if key in cache:
            return cache[key]
        paths = [key]
        if self.trust.compiler_header(key):
            base = os.path.basename(key)
            for d in GCC_INC_DIRS:
                for b in (base, base.replace(".h", "-gcc.h")):
                    q = os.path.join(d, b)
                    if os.path.exists(q):
                        paths.append(q)
        out = set()
        for q in paths:
            txt = self.text_of(q)
            txt = re.sub(r"/\*.*?\*/|//[^\n]*|\"(\\.|[^\"\\\n])*\"|'(\\.|[^'\\\n])*'", " ", txt,
                         flags=re.S)
            out.update(IDENT_RE.findall(txt))
        cache[key] = frozenset(out)
        return cache[key]

    # ------------------------------------------------------------ token rules
    def scan_tokens(self, tu, fname):
        key = os.path.realpath(fname)
        if key in self.scanned_files:
            return
        self.scanned_files.add(key)
        fobj = tu.get_file(fname)
        try:
            size = os.path.getsize(fname)
        except OSError:
            return
        rng = ci.SourceRange.from_locations(ci.SourceLocation.from_offset(tu, fobj, 0),
                                            ci.SourceLocation.from_offset(tu, fobj, size))
        toks = [t for t in tu.get_tokens(extent=rng) if t.kind != ci.TokenKind.COMMENT]
        prev_line = -1
        for i, t in enumerate(toks):
            s = t.spelling
            line = t.location.line
            where = (fname, line, t.location.column)
            directive = s in ("#", "%:") and line != prev_line
            prev_line = line
            if directive:
                self.check_directive(toks, i, fname)
            elif s in ("##", "%:%:"):
                self.check_paste(toks, i, fname)
            elif s in ("_Alignas", "alignas", "__alignas_is_defined") and i + 2 < len(toks) \
                    and toks[i + 1].spelling == "(":
                self.check_alignment(toks, i + 2, fname, s)
            elif s in ("_Pragma", "__pragma"):
                self.report(where, "pragma", "'%s' is not allowed in services: pragmas switch "
                            "off warnings and hardening" % s)
            elif s in ("__seg_gs", "__seg_fs"):
                self.report(where, "address-space", "'%s' is not allowed in services: it "
                            "addresses per-CPU data and user TLS through a segment base" % s)
            elif t.kind == ci.TokenKind.IDENTIFIER and s.startswith("__sync_"):
                self.report(where, "atomic-pointer", "'%s': __sync builtins are not allowed in "
                            "services (untyped; use <stdatomic.h> or __atomic_*_n on integers)"
                            % s)
            elif s == "[" and i + 1 < len(toks) and toks[i + 1].spelling == "[" and \
                    toks[i + 1].extent.start.offset == t.extent.end.offset:
                self.report(where, "attribute", "'[[...]]' attributes are not allowed in "
                            "services: use __attribute__ with an allowed attribute")
            elif s in ("asm", "__asm__", "__asm"):
                self.report(where, "inline-asm", "'%s' is not allowed in services: inline "
                            "assembly belongs in arch/ or the framework" % s)
            elif s in ("volatile", "__volatile__", "__volatile"):
                self.report(where, "volatile", "'volatile' is not allowed in services: use "
                            "fw_iomem accessors or <stdatomic.h>")
            elif s in ("__thread", "_Thread_local", "thread_local"):
                self.report(where, "thread-local", "thread-local storage is not allowed in "
                            "the kernel (%fs holds the user's TLS base); use fw per-CPU data")
            elif t.kind == ci.TokenKind.IDENTIFIER and s.startswith("fw__"):
                self.report(where, "private-name", "'%s' is framework-private (fw__ prefix); "
                            "only framework macros may use it" % s)
            elif s in ("__attribute__", "__attribute", "__declspec"):
                self.check_attribute(toks, i, fname)

    def check_attribute(self, toks, i, fname):
        # __attribute__ (( name [(args)] , name ... ))
        n = len(toks)
        j = i + 1
        if j >= n or toks[j].spelling != "(":
            return
        depth = 0
        while j < n:
            s = toks[j].spelling
            if s == "(":
                depth += 1
            elif s == ")":
                depth -= 1
                if depth == 0:
                    break
            elif depth == 2 and toks[j - 1].spelling in ("(", ","):
                name = s[2:-2] if s.startswith("__") and s.endswith("__") and len(s) > 4 else s
                t = toks[j]
                where = (fname, t.location.line, t.location.column)
                if name == "aligned" and j + 1 < n and toks[j + 1].spelling == "(" and \
                        not self.alignment_ok(toks, j + 2):
                    self.report(where, "attribute", "__attribute__((aligned(...))) must be an "
                                "integer literal of at most 64: a larger alignment realigns "
                                "the stack past the guard page")
                elif name == "address_space":
                    self.report(where, "address-space", "__attribute__((%s)) is not allowed in "
                                "services: it addresses memory through a segment base" % s)
                elif name not in ATTR_ALLOWED:
                    self.report(where, "attribute", "__attribute__((%s)) is not on the gate's "
                                "attribute allowlist: it can change code generation, layout "
                                "or the linker's view in ways the gate does not check" % s)
            j += 1
        if toks[i].spelling == "__declspec":
            t = toks[i]
            self.report((fname, t.location.line, t.location.column), "attribute",
                        "__declspec is not allowed in services")

    def check_paste(self, toks, i, fname):
        """'##' in a service macro: the pasted name must not be able to become
        one the token rules look for (asm, volatile, __attribute__, fw__...):
        its left operand must be a literal name that no such word starts
        with, never a macro parameter."""
        t = toks[i]
        where = (fname, t.location.line, t.location.column)
        if i > 0 and toks[i - 1].spelling.startswith("fw"):
            self.report(where, "private-name", "token pasting onto a fw name can form a "
                        "framework-private fw__ name")
        j = i - 1
        while j >= 2 and toks[j - 1].spelling in ("##", "%:%:"):
            j -= 2
        if j < 0:
            return
        left = toks[j].spelling
        # the macro's parameters: back to its #define NAME(
        params = set()
        k = i - 1
        while k >= 1 and not (toks[k].spelling == "define" and toks[k - 1].spelling in ("#", "%:")):
            k -= 1
        if k >= 1 and k + 2 < len(toks) and toks[k + 2].spelling == "(" and \
                toks[k + 2].extent.start.offset == toks[k + 1].extent.end.offset:
            m = k + 3
            while m < len(toks) and toks[m].spelling != ")":
                params.add(toks[m].spelling)
                m += 1
            params.add("__VA_ARGS__")
        if left in params or left == "__VA_ARGS__":
            self.report(where, "token-paste", "'##' after the macro parameter '%s': the gate "
                        "cannot see the name it forms; paste onto a literal prefix" % left)
        elif IDENT_RE.fullmatch(left) and (any(w.startswith(left) for w in PASTE_DANGER) or
                                           any(left.startswith(p) for p in PASTE_DANGER_PREFIX)):
            self.report(where, "token-paste", "'%s ## ...' can form a keyword or builtin the "
                        "gate's token rules look for" % left)

    def alignment_ok(self, toks, k):
        """toks[k] follows the '(' of aligned(...)/_Alignas(...): a literal
        of at most 64, or a plain type name. A larger alignment of a local
        makes the compiler realign the stack pointer by up to that many
        bytes without a stack-clash probe: a jump over the guard page."""
        depth = 1
        body = []
        while k < len(toks):
            s = toks[k].spelling
            if s == "(":
                depth += 1
            elif s == ")":
                depth -= 1
                if depth == 0:
                    break
            body.append(toks[k])
            k += 1
        if len(body) == 1 and body[0].kind == ci.TokenKind.LITERAL:
            v = re.sub(r"[uUlL]+$", "", body[0].spelling)
            try:
                return int(v, 0) <= 64
            except ValueError:
                return False
        return bool(body) and all(t.kind == ci.TokenKind.KEYWORD for t in body)

    def check_alignment(self, toks, k, fname, kw):
        if not self.alignment_ok(toks, k):
            t = toks[k - 2]
            self.report((fname, t.location.line, t.location.column), "attribute",
                        "%s(...) must be an integer literal of at most 64 (or a basic type): "
                        "a larger alignment realigns the stack past the guard page" % kw)

    def check_directive(self, toks, i, fname):
        """A preprocessing directive: '#' first on its line."""
        if i + 1 >= len(toks) or toks[i + 1].location.line != toks[i].location.line:
            return
        d = toks[i + 1]
        name = d.spelling
        where = (fname, d.location.line, d.location.column)
        if name == "pragma":
            self.report(where, "pragma", "#pragma is not allowed in services: pragmas switch "
                        "off warnings (GCC diagnostic) and hardening (GCC optimize, "
                        "push_options)")
        elif name in ("include_next", "import"):
            self.report(where, "include", "#%s is not allowed in services" % name)
        elif name in ("define", "undef"):
            if i + 2 >= len(toks) or toks[i + 2].location.line != d.location.line:
                return
            m = toks[i + 2]
            mname = m.spelling
            mwhere = (fname, m.location.line, m.location.column)
            why = None
            if (mname.startswith("__") or re.match(r"^_[A-Z]", mname)) and \
                    not LINUX_UAPI_RE.match(mname):
                why = "a reserved identifier"
            elif mname in C_KEYWORDS:
                why = "a C keyword"
            elif mname in self.header_idents:
                why = "a name the framework or compiler headers this file includes use"
            if why:
                self.report(mwhere, "redefine", "#%s of '%s', %s: it changes what those "
                            "headers mean (types, layouts, framework macros)"
                            % (name, mname, why))

    # ------------------------------------------------------------ AST walk
    def walk(self, c, parent):
        k = c.kind
        if k == CK.TRANSLATION_UNIT:
            for ch in c.get_children():
                if ch.kind in (CK.MACRO_DEFINITION, CK.MACRO_INSTANTIATION):
                    continue
                if ch.kind == CK.INCLUSION_DIRECTIVE:
                    self.check_include(ch)
                    continue
                f = ch.location.file
                if f is not None and self.trust.trusted(f.name):
                    continue  # declarations in framework headers
                self.walk(ch, c)
            return
        fn = saved = None
        if k == CK.FUNCTION_DECL and c.is_definition():
            # local-escape: collect the function's stores, returns and
            # retaining calls on the way down, judge them at its end
            fn, saved = FnCtx(c), self.fnctx
            self.fnctx = fn
        try:
            self.visit(c, parent)
        except Exception as e:  # a checker bug must not pass code silently
            f, l, col, _ = _fileloc(c.location)
            print("%s:%d:%d: internal error in gate on %s: %r" % (f, l, col, k, e),
                  file=sys.stderr)
            self.parse_failed = True
        for ch in c.get_children():
            self.walk(ch, c)
        if fn is not None:
            self.fnctx = saved
            try:
                self.check_local_escape(fn)
            except Exception as e:
                f, l, col, _ = _fileloc(c.location)
                print("%s:%d:%d: internal error in gate (local-escape) on %s: %r"
                      % (f, l, col, c.spelling, e), file=sys.stderr)
                self.parse_failed = True

    def visit(self, c, parent):
        k = c.kind
        if k == CK.CSTYLE_CAST_EXPR:
            self.check_cast(c)
        elif k == CK.UNEXPOSED_EXPR:
            if is_implicit_cast(c):
                self.check_implicit(c)
            else:
                ch = children(c)
                if len(ch) >= 2 and ch[0].kind == CK.TYPE_REF and \
                        "__va_list_tag" in canon(ch[-1].type).spelling:
                    self.check_va_arg(c, ch[-1])  # va_arg(ap, struct/typedef T)
                else:
                    self.check_atomic(c)
        elif k == CK.INIT_LIST_EXPR:
            self.check_init_list(c)
        elif k == CK.BINARY_OPERATOR:
            self.check_binop(c)
        elif k == CK.COMPOUND_ASSIGNMENT_OPERATOR:
            ch = children(c)
            if len(ch) == 2 and ptrlike(ch[0]):
                tr, where = self.op_origin(c, ch[0], ch[1], ("+=", "-="))
                if not tr:
                    self.report(where, "pointer-arith", "pointer arithmetic (+=/-= on a "
                                "pointer) is not allowed in services: use an array index or "
                                "a fw_reader/fw_writer cursor")
        elif k == CK.UNARY_OPERATOR:
            self.check_unop(c)
        elif k == CK.ARRAY_SUBSCRIPT_EXPR:
            self.check_subscript(c)
        elif k == CK.CALL_EXPR:
            self.check_call(c)
        elif k == CK.DECL_REF_EXPR:
            self.check_declref(c, parent)
        elif k in (CK.MEMBER_REF_EXPR, CK.MEMBER_REF):
            self.check_member(c)
        elif k in (CK.VAR_DECL, CK.FUNCTION_DECL, CK.PARM_DECL, CK.TYPEDEF_DECL, CK.FIELD_DECL):
            self.check_decl(c)
            if self.fnctx is not None and k in (CK.VAR_DECL, CK.PARM_DECL):
                self.note_local_decl(c)
        elif k == CK.RETURN_STMT:
            if self.fnctx is not None:
                ch = children(c)
                if ch and self.carries(ch[0].type):
                    self.fnctx.returns.append((c, ch[0]))
        elif k == CK.UNION_DECL:
            self.check_union(c)
            self.check_tag_def(c)
        elif k in (CK.STRUCT_DECL, CK.ENUM_DECL):
            self.check_tag_def(c)
        elif k == CK.INDIRECT_GOTO_STMT:
            tr, where = self.origin(c)
            if not tr:
                self.report(where, "computed-goto", "computed goto (goto *p) is not allowed")
        elif k == CK.ADDR_LABEL_EXPR:
            tr, where = self.origin(c)
            if not tr:
                self.report(where, "computed-goto", "label address (&&label) is not allowed")
        elif k == CK.ASM_STMT:
            tr, where = self.origin(c)
            if not tr:
                self.report(where, "inline-asm", "asm statement is not allowed in services")
        elif k == CK.ASM_LABEL_ATTR:
            tr, where = self.origin(c)
            if not tr:
                self.report(where, "inline-asm", "asm label is not allowed in services")

    # ---- casts
    def check_cast(self, c):
        ch = children(c)
        src = ch[-1] if ch else None
        dst_t = c.type
        if canon(dst_t).kind == TK.VOID:
            return  # (void)expr
        src_t = src.type if src is not None else None
        if not (is_ptr(dst_t) or is_ptr(src_t) or canon(dst_t).kind in (TK.FUNCTIONPROTO,)):
            return
        if is_void_ptr(dst_t) and src is not None and is_null_constant(src):
            return  # (void *)0
        tr, where = self.origin(c, body_pred=cast_in_body)
        if tr:
            return
        self.report(where, "pointer-cast", "explicit cast %s '%s' to '%s' is not allowed in "
                    "services: the framework must provide a typed API"
                    % ("from", src_t.spelling if src_t else "?", dst_t.spelling))

    def check_va_arg(self, c, ap):
        """va_arg(ap, T): the node is spelled in <stdarg.h>'s macro, ap in
        the service."""
        dst = c.type
        why = "is a pointer" if is_ptr(dst) else None
        if why is None:
            why = self.holds(dst, ptr=True, boolean=True, fw=True)
            why = "holds %s" % why if why else None
        if why:
            tr, where = self.origin(strip_implicit(ap))
            if not tr:
                self.report(where, "pointer-conversion", "va_arg(ap, '%s') reads a variadic "
                            "argument that %s without a type check" % (dst.spelling, why))

    def check_implicit(self, c):
        child = children(c)[0]
        dst, src = c.type, child.type
        if "__va_list_tag" in canon(src).spelling:
            # va_arg(ap, T) shows up as a one-child expression over ap (the
            # decay of the va_list array itself is not one).
            if is_array(src) or "__va_list_tag" in canon(dst).spelling:
                return
            self.check_va_arg(c, child)
            return
        if not is_ptr(dst):
            if is_ptr(src) and is_int(dst) and canon(dst).kind != TK.BOOL:
                tr, where = self.origin(child)
                if not tr:
                    self.report(where, "pointer-conversion", "implicit conversion from pointer "
                                "'%s' to integer '%s'" % (src.spelling, dst.spelling))
            return
        # destination is a pointer
        if is_array(src) or canon(src).kind in (TK.FUNCTIONPROTO, TK.FUNCTIONNOPROTO):
            return  # array / function decay
        if is_int(src):
            if is_null_constant(child):
                return
            tr, where = self.origin(child)
            if not tr:
                self.report(where, "pointer-conversion", "implicit conversion from integer "
                            "'%s' to pointer '%s'" % (src.spelling, dst.spelling))
            return
        if not is_ptr(src):
            return
        if is_void_ptr(src) and not is_void_ptr(dst):
            if is_null_constant(child):
                return
            tr, where = self.origin(child)
            if not tr:
                self.report(where, "void-ptr-conversion", "implicit conversion from '%s' to "
                            "'%s': a void * from outside the framework's typed allocators "
                            "has no type to check" % (src.spelling, dst.spelling))
            return
        if is_void_ptr(dst):
            if canon(src).get_pointee().is_const_qualified() and \
                    not canon(dst).get_pointee().is_const_qualified():
                tr, where = self.origin(child)
                if not tr:
                    self.report(where, "pointer-conversion", "implicit conversion from '%s' "
                                "to '%s' drops const" % (src.spelling, dst.spelling))
            return
        sp, dp = canon(src).get_pointee(), canon(dst).get_pointee()
        spell_s, spell_d = canon(sp).spelling, canon(dp).spelling
        if unqual(spell_s) != unqual(spell_d):
            tr, where = self.origin(child)
            if not tr:
                self.report(where, "pointer-conversion", "implicit conversion between "
                            "incompatible pointer types '%s' and '%s'"
                            % (src.spelling, dst.spelling))
        elif sp.is_const_qualified() and not dp.is_const_qualified():
            tr, where = self.origin(child)
            if not tr:
                self.report(where, "pointer-conversion", "implicit conversion from '%s' to "
                            "'%s' drops const" % (src.spelling, dst.spelling))

    # ---- arithmetic
    def check_binop(self, c):
        ch = children(c)
        if len(ch) != 2:
            return
        l, r = ch
        lt, rt, t = l.type, r.type, c.type
        if self.fnctx is not None and self.carries(rt) and canon(t).kind == canon(lt).kind:
            # '=' (its type is the left operand's; a comparison's is int)
            self.fnctx.assigns.append((c, l, r))
        lp, rp = ptrlike(l), ptrlike(r)
        arith = False
        if (is_ptr(t) or is_array(t)) and (is_int(lt) and rp or lp and is_int(rt)):
            arith = True  # p + n, n + p, p - n (or a comma expression: see ops)
        elif lp and rp and is_int(t) and canon(t).kind in (TK.LONG, TK.LONGLONG):
            arith = True  # p - q (ptrdiff_t); comparisons give int
        if not arith:
            return
        tr, where = self.op_origin(c, l, r, ("+", "-"))
        if not tr:
            # rule out "n, p" (comma): the operator token decides when visible
            self.report(where, "pointer-arith", "pointer arithmetic is not allowed in services: "
                        "use an array index or a fw_reader/fw_writer cursor")

    def check_unop(self, c):
        ch = children(c)
        if len(ch) != 1:
            return
        op = ch[0]
        if not ptrlike(op) or not (is_ptr(c.type) or is_array(c.type)):
            return
        if canon(c.type).spelling != canon(op.type).spelling:
            return  # &p or *pp
        # ++p / --p / p++ / p--
        cf, _, _, coff = _fileloc(c.extent.start)
        of, _, _, ooff = _fileloc(op.extent.start)
        if cf is not None and cf == of and coff < ooff:
            # prefix: the node's location is the operator itself
            tr, where = self.origin(c, body_pred=lambda b: "++" in b or "--" in b)
        else:
            tr, where = self.op_origin(c, op, None, ("++", "--"))
        if not tr:
            self.report(where, "pointer-arith", "increment/decrement of a pointer is not allowed "
                        "in services: use an array index or a cursor")

    def check_subscript(self, c):
        ch = children(c)
        if len(ch) != 2:
            return
        for b in ch:
            if is_array_param_ref(b):
                tr, where = self.op_origin(c, ch[0], ch[1], ("[",))
                if not tr:
                    self.report(where, "pointer-arith", "subscript on an array parameter (it "
                                "is a pointer) is not allowed in services")
                return
            if not is_ptr(b.type):
                continue
            inner = strip_parens(b)
            if is_implicit_cast(inner):
                src = children(inner)[0]
                if is_array(strip_parens(src).type) or is_array(src.type):
                    if canon(src.type).kind == TK.INCOMPLETEARRAY:
                        tr, where = self.op_origin(c, ch[0], ch[1], ("[",))
                        if not tr:
                            self.report(where, "pointer-arith", "subscript of an array of "
                                        "unknown size (no bounds to check)")
                    return  # a real array
            tr, where = self.op_origin(c, ch[0], ch[1], ("[",))
            if not tr:
                self.report(where, "pointer-arith", "subscript on a pointer ('%s') is not "
                            "allowed in services: only real arrays may be indexed"
                            % b.type.spelling)
            return

    # ---- calls
    def callee_decl_ref(self, call):
        ch = children(call)
        if not ch:
            return None
        e = ch[0]
        while e.kind in (CK.UNEXPOSED_EXPR, CK.PAREN_EXPR):
            cc = children(e)
            if len(cc) != 1:
                return None
            e = cc[0]
        return e if e.kind == CK.DECL_REF_EXPR else None

    def check_call(self, c):
        ref = self.callee_decl_ref(c)
        if ref is None:
            return
        self.callee_refs.add(ref.hash)
        name = ref.spelling
        decl = ref.referenced
        if decl is not None and decl.kind == CK.FUNCTION_DECL and \
                canon(decl.type).kind == TK.FUNCTIONNOPROTO:
            tr, where = self.origin(ref)
            if not tr:
                self.report(where, "no-prototype", "call to '%s' without a prototype (implicit "
                            "or K&R declaration): arguments are not type-checked" % name)
        base = name[len("__builtin_"):] if name.startswith("__builtin_") else name
        if base in TYPED_COPY:
            self.check_typed_copy(c, name, base)
        if name in ("fw__buf_make", "fw__bytes_make"):
            self.check_view(c, name)
        if self.fnctx is not None and (name in RETAINED_ARG or name in VIEW_DERIVE):
            self.fnctx.calls.append((c, name))
        if ATOMIC_NAME_RE.match(name) and not name.startswith("__sync_"):
            # __atomic_test_and_set/__atomic_clear & co. are plain builtin
            # calls (void * object), not atomic expressions
            args = list(c.get_arguments())
            obj = self.pointee_of_arg(args[0]) if args else None
            if obj is not None:
                self.check_atomic_op(name, obj, self.origin(ref)[1])
        if name.startswith("__sync_"):
            tr, where = self.origin(ref)
            if not tr:
                self.report(where, "atomic-pointer", "'%s': __sync builtins are not allowed in "
                            "services (untyped; use <stdatomic.h> or __atomic_*_n on integers)"
                            % name)
        if base in RAW_MEM:
            # Arguments spelled in a framework macro are skipped one by one, so
            # even "#define memcpy __builtin_memcpy" in a header is checked.
            self.check_raw_mem_args(c, name)
        if name.startswith("__builtin_") and base not in RAW_MEM:
            if name in ("__builtin_alloca", "__builtin_alloca_with_align",
                        "__builtin_alloca_with_align_and_max"):
                tr, where = self.origin(ref)
                if not tr:
                    self.report(where, "vla", "alloca is not allowed: unbounded kernel stack use")
                return
            if not BUILTIN_OK_RE.match(name):
                tr, where = self.origin(ref)
                if not tr:
                    self.report(where, "builtin", "'%s' is not on the gate's builtin allowlist"
                                % name)
        elif name.startswith("__builtin_"):
            tr, where = self.origin(ref)
            if not tr:
                self.report(where, "builtin", "'%s' is not on the gate's builtin allowlist" % name)
        if name == "alloca":
            tr, where = self.origin(ref)
            if not tr:
                self.report(where, "vla", "alloca is not allowed: unbounded kernel stack use")

    def check_raw_mem_args(self, call, name):
        args = list(call.get_arguments())
        for i, a in enumerate(args):
            # pointer parameters: the argument (after implicit conversion) is a pointer
            if not is_ptr(a.type):
                continue
            tr, awhere = self.origin(a)
            if tr:
                continue  # from a framework macro (a bounded view)
            e = strip_parens(a)
            while is_implicit_cast(e):
                inner = children(e)[0]
                if is_array(inner.type):
                    e = inner
                    break
                e = strip_parens(inner)
            if is_array(e.type) and canon(e.type).kind != TK.INCOMPLETEARRAY and \
                    not is_array_param_ref(e):
                continue  # real array or string literal
            if e.kind == CK.STRING_LITERAL:
                continue
            if e.kind == CK.UNARY_OPERATOR and is_ptr(e.type):
                ops = children(e)
                if len(ops) == 1 and canon(e.type).get_pointee().spelling == \
                        canon(ops[0].type).spelling:
                    toks = [t.spelling for t in e.get_tokens()]
                    if toks[:1] == ["&"] or not toks:
                        if self.lvalue_ok(ops[0]):
                            continue
            self.report(awhere, "raw-mem", "argument %d of %s() is a raw pointer: pass a real "
                        "array, &object or a string literal, or use a framework byte view"
                        % (i + 1, name))

    def lvalue_ok(self, e):
        """&obj, &obj.f, &p->f, &arr[i]: an lvalue whose object the compiler
        knows. &*p is not (that is just p)."""
        e = strip_parens(e)
        if e.kind == CK.DECL_REF_EXPR:
            return True
        if e.kind == CK.MEMBER_REF_EXPR:
            return True
        if e.kind == CK.ARRAY_SUBSCRIPT_EXPR:
            return True  # subscript rules check the base
        return False

    def check_declref(self, c, parent):
        name = c.spelling
        base = name[len("__builtin_"):] if name.startswith("__builtin_") else name
        decl = c.referenced
        if base in RAW_MEM and c.hash not in self.callee_refs and decl is not None and \
                decl.kind == CK.FUNCTION_DECL:
            # address of memcpy & co taken: calls through it escape raw-mem.
            # (CALL_EXPR is visited before its callee, so direct calls are known.)
            tr, where = self.origin(c)
            if not tr:
                self.report(where, "raw-mem", "taking the address of %s() escapes the "
                            "raw-mem rule" % name)
        if name.startswith("fw__"):
            # catches names formed by token pasting in service macros; a
            # service macro that only invokes a framework macro (snprintf,
            # fortified) has neither the name nor a paste in its body
            tr, where = self.origin(c, body_pred=lambda b: "##" in b or
                                    any(t.startswith("fw__") for t in b))
            if not tr:
                self.report(where, "private-name", "'%s' is framework-private (fw__ prefix)"
                            % name)

    def check_member(self, c):
        d = c.referenced
        if d is None or d.kind != CK.FIELD_DECL:
            return
        f = d.location.file
        if f is None or not self.trust.trusted(f.name):
            return
        if not self.field_is_private(d):
            return
        tr, where = self.origin(c)
        if not tr:
            self.report(where, "private-field", "field '%s' is __private to the framework: use "
                        "its accessor functions" % c.spelling)

    def field_is_private(self, d):
        # __private expands to nothing, so look at the header text of the
        # declaration (up to its ';').
        key = d.hash
        cache = self.__dict__.setdefault("_priv_cache", {})
        if key in cache:
            return cache[key]
        r = False
        try:
            fname = d.extent.start.file.name
            text = self.__dict__.setdefault("_text_cache", {})
            if fname not in text:
                with open(fname, "rb") as fh:
                    text[fname] = fh.read().decode("utf-8", "replace")
            src = text[fname]
            start = d.extent.start.offset
            # back up to the start of the declaration (after the previous ; { or })
            b = max(src.rfind(";", 0, start), src.rfind("{", 0, start), src.rfind("}", 0, start))
            end = src.find(";", start)
            r = re.search(r"\b__private\b", src[b + 1:end if end >= 0 else len(src)]) is not None
        except Exception:
            r = False
        cache[key] = r
        return r

    # ---- declarations
    def check_decl(self, c):
        tr, where = self.origin(c)
        if tr:
            return
        k = c.kind
        if k in (CK.VAR_DECL, CK.FUNCTION_DECL) and EXTERN_PREFIX_RE.match(c.spelling or ""):
            self.report(where, "extern-decl", "'%s' uses a framework/arch name prefix: only "
                        "framework headers declare fw_/arch_/x86_ symbols" % c.spelling)
        elif k in (CK.VAR_DECL, CK.FUNCTION_DECL) and c.semantic_parent is not None and \
                c.semantic_parent.kind == CK.TRANSLATION_UNIT and \
                (c.spelling in framework_exports() or (c.spelling or "").startswith("__")):
            self.report(where, "extern-decl", "'%s' is the framework's (or the compiler's): "
                        "a service's own declaration of it could give it another type; "
                        "include its framework header" % c.spelling)
        if k in (CK.VAR_DECL, CK.FUNCTION_DECL, CK.TYPEDEF_DECL):
            self.check_decl_conflict(c, where)
        if k == CK.TYPEDEF_DECL and (c.spelling or "").startswith("fw_"):
            self.report(where, "framework-type", "typedef '%s' uses the framework's fw_ "
                        "prefix: only framework headers name fw_ types" % c.spelling)
        if k == CK.FUNCTION_DECL and canon(c.type).kind == TK.FUNCTIONNOPROTO:
            self.report(where, "no-prototype", "'%s' is declared without a prototype; write "
                        "'(void)' for no parameters" % c.spelling)
        t = c.underlying_typedef_type if k == CK.TYPEDEF_DECL else c.type
        if has_vla(t):
            self.report(where, "vla", "variable-length array '%s': unbounded kernel stack use"
                        % c.spelling)
        if k == CK.FIELD_DECL:
            ct = canon(c.type)
            if ct.kind == TK.INCOMPLETEARRAY or (ct.kind == TK.CONSTANTARRAY and
                                                 ct.get_array_size() == 0):
                self.report(where, "flexible-array", "flexible/zero-length array member '%s' "
                            "has no bound the compiler can check" % c.spelling)

    def check_union(self, c):
        if not c.is_definition():
            return
        tr, where = self.origin(c)
        if tr:
            return
        for f in c.get_children():
            if f.kind == CK.FIELD_DECL and contains_pointer(f.type):
                self.report(where, "union-pointer", "union with pointer member '%s' allows "
                            "type punning of pointers" % f.spelling)
                return
            if f.kind == CK.FIELD_DECL:
                why = self.holds(f.type, ptr=False, boolean=False, fw=True)
                if why:
                    self.report(where, "union-pointer", "union member '%s' holds %s: writing "
                                "another member forges its private state" % (f.spelling, why))
                    return

    # ---- what a type holds (typed-copy, init-framework)
    def is_fw_record_decl(self, d):
        if d is None or d.kind not in (CK.STRUCT_DECL, CK.UNION_DECL):
            return False
        f = d.location.file
        return f is not None and self.trust.framework_header(f.name)

    def holds(self, t, ptr=True, boolean=False, fw=True, depth=0):
        """What in type t makes a byte view or copy over it unsafe: a
        pointer, a _Bool or a framework struct (by value, through arrays and
        fields); a description, or None."""
        c = canon(t)
        key = (c.spelling, ptr, boolean, fw)
        cache = self.holds_cache
        if key in cache:
            return cache[key]
        if depth > 16:
            return None
        cache[key] = None  # recursion guard
        r = None
        if c.kind == TK.ATOMIC:
            r = self.holds(unatomic(c), ptr, boolean, fw, depth + 1)
        elif c.kind in (TK.POINTER, TK.BLOCKPOINTER):
            r = "a pointer" if ptr else None
        elif c.kind == TK.BOOL:
            r = "a _Bool" if boolean else None
        elif c.kind in ARRAY_KINDS:
            r = self.holds(c.element_type, ptr, boolean, fw, depth + 1)
        elif c.kind == TK.RECORD:
            d = c.get_declaration()
            if fw and self.is_fw_record_decl(d):
                r = "the framework struct '%s'" % c.spelling
            else:
                for f in c.get_fields():
                    r = self.holds(f.type, ptr, boolean, fw, depth + 1)
                    if r:
                        if f.spelling:
                            r = "%s (field '%s')" % (r, f.spelling)
                        break
        cache[key] = r
        return r

    # ---- init-framework
    def init_frame(self, t):
        """[type, members, next index, is_union]; members is a list of
        (field cursor, type) or ('array', element type, length)."""
        t = canon(t)
        if t.kind == TK.RECORD:
            fields = [f for f in t.get_fields() if not (f.is_bitfield() and not f.spelling)]
            d = t.get_declaration()
            return [t, [(f, f.type) for f in fields], 0, d.kind == CK.UNION_DECL]
        if t.kind in ARRAY_KINDS:
            n = t.get_array_size() if t.kind == TK.CONSTANTARRAY else 1 << 40
            return [t, ("array", t.element_type, n), 0, False]
        return None

    @staticmethod
    def frame_len(fr):
        m = fr[1]
        return m[2] if isinstance(m, tuple) else len(m)

    @staticmethod
    def frame_member(fr, i):
        m = fr[1]
        if isinstance(m, tuple):
            return None, m[1]
        return m[i]

    @staticmethod
    def frame_advance(fr):
        fr[2] = Checker.frame_len(fr) if fr[3] else fr[2] + 1

    def find_field(self, fr, decl):
        """Indexes leading to field decl from record frame fr, through
        anonymous struct/union members: [(index, member type), ...]."""
        if isinstance(fr[1], tuple) or decl is None:
            return None
        for i, (f, ft) in enumerate(fr[1]):
            if f == decl or (f.spelling and f.spelling == decl.spelling):
                return [(i, ft)]
        for i, (f, ft) in enumerate(fr[1]):
            if not f.spelling and canon(ft).kind == TK.RECORD:
                sub = self.init_frame(ft)
                r = self.find_field(sub, decl)
                if r:
                    return [(i, ft)] + r
        return None

    def init_elements(self, top, elems):
        """C initialisation with brace elision and designators, followed on
        the syntactic init list: yields (path, named, value, element), path
        being the field cursors from `top` to the subobject the element
        initialises, named the hashes of those a designator named."""
        stack = [self.init_frame(top)]
        for e in elems:
            val = e
            named = set()
            ch = children(e)
            if e.kind == CK.UNEXPOSED_EXPR and canon(e.type).kind == TK.VOID and len(ch) >= 2:
                # designated initializer: designators, then the value
                val = ch[-1]
                desig = ch[:-1]
                stack = [self.init_frame(top)]
                ranged = any(t.spelling == "..." for t in e.get_tokens())
                k = 0
                ok = True
                while k < len(desig):
                    d = desig[k]
                    fr = stack[-1]
                    if d.kind == CK.MEMBER_REF:
                        steps = self.find_field(fr, d.referenced)
                        if not steps:
                            ok = False
                            break
                        for (i, ft) in steps[:-1]:
                            fr[2] = i
                            named.add(self.frame_member(fr, i)[0].hash)
                            stack.append(self.init_frame(ft))
                            fr = stack[-1]
                        fr[2] = steps[-1][0]
                        named.add(self.frame_member(fr, fr[2])[0].hash)
                    else:
                        if not isinstance(fr[1], tuple):
                            ok = False
                            break
                        v = eval_int(d)
                        fr[2] = v if v is not None and v >= 0 else 0
                        if ranged and k + 1 < len(desig) and desig[k + 1].kind != CK.MEMBER_REF:
                            k += 1  # [a ... b]
                    k += 1
                    if k < len(desig):
                        nf = self.init_frame(self.frame_member(fr, fr[2])[1])
                        if nf is None:
                            ok = False
                            break
                        stack.append(nf)
                if not ok:
                    yield None, named, val, e
                    stack = [self.init_frame(top)]
                    continue
            path = self.init_assign(stack, val)
            if path is not None:
                yield path, named, val, e

    def init_assign(self, stack, val):
        v = strip_implicit(val)
        while True:
            fr = stack[-1]
            if fr[2] >= self.frame_len(fr):
                if len(stack) == 1:
                    return None  # excess initializer (the compiler warns)
                stack.pop()
                self.frame_advance(stack[-1])
                continue
            fld, sub = self.frame_member(fr, fr[2])
            sc = canon(sub)
            whole = (v.kind == CK.INIT_LIST_EXPR or
                     sc.kind not in (TK.RECORD,) + ARRAY_KINDS or
                     unqual(canon(val.type).spelling) == unqual(sc.spelling) or
                     unqual(canon(v.type).spelling) == unqual(sc.spelling) or
                     (v.kind == CK.STRING_LITERAL and sc.kind in ARRAY_KINDS))
            if whole:
                path = [self.frame_member(f, f[2])[0] for f in stack]
                self.frame_advance(fr)
                return [f for f in path if f is not None]
            nf = self.init_frame(sc)
            if nf is None:
                return None
            stack.append(nf)

    def check_init_list(self, c):
        t = canon(c.type)
        if t.kind != TK.RECORD and t.kind not in ARRAY_KINDS:
            return
        if self.holds(t, ptr=False, boolean=False, fw=True) is None:
            return  # no framework struct inside: nothing to forge
        tr, _ = self.origin(c)
        if tr:
            return  # FW_SPINLOCK_INIT & co.
        for path, named, val, e in self.init_elements(t, children(c)):
            etr, where = self.origin(e)
            if etr:
                continue
            if path is None:
                self.report(where, "init-framework", "designated initializer the gate cannot "
                            "follow in a type that holds a framework struct")
                continue
            first = None
            for i, f in enumerate(path):
                if self.is_fw_record_decl(f.semantic_parent):
                    first = i
                    break
            if first is None or is_zero(val):
                continue
            for f in path[first:]:
                parent = f.semantic_parent
                if not self.is_fw_record_decl(parent):
                    continue
                pname = parent.type.spelling if parent is not None else "?"
                if f.hash not in named:
                    self.report(where, "init-framework", "this initializer sets field '%s' of "
                                "the framework struct '%s' by position: initialize framework "
                                "structs with {0}, their framework INIT macro, an object of "
                                "the same type or designated public fields" % (f.spelling, pname))
                    break
                if self.field_is_private(f):
                    self.report(where, "init-framework", "designated initializer of the "
                                "__private field '%s' of the framework struct '%s'"
                                % (f.spelling, pname))
                    break

    # ---- framework-type, type-conflict
    def layout_sig(self, c, depth=0):
        if c.kind == CK.ENUM_DECL:
            return ("enum", tuple((e.spelling, e.enum_value) for e in c.get_children()
                                  if e.kind == CK.ENUM_CONSTANT_DECL))
        t = c.type
        fields = []
        for f in t.get_fields():
            ft = canon(f.type)
            sub = None
            if ft.kind == TK.RECORD and depth < 8:
                d = ft.get_declaration()
                if d is not None and not d.spelling:
                    sub = self.layout_sig(d, depth + 1)  # anonymous struct/union
            fields.append((f.spelling, norm_spelling(f.type), ft.get_size(),
                           t.get_offset(f.spelling) if f.spelling else -1,
                           f.get_bitfield_width() if f.is_bitfield() else -1, sub))
        return (c.kind.name, t.get_size(), t.get_align(), tuple(fields))

    def record_conflict(self, key, sig, where, what):
        prev = self.type_sigs.get(key)
        if prev is None:
            self.type_sigs[key] = (sig, where)
        elif prev[0] != sig:
            pf, pl, _ = prev[1]
            self.report(where, "type-conflict", "%s is declared differently at %s:%d: two "
                        "layouts of one type (or two types of one symbol) let one file write "
                        "what another reads as something else"
                        % (what, os.path.relpath(pf) if pf else "?", pl))

    def check_decl_conflict(self, c, where):
        """Across the whole run: a typedef name means one type, an external
        function or variable has one type (the linker does not check)."""
        name = c.spelling or ""
        if not name:
            return
        if c.kind == CK.TYPEDEF_DECL:
            u = c.underlying_typedef_type
            sub = None
            cu = canon(u)
            if cu.kind == TK.RECORD:
                d = cu.get_declaration()
                if d is not None and not d.spelling:
                    sub = self.layout_sig(d)
            self.record_conflict(("typedef", name), (norm_spelling(u), cu.get_size(), sub),
                                 where, "typedef '%s'" % name)
            return
        if c.linkage != ci.LinkageKind.EXTERNAL:
            return
        t = canon(c.type)
        if t.kind == TK.INCOMPLETEARRAY:
            return  # extern T x[]: never indexed (pointer-arith)
        kind = "function" if c.kind == CK.FUNCTION_DECL else "variable"
        self.record_conflict(("symbol", name), (kind, norm_spelling(t), t.get_size()
                                                if kind == "variable" else 0),
                             where, "%s '%s'" % (kind, name))

    def check_tag_def(self, c):
        if not c.is_definition():
            return
        tr, where = self.origin(c)
        if tr:
            return
        name = c.spelling or ""
        if not IDENT_RE.fullmatch(name):
            return  # anonymous
        kw = {CK.STRUCT_DECL: "struct", CK.UNION_DECL: "union", CK.ENUM_DECL: "enum"}[c.kind]
        if name != "fw_task_data" and (name.startswith("fw_") or name in self.fw_tags):
            self.report(where, "framework-type", "'%s %s' is a framework type: a service may "
                        "not define it (its layout is the framework's)" % (kw, name))
        self.record_conflict((kw, name), self.layout_sig(c), where, "'%s %s'" % (kw, name))

    # ---- typed-copy
    def pointee_of_arg(self, a):
        """The type of the object a pointer argument points to, looking
        through the conversions to void * (None when unknown)."""
        e = a
        for _ in range(16):
            e = strip_parens(e)
            t = canon(e.type)
            if t.kind in ARRAY_KINDS:
                return t.element_type
            if t.kind == TK.POINTER and canon(t.get_pointee()).kind != TK.VOID:
                return t.get_pointee()
            if is_implicit_cast(e) or e.kind == CK.CSTYLE_CAST_EXPR:
                ch = children(e)
                if not ch:
                    return None
                e = ch[-1]
                continue
            return None
        return None

    def check_typed_copy(self, c, name, base):
        args = list(c.get_arguments())
        if not args:
            return
        dst_i, src_i = (1, 0) if base == "bcopy" else (0, 1)
        if base in ("memset", "bzero"):
            src_i = None
            if base == "memset" and len(args) > 1 and is_zero(args[1]):
                return  # zeroing is always a valid state
        if dst_i < len(args):
            a = args[dst_i]
            tr, where = self.origin(a)
            t = self.pointee_of_arg(a)
            if not tr and t is not None:
                why = self.holds(t, ptr=True, boolean=True, fw=True)
                if why:
                    self.report(where, "typed-copy", "%s() writes raw bytes into '%s', which "
                                "holds %s: assign the object (or memset it to 0) instead"
                                % (name, t.spelling, why))
        if src_i is not None and src_i < len(args) and base not in ("memset", "bzero"):
            a = args[src_i]
            tr, where = self.origin(a)
            t = self.pointee_of_arg(a)
            if not tr and t is not None:
                why = self.holds(t, ptr=True, boolean=False, fw=True)
                if why:
                    self.report(where, "typed-copy", "%s() reads '%s', which holds %s, as raw "
                                "bytes: assign the object instead" % (name, t.spelling, why))

    def check_view(self, c, name):
        args = list(c.get_arguments())
        if not args:
            return
        a = args[0]
        # the macro's own parentheses and conversions are spelled in the
        # framework; the object expression inside is the service's
        tr, where = self.origin(strip_implicit(a))
        if tr:
            return
        t = self.pointee_of_arg(a)
        if t is None:
            return
        writable = name == "fw__buf_make"
        why = self.holds(t, ptr=True, boolean=writable, fw=True)
        if why:
            self.report(where, "typed-copy", "%s byte view over '%s', which holds %s: %s"
                        % ("writable" if writable else "read-only", t.spelling, why,
                           "writing it forges pointers or framework state" if writable else
                           "reading it leaks kernel addresses or framework state"))

    # ---- local-escape
    def carries(self, t):
        """Can a value of type t hold an address: a pointer, an array (it
        decays) or a struct/union with a pointer inside (a view, a cursor)?"""
        c = canon(t)
        k = c.kind
        if k in (TK.POINTER, TK.BLOCKPOINTER) or k in ARRAY_KINDS:
            return True
        if k == TK.RECORD:
            key = c.spelling
            cache = self.__dict__.setdefault("_carries_cache", {})
            r = cache.get(key)
            if r is None:
                r = cache[key] = contains_pointer(c)
            return r
        if k == TK.ATOMIC:
            return atomic_holds_pointer(c)
        return False

    def note_local_decl(self, c):
        fn = self.fnctx
        if c.kind == CK.PARM_DECL:
            fn.autos[c.hash] = c.spelling or "?"
            return
        sc = c.storage_class
        auto = sc not in (ci.StorageClass.STATIC, ci.StorageClass.EXTERN)
        if auto:
            fn.autos[c.hash] = c.spelling or "?"
        if not self.carries(c.type):
            return
        ch = children(c)
        # the initializer is the last expression child (or an array bound,
        # an integer: harmless to look at)
        if ch and ch[-1].kind.is_expression():
            (fn.inits if auto else fn.static_inits).append((c, ch[-1]))

    def lv_base(self, e):
        """The variable an lvalue is part of, through '.' and subscripts of
        real arrays only (None through '->', '*' or a pointer subscript)."""
        for _ in range(64):
            e = strip_parens(e)
            k = e.kind
            if k == CK.DECL_REF_EXPR:
                return e.referenced
            if k == CK.MEMBER_REF_EXPR:
                ch = children(e)
                if not ch or is_ptr(ch[0].type):
                    return None
                e = ch[0]
                continue
            if k == CK.ARRAY_SUBSCRIPT_EXPR:
                ch = children(e)
                if len(ch) != 2:
                    return None
                b = strip_parens(ch[0])
                if is_implicit_cast(b) and is_array(children(b)[0].type) and \
                        not is_array_param_ref(b):
                    e = children(b)[0]
                    continue
                return None
            return None
        return None

    def lv_local(self, e, fn, depth):
        """Is lvalue e (part of) automatic storage of this function, directly
        or through a pointer that holds such an address? A description or
        None."""
        e = strip_parens(e)
        k = e.kind
        if k == CK.DECL_REF_EXPR:
            d = e.referenced
            if d is not None and d.hash in fn.autos:
                return "the address of local '%s'" % fn.autos[d.hash]
            return None
        ch = children(e)
        if k == CK.MEMBER_REF_EXPR and ch:
            if is_ptr(ch[0].type):
                return self.esc(ch[0], fn, depth + 1)
            return self.lv_local(ch[0], fn, depth + 1)
        if k == CK.ARRAY_SUBSCRIPT_EXPR and len(ch) == 2:
            b = strip_parens(ch[0])
            if is_implicit_cast(b) and is_array(children(b)[0].type) and \
                    not is_array_param_ref(b):
                return self.lv_local(children(b)[0], fn, depth + 1)
            return self.esc(ch[0], fn, depth + 1)
        if k == CK.UNARY_OPERATOR and len(ch) == 1:
            return self.esc(ch[0], fn, depth + 1)  # *p
        if k == CK.COMPOUND_LITERAL_EXPR:
            return "the address of a compound literal (automatic storage)"
        return None

    def esc(self, e, fn, depth=0):
        """Can the value of expression e be (or hold) the address of
        automatic storage of this function? A description or None. Calls
        are not followed, except the framework's view makers."""
        if depth > 48:
            return None
        e = strip_parens(e)
        k = e.kind
        if k in (CK.INIT_LIST_EXPR, CK.COMPOUND_LITERAL_EXPR):
            if not self.carries(e.type):
                return None
            for ch in children(e):
                if ch.kind == CK.UNEXPOSED_EXPR and canon(ch.type).kind == TK.VOID:
                    ch = children(ch)[-1]  # designated: .f = value
                r = self.esc(ch, fn, depth + 1)
                if r:
                    return r
            return None
        if not self.carries(e.type):
            return None
        ch = children(e)
        if k == CK.UNEXPOSED_EXPR:
            if len(ch) != 1:
                return None
            inner = strip_parens(ch[0])
            if is_array(inner.type) and is_ptr(e.type) and not is_array_param_ref(inner):
                return self.lv_local(inner, fn, depth + 1)  # an array decays
            return self.esc(inner, fn, depth + 1)
        if k == CK.CSTYLE_CAST_EXPR:
            return self.esc(ch[-1], fn, depth + 1) if ch else None
        if k == CK.UNARY_OPERATOR and len(ch) == 1:
            op = ch[0]
            if is_ptr(e.type) and canon(canon(e.type).get_pointee()).spelling == \
                    canon(op.type).spelling:
                return self.lv_local(op, fn, depth + 1)  # &lvalue
            if canon(e.type).spelling == canon(op.type).spelling:
                return self.esc(op, fn, depth + 1)  # ++p, p-- (pointer-arith)
            return None  # *p: values read back through pointers are not followed
        if k in (CK.DECL_REF_EXPR, CK.MEMBER_REF_EXPR, CK.ARRAY_SUBSCRIPT_EXPR):
            if is_array(e.type) and not is_array_param_ref(e):
                return self.lv_local(e, fn, depth + 1)
            d = self.lv_base(e)
            if d is not None and d.hash in fn.tainted:
                return "%s (copied into '%s')" % (fn.tainted[d.hash], d.spelling)
            return None
        if k == CK.CALL_EXPR:
            ref = self.callee_decl_ref(e)
            if ref is not None and ref.spelling in VIEW_MAKERS:
                args = list(e.get_arguments())
                if args:
                    r = self.esc(args[0], fn, depth + 1)
                    if r:
                        return r if r.startswith("a byte view") else "a byte view of " + r
            return None
        if k == CK.CONDITIONAL_OPERATOR:
            for x in ch[1:] if len(ch) == 3 else ch:
                r = self.esc(x, fn, depth + 1)
                if r:
                    return r
            return None
        if k == CK.BINARY_OPERATOR and len(ch) == 2:
            # '=' / ',' give the right operand; p + n either
            return self.esc(ch[1], fn, depth + 1) or (
                is_ptr(ch[0].type) and self.esc(ch[0], fn, depth + 1)) or None
        if k == CK.StmtExpr and ch:
            body = children(ch[0])
            if body and body[-1].kind.is_expression():
                return self.esc(body[-1], fn, depth + 1)
            return None
        return None

    def describe_store_target(self, lhs):
        d = self.lv_base(lhs)
        if d is None:
            return "memory reached through a pointer"
        if d.kind == CK.VAR_DECL and d.semantic_parent is not None and \
                d.semantic_parent.kind == CK.FUNCTION_DECL:
            return "the static local '%s'" % d.spelling
        return "the global '%s'" % d.spelling

    def is_assign(self, c, l, r):
        """The operator between l and r is '=' (not ',')."""
        f, _, _, loff = _fileloc(l.extent.end)
        rf, _, _, roff = _fileloc(r.extent.start)
        if f is None or f != rf or roff < loff:
            return True  # from a macro: conservative
        tu = c.translation_unit
        fobj = tu.get_file(f)
        rng = ci.SourceRange.from_locations(ci.SourceLocation.from_offset(tu, fobj, loff),
                                            ci.SourceLocation.from_offset(tu, fobj, roff))
        for t in tu.get_tokens(extent=rng):
            if t.spelling == ",":
                return False
            if t.spelling == "=":
                return True
        return True

    def check_local_escape(self, fn):
        """local-escape: the address of an automatic variable or parameter of
        this function (or of part of one, or a byte view of it) may not be
        returned, stored anywhere but in another automatic variable of this
        function, or given to a framework call that keeps it (timer, IRQ
        handler, task argument). Local copies are followed flow-insensitively:
        a local that is ever given such an address holds one everywhere."""
        if not (fn.inits or fn.assigns or fn.returns or fn.calls or fn.static_inits):
            return
        autos = fn.autos
        flows = []   # (local decl hash, name, thunk giving a description or None)
        stores = []  # (where-node, target description, thunk)
        for (d, init) in fn.inits:
            flows.append((d.hash, d.spelling, lambda x=init: self.esc(x, fn)))
        for (d, init) in fn.static_inits:
            stores.append((d, "the static local '%s'" % d.spelling,
                           lambda x=init: self.esc(x, fn)))
        for (c, l, r) in fn.assigns:
            b = self.lv_base(l)
            if b is not None and b.hash in autos:
                flows.append((b.hash, b.spelling, lambda x=r: self.esc(x, fn)))
            else:
                stores.append((c, None, lambda x=r, c=c, l=l: self.esc(x, fn)
                               if self.is_assign(c, l, x) else None, l))
        retained = []
        for (c, name) in fn.calls:
            args = list(c.get_arguments())
            if name in RETAINED_ARG:
                i = RETAINED_ARG[name][0]
                if i < len(args):
                    retained.append((c, name, args[i]))
                continue
            si, mode, di = VIEW_DERIVE[name]
            if si >= len(args) or di >= len(args):
                continue
            src, dst = args[si], args[di]
            if mode == "val":
                thunk = (lambda x=src: self.esc(x, fn))
            else:
                thunk = (lambda x=src: self.obj_tainted(x, fn))
            dd = strip_implicit(dst)
            target = None
            if dd.kind == CK.UNARY_OPERATOR and children(dd):
                target = self.lv_base(children(dd)[0])
            elif is_array(dd.type) and not is_array_param_ref(dd):
                target = self.lv_base(dd)  # a local array of views
            if target is not None and target.hash in autos:
                flows.append((target.hash, target.spelling, thunk))
            else:
                stores.append((c, "the object %s()'s destination argument points to" % name,
                               thunk, None))
        # taint: to a fixpoint (each round can only add)
        tainted = fn.tainted
        for _ in range(16):
            changed = False
            for (h, name, thunk) in flows:
                if h in tainted:
                    continue
                why = thunk()
                if why:
                    tainted[h] = why
                    changed = True
            if not changed:
                break
        for (c, v) in fn.returns:
            why = self.esc(v, fn)
            if why:
                tr, where = self.origin(c)
                if not tr:
                    self.report(where, "local-escape", "returns %s: the caller gets a "
                                "pointer into a stack frame that is gone" % why)
        for st in stores:
            c, target, thunk = st[0], st[1], st[2]
            tr, where = self.origin(c)
            if tr:
                continue
            why = thunk()
            if why:
                if target is None:
                    target = self.describe_store_target(st[3])
                self.report(where, "local-escape", "stores %s into %s, which outlives this "
                            "function's frame: only automatic variables of the same "
                            "function may hold it" % (why, target))
        for (c, name, a) in retained:
            inner = strip_implicit(a)
            while inner.kind == CK.CSTYLE_CAST_EXPR and children(inner):
                inner = strip_implicit(children(inner)[-1])  # the macro's (void *)(arg)
            tr, where = self.origin(inner)
            if tr:
                continue
            why = self.esc(a, fn)
            if why:
                _, macro, user = RETAINED_ARG[name]
                extra = ""
                if name == "fw__task_spawn":
                    extra = ("; a later fw_task_join does not make it safe to the gate "
                             "(a return between the two leaves the task running)")
                self.report(where, "local-escape", "%s keeps its argument after this "
                            "function returns, and this one is %s: %s would use a dead "
                            "stack frame (pass heap or static storage)%s"
                            % (macro, why, user, extra))

    def obj_tainted(self, a, fn):
        """The object pointer argument a points to holds a local address
        (a is &v with v a local copy of one)."""
        e = strip_implicit(a)
        if e.kind == CK.UNARY_OPERATOR and children(e):
            d = self.lv_base(children(e)[0])
            if d is not None and d.hash in fn.tainted:
                return "%s (copied into '%s')" % (fn.tainted[d.hash], d.spelling)
        return None

    # ---- atomic-pointer
    def atomic_ops(self, c):
        f, _, _, off = _fileloc(c.location)
        if f is None:
            return []
        name = self.ident_at(f, off)
        if not name:
            return []
        if ATOMIC_NAME_RE.match(name):
            return [name]
        # from a macro (stdatomic.h, a framework or a service macro): the
        # builtins its body names, followed through other macros
        out = []
        todo = [self.tu_macros.get(name)]
        seen = set()
        while todo and len(seen) < 64:
            d = todo.pop()
            if d is None or d.hash in seen:
                continue
            seen.add(d.hash)
            for tok in self.macro_body(d):
                if ATOMIC_NAME_RE.match(tok):
                    out.append(tok)
                else:
                    nd = self.tu_macros.get(tok)
                    if nd is not None:
                        todo.append(nd)
        return out

    def check_atomic(self, c):
        ch = children(c)
        if len(ch) < 2 or not is_ptr(ch[0].type):
            return
        ops = self.atomic_ops(c)
        if not ops:
            return
        obj = canon(ch[0].type).get_pointee()
        f, line, col, _ = _fileloc(c.location)
        where = (f, line, col)
        for op in ops:
            self.check_atomic_op(op, obj, where)

    def check_atomic_op(self, op, obj, where):
        """One atomic builtin on an object of type obj (checked wherever the
        builtin is spelled: <stdatomic.h> is trusted, the object is not)."""
        if where[0] is None:
            return
        prefix, rest = ATOMIC_NAME_RE.match(op).groups()
        if prefix == "__sync_":
            self.report(where, "atomic-pointer", "'%s': __sync builtins are not allowed "
                        "in services" % op)
        elif rest in ATOMIC_ARITH and atomic_holds_pointer(obj):
            self.report(where, "atomic-pointer", "atomic arithmetic (%s) on '%s', which "
                        "is a pointer: pointer arithmetic the gate would otherwise reject"
                        % (op, obj.spelling))
        elif prefix == "__atomic_" and rest in ATOMIC_GENERIC:
            self.report(where, "atomic-pointer", "'%s' copies bytes between objects of any "
                        "type: use the typed %s_n" % (op, op))
        elif rest in ATOMIC_BYTE:
            k = unatomic(obj).kind
            if k not in (TK.BOOL, TK.CHAR_S, TK.CHAR_U, TK.SCHAR, TK.UCHAR):
                self.report(where, "atomic-pointer", "'%s' writes one byte of '%s': only "
                            "on a bool or char" % (op, obj.spelling))

    # ---- includes
    def check_include(self, c):
        """An allowlist: <fw/x.h> (the framework's public headers), a few
        freestanding compiler headers (INCLUDE_COMPILER_OK) and "x.h" of a
        service header under services/ or under the including file's
        directory."""
        f = c.location.file
        if f is None or self.trust.trusted(f.name):
            return
        where = (f.name, c.location.line, c.location.column)
        toks = [t.spelling for t in c.get_tokens()]
        name = c.spelling or ""
        angled = "<" in toks[2:3]
        quoted = len(toks) > 2 and toks[2].startswith('"')
        try:
            inc = c.get_included_file()
        except Exception:
            inc = None  # not found
        reason = None
        if ".." in name.split("/") or ".." in name:
            reason = "contains '..'"
        elif name.startswith("/"):
            reason = "is an absolute path"
        elif name.split("/")[0] in ("arch", "framework"):
            reason = "names framework internals"
        elif not angled and not quoted:
            reason = "is a computed include"
        elif inc is not None:
            p = os.path.realpath(inc.name)
            if self.trust.framework_header(p):
                if not (self.trust.public_header(p) and re.match(r"^fw/[A-Za-z0-9_]+\.h$", name)):
                    reason = "resolves to framework internals (%s)" % p
            elif self.trust.trusted(p):
                if name not in INCLUDE_COMPILER_OK or not self.trust.compiler_header(p):
                    reason = ("is a compiler header outside the allowlist (%s)"
                              % " ".join(sorted(INCLUDE_COMPILER_OK)))
            elif angled:
                reason = "is not <fw/...> or an allowed compiler header"
            else:
                here = os.path.dirname(os.path.realpath(f.name))
                svc = os.path.join(ROOT, "services") + "/"
                if not (p.startswith(svc) or p.startswith(here + "/")):
                    reason = "resolves outside services/ (%s)" % p
        if reason:
            self.report(where, "include", "#include of '%s' %s: services include only <fw/*.h>, "
                        "a few freestanding compiler headers and their own headers"
                        % (name, reason))


def cast_in_body(body):
    """Could these macro-body tokens hold a cast? ')' followed by the start of
    an operand. Conservative."""
    for a, b in zip(body, body[1:]):
        if a == ")" and (re.match(r"^[A-Za-z_0-9'\"]", b) or b in ("(", "*", "&", "-", "+", "!",
                                                                     "~", "{")):
            return True
    return False


def main(argv):
    ap = argparse.ArgumentParser(description="safe-C gate for services/")
    ap.add_argument("--cflags", default=None, help="services build flags (default: %(default)s)")
    ap.add_argument("files", nargs="+")
    # "--cflags -I..." : argparse would take the value for an option
    fixed = []
    i = 0
    while i < len(argv):
        if argv[i] == "--cflags" and i + 1 < len(argv):
            fixed.append("--cflags=" + argv[i + 1])
            i += 2
            continue
        fixed.append(argv[i])
        i += 1
    ns = ap.parse_args(fixed)
    cflags = ns.cflags if ns.cflags is not None else DEFAULT_CFLAGS
    args, sysdirs = build_args(cflags)
    index = ci.Index.create()
    chk = Checker(index, args, sysdirs)
    for f in ns.files:
        if not os.path.exists(f):
            print("%s: error: no such file" % f, file=sys.stderr)
            chk.parse_failed = True
            continue
        chk.check_file(f)
    for (fname, line, col, rule, msg) in sorted(chk.violations,
                                               key=lambda v: (v[0] or "", v[1], v[2], v[3])):
        print("%s:%d:%d: %s: %s" % (fname, line, col, rule, msg))
    if chk.parse_failed:
        return 2
    return 1 if chk.violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
