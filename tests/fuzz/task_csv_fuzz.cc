// libFuzzer harness: a task file in CSV with a header row as uploaded to
// POST /api/v1/projects/{id}/tasks or given to `tinydata import` (see task_import_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "task_import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinydata::fuzz::FuzzTaskFile(tinydata::io::TaskFormat::kCsv, data, size);
  return 0;
}
