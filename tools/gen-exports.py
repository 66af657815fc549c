#!/usr/bin/env python3
"""tools/gen-exports.py: regenerate framework/exports.txt.

The export list is the framework's public API: every global function or
variable that the framework objects define AND framework/include/fw/*.h
names. Run it after adding a public fw_ function (`make` first, so the
objects exist) and review the diff: a symbol appearing here is a promise to
services. The command-line parser (fw/cmdline.h) is framework-internal and
stays out; services use fw/boot.h instead.
"""
import glob, re, subprocess, sys

hdr = " ".join(open(f).read() for f in glob.glob("framework/include/fw/*.h")
               if not f.endswith("cmdline.h"))
idents = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", hdr))
objs = glob.glob("build/framework/**/*.o", recursive=True) + \
       glob.glob("build/arch/**/*.o", recursive=True)
if not objs:
    sys.exit("gen-exports: no framework objects; run make first")
out = subprocess.run(["nm", "--defined-only", "-g"] + objs,
                     capture_output=True, text=True, check=True).stdout
syms = sorted({f[2] for f in (l.split() for l in out.splitlines())
               if len(f) == 3 and f[2] in idents
               and f[2] not in ("services_init", "services_main")})
with open("framework/exports.txt", "w") as fh:
    fh.write("""# framework/exports.txt: the symbols services may reference.
#
# The symbol gate (tools/gate/check_exports.sh, run by `make check`) fails
# when a services object has an undefined symbol not listed here. Generated
# by tools/gen-exports.py from what framework/include/fw/*.h declares.

""")
    fh.write("\n".join(syms) + "\n")
print(f"gen-exports: {len(syms)} symbols")
