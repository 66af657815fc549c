#!/bin/sh
# build.sh OUTDIR: build every tests/user/t_*.c as a static musl binary
# OUTDIR/t_<name>, plus OUTDIR/run-all.sh.  Needs musl-gcc (Debian
# musl-tools).  CC and CFLAGS may be overridden from the environment.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-musl-gcc}
CFLAGS=${CFLAGS:--static -O2 -Wall -Wextra -Werror}
mkdir -p "$out"
for src in "$here"/t_*.c; do
    name=$(basename "$src" .c)
    echo "  CC  tests/user/$name.c"
    # shellcheck disable=SC2086
    $CC $CFLAGS -o "$out/$name" "$src" -lpthread
done
cp "$here/run-all.sh" "$out/run-all.sh"
chmod 755 "$out/run-all.sh"
