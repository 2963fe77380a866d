#include "tinydata/cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace tinydata::cli {
namespace {

constexpr int kBarWidth = 30;

int Percent(uint64_t done, uint64_t total) {
  if (total == 0) return 100;
  done = std::min(done, total);
  return static_cast<int>(done * 100 / total);
}

}  // namespace

bool ProgressBar::ShouldShow(bool forced, std::FILE* stream, uint64_t input_bytes,
                             uint64_t min_bytes) {
  if (forced) return true;
  return input_bytes >= min_bytes && isatty(fileno(stream)) == 1;
}

std::string ProgressBar::Render(std::string_view label, uint64_t done, uint64_t total) {
  int percent = Percent(done, total);
  int filled = percent * kBarWidth / 100;
  std::string bar(label);
  bar += " [";
  for (int i = 0; i < kBarWidth; ++i) {
    bar += i < filled ? '=' : (i == filled ? '>' : ' ');
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, "] %3d%% %.1f/%.1f MB", percent,
                static_cast<double>(std::min(done, total)) / 1e6, static_cast<double>(total) / 1e6);
  bar += tail;
  return bar;
}

void ProgressBar::Stage(std::string_view label) {
  if (!enabled_) return;
  Finish();
  label_ = label;
  last_percent_ = -1;
  std::fprintf(stream_, "%s...", label_.c_str());
  std::fflush(stream_);
  line_open_ = true;
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  int percent = Percent(done, total);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  std::string frame = Render(label_, done, total);
  std::fprintf(stream_, "\r%s", frame.c_str());
  std::fflush(stream_);
  line_open_ = true;
}

void ProgressBar::Finish() {
  if (!enabled_ || !line_open_) return;
  std::fputc('\n', stream_);
  std::fflush(stream_);
  line_open_ = false;
}

}  // namespace tinydata::cli
