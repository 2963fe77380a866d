#include "tinydata/cli/aggregate_command.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "tinydata/cli/app.h"

namespace tinydata::cli {
namespace {

constexpr int kDigits = 6;  // significant digits of probabilities and scores in the output

uint64_t FileSizeOrZero(const std::string& path) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

io::ProgressFn ProgressCallback(ProgressBar& bar) {
  if (!bar.enabled()) return {};
  return [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); };
}

Status WriteWith(const std::string& path, ProgressBar& progress,
                 const std::function<void(CsvWriter&)>& write) {
  progress.Stage("writing " + (path == "-" ? std::string("<stdout>") : path));
  TD_ASSIGN_OR_RETURN(std::unique_ptr<CsvWriter> out, CsvWriter::Open(path));
  write(*out);
  return out->Close();
}

Status RunCategorical(const AggregateOptions& options, infer::Method method,
                      ProgressBar& progress) {
  progress.Stage("loading " + options.answers_path);
  TD_ASSIGN_OR_RETURN(io::CategoricalAnswers answers,
                      io::ReadCategoricalAnswers(options.answers_path, ProgressCallback(progress)));
  infer::GoldLabels gold;
  if (!options.gold_path.empty()) {
    progress.Stage("loading " + options.gold_path);
    int64_t unmatched = 0;
    TD_ASSIGN_OR_RETURN(gold, io::ReadGoldLabels(options.gold_path, answers.items,
                                                 answers.classes, &unmatched));
  }
  // Gold may name classes nobody answered; a file where everyone gave the same single label is
  // still a valid (if trivial) input, so the model always has at least two classes.
  answers.matrix.num_classes = std::max<int32_t>(2, answers.classes.size());

  infer::InferenceOptions inference;
  inference.max_iterations = options.iterations;
  inference.tolerance = options.tolerance;
  inference.threads = options.threads;
  inference.seed = options.seed;
  progress.Stage(std::string("inferring (") + infer::MethodName(method) + ")");
  TD_ASSIGN_OR_RETURN(infer::CategoricalResult result,
                      infer::InferCategorical(method, answers.matrix,
                                              gold.empty() ? nullptr : &gold, inference));

  TD_RETURN_IF_ERROR(WriteWith(options.out_path, progress, [&](CsvWriter& out) {
    WriteCategoricalLabels(answers, result, out);
  }));
  if (!options.workers_path.empty()) {
    TD_RETURN_IF_ERROR(WriteWith(options.workers_path, progress, [&](CsvWriter& out) {
      WriteCategoricalWorkers(answers, result, out);
    }));
  }
  progress.Finish();
  return Status::Ok();
}

Status RunNumeric(const AggregateOptions& options, ProgressBar& progress) {
  TD_ASSIGN_OR_RETURN(infer::NumericMethod method, infer::ParseNumericMethod(options.estimator));
  progress.Stage("loading " + options.answers_path);
  TD_ASSIGN_OR_RETURN(io::NumericAnswers answers,
                      io::ReadNumericAnswers(options.answers_path, ProgressCallback(progress)));
  infer::NumericOptions numeric;
  numeric.max_iterations = options.iterations;
  numeric.tolerance = options.tolerance;
  progress.Stage("aggregating (" + options.estimator + ")");
  TD_ASSIGN_OR_RETURN(infer::NumericResult result,
                      infer::AggregateNumeric(method, answers.matrix, numeric));

  TD_RETURN_IF_ERROR(WriteWith(options.out_path, progress, [&](CsvWriter& out) {
    WriteNumericLabels(answers, result, out);
  }));
  if (!options.workers_path.empty()) {
    TD_RETURN_IF_ERROR(WriteWith(options.workers_path, progress, [&](CsvWriter& out) {
      WriteNumericWorkers(answers, result, out);
    }));
  }
  progress.Finish();
  return Status::Ok();
}

// Answers per worker and, for numeric input, rejected answers per worker or item.
std::vector<int64_t> CountBy(const std::vector<int32_t>& ids, int32_t n) {
  std::vector<int64_t> counts(n, 0);
  for (int32_t id : ids) ++counts[id];
  return counts;
}

std::vector<int64_t> CountRejectedBy(const std::vector<int32_t>& ids,
                                     const std::vector<uint8_t>& rejected, int32_t n) {
  std::vector<int64_t> counts(n, 0);
  const size_t size = std::min(ids.size(), rejected.size());
  for (size_t a = 0; a < size; ++a) counts[ids[a]] += rejected[a];
  return counts;
}

}  // namespace

void WriteCategoricalLabels(const io::CategoricalAnswers& answers,
                            const infer::CategoricalResult& result, CsvWriter& out) {
  out.Field("task");
  out.Field("label");
  out.Field("confidence");
  out.EndRow();
  const int32_t num_classes = answers.classes.size();
  for (int32_t i = 0; i < answers.items.size(); ++i) {
    const int32_t label = result.label[i];
    out.Field(answers.items.Name(i));
    // Items without a label (no answers) and the padding class of a one-class input have no name.
    out.Field(label >= 0 && label < num_classes ? std::string_view(answers.classes.Name(label))
                                                : std::string_view());
    out.Field(label >= 0 ? result.confidence[i] : 0.0, kDigits);
    out.EndRow();
  }
}

