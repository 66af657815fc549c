#!/usr/bin/env python3
"""tools/stress-report.py: the table of `make stress` (tools/stress.sh).

Usage: stress-report.py OUT SECS WORKERS SMP QEMU_VERSION LINUX_VERSION
Reads OUT/framekernel.results and OUT/linux.results (lines STRESS,
STRESS-MSG, STRESS-LOCK from bench/stress/init) and prints Markdown: the
verdicts of both kernels, and bogo ops per second side by side. A stressor
that reported a failed call ("fail:") counts as failed even when stress-ng
exited 0, for either kernel (some stressors do that)."""
import sys
out, secs, workers, smp, qemu, kver = sys.argv[1:7]
def load(k):
    res, msgs = {}, {}
    try:
        lines = open(f"{out}/{k}.results", errors="replace").read().splitlines()
    except OSError:
        return res, msgs
    for line in lines:
        f = line.split(None, 2)
        if f[0] == "STRESS" and len(f) == 3:
            v = line.split()
            res[v[1]] = (v[2], v[4] if len(v) > 4 else "-")
            msgs[v[1]] = []  # a later run's verdict comes with its own lines
        elif f[0] == "STRESS-MSG" and len(f) == 3:
            msgs.setdefault(f[1], []).append(f[2])
    return res, msgs
def refail(res, msgs):
    for n, (v, ops) in list(res.items()):
        if v == "passed" and any(" fail: " in m for m in msgs.get(n, [])):
            res[n] = ("failed", ops)
fk, fkm = load("framekernel")
lx, lxm = load("linux")
refail(fk, fkm)
refail(lx, lxm)
names = sorted(set(fk) | set(lx))
def cnt(r, v):
    return sum(1 for n in names if r.get(n, ("",))[0] == v)
print("# stress-ng: framekernel vs Linux\n")
print(f"{qemu}; QEMU's default machine and CPU, {smp} CPUs, 1 GiB, TCG; Linux `{kver}`; "
      f"stress-ng 0.15.06 from Debian bookworm, each stressor alone with "
      f"`--verify --metrics-brief --timeout {secs}s` and {workers} instances, "
      f"temporary files on tmpfs (`tools/stress.sh`).\n")
print("| | framekernel | Linux |\n|---|---|---|")
for v in ("passed", "failed", "untrusted", "skipped", "error", "timeout", "hang"):
    print(f"| {v} | {cnt(fk, v)} | {cnt(lx, v)} |")
both = [n for n in names if fk.get(n, ("",))[0] == "passed" and lx.get(n, ("",))[0] == "passed"]
print(f"\nPassed on Linux and failed, hung or erred here: "
      f"{', '.join(n for n in names if lx.get(n, ('',))[0] == 'passed' and fk.get(n, ('',))[0] != 'passed') or 'none'}.\n")
print("Ratio = framekernel / Linux bogo ops per second (real time): above 1.0 "
      "is a win for this kernel. One run each: under TCG single values swing; "
      "read the large differences.\n")
print("| stressor | framekernel | Linux | ratio |\n|---|---|---|---|")
for n in names:
    a, b = fk.get(n, ("-", "-")), lx.get(n, ("-", "-"))
    def cell(r):
        return f"{r[1]}" if r[0] == "passed" else f"{r[0]} {r[1] if r[1] != '-' else ''}".strip()
    ratio = "-"
    try:
        if a[0] == "passed" and b[0] == "passed" and float(b[1]) > 0:
            ratio = f"{float(a[1]) / float(b[1]):.2f}"
    except ValueError:
        pass
    print(f"| {n} | {cell(a)} | {cell(b)} | {ratio} |")
bad = [n for n in names if fk.get(n, ("",))[0] not in ("passed", "skipped")]
if bad:
    print("\n## What stress-ng said where this kernel did not pass\n")
    for n in bad:
        print(f"- `{n}` ({fk.get(n, ('missing',))[0]}; Linux: {lx.get(n, ('missing',))[0]}): "
              + "; ".join(f"`{m.strip()[:160]}`" for m in fkm.get(n, [])[:3]))
