// Several servers on one PostgreSQL database: nothing lost or doubled.
//
// Three `tinydata serve` processes share a scratch database. 200 simulated annotators, each sent
// to one of them as a load balancer would, lease and answer until the 2,000 tasks of two projects
// (overlap 3 to 7, 10% gold) are all retired; about a third of the answers are sent twice with
// the same Idempotency-Key (a response lost on the way), and once the pool is empty the clients
// send earlier answers again (an outbox re-sync) until 20,000 answer requests were made in all.
// When 5,000 answers are in, the server that holds the background-job leases (it started first
// and took them) is killed with SIGKILL: its clients move to the other servers with the request
// they were making, and the others take the sequencer and the maintenance (lease expiry,
// re-inference) over.
//
// Then, read straight from the database: no (task, user) leased twice, no task above its maximum
// overlap, every acknowledged answer stored exactly once and nothing stored that was not
// acknowledged, every task retired and every answer judged, exactly one reward (and at most one
// referral bonus) per accepted answer and none for the others, the task claim counters equal to
// their rows, and - after the survivors stopped - `tinydata ledger verify` passes.
//
// Only meaningful with a shared database: on SQLite the test says so and skips.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api_fixture.h"
#include "support/postgres.h"

namespace tinydata::test {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int kServers = 3;
constexpr int kAnnotators = 200;
constexpr int kReferred = 50;  // annotators 150..199 were referred by 0..49
constexpr int kTasksPerProject = 1000;
constexpr int kAnswerRequests = 20'000;
constexpr int kKillAfterAnswers = 5'000;
constexpr int kLeaseSeconds = 10;
constexpr double kAccuracy = 0.85;
constexpr double kDuplicateShare = 0.3;

struct Ack {
  int64_t answer_id = 0;
  int64_t assignment_id = 0;
  int annotator = 0;
  std::string key;
  json value;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (BackendFromEnvironment() != Backend::kPostgres) {
      GTEST_SKIP() << "several servers need a shared database: this runs as "
                      "postgresql.ClusterTest.* (TINYDATA_TEST_BACKEND=postgresql)";
    }
    auto db = ScratchPostgresDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    std::string dir = (std::filesystem::temp_directory_path() / "tinydata-cluster-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    std::ofstream(dir_ / "game.json") << R"({"daily_reward_cap_aia": 1000000})";
  }
  void TearDown() override {
    servers_.clear();
    db_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  Result<std::unique_ptr<ServerProcess>> StartServer() {
    ServerProcessOptions options = IntegrationServerOptions(
        {"--lease-seconds", std::to_string(kLeaseSeconds), "--maintenance-seconds", "1",
         "--ledger-key-file", (dir_ / "ledger.key").string(), "--game-config",
         (dir_ / "game.json").string(),
         // 200 annotators on one loopback address: a load test, not a client to throttle.
         "--client-rate", "0", "--client-connections", "0"});
    options.database_url = db_->url();
    return ServerProcess::Start(std::move(options));
  }

  int64_t Count(const std::string& sql) {
    Result<int64_t> n = QueryPostgresInt(db_->url(), sql);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<ScratchPostgresDatabase> db_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

// One simulated annotator: a keep-alive client to "its" server that moves to the next live one
// (resending the request it was making) when that server stops answering.
class Annotator {
 public:
  Annotator(int index, std::vector<std::unique_ptr<ServerProcess>>* servers,
            const std::array<std::atomic<bool>, kServers>* alive)
      : index_(index),
        server_(index % kServers),
        servers_(servers),
        alive_(alive),
        rng_(static_cast<uint64_t>(index) * 7919 + 1) {
    Connect();
  }

  void SetToken(std::string token) {
    token_ = std::move(token);
    client_->SetBearerToken(token_);
  }
  int index() const { return index_; }
  int failovers() const { return failovers_; }
  // Held by whoever sends through this annotator's client (one request at a time).
  std::mutex& mu() { return mu_; }
  std::mt19937_64& rng() { return rng_; }

  // Sends until some live server answers; Unavailable only when none does.
  Result<HttpResponse> Send(boost::beast::http::verb method, const std::string& target,
                            const json& body = nullptr, const Headers& headers = {}) {
    Status last;
    for (int attempt = 0; attempt < 4 * kServers; ++attempt) {
      if (!(*alive_)[server_].load()) {
        Move();
        continue;
      }
      Headers all = headers;
      std::string text;
      if (!body.is_null()) {
        all.emplace_back("Content-Type", "application/json");
        text = body.dump();
      }
      Result<HttpResponse> response = client_->Send(method, target, text, all);
      if (response.ok()) return response;
      last = response.status();
      Move();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return last;
  }

 private:
  void Connect() {
    client_ = std::make_unique<HttpClient>((*servers_)[server_]->Client());
    if (!token_.empty()) client_->SetBearerToken(token_);
  }
  void Move() {
    server_ = (server_ + 1) % kServers;
    ++failovers_;
    Connect();
  }

  const int index_;
  int server_;
  std::vector<std::unique_ptr<ServerProcess>>* servers_;
  const std::array<std::atomic<bool>, kServers>* alive_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
  std::mt19937_64 rng_;
  int failovers_ = 0;
  std::mutex mu_;
};

json ProjectInput(const std::string& title) {
  json p = CatDogProject(3, 7, 0.1);
  p["title"] = title;
  p["reward_aia"] = 10;
  p["overlap"]["target_confidence"] = 0.999;
  return p;
}

std::string TaskFile(const std::string& tag, std::mt19937_64& rng) {
  std::string body;
  for (int i = 0; i < kTasksPerProject; ++i) {
    const std::string truth = rng() % 2 ? "cat" : "dog";
    body += R"({"data":{"img":")" + tag + std::to_string(i) + R"(.png","truth":")" + truth +
            R"("})" + (i % 10 == 0 ? R"(,"gold":")" + truth + R"("})" : "}") + "\n";
  }
  return body;
}

