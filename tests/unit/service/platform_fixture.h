// A Platform on a real SQLite store in a fresh temp directory, with a manual clock, plus
// synchronous wrappers of the callback-style use cases.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "tinydata/service/platform.h"
#include "tinydata/store/store.h"

namespace tinydata::service {

class PlatformTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStartMs = 1'790'000'000'000;  // 2026-09-21T14:13:20Z

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tinydata_service_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }

  void TearDown() override {
    platform_.reset();
    if (store_) store_->Close();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Closes the platform and the store and opens both again on the same file: a restart.
  void Reopen() {
    platform_.reset();
    if (store_) store_->Close();
    store::StoreOptions store_options;
    store_options.synchronous = "normal";
    auto store = store::OpenStore((dir_ / "tinydata.db").string(), store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    PlatformOptions options;
    options.lease_seconds = 60;
    options.pwhash_opslimit = 1;     // crypto_pwhash_OPSLIMIT_MIN: tests need speed, not cost
    options.pwhash_memlimit = 8192;  // crypto_pwhash_MEMLIMIT_MIN
    auto platform = Platform::Open(store_.get(), &clock_, options);
    ASSERT_TRUE(platform.ok()) << platform.status().ToString();
    platform_ = std::move(platform).value();
  }

  Principal MakeUser(const std::string& email, uint32_t roles) {
    auto user = platform_->AddUser(email, "correct horse", "", roles);
    EXPECT_TRUE(user.ok()) << user.status().ToString();
    return Principal{user->id, user->roles, user->level};
  }
  Principal Requester(const std::string& email = "req@example.com") {
    return MakeUser(email, store::kRoleRequester);
  }
  Principal Annotator(const std::string& email) { return MakeUser(email, store::kRoleAnnotator); }

  // A single-choice project (pos/neg) with the given overlap.
  store::Project MakeProject(const Principal& owner, int min_answers = 3, int max_answers = 5,
                             double target = 0.9, double gold_rate = 0.0) {
    nlohmann::json input = {{"title", "Sentiment"},
                            {"instructions", "Is the text positive?"},
                            {"question",
                             {{"type", "single_choice"},
                              {"options",
                               {{{"value", "pos"}, {"label", "Positive"}},
                                {{"value", "neg"}, {"label", "Negative"}}}}}},
                            {"overlap",
                             {{"min_answers", min_answers},
                              {"max_answers", max_answers},
                              {"target_confidence", target}}},
                            {"reward_aia", 10},
                            {"gold_rate", gold_rate}};
    auto p = platform_->CreateProject(owner, input);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : store::Project{};
  }

  Result<std::optional<LeasedTask>> Next(const Principal& who, std::optional<int64_t> project_id) {
    std::promise<Result<std::optional<LeasedTask>>> p;
    auto f = p.get_future();
    platform_->NextTask(who, project_id,
                        [&p](Result<std::optional<LeasedTask>> r) { p.set_value(std::move(r)); });
    return f.get();
  }

  Result<SubmittedAnswer> Submit(const Principal& who, int64_t assignment_id,
                                 const nlohmann::json& value, const std::string& key = "") {
    std::promise<Result<SubmittedAnswer>> p;
    auto f = p.get_future();
    platform_->SubmitAnswer(who, assignment_id, value, 1500, key,
                            [&p](Result<SubmittedAnswer> r) { p.set_value(std::move(r)); });
    return f.get();
  }

  std::string Export(const Principal& who, int64_t project_id, io::ExportFormat format) {
    auto stream = platform_->ExportProject(who, project_id, format);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    if (!stream.ok()) return "";
    std::string out;
    bool done = false;
    while (!done) {
      std::string chunk;
      Status s = (*stream)->Next(chunk, done);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) break;
      out += chunk;
    }
    return out;
  }

  std::filesystem::path dir_;
  ManualClock clock_{kStartMs};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Platform> platform_;
};

}  // namespace tinydata::service
