#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The REPL as a person uses it: drive `lunar` in a pseudo-terminal (tmux),
# type, and read the screen back.
#   tests/repl/run.sh [path/to/lunar]
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "repl: N passed, N failed, N skipped"; exits 1 when a check failed.
set -uo pipefail

LUNAR=${1:-build/lunar}
passed=0 failed=0 skipped=0

summary() { echo "repl: $passed passed, $failed failed, $skipped skipped"; }

if ! command -v tmux >/dev/null 2>&1; then
  echo "skip - tmux is not installed (apt-get install -y tmux)"
  skipped=1; summary; exit 0
fi
if [ ! -x "$LUNAR" ]; then
  echo "not ok - $LUNAR is not an executable"; failed=1; summary; exit 1
fi
LUNAR=$(cd "$(dirname "$LUNAR")" && pwd)/$(basename "$LUNAR")

work=$(mktemp -d)
sock="lunar-repl-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT

# a private HOME, so the test neither reads nor writes the user's history
tm new-session -d -s repl -x 160 -y 50 \
  "env HOME='$work' TERM=xterm INPUTRC=/dev/null '$LUNAR'; sleep 30"
tm set-option -t repl history-limit 5000 >/dev/null

screen() { tm capture-pane -p -J -S - -t repl 2>/dev/null; }

# wait_for REGEX [SECONDS]: poll the screen until a line matches
wait_for() {
  local re=$1 limit=${2:-15} t=0
  while [ "$t" -lt $((limit * 10)) ]; do
    if screen | grep -Eq -- "$re"; then return 0; fi
    sleep 0.1; t=$((t + 1))
  done
  return 1
}

# count_of REGEX: how many lines of the screen match
count_of() { screen | grep -Ec -- "$1"; }

check() {   # check NAME REGEX [SECONDS]
  if wait_for "$2" "${3:-15}"; then
    echo "ok - $1"; passed=$((passed + 1))
  else
    echo "not ok - $1 (no line matching /$2/ appeared)"; failed=$((failed + 1))
    echo "--- screen ---"; screen | sed -e '/^$/d' | tail -n 25; echo "--------------"
  fi
}

type_line() { tm send-keys -t repl -l -- "$1"; tm send-keys -t repl Enter; }

# the prompt is back when the last non-empty line is "> "
prompt_ready() {
  local t=0
  while [ $t -lt 100 ]; do
    [ "$(screen | sed -e 's/[[:space:]]*$//' -e '/^$/d' | tail -n 1)" = ">" ] && return 0
    sleep 0.1; t=$((t + 1))
  done
  return 1
}

check "banner names lunar and the device" '^lunar [0-9.]+ \(Lua 5\.4\) .* device ' 60
if ! prompt_ready; then   # no REPL at all: the other checks cannot run
  echo "not ok - the REPL shows no prompt"; failed=$((failed + 1)); summary; exit 1
fi

type_line '1+1'
check "an expression prints its value" '^2$'
prompt_ready

type_line 'a = lunar.arange(3)'
prompt_ready
type_line 'a'
check "an array prints NumPy-style" '^array\(\[0, 1, 2\]\)'
prompt_ready

# a unique method fills in
tm send-keys -t repl -l -- 'a:resh'
tm send-keys -t repl Tab
check "Tab fills in a unique method (a:resh -> a:reshape)" '^> a:reshape'
tm send-keys -t repl C-u
# several methods are listed on a second Tab
tm send-keys -t repl -l -- 'a:su'
tm send-keys -t repl Tab
sleep 0.2
tm send-keys -t repl Tab
check "Tab lists array methods (a:su -> sum)" '(^|[[:space:]])(a:)?sum([[:space:]]|$)|^> a:sum'
tm send-keys -t repl C-u
# a module field
tm send-keys -t repl -l -- 'lunar.aran'
tm send-keys -t repl Tab
check "Tab completes module fields (lunar.aran -> lunar.arange)" '^> lunar\.arange'
tm send-keys -t repl C-u
prompt_ready

type_line 'help(a.reshape)'
check "help(f) prints the function's entry" '^lunar\.reshape\(a, shape\.\.\.\) . a:reshape'
prompt_ready

type_line 'for i = 1, 2 do'
check "an open block asks for more (>>)" '^>> ' 
type_line 'print(i * 10)'
type_line 'end'
check "a multi-line chunk runs" '^20$'
prompt_ready

# the line box's finalizer leaves a foreign userdata given its metatable
# alone (issue 12: it once freed the first word of an array)
type_line 'x = lunar.ones(3); debug.setmetatable(x, debug.getregistry()["lunar.host.line"]); x = nil; collectgarbage(); collectgarbage(); print("after the line box " .. lunar.ones(2):sum():item())'
check "a foreign userdata wearing the line box's metatable is left alone" '^after the line box 2'
prompt_ready

# a progress bar on the terminal (stderr), left complete on its line
type_line 'for i in lunar.progress(40, {desc = "steps"}) do end'
check "progress draws a bar with count, times and rate" '^steps: 100%\|.*\| 40/40 \[[0-9:]+<[0-9:]+, .*(it/s|s/it)\]'
prompt_ready

# per-command statistics: one line after each command
type_line 'lunar.stats(true)'
prompt_ready
type_line 'b = lunar.ones(10) + 1'
check "stats: a line after the command" '^\[stats\] wall [0-9.]+ \S+ \| gpu \S+( \S+)? \| 2 launches, [0-9]+ compiled \| 2 allocs \(160 B\) \| h2d [0-9]+ B, d2h [0-9]+ B \| 0 implicit syncs$'
prompt_ready
type_line 'lunar.stats(false)'
prompt_ready

type_line 'while true do end'
sleep 0.5
tm send-keys -t repl C-c
check "Ctrl-C interrupts a running loop" 'interrupted!'
prompt_ready
type_line '2+2'
check "the REPL still evaluates after Ctrl-C" '^4$'
prompt_ready

# Ctrl-C at the prompt drops the line being typed
tm send-keys -t repl -l -- 'this_is_not_run'
tm send-keys -t repl C-c
prompt_ready
type_line '3+3'
check "Ctrl-C at the prompt clears the line" '^6$'
if screen | grep -q '^nil$'; then
  echo "not ok - the interrupted line was executed"; failed=$((failed + 1))
fi
prompt_ready

type_line 'error("kaboom")'
check "an error is reported and the REPL goes on" 'kaboom'
prompt_ready
type_line '5+5'
check "evaluates after an error" '^10$'

tm send-keys -t repl C-d
sleep 0.3
if grep -qx '1+1' "$work/.lunar_history" 2>/dev/null; then
  echo "ok - history is kept in ~/.lunar_history"; passed=$((passed + 1))
else
  echo "not ok - history is kept in ~/.lunar_history"; failed=$((failed + 1))
fi

# a script with LUNAR_STATS=1 prints a summary at exit (stderr)
out=$(LUNAR_STATS=1 "$LUNAR" -e 'local a = lunar.ones(4) * 2' 2>&1 >/dev/null)
if grep -Eq '^\[stats\] total: wall .* \| [0-9]+ launches, [0-9]+ compiled \| [0-9]+ allocs' <<<"$out"; then
  echo "ok - LUNAR_STATS=1 prints a summary at exit"; passed=$((passed + 1))
else
  echo "not ok - LUNAR_STATS=1 prints a summary at exit (got: $out)"; failed=$((failed + 1))
fi

summary
[ "$failed" -eq 0 ]
