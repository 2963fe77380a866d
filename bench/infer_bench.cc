// Benchmarks of the truth-inference engine on the synthetic workloads of bench/synthetic.h:
//   W1: 100,000 items x 10 answers, 2,000 workers (accuracy U[0.55, 0.95]), 2 classes
//   W2: the same with 5 classes
// Every categorical method runs in memory on both with its defaults (iteration cap 100,
// tolerance 1e-6); `ds_100it` runs Dawid-Skene for exactly 100 iterations (tolerance 0).
// Numeric estimators run on the numeric variant of W1. `load_csv/W1` reads W1 from CSV
// (TINYDATA_BENCH_W1_CSV, else a file generated once in the temp directory) and
// `write_labels/W1` writes its labels file to /dev/null.
//
// Counters: `em_iterations` (iterations the method ran), `accuracy` (against the truth).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "synthetic.h"
#include "tinydata/cli/aggregate_command.h"
#include "tinydata/cli/csv_writer.h"
#include "tinydata/infer/categorical.h"
#include "tinydata/infer/numeric.h"
#include "tinydata/io/answers_csv.h"

namespace tinydata::bench {
namespace {

SyntheticSpec Spec(int workload) {
  SyntheticSpec spec;  // W1 defaults
  spec.seed = static_cast<uint64_t>(workload);
  if (workload == 2) spec.classes = 5;
  return spec;
}

const SyntheticCategorical& Categorical(int workload) {
  static std::unique_ptr<SyntheticCategorical> cache[3];
  if (!cache[workload]) {
    cache[workload] = std::make_unique<SyntheticCategorical>(
        std::move(GenerateCategorical(Spec(workload))).value());
  }
  return *cache[workload];
}

const SyntheticNumeric& Numeric() {
  static SyntheticNumeric data = std::move(GenerateNumeric(Spec(1))).value();
  return data;
}

void Fail(benchmark::State& state, const Status& status) {
  state.SkipWithError(status.message().c_str());
}

void BM_Infer(benchmark::State& state, infer::Method method, int workload,
              infer::InferenceOptions options) {
  const SyntheticCategorical& data = Categorical(workload);
  infer::CategoricalResult last;
  for (auto _ : state) {
    Result<infer::CategoricalResult> result =
        infer::InferCategorical(method, data.answers, nullptr, options);
    if (!result.ok()) return Fail(state, result.status());
    last = std::move(result).value();
    benchmark::DoNotOptimize(last.label.data());
  }
  int64_t correct = 0;
  for (size_t i = 0; i < data.truth.size(); ++i) correct += last.label[i] == data.truth[i];
  state.counters["em_iterations"] = last.iterations;
  state.counters["accuracy"] = static_cast<double>(correct) / static_cast<double>(data.truth.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.answers.size()));
}

void BM_Numeric(benchmark::State& state, infer::NumericMethod method) {
  const SyntheticNumeric& data = Numeric();
  infer::NumericResult last;
  for (auto _ : state) {
    Result<infer::NumericResult> result = infer::AggregateNumeric(method, data.answers);
    if (!result.ok()) return Fail(state, result.status());
    last = std::move(result).value();
    benchmark::DoNotOptimize(last.estimate.data());
  }
  double abs_error = 0;
  for (size_t i = 0; i < data.truth.size(); ++i) abs_error += std::fabs(last.estimate[i] - data.truth[i]);
  state.counters["em_iterations"] = last.iterations;
  state.counters["mae"] = abs_error / static_cast<double>(data.truth.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.answers.size()));
}

// W1 as a CSV file, written once with the same ids as bench/tools/gen_answers.
Result<std::string> W1CsvPath() {
  if (const char* path = std::getenv("TINYDATA_BENCH_W1_CSV")) return std::string(path);
  std::string path = (std::filesystem::temp_directory_path() / "tinydata_bench_w1.csv").string();
  if (std::filesystem::exists(path)) return path;
  const infer::AnswerMatrix& m = Categorical(1).answers;
  std::string tmp = path + ".tmp";
  TD_ASSIGN_OR_RETURN(std::unique_ptr<cli::CsvWriter> out, cli::CsvWriter::Open(tmp));
  out->Field("task");
  out->Field("worker");
  out->Field("label");
  out->EndRow();
  for (size_t a = 0; a < m.size(); ++a) {
    out->Field("t" + std::to_string(m.item[a]));
    out->Field("w" + std::to_string(m.worker[a]));
    out->Field(static_cast<int64_t>(m.label[a]));
    out->EndRow();
  }
  TD_RETURN_IF_ERROR(out->Close());
  std::filesystem::rename(tmp, path);
  return path;
}

void BM_LoadCsv(benchmark::State& state) {
  Result<std::string> path = W1CsvPath();
  if (!path.ok()) return Fail(state, path.status());
  int64_t bytes = static_cast<int64_t>(std::filesystem::file_size(*path));
  size_t rows = 0;
  for (auto _ : state) {
    Result<io::CategoricalAnswers> answers = io::ReadCategoricalAnswers(*path);
    if (!answers.ok()) return Fail(state, answers.status());
    rows = answers->matrix.size();
    benchmark::DoNotOptimize(answers->matrix.item.data());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}

void BM_WriteLabels(benchmark::State& state) {
  Result<std::string> path = W1CsvPath();
  if (!path.ok()) return Fail(state, path.status());
  Result<io::CategoricalAnswers> answers = io::ReadCategoricalAnswers(*path);
  if (!answers.ok()) return Fail(state, answers.status());
  answers->matrix.num_classes = answers->classes.size();
  Result<infer::CategoricalResult> result =
      infer::InferCategorical(infer::Method::kMajorityVote, answers->matrix);
  if (!result.ok()) return Fail(state, result.status());
  for (auto _ : state) {
    std::FILE* sink = std::fopen("/dev/null", "wb");
    cli::CsvWriter out(sink, "/dev/null");
    cli::WriteCategoricalLabels(*answers, *result, out);
    Status closed = out.Close();
    std::fclose(sink);
    if (!closed.ok()) return Fail(state, closed);
  }
  state.SetItemsProcessed(state.iterations() * answers->items.size());
}

void RegisterAll() {
  const char* methods[] = {"mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace"};
  for (int workload : {1, 2}) {
    std::string w = "/W" + std::to_string(workload);
    for (const char* name : methods) {
      infer::Method method = infer::ParseMethod(name).value();
      benchmark::RegisterBenchmark(("infer/" + std::string(name) + w).c_str(), BM_Infer, method,
                                   workload, infer::InferenceOptions{})
          ->Unit(benchmark::kMillisecond);
    }
    infer::InferenceOptions fixed;
    fixed.max_iterations = 100;
    fixed.tolerance = 0;
    benchmark::RegisterBenchmark(("infer/ds_100it" + w).c_str(), BM_Infer,
                                 infer::Method::kDawidSkene, workload, fixed)
        ->Unit(benchmark::kMillisecond);
    infer::InferenceOptions threaded = fixed;
    threaded.threads = 2;
    benchmark::RegisterBenchmark(("infer/ds_100it_2threads" + w).c_str(), BM_Infer,
                                 infer::Method::kDawidSkene, workload, threaded)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (const char* name : {"mean", "median", "robust"}) {
    benchmark::RegisterBenchmark(("numeric/" + std::string(name) + "/W1").c_str(), BM_Numeric,
                                 infer::ParseNumericMethod(name).value())
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("load_csv/W1", BM_LoadCsv)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("write_labels/W1", BM_WriteLabels)->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace tinydata::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  tinydata::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
