#include "tinydata/cli/progress_bar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace tinydata::cli {
namespace {

std::string ReadBack(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

TEST(ProgressBarTest, RendersLabelBarPercentAndMegabytes) {
  EXPECT_EQ(ProgressBar::Render("loading a.csv", 15'000'000, 30'000'000),
            "loading a.csv [===============>              ]  50% 15.0/30.0 MB");
}

TEST(ProgressBarTest, RendersAFullBarAtTheEnd) {
  EXPECT_EQ(ProgressBar::Render("x", 10, 10), "x [==============================] 100% 0.0/0.0 MB");
}

TEST(ProgressBarTest, DisabledBarPrintsNothing) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, false);
    bar.Stage("loading");
    bar.Update(1, 2);
  }
  EXPECT_EQ(ReadBack(f), "");
  std::fclose(f);
}

TEST(ProgressBarTest, RedrawsOnlyWhenThePercentageChanges) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, true);
    bar.Stage("s");
    bar.Update(1, 1000);  // 0%
    bar.Update(2, 1000);  // still 0%
    bar.Update(500, 1000);
  }
  std::string text = ReadBack(f);
  std::fclose(f);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2);
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressBarTest, EachStageGetsItsOwnLine) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, true);
    bar.Stage("loading");
    bar.Stage("inferring");
  }
  EXPECT_EQ(ReadBack(f), "loading...\ninferring...\n");
  std::fclose(f);
}

TEST(ProgressBarTest, ShowsWhenForcedEvenForSmallInputOnAFile) {
  std::FILE* f = std::tmpfile();
  EXPECT_TRUE(ProgressBar::ShouldShow(true, f, 10, 1000));
  EXPECT_FALSE(ProgressBar::ShouldShow(false, f, 5000, 1000));  // not a terminal
  std::fclose(f);
}

}  // namespace
}  // namespace tinydata::cli
