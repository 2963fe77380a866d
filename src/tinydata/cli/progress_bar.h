// A one-line progress bar on a terminal stream (stderr), redrawn in place with '\r'.
//
// Redraws only when the shown percentage changes, so calling Update for every chunk of a large
// file costs next to nothing. A disabled bar prints nothing at all. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace tinydata::cli {

class ProgressBar {
 public:
  // Whether a command should show progress: forced, or `stream` is a terminal and the input is
  // large (at least `min_bytes`).
  static bool ShouldShow(bool forced, std::FILE* stream, uint64_t input_bytes,
                         uint64_t min_bytes);

  ProgressBar(std::FILE* stream, bool enabled) : stream_(stream), enabled_(enabled) {}
  ~ProgressBar() { Finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool enabled() const { return enabled_; }

  // Starts a new stage (e.g. "loading answers.csv"), ending the line of the previous one.
  void Stage(std::string_view label);
  // Shows `done` of `total` bytes for the current stage.
  void Update(uint64_t done, uint64_t total);
  // Ends the current line.
  void Finish();

  // The text of one frame, without the leading '\r': "<label> [=====>    ]  42% 12.3/29.0 MB".
  static std::string Render(std::string_view label, uint64_t done, uint64_t total);

 private:
  std::FILE* stream_;
  bool enabled_;
  bool line_open_ = false;
  int last_percent_ = -1;
  std::string label_;
};

}  // namespace tinydata::cli
