#!/bin/bash
# Malformed inputs to `layout`: each exits 2 with a message naming the file and what is wrong.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v python3 >/dev/null || skip "no python3 to patch the fixture's bytes"
printf 'int f(int x) { return x + 1; }\nint main(void) { return f(0); }\n' >f.c
cc -O1 -o good f.c || skip "cc cannot link a program"
cc -O1 -c -o f.o f.c

# patch.py IN OUT WHAT: copy IN to OUT with one field broken (ELF64 little-endian).
cat >patch.py <<'PY'
import struct, sys
src, dst, what = sys.argv[1], sys.argv[2], sys.argv[3]
b = bytearray(open(src, 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
def sh(i):
    o = shoff + i * shentsize
    return o, struct.unpack_from('<IIQQQQIIQQ', b, o)
def find(t):
    for i in range(shnum):
        o, h = sh(i)
        if h[1] == t:
            return i, o, h
names_off = sh(shstrndx)[1][4]
def named(n):
    for i in range(shnum):
        o, h = sh(i)
        end = b.index(b'\0', names_off + h[0])
        if b[names_off + h[0]:end] == n.encode():
            return i, o, h
if what == 'shoff':
    struct.pack_into('<Q', b, 0x28, 0xffffff0000)
elif what == 'shstrndx':
    struct.pack_into('<H', b, 0x3e, 999)
elif what == 'entsize':
    i, o, h = find(2)
    struct.pack_into('<Q', b, o + 56, 0)
elif what == 'stname':
    i, o, h = find(2)
    struct.pack_into('<I', b, h[4] + 5 * 24, 0x7fffff)
elif what == 'hugesize':
    i, o, h = named('.text')
    struct.pack_into('<Q', b, o + 32, 0x7fffffffffffff00)
elif what == 'hugesym':
    i, o, h = find(2)
    n = h[5] // 24
    for k in range(1, n):
        so = h[4] + k * 24
        if b[so + 4] & 0xf == 2 and struct.unpack_from('<H', b, so + 6)[0] != 0:
            struct.pack_into('<Q', b, so + 16, 0xfffffffffffff000)
            break
elif what == 'truncate':
    b = b[:len(b) - 100]
elif what == 'short':
    b = b[:40]
open(dst, 'wb').write(b)
PY

check() { # check NAME PATTERN
	python3 patch.py good "$1" "$1" || { echo "FAIL: cannot patch $1"; fails=$((fails + 1)); return; }
	expect_exit 2 "$PB" layout "$1" && expect_grep "$2" err
}
check short "error: short: truncated: 40 bytes, shorter than the ELF header \(64\)"
check truncate "error: truncate: bad e_shoff 0x[0-9a-f]+: the section header table \([0-9]+ entries of 64 bytes\) ends at 0x[0-9a-f]+, past the end of the file"
check shoff "error: shoff: bad e_shoff 0xffffff0000: the section header table starts past the end of the file"
check shstrndx "error: shstrndx: bad e_shstrndx 999: the file has [0-9]+ sections"
check entsize "error: entsize: section \[[0-9]+\] '.symtab': sh_entsize 0, expected 24"
check stname "error: stname: .symtab symbol 5: st_name 0x7fffff is past the end of its string table \([0-9]+ bytes\)"
check hugesize "error: hugesize: section \[[0-9]+\] '.text': sh_offset 0x[0-9a-f]+ \+ sh_size 0x7fffffffffffff00 is past the end of the file"
check hugesym "error: hugesym: .symtab symbol [0-9]+ '[^']+': st_value 0x[0-9a-f]+ \+ st_size 0xfffffffffffff000 overflows"

ar rc lib.a f.o
expect_exit 2 "$PB" layout lib.a && expect_grep "error: lib.a: is an ar archive \(a static library\), not a linked binary" err
expect_exit 2 "$PB" layout f.o && expect_grep "error: f.o: is a relocatable object \(.o\)" err
printf 'hello, world\n' >notes.txt
expect_exit 2 "$PB" layout notes.txt && expect_grep "error: notes.txt: not an ELF file \(no \\\\177ELF magic at offset 0\)" err
: >empty
expect_exit 2 "$PB" layout empty && expect_grep "error: empty: not an ELF file" err
expect_exit 2 "$PB" layout missing.bin && expect_grep "error: cannot open missing.bin: No such file or directory" err
expect_exit 2 "$PB" layout . && expect_grep "error: \.: not a regular file" err
# Nothing reaches stdout on an error.
expect_eq "" "$(cat out)" "stdout on error"
finish
