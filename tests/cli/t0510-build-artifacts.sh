#!/usr/bin/env bash
# build.artifacts: a directory is kept whole at its path relative to the worktree, a file by its
# name; {config_dir} is absolute even from a relative --config; build.install without build.binary
# in the prefix, and "{prefix}/..." without build.install, say what is wrong. Copies keep their
# files' mtimes (a CPython stdlib's .pyc files are valid only against their .py's mtime).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

mkdir repo && cd repo
git init -q -b main . && git config user.name t && git config user.email t@t.invalid
echo one > data.txt
git add -A && git commit -q -m one
mkdir ../cfg
cat > ../cfg/placebisect.json <<'JSON'
{ "build": { "command": "mkdir -p out/lib/deep && cp data.txt out/lib/deep/ && touch -d @978307200 out/lib/deep/data.txt && ln -sf deep/data.txt out/lib/link && printf '#!/bin/sh\\necho ok\\n' > prog && chmod +x prog",
             "binary": "prog", "artifacts": ["out/lib/", "data.txt"] },
  "benchmarks": { "b": { "command": "cat \"$(dirname {binary})/out/lib/link\" \"$(dirname {binary})/data.txt\" > {config_dir}/seen; echo {config_dir} >> {config_dir}/seen",
                         "metric": "wall", "runs": 1, "warmups": 0 } },
  "measure": { "backend": "time" } }
JSON
expect_exit 0 "$PB" measure --rev HEAD --bench b --config ../cfg/placebisect.json
expect_eq "one
one
$(cd ../cfg && pwd -P)" "$(cat ../cfg/seen)" "the directory kept its path and link, the file its name; {config_dir} absolute"
entry=$(ls -d .git/placebisect/builds/*/*/ | head -1)
expect_eq "deep/data.txt" "$(readlink "${entry}out/lib/link")" "a link stays a link"
expect_eq "978307200" "$(stat -c %Y "${entry}out/lib/deep/data.txt")" "a file in a kept directory keeps its mtime"

# "{prefix}/..." without build.install: the build cannot provide it.
cat > placebisect.json <<'JSON'
{ "build": { "command": "true", "binary": "{prefix}/bin/prog" },
  "benchmarks": { "b": { "command": "{binary}", "metric": "wall", "runs": 1 } },
  "measure": { "backend": "time" } }
JSON
expect_exit 2 "$PB" measure --rev HEAD --bench b
expect_grep "build.binary '\{prefix\}/bin/prog' names a file in \{prefix\}, but build.install is not configured" "$T/err"

# An install that does not produce the binary names the binary and the log.
cat > placebisect.json <<'JSON'
{ "build": { "command": "true", "install": "mkdir -p {prefix}/bin", "binary": "{prefix}/bin/prog" },
  "benchmarks": { "b": { "command": "{binary}", "metric": "wall", "runs": 1 } },
  "measure": { "backend": "time" } }
JSON
expect_exit 2 "$PB" measure --rev HEAD --bench b
expect_grep "build.binary '\{prefix\}/bin/prog' was not produced by the build and install; see .*\.log" "$T/err"

finish
