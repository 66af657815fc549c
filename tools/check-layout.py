#!/usr/bin/env python3
"""tools/check-layout.py: the services/ tree keeps showing the architecture.

Layer: build tooling, run by `make check`. Two rules:

  1. No include circle between service folders. A service folder is a
     top-level folder of services/ (services/fs, services/proc, ...); its
     subfolders (fs/vfs, fs/ext2, drivers/char, ...) are parts of it and may
     include each other. Every quoted #include of every .c/.h file is
     resolved as the compiler does (the including file's folder first, then
     -Iservices); an include from one service folder into another is an edge.
     The graph must be acyclic: the services form layers, and a lower one
     learns what it needs from a higher one only through a header it owns
     (e.g. services/current/current.h, implemented by services/proc).
  2. No folder too big to read: at most MAX_FILES .c/.h files and MAX_LINES
     lines directly in any folder of services/ (subfolders count for
     themselves).

  tools/check-layout.py               check services/ (PASS/FAIL lines)
  tools/check-layout.py --graph       also print the service graph, in layers
  tools/check-layout.py --root DIR    check DIR/services instead
  tools/check-layout.py --self-test   the check must fail on a cycle and on an
                                      oversized folder (made in a temp dir)
"""
import os
import re
import sys
import tempfile

MAX_FILES = 20
MAX_LINES = 6000
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def sources(svc):
    for d, dirs, files in os.walk(svc):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                yield os.path.join(d, f)


def service_of(svc, path):
    return os.path.relpath(path, svc).split(os.sep)[0]


def include_graph(svc):
    """{service: {service: [(file, include), ...]}} for cross-service includes."""
    edges = {}
    for p in sources(svc):
        a = service_of(svc, p)
        edges.setdefault(a, {})
        with open(p, encoding='utf-8', errors='replace') as fh:
            for line in fh:
                m = INCLUDE.match(line)
                if not m:
                    continue
                t = os.path.join(os.path.dirname(p), m.group(1))
                if not os.path.isfile(t):
                    t = os.path.join(svc, m.group(1))
                if not os.path.isfile(t):
                    continue  # not under services/ (the gate rejects strays)
                b = service_of(svc, os.path.normpath(t))
                if b != a:
                    edges[a].setdefault(b, []).append(
                        (os.path.relpath(p, svc), m.group(1)))
    return edges


def cycles(edges):
    """Strongly connected components with more than one service (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def layers(edges):
    """Services by layer: 0 includes no other service, n only layers < n."""
    level = {}

    def lv(v, seen=()):
        if v not in level:
            deps = [w for w in edges.get(v, {}) if w not in seen]
            level[v] = 1 + max((lv(w, seen + (v,)) for w in deps), default=-1)
        return level[v]

    for v in edges:
        lv(v)
    by = {}
    for v, n in level.items():
        by.setdefault(n, []).append(v)
    return [sorted(by[n]) for n in sorted(by)]


def sizes(svc):
    """{folder: (files, lines)} for every folder holding .c/.h files."""
    out = {}
    for p in sources(svc):
        d = os.path.relpath(os.path.dirname(p), os.path.dirname(svc))
        with open(p, encoding='utf-8', errors='replace') as fh:
            n = sum(1 for _ in fh)
        f, l = out.get(d, (0, 0))
        out[d] = (f + 1, l + n)
    return out


def check(root, show_graph=False, quiet=False):
    svc = os.path.join(root, 'services')
    ok = True
    edges = include_graph(svc)
    found = cycles(edges)
    say = (lambda *a: None) if quiet else print
    for comp in found:
        ok = False
        say('FAIL layout.no-cycle: include circle between ' + ', '.join(comp))
        for a in comp:
            for b in comp:
                for f, inc in edges.get(a, {}).get(b, [])[:3]:
                    say(f'    {a} -> {b}: {f} includes "{inc}"')
    if not found:
        say(f'PASS layout.no-cycle ({len(edges)} service folders)')
        if show_graph:
            for n, vs in enumerate(layers(edges)):
                for v in vs:
                    deps = ' '.join(sorted(edges[v])) or '-'
                    say(f'    layer {n}: {v} -> {deps}')
    big = False
    for d, (f, l) in sorted(sizes(svc).items()):
        if f > MAX_FILES or l > MAX_LINES:
            ok = False
            big = True
            say(f'FAIL layout.folder-size: {d} has {f} files, {l} lines '
                f'(at most {MAX_FILES} files, {MAX_LINES} lines: split it)')
    if not big:
        say(f'PASS layout.folder-size (every folder of services/ at most '
            f'{MAX_FILES} files, {MAX_LINES} lines)')
    return ok


def self_test():
    """The check must catch a cycle and an oversized folder."""
    def tree(files):
        root = tempfile.mkdtemp(prefix='check-layout-')
        for path, text in files.items():
            p = os.path.join(root, 'services', path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'w') as fh:
                fh.write(text)
        return root

    good = tree({'a/a.h': '#include "b/b.h"\n', 'b/b.h': '#include <x.h>\n',
                 'b/sub/c.c': '#include "b/b.h"\n#include "c.h"\n',
                 'b/sub/c.h': '\n'})
    cycle = tree({'a/a.h': '#include "b/sub/b.h"\n',
                  'b/sub/b.h': '#include "c.h"\n',
                  'b/sub/c.h': '#include "a/a.h"\n'})
    wide = tree({f'a/f{i}.c': '\n' for i in range(MAX_FILES + 1)})
    long_ = tree({'a/a.c': '\n' * (MAX_LINES + 1)})
    results = [('acyclic tree passes', check(good, quiet=True)),
               ('a -> b -> a (through a relative include) fails',
                not check(cycle, quiet=True)),
               (f'{MAX_FILES + 1} files in one folder fail',
                not check(wide, quiet=True)),
               (f'{MAX_LINES + 1} lines in one folder fail',
                not check(long_, quiet=True))]
    ok = True
    for name, passed in results:
        print(('PASS' if passed else 'FAIL') + ' layout.self-test: ' + name)
        ok = ok and passed
    return ok


def main(argv):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    if '--root' in argv:
        root = argv[argv.index('--root') + 1]
    if '--self-test' in argv:
        return 0 if self_test() else 1
    return 0 if check(root, show_graph='--graph' in argv) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