void WriteCategoricalWorkers(const io::CategoricalAnswers& answers,
                             const infer::CategoricalResult& result, CsvWriter& out) {
  const int32_t num_workers = answers.workers.size();
  std::vector<int64_t> counts = CountBy(answers.matrix.worker, num_workers);
  out.Field("worker");
  out.Field("accuracy");
  out.Field("spam_score");
  out.Field("answers");
  out.EndRow();
  for (int32_t w = 0; w < num_workers; ++w) {
    out.Field(answers.workers.Name(w));
    out.Field(result.worker_accuracy[w], kDigits);
    out.Field(result.worker_spam_score[w], kDigits);
    out.Field(counts[w]);
    out.EndRow();
  }
}

void WriteNumericLabels(const io::NumericAnswers& answers, const infer::NumericResult& result,
                        CsvWriter& out) {
  const int32_t num_items = answers.items.size();
  std::vector<int64_t> rejected = CountRejectedBy(answers.matrix.item, result.rejected, num_items);
  out.Field("task");
  out.Field("value");
  out.Field("spread");
  out.Field("kept");
  out.Field("rejected");
  out.EndRow();
  for (int32_t i = 0; i < num_items; ++i) {
    out.Field(answers.items.Name(i));
    out.Field(result.estimate[i], CsvWriter::kRoundTrip);
    out.Field(result.spread[i], kDigits);
    out.Field(static_cast<int64_t>(result.num_kept[i]));
    out.Field(rejected[i]);
    out.EndRow();
  }
}

void WriteNumericWorkers(const io::NumericAnswers& answers, const infer::NumericResult& result,
                         CsvWriter& out) {
  const int32_t num_workers = answers.workers.size();
  std::vector<int64_t> counts = CountBy(answers.matrix.worker, num_workers);
  std::vector<int64_t> rejected =
      CountRejectedBy(answers.matrix.worker, result.rejected, num_workers);
  out.Field("worker");
  out.Field("reliability");
  out.Field("answers");
  out.Field("rejected");
  out.EndRow();
  for (int32_t w = 0; w < num_workers; ++w) {
    out.Field(answers.workers.Name(w));
    out.Field(result.worker_reliability[w], kDigits);
    out.Field(counts[w]);
    out.Field(rejected[w]);
    out.EndRow();
  }
}

Status RunAggregate(const AggregateOptions& options, ProgressBar& progress) {
  if (options.method == "numeric") return RunNumeric(options, progress);
  TD_ASSIGN_OR_RETURN(infer::Method method, infer::ParseMethod(options.method));
  return RunCategorical(options, method, progress);
}

void RegisterAggregateCommand(CLI::App& app) {
  auto options = std::make_shared<AggregateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "aggregate",
      "Infer one label per task and a skill per worker from answers.csv (columns task, worker, "
      "label; any order, extra columns ignored).");
  cmd->add_option("answers", options->answers_path, "Answers CSV file")->required();
  cmd->add_option("-m,--method", options->method,
                  "mv | wawa | zbs | ds | onecoin | glad | mace | numeric")
      ->check(CLI::IsMember({"mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace", "numeric"}))
      ->capture_default_str();
  cmd->add_option("--estimator", options->estimator,
                  "Numeric estimator for --method numeric: mean | median | robust (outliers "
                  "rejected, votes weighted by worker reliability)")
      ->check(CLI::IsMember({"mean", "median", "robust"}))
      ->capture_default_str();
  cmd->add_option("-g,--gold", options->gold_path,
                  "Known labels (task,label); gold tasks are clamped during inference");
  cmd->add_option("-o,--out", options->out_path,
                  "Output labels CSV (task,label,confidence; numeric: task,value,spread,kept,"
                  "rejected); - for stdout")
      ->capture_default_str();
  cmd->add_option("-w,--workers", options->workers_path,
                  "Also write worker skills (worker,accuracy,spam_score,answers; numeric: "
                  "worker,reliability,answers,rejected)");
  cmd->add_option("-n,--iterations", options->iterations, "Iteration cap for iterative methods")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--tolerance", options->tolerance,
                  "Stop when no posterior moves by more than this")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("-j,--threads", options->threads, "Threads for the E and M steps")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed for methods with random restarts (mace)")
      ->capture_default_str();
  cmd->add_flag("--progress", options->progress,
                "Show a progress bar on stderr even when it is not a terminal or the input is "
                "small");
  cmd->callback([options] {
    if (options->method == "numeric" && !options->gold_path.empty()) {
      ExitUsage("aggregate", "--gold applies to categorical methods only");
    }
    Status status;
    {
      // The bar's line is ended before any error message is printed.
      ProgressBar progress(stderr,
                           ProgressBar::ShouldShow(options->progress, stderr,
                                                   FileSizeOrZero(options->answers_path),
                                                   kProgressMinBytes));
      status = RunAggregate(*options, progress);
    }
    ExitOnError("aggregate", status);
  });
}

}  // namespace tinydata::cli