TEST_F(ClusterTest, ThreeServersOneKilledLoseAndDoubleNothing) {
  const auto started = SteadyClock::now();
  // Server 0 starts alone and takes the job leases: its sequencer signs the first checkpoint and
  // its maintenance loop runs before the others exist.
  {
    auto first = StartServer();
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    servers_.push_back(std::move(first).value());
    HttpClient probe = servers_[0]->Client();
    bool checkpointed = false;
    for (int i = 0; i < 100 && !checkpointed; ++i) {
      auto r = probe.Get("/api/v1/ledger/checkpoint");
      checkpointed = r.ok() && r->status == 200;
      if (!checkpointed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(checkpointed) << servers_[0]->log_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a maintenance round
    for (int s = 1; s < kServers; ++s) {
      auto next = StartServer();
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      servers_.push_back(std::move(next).value());
    }
  }
  std::array<std::atomic<bool>, kServers> alive;
  for (auto& a : alive) a = true;

  // The requester and the projects, through server 0.
  HttpClient setup = servers_[0]->Client();
  json registered = Expect(setup.PostJson("/api/v1/auth/register", {{"email", "req@cluster.org"},
                                                                    {"password", "correct horse"},
                                                                    {"role", "requester"}}),
                           201, "requester");
  ASSERT_FALSE(registered.is_null());
  setup.SetBearerToken(registered["token"].get<std::string>());
  // The operator (an admin added with the CLI, which may run beside the servers on PostgreSQL)
  // credits the requester's payment and the check-in pool.
  {
    CommandResult added =
        Shell(std::string("'") + TINYDATA_BINARY + "' user add --database '" + db_->url() +
              "' --email operator@cluster.org --role admin --password 'operator password'");
    ASSERT_EQ(added.exit_code, 0) << added.output;
    HttpClient op = servers_[1]->Client();
    json session = Expect(op.PostJson("/api/v1/auth/login", {{"email", "operator@cluster.org"},
                                                             {"password", "operator password"}}),
                          200, "operator");
    ASSERT_FALSE(session.is_null());
    op.SetBearerToken(session["token"].get<std::string>());
    Expect(op.PostJson("/api/v1/admin/credits", {{"email", "req@cluster.org"},
                                                 {"amount_aia", 2'000'000},
                                                 {"reference", "invoice-1"}}),
           201, "credit the requester");
    Expect(op.PostJson("/api/v1/admin/credits",
                       {{"pool", "checkin"}, {"amount_aia", 100'000}, {"reference", "pool-1"}}),
           201, "credit the check-in pool");
  }
  std::mt19937_64 task_rng(42);
  for (const std::string title : {"A", "B"}) {
    json project = Expect(setup.PostJson("/api/v1/projects", ProjectInput(title)), 201, title);
    ASSERT_FALSE(project.is_null());
    const std::string id = std::to_string(project["id"].get<int64_t>());
    Expect(setup.Post("/api/v1/projects/" + id + "/tasks?format=jsonl", TaskFile(title, task_rng),
                      {{"Content-Type", "application/x-ndjson"}}),
           201, "import " + title);
    Expect(setup.PostJson("/api/v1/projects/" + id + "/fund", {{"amount_aia", 1'000'000}},
                          {{"Idempotency-Key", "fund-" + id}}),
           200, "fund " + title);
  }

  // The annotators sign up on their own servers (the referred ones with a referrer's code) and
  // check in.
  std::vector<std::unique_ptr<Annotator>> annotators;
  std::vector<std::string> referral_codes(kAnnotators);
  for (int i = 0; i < kAnnotators; ++i) {
    annotators.push_back(std::make_unique<Annotator>(i, &servers_, &alive));
  }
  // Two rounds: the referees (the last kReferred) sign up once their referrers' codes exist.
  for (const auto& [first, last] :
       {std::pair{0, kAnnotators - kReferred}, std::pair{kAnnotators - kReferred, kAnnotators}}) {
    std::vector<std::thread> threads;
    std::atomic<int> next{first};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, last = last] {
        for (int i; (i = next.fetch_add(1)) < last;) {
          Annotator& a = *annotators[i];
          json body = {{"email", "ann" + std::to_string(i) + "@cluster.org"},
                       {"password", "correct horse"}};
          if (i >= kAnnotators - kReferred) {
            body["referral_code"] = referral_codes[i - (kAnnotators - kReferred)];
          }
          json user = Expect(a.Send(boost::beast::http::verb::post, "/api/v1/auth/register", body),
                             201, "register annotator " + std::to_string(i));
          if (user.is_null()) continue;
          referral_codes[i] = user["user"]["referral_code"].get<std::string>();
          a.SetToken(user["token"].get<std::string>());
          Expect(a.Send(boost::beast::http::verb::post, "/api/v1/checkins"), 200, "check-in");
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  ASSERT_FALSE(HasFailure());

  // The work: lease, answer (sometimes twice), until nothing is left for anyone.
  std::mutex acks_mu;
  std::vector<Ack> acks;
  std::atomic<int> answer_requests{0};
  std::atomic<int> answers_acked{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> expired{0};
  std::atomic<int> paused{0};  // annotators paused for failing gold checks
  std::atomic<bool> killed{false};
  std::atomic<int64_t> killed_at_ms{0};
  std::atomic<bool> work_done{false};
  std::thread killer([&] {
    while (answers_acked.load() < kKillAfterAnswers) {
      if (work_done.load()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    alive[0] = false;
    servers_[0]->Kill();
    killed_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    killed = true;
  });
  const auto work_started = SteadyClock::now();
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kAnnotators; ++i) {
      threads.emplace_back([&, i] {
        Annotator& a = *annotators[i];
        std::uniform_real_distribution<double> coin(0.0, 1.0);
        std::optional<SteadyClock::time_point> idle_since;
        while (true) {
          Result<HttpResponse> next = a.Send(boost::beast::http::verb::get, "/api/v1/tasks/next");
          if (!next.ok()) {
            ADD_FAILURE() << "annotator " << i << ": " << next.status().ToString();
            return;
          }
          if (next->status == 204) {
            // A lease orphaned by the killed server returns to the pool when it expires: stop
            // only when nothing came up for longer than a lease.
            const auto now = SteadyClock::now();
            if (!idle_since) idle_since = now;
            if (now - *idle_since > std::chrono::seconds(kLeaseSeconds + 2)) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            continue;
          }
          if (next->status == 409 && next->Json()["error"]["field"] == "user") {
            ++paused;  // failed too many gold checks: paused, as an annotator would be
            return;
          }
          idle_since.reset();
          json leased = Expect(next, 200, "tasks/next");
          if (leased.is_null()) return;
          const int64_t assignment = leased["assignment"]["id"].get<int64_t>();
          const std::string truth = leased["task"]["data"]["truth"].get<std::string>();
          const json value = coin(a.rng()) < kAccuracy ? truth : (truth == "cat" ? "dog" : "cat");
          const std::string key = "ann" + std::to_string(i) + "-" + std::to_string(assignment);
          const std::string target =
              "/api/v1/assignments/" + std::to_string(assignment) + "/answer";
          const json body = {{"value", value}, {"duration_ms", 1000}};
          const int sends = coin(a.rng()) < kDuplicateShare ? 2 : 1;
          int64_t first_id = 0;
          for (int send = 0; send < sends; ++send) {
            ++answer_requests;
            Result<HttpResponse> answered =
                a.Send(boost::beast::http::verb::post, target, body, {{"Idempotency-Key", key}});
            if (answered.ok() && answered->status == 409 &&
                answered->Json()["error"]["code"] == "failed_precondition") {
              ++expired;  // the lease ran out under load: a legitimate refusal
              break;
            }
            json reply = Expect(answered, 200, "answer " + key);
            if (reply.is_null()) return;
            const int64_t id = reply["answer_id"].get<int64_t>();
            if (send == 0) {
              first_id = id;
              ++answers_acked;
              std::lock_guard<std::mutex> lock(acks_mu);
              acks.push_back({id, assignment, i, key, value});
            } else {
              ++duplicates;
              EXPECT_EQ(id, first_id) << "a retry with the same key is the first answer";
            }
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  work_done = true;
  killer.join();
  ASSERT_TRUE(killed.load()) << "fewer than " << kKillAfterAnswers << " answers";
  const double work_seconds =
      std::chrono::duration<double>(SteadyClock::now() - work_started).count();

  // The outbox re-sync: earlier answers sent again until 20,000 answer requests were made.
  {
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&] {
        while (!acks.empty() && answer_requests.fetch_add(1) < kAnswerRequests) {
          const Ack& ack = acks[next.fetch_add(1) % acks.size()];
          Annotator& a = *annotators[ack.annotator];
          std::lock_guard<std::mutex> one_client(a.mu());
          json reply = Expect(
              a.Send(boost::beast::http::verb::post,
                     "/api/v1/assignments/" + std::to_string(ack.assignment_id) + "/answer",
                     {{"value", ack.value}, {"duration_ms", 1000}}, {{"Idempotency-Key", ack.key}}),
              200, "re-sent " + ack.key);
          if (!reply.is_null()) {
            EXPECT_EQ(reply["answer_id"].get<int64_t>(), ack.answer_id);
          }
          ++duplicates;
        }
        if (!acks.empty()) --answer_requests;  // the fetch_add that ended the loop sent nothing
      });
    }
    for (std::thread& t : threads) t.join();
  }

  // The survivors took the sequencer over: the log reaches every journal entry.
  const int64_t entries = Count("SELECT count(*) FROM ledger_entries");
  HttpClient probe = servers_[1]->Client();
  int64_t tree_size = 0;
  for (int i = 0; i < 150 && tree_size < entries; ++i) {
    auto r = probe.Get("/api/v1/ledger/checkpoint");
    if (r.ok() && r->status == 200) tree_size = r->Json()["tree_size"].get<int64_t>();
    if (tree_size < entries) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(tree_size, entries) << "the sequencer stopped with the killed server";
  const bool taken_over = servers_[1]->log_text().find("ledger sequenced") != std::string::npos ||
                          servers_[2]->log_text().find("ledger sequenced") != std::string::npos;
  EXPECT_TRUE(taken_over) << "no surviving server sequenced";
  // The maintenance job moved too: projects were re-inferred after the kill.
  EXPECT_GT(Count("SELECT COALESCE(max(inferred_at_ms), 0) FROM project_inference"),
            killed_at_ms.load())
      << "no surviving server re-inferred";
  for (int s = 1; s < kServers; ++s) {
    Result<int> code = servers_[s]->Stop();
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, 0) << servers_[s]->log_text();
  }

  // --- The invariants, read from the database ---------------------------------------------
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT task_id, user_id FROM assignments "
                  "GROUP BY task_id, user_id HAVING count(*) > 1) twice"),
            0);
  // Gold items are checks every annotator may meet once: no overlap bound, they never retire.
  EXPECT_EQ(Count("SELECT count(*) FROM tasks t JOIN projects p ON p.id = t.project_id WHERE "
                  "t.gold_json IS NULL AND (SELECT count(*) FROM answers a WHERE a.task_id = "
                  "t.id AND a.review = '') > p.max_answers"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE state <> 'retired' AND gold_json IS NULL"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE state = 'retired' AND gold_source IN "
                  "('imported', 'training')"),
            0);
  // Every answer is judged but those held for review (answered far faster than is typical
  // here: these annotators answer the moment they lease); the held ones earn nothing yet.
  EXPECT_EQ(Count("SELECT count(*) FROM answers WHERE verdict = 'pending' AND review <> 'held'"),
            0);
  const int64_t held = Count("SELECT count(*) FROM answers WHERE review = 'held'");
  EXPECT_EQ(Count("SELECT count(*) FROM answers a JOIN ledger_entries e ON e.reference = "
                  "'answer:' || a.id WHERE a.review = 'held'"),
            0);

  // Every acknowledged answer is stored once, and only those.
  std::unordered_map<int64_t, const Ack*> acked;
  for (const Ack& ack : acks) {
    EXPECT_TRUE(acked.emplace(ack.answer_id, &ack).second) << "answer " << ack.answer_id;
  }
  auto stored = QueryPostgres(db_->url(), "SELECT id, assignment_id FROM answers");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->size(), acked.size());
  for (const auto& row : *stored) {
    auto it = acked.find(std::stoll(row[0]));
    ASSERT_NE(it, acked.end()) << "answer " << row[0] << " was stored but never acknowledged";
    EXPECT_EQ(it->second->assignment_id, std::stoll(row[1]));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM assignments WHERE state = 'answered'"),
            static_cast<int64_t>(acked.size()));

  // Rewards: one per accepted answer, none for the rest, no key twice.
  EXPECT_EQ(Count("SELECT count(*) FROM answers a WHERE a.verdict = 'accepted' AND NOT EXISTS "
                  "(SELECT 1 FROM ledger_entries e WHERE e.reason = 'answer_reward' "
                  "AND e.reference = 'answer:' || a.id)"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger_entries e WHERE e.reason IN ('answer_reward', "
                  "'referral_bonus') AND NOT EXISTS (SELECT 1 FROM answers a WHERE "
                  "a.verdict = 'accepted' AND e.reference = 'answer:' || a.id)"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT reason, reference FROM ledger_entries "
                  "GROUP BY reason, reference HAVING count(*) > 1) twice"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM xp_awards x WHERE NOT EXISTS (SELECT 1 FROM answers a "
                  "WHERE a.verdict = 'accepted' AND x.reference = 'answer:' || a.id)"),
            0);
  const int64_t bonuses =
      Count("SELECT count(*) FROM ledger_entries WHERE reason = 'referral_bonus'");
  EXPECT_GT(bonuses, 0) << "referred annotators passed their gold checks";
  EXPECT_EQ(Count("SELECT count(*) FROM ledger_entries WHERE reason = 'checkin_bonus'"),
            kAnnotators);

  // The claim counters the scheduler reads agree with the rows.
  EXPECT_EQ(Count("SELECT count(*) FROM tasks t WHERE t.answer_count <> (SELECT count(*) FROM "
                  "answers a WHERE a.task_id = t.id AND a.review = '') OR t.lease_count <> (SELECT count(*) FROM "
                  "assignments a WHERE a.task_id = t.id AND a.state = 'leased')"),
            0);

  // The journal, the log and the balances verify.
  FILE* pipe = ::popen(
      (std::string("'") + TINYDATA_BINARY + "' ledger verify --database '" + db_->url() + "' 2>&1")
          .c_str(),
      "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find("ledger ok"), std::string::npos) << output;

  int failovers = 0;
  for (const auto& a : annotators) failovers += a->failovers();
  EXPECT_GT(failovers, 0) << "the clients of the killed server moved";
  std::cout << "cluster: " << kServers << " servers (one killed after " << kKillAfterAnswers
            << " answers), " << kAnnotators << " annotators, " << 2 * kTasksPerProject
            << " tasks; answers stored " << acked.size() << ", answer requests "
            << answer_requests.load() << " (" << duplicates.load() << " repeats), expired leases "
            << expired.load() << ", annotators paused " << paused.load() << ", answers held " << held
            << ", referral bonuses "
            << bonuses << ", journal entries " << entries
            << ", client failovers " << failovers << "; work phase " << work_seconds << " s ("
            << static_cast<int>(static_cast<double>(acked.size()) / work_seconds)
            << " answers/s), whole test "
            << std::chrono::duration<double>(SteadyClock::now() - started).count() << " s\n";
}

}  // namespace
}  // namespace tinydata::test
