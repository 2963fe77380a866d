#!/usr/bin/env bash
# Runs ctest in a tree configured with TINYDATA_SANITIZE=ON so that any AddressSanitizer,
# LeakSanitizer or UndefinedBehaviorSanitizer report fails the run. Every instrumented process
# writes its reports to BUILD_DIR/sanitizer-reports/ instead of stderr; the run fails when a
# file appears there, and prints them all. That also catches reports of processes whose exit
# status no test reads, such as a `tinydata serve` child that an integration test's
# ServerProcess stops on its way out.
#
#   tests/support/sanitized_ctest.sh BUILD_DIR [ctest arguments...]
set -euo pipefail

build=$(cd "${1:?usage: sanitized_ctest.sh BUILD_DIR [ctest arguments...]}" && pwd)
shift
reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"

# halt_on_error: the first report ends the process with a failing exit status (the build also
# passes -fno-sanitize-recover=all, so every UBSan check is fatal). detect_leaks: LeakSanitizer
# runs on these machines (it stops threads with ptrace, which some containers forbid), so a leak
# at exit fails too.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1\
:check_initialization_order=1:strict_init_order=1:strict_string_checks=1\
:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan:log_exe_name=1"

rc=0
(cd "$build" && ctest "$@") || rc=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports in $reports:"
  for report in "$reports"/*; do
    echo "=== $report"
    cat "$report"
  done
  rc=1
fi
exit "$rc"
