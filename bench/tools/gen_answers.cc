// gen_answers: writes a deterministic synthetic workload (see bench/synthetic.h) as
// answers.csv (task,worker,label) and optionally gold.csv (task,label) with every item's truth.
//
//   gen_answers --items 100000 --answers-per-item 10 --workers 2000 --classes 2 --seed 1
//               --out answers.csv --gold gold.csv [--numeric]
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "../synthetic.h"
#include "tinydata/cli/csv_writer.h"

namespace tinydata::bench {
namespace {

struct GenOptions {
  SyntheticSpec spec;
  std::string out_path;
  std::string gold_path;
  bool numeric = false;
};

// Ids are short fixed prefixes plus the dense index: t<item>, w<worker>; labels are class numbers.
std::string_view IdText(char prefix, int32_t id, char (&buf)[16]) {
  buf[0] = prefix;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof buf, id);
  return {buf, static_cast<size_t>(end - buf)};
}

template <typename Matrix, typename WriteLabel>
Status WriteAnswers(const std::string& path, const Matrix& m, WriteLabel write_label) {
  TD_ASSIGN_OR_RETURN(std::unique_ptr<cli::CsvWriter> out, cli::CsvWriter::Open(path));
  out->Field("task");
  out->Field("worker");
  out->Field("label");
  out->EndRow();
  char buf[16];
  for (size_t a = 0; a < m.size(); ++a) {
    out->Field(IdText('t', m.item[a], buf));
    out->Field(IdText('w', m.worker[a], buf));
    write_label(*out, a);
    out->EndRow();
  }
  return out->Close();
}

template <typename Truth, typename WriteTruth>
Status WriteGold(const std::string& path, const Truth& truth, WriteTruth write_truth) {
  TD_ASSIGN_OR_RETURN(std::unique_ptr<cli::CsvWriter> out, cli::CsvWriter::Open(path));
  out->Field("task");
  out->Field("label");
  out->EndRow();
  char buf[16];
  for (size_t i = 0; i < truth.size(); ++i) {
    out->Field(IdText('t', static_cast<int32_t>(i), buf));
    write_truth(*out, truth[i]);
    out->EndRow();
  }
  return out->Close();
}

Status Generate(const GenOptions& o) {
  if (o.numeric) {
    TD_ASSIGN_OR_RETURN(SyntheticNumeric data, GenerateNumeric(o.spec));
    TD_RETURN_IF_ERROR(WriteAnswers(o.out_path, data.answers, [&](cli::CsvWriter& out, size_t a) {
      out.Field(data.answers.value[a], 8);
    }));
    if (o.gold_path.empty()) return Status::Ok();
    return WriteGold(o.gold_path, data.truth,
                     [](cli::CsvWriter& out, double v) { out.Field(v, 8); });
  }
  TD_ASSIGN_OR_RETURN(SyntheticCategorical data, GenerateCategorical(o.spec));
  TD_RETURN_IF_ERROR(WriteAnswers(o.out_path, data.answers, [&](cli::CsvWriter& out, size_t a) {
    out.Field(static_cast<int64_t>(data.answers.label[a]));
  }));
  if (o.gold_path.empty()) return Status::Ok();
  return WriteGold(o.gold_path, data.truth,
                   [](cli::CsvWriter& out, int32_t c) { out.Field(static_cast<int64_t>(c)); });
}

}  // namespace
}  // namespace tinydata::bench

int main(int argc, char** argv) {
  tinydata::bench::GenOptions o;
  CLI::App app("Writes a deterministic synthetic answers file (see bench/synthetic.h).");
  app.add_option("--items", o.spec.items, "Items")->capture_default_str();
  app.add_option("--answers-per-item", o.spec.answers_per_item, "Distinct workers per item")
      ->capture_default_str();
  app.add_option("--workers", o.spec.workers, "Worker pool size")->capture_default_str();
  app.add_option("--classes", o.spec.classes, "Classes (K)")->capture_default_str();
  app.add_option("--seed", o.spec.seed, "PRNG seed")->capture_default_str();
  app.add_option("--min-accuracy", o.spec.min_accuracy)->capture_default_str();
  app.add_option("--max-accuracy", o.spec.max_accuracy)->capture_default_str();
  app.add_flag("--numeric", o.numeric, "Numeric answers instead of classes");
  app.add_option("--out", o.out_path, "answers.csv to write")->required();
  app.add_option("--gold", o.gold_path, "gold.csv to write (truth of every item)");
  CLI11_PARSE(app, argc, argv);
  tinydata::Status status = tinydata::bench::Generate(o);
  if (!status.ok()) {
    std::fprintf(stderr, "gen_answers: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
