// What the libFuzzer harnesses of tests/fuzz/ share: an invariant check that makes a broken
// promise a crash, which libFuzzer reports and saves like any other.
#pragma once

#include <cstdio>
#include <cstdlib>

// Aborts with the failed condition and its place when `condition` is false. Harnesses never
// call exit: libFuzzer treats an exit as the end of the run, not as a finding.
#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
