#!/usr/bin/env bash
# scripts/make-demo-repo.sh replays demo/history onto demo/minivm with the same commit hashes as
# ever (the list below: the history as it was first published), and refuses sources and patches
# that disagree.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

gen="$PB_SOURCE_DIR/scripts/make-demo-repo.sh"

expect_exit 0 bash "$gen" repo
expect_grep '^make-demo-repo: 47 commits in .*; tags: v1.0 v1.1 v1.2 $' out
git -C repo log --reverse --format='%H %s' >log.txt
cat >want.txt <<'LOG'
1ff4426d4bd093d43e21e6594b6220439824da7b Initial commit
caa94293aadc2c8da7a73f78c47157a698fe5862 Add values, interned names and a dictionary keyed by them
5359e49236d428362135e5633e71e7127ae0d28d Add types with methods and objects with attributes
60514b155ea4a16fe16d15ff3246249ec464ccea Add code objects and a small assembler to build them
9ee27216608e619a80ed64aef1a8fcd39b5af433 Add the interpreter: a dispatch loop over one handler per opcode
8605205a801321d90c9c58f2d6dbdafdbcb4f52d Add main, a Makefile and a first benchmark, call_simple
871dd9fc87fd8ea673d5008b8da3ac9019620fe2 Add a smoke test and 'make check'
214f90bc3a0c517ee85bfa803354bf81d5ea0bab Add GET_METHOD and CALL_METHOD
64ae969e0865951a9ba3a031994d79cd7fd04fce Add DUP and MUL
5b2160d644cd0e6b6a7cdb14077fbadc879eb515 Add the bitwise operators AND, OR, XOR, SHL, SHR and NEG
9b938d67fbc94a1c1975ea467ee2179521f768f8 bench: call_method, modelled on pyperformance's bm_call_method
cad3758009f29f797657d1fb622981acfd770e1a docs: the bytecode
80c5056ab26b170dcfed4b01d1f4c50af40d8b12 dict: grow at 3/4 load instead of 1/2
c432e54d07ff9729b1e4e9dc4d7d5afe324ad564 Makefile: track header dependencies
4bfb86572bcd14cfeae2e51198210a06b7afddfe object: look methods up in the base types too
2588055c5ca5caab558e7c0c1d97079ec30cae97 bench: attr_access
56b7c5e844ad35c2e85a7f4b00382e6ff0a593da Add builtins (print, abs) and CALL_BUILTIN
ed29cf31cfa11598d9b7c8ffafcbad30bda00f3f errors: say which opcode failed, in which code object, at which offset
30bb78d1c7540f33f594d75a5fe96723fba95c54 build: lay out the interpreter core with a linker script
4f9c260e0ec55e9a423b569e543acb6ec3061ffa README: building, running the benchmarks, the layout
07f7e0a54cc0266ea2fea679e532e3ec3100bfc8 main: --list and --version
dd46a24ad86375d30bc99d12e3e2daac9f8584a5 docs: the object model
614494c0e93ca7a59ce5452c28490cd1aebd1188 frame: refuse to nest calls deeper than VM_FRAMES_MAX
895018f1e8a4157bf1cb496d88480e7da8e82dd0 Add placebisect.json for bisecting benchmark regressions
4648d0d835784bd5715569fd853899eb4acda9d5 Makefile: take the optimisation flags from CFLAGS in the environment
d37c9df147383785de2ca82c20ad45a6753c2d8e Release 1.0
a5812810dbf1bdf426d7269f430e64766f026bd2 builtins: min and max
64888bb1e0b271fd319291d6d0e0f168e3f9b3f5 docs: jump targets are instruction indexes
f13f4681573b01893eae42a80b94b4784672fbb3 tests: VALGRIND=1 runs the smoke test under memcheck
ecfdbc679be217393085b523501204b3e646cfb0 tests: run every benchmark once with a small count
42c1a74bc49586e3e8a51e473c5e3591060ce411 Makefile: install and uninstall targets
a24fb774c82804d41746e1fe2697cb0b4fc60a50 README: what a benchmark prints
88649603f56aebb9afc3605644be9c5d44021ffb code: code_dump() prints a code object, for debugging
e0d12e30c64e571374701cbaf74241a200abffdb errors: one reporter per opcode and per runtime function; operands, callers
c27ac175ae8f5d1f4b2f6ae6ad1f72571d58b3c8 bench: dict_ops, twelve attributes on one object
17262801176a8b4a0946cf846c5407b731c32a55 tests: iteration counts and --version
2f03fa7e104cc58c055514d87f93cf352608a406 builtins: hash()
c3fcd4f3043822e3df3e5cf88b94f61f67bc9fc2 docs: reading a runtime error
3dbf1caecd25bbdb47df05d6007c77346f7f056f .gitignore: editor backups and core files
ac78b936817ee67667d6959dfaa2e74052bc3a57 main: point to --list when the benchmark is unknown
596590666658d32abcf94401c22c01fdd21917c2 code: check jump targets before running a program
39a4421f1b7edfae67bb578bd4d70c19d7e49fd7 Release 1.1
fe70a0e5225481d8d6726474a87bda5054de972b builtins: popcount()
07f8e0ae792ae01737120c82eb01bf708d7324a8 errors: one reporter for everything instead of a function per opcode
1ac486ebc530372c59f15b407fb0f258199fa6a8 docs: why call_method was 1.5x slower in 1.1
ee90f6e1fecd47f2f036d73ed94c6f8785d5a062 docs: FAQ
bc0aedcfc31938b6ad051f89a26f57a32c80780b Release 1.2
LOG
expect_eq "$(cat want.txt)" "$(cat log.txt)" "every commit's hash and subject"
expect_eq "d37c9df147383785de2ca82c20ad45a6753c2d8e refs/tags/v1.0
39a4421f1b7edfae67bb578bd4d70c19d7e49fd7 refs/tags/v1.1
bc0aedcfc31938b6ad051f89a26f57a32c80780b refs/tags/v1.2" "$(git -C repo show-ref --tags)" "tags"
expect_eq "bc0aedcfc31938b6ad051f89a26f57a32c80780b" "$(git -C repo rev-parse HEAD)" "main"
expect_eq "" "$(git -C repo status --porcelain)" "clean work tree"

# A copy of scripts/ and demo/ whose sources and patches disagree is refused with exit 1.
mkdir -p copy/scripts
cp "$gen" copy/scripts/
cp -R "$PB_SOURCE_DIR/demo" copy/demo
echo "notes" >copy/demo/minivm/NOTES
expect_exit 1 bash copy/scripts/make-demo-repo.sh stray
expect_grep '^make-demo-repo: demo/minivm has files no patch in demo/history adds: NOTES$' err
rm copy/demo/minivm/NOTES
sed -i 's/return report(vm, pc, err, opcode_name(pc->op));/return report(vm, pc, err, "?");/' \
	copy/demo/minivm/src/errors.c
expect_exit 1 bash copy/scripts/make-demo-repo.sh edited
expect_grep '^make-demo-repo: cannot undo .*/demo/history/0044-errors-one-reporter-for-everything-.*\.patch on demo/minivm$' err
finish
