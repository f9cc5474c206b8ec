#include "measures/bulk_eval.h"

#include <malloc.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "measures/record_codec.h"

namespace bp::measures {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Write buffers of the partition files: 256 KiB each, fewer when there are many files, so that
// all of them together stay within 16 MiB.
std::size_t SpillBufferBytes(std::size_t files) {
  return std::clamp<std::size_t>((16u << 20) / std::max<std::size_t>(files, 1), 4096, 256u << 10);
}

std::uint64_t HashId(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string Where(const bulk::LineRef& w) {
  return *w.path + " (line at byte " + std::to_string(w.offset) + ")";
}

// A temporary folder removed on destruction.
class TempDir {
 public:
  static Result<TempDir> Make(std::string base) {
    if (base.empty()) {
      const char* t = std::getenv("TMPDIR");
      base = t && *t ? t : "/tmp";
    }
    std::string tmpl = base + "/bonepath-measure-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
      return Error{"io", base, base + ": cannot create a temporary folder"};
    return TempDir(tmpl);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

struct IdHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct WorkerState {
  simdjson::dom::parser parser;
  // Looked up by a view of the subject; the key is copied only for a new patient.
  std::unordered_map<std::string, PatientRecord, IdHash, std::equal_to<>> records;
  std::pair<const std::string, PatientRecord>* last = nullptr;  // stable: map nodes do not move
  MedicationIndex meds;
};

template <typename V>
void Append(V& dst, V& src) {
  dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
}

void MergeRecord(PatientRecord& dst, PatientRecord& src) {
  if (!src.id.empty()) {
    dst.id = src.id;
    dst.gender = src.gender;
    dst.birth_date = src.birth_date;
  }
  Append(dst.encounters, src.encounters);
  Append(dst.conditions, src.conditions);
  Append(dst.procedures, src.procedures);
  Append(dst.observations, src.observations);
  Append(dst.service_requests, src.service_requests);
  Append(dst.medication_requests, src.medication_requests);
}

std::optional<Error> ParseLine(simdjson::dom::parser& parser, std::string_view line,
                               const bulk::LineRef& where, simdjson::dom::element& out) {
  if (parser.parse(line.data(), line.size()).get(out) != simdjson::SUCCESS || !out.is_object())
    return Error{"invalid_json", *where.path, Where(where) + ": not a JSON resource"};
  return std::nullopt;
}

// Reads `files` (whole lines of resources) into per-patient records.
std::optional<Error> Group(const std::vector<bulk::NdjsonFile>& files, const BulkOptions& opt,
                           std::vector<PatientRecord>& patients, MedicationIndex& meds) {
  const int threads = std::max(1, opt.threads);
  std::vector<WorkerState> ws(static_cast<std::size_t>(threads));
  bulk::LineOptions lo;
  lo.threads = threads;
  lo.max_line_bytes = opt.max_line_bytes;
  auto err = bulk::ForEachLine(
      files, lo,
      [&](int w, std::string_view line, const bulk::LineRef& where) -> std::optional<Error> {
        WorkerState& s = ws[static_cast<std::size_t>(w)];
        if (!MayHoldMeasureResource(line)) return std::nullopt;
        simdjson::dom::element r;
        if (auto e = ParseLine(s.parser, line, where, r)) return e;
        std::string_view type;
        if (r["resourceType"].get(type) != simdjson::SUCCESS)
          return Error{"schema", *where.path, Where(where) + ": no resourceType"};
        if (!IsMeasureResourceType(type)) return std::nullopt;
        std::optional<Error> e;
        if (type == "Medication") {
          e = AddMedication(r, s.meds);
        } else {
          const std::string_view subject = SubjectView(r);
          if (subject.empty()) return std::nullopt;
          // Exports often list one patient's resources together: try the last one first.
          if (!s.last || s.last->first != subject) {
            auto it = s.records.find(subject);
            if (it == s.records.end()) it = s.records.try_emplace(std::string(subject)).first;
            s.last = &*it;
          }
          e = AddResource(r, s.last->second);
        }
        if (e) {
          e->message = Where(where) + ": " + e->message;
          e->path = *where.path;
        }
        return e;
      });
  if (err) return err;
  auto& all = ws.front().records;
  for (std::size_t i = 1; i < ws.size(); ++i) {
    for (auto& [id, rec] : ws[i].records) MergeRecord(all[id], rec);
    ws[i].records.clear();
  }
  for (auto& s : ws)
    for (auto& [id, m] : s.meds) meds.insert_or_assign(id, std::move(m));
  patients.clear();
  patients.reserve(all.size());
  for (auto& [id, rec] : all)
    if (!rec.id.empty()) patients.push_back(std::move(rec));  // only patients with a Patient
  all.clear();
  std::sort(patients.begin(), patients.end(),
            [](const PatientRecord& a, const PatientRecord& b) { return a.id < b.id; });
  return std::nullopt;
}

}  // namespace

void EvaluateRecords(const Measure& m, const std::vector<PatientRecord>& patients,
                     const MedicationIndex& meds, const MeasurementPeriod& mp, int threads,
                     const PatientSink& sink, bool evidence) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(patients.size())));
  if (threads <= 1) {
    for (const auto& p : patients) sink(m.EvaluatePatient(p, meds, mp, evidence));
    return;
  }
  std::vector<PatientResult> results(patients.size());
  bulk::RunWorkers(threads, [&](int w) {
    for (std::size_t i = static_cast<std::size_t>(w); i < patients.size();
         i += static_cast<std::size_t>(threads))
      results[i] = m.EvaluatePatient(patients[i], meds, mp, evidence);
  });
  for (const auto& r : results) sink(r);
}

std::optional<Error> EvaluateBulk(const Measure& m, const std::string& dir,
                                  const MeasurementPeriod& mp, const BulkOptions& opt,
                                  const PatientSink& sink, BulkStats* stats) {
  auto listing = bulk::ListNdjsonFiles(dir);
  if (!listing) return listing.error();
  // Partitions are built and freed one after another: keep freed memory in the process for the
  // next one (the peak is unchanged) instead of returning it and faulting it in again.
  ::mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  ::mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  BulkStats st;
  st.files = listing->files.size();
  st.skipped_entries = listing->skipped;
  const std::uint64_t budget = std::max<std::uint64_t>(opt.budget_bytes, 1);
  const std::size_t k = static_cast<std::size_t>(
      std::max<std::uint64_t>(1, (listing->total_bytes + budget - 1) / budget));
  st.partitions = k;
  const int threads = std::max(1, opt.threads);
  const auto count_sink = [&](const PatientResult& r) {
    ++st.patients;
    sink(r);
  };
  if (k == 1) {
    std::vector<PatientRecord> patients;
    MedicationIndex meds;
    if (auto e = Group(listing->files, opt, patients, meds)) return e;
    EvaluateRecords(m, patients, meds, mp, threads, count_sink, opt.evidence);
    if (stats) *stats = st;
    return std::nullopt;
  }
  // Pass 1: spill measure-relevant lines by patient hash.
  auto tmp = TempDir::Make(opt.temp_dir);
  if (!tmp) return tmp.error();
  const std::size_t nthreads = static_cast<std::size_t>(threads);
  std::vector<std::vector<File>> parts(nthreads);
  const auto part_path = [&](std::size_t w, std::size_t p) {
    return tmp->path() + "/p" + std::to_string(p) + "-w" + std::to_string(w) + ".bin";
  };
  const std::size_t spill_buffer = SpillBufferBytes(nthreads * k);
  for (std::size_t w = 0; w < nthreads; ++w) {
    for (std::size_t p = 0; p < k; ++p) {
      parts[w].emplace_back(std::fopen(part_path(w, p).c_str(), "wb"));
      if (!parts[w].back()) return Error{"io", tmp->path(), "cannot write a temporary file"};
      // Large writes: the default 4 KiB buffer costs a system call per few frames.
      std::setvbuf(parts[w].back().get(), nullptr, _IOFBF, spill_buffer);
    }
  }
  // Each line is parsed and read into facts once, here, so that errors name the export's file;
  // the facts go to the partition in binary (record_codec.h). Medications are shared by every
  // partition: they stay in memory.
  struct SpillState {
    simdjson::dom::parser parser;
    PatientRecord scratch;
    std::string frame;
    MedicationIndex meds;
  };
  std::vector<SpillState> ss(nthreads);
  bulk::LineOptions lo;
  lo.threads = threads;
  lo.max_line_bytes = opt.max_line_bytes;
  auto err = bulk::ForEachLine(
      listing->files, lo,
      [&](int wi, std::string_view line, const bulk::LineRef& where) -> std::optional<Error> {
        const std::size_t w = static_cast<std::size_t>(wi);
        SpillState& s = ss[w];
        if (!MayHoldMeasureResource(line)) return std::nullopt;
        simdjson::dom::element r;
        if (auto e = ParseLine(s.parser, line, where, r)) return e;
        std::string_view type;
        if (r["resourceType"].get(type) != simdjson::SUCCESS)
          return Error{"schema", *where.path, Where(where) + ": no resourceType"};
        if (!IsMeasureResourceType(type)) return std::nullopt;
        std::optional<Error> e;
        std::string_view subject;
        if (type == "Medication") {
          e = AddMedication(r, s.meds);
        } else {
          subject = SubjectView(r);
          if (subject.empty()) return std::nullopt;
          s.scratch = PatientRecord{};
          e = AddResource(r, s.scratch);
        }
        if (e) {
          e->message = Where(where) + ": " + e->message;
          e->path = *where.path;
          return e;
        }
        if (subject.empty()) return std::nullopt;  // a Medication
        s.frame.clear();
        EncodeFacts(type, subject, s.scratch, s.frame);
        std::FILE* out = parts[w][HashId(subject) % k].get();
        if (std::fwrite(s.frame.data(), 1, s.frame.size(), out) != s.frame.size())
          return Error{"io", tmp->path(), "cannot write a temporary file"};
        return std::nullopt;
      });
  if (err) return err;
  for (auto& v : parts)
    for (auto& f : v)
      if (f && std::fflush(f.get()) != 0)
        return Error{"io", tmp->path(), "cannot write a temporary file"};
  parts.clear();
  MedicationIndex meds;
  for (auto& s : ss)
    for (auto& [id, med] : s.meds) meds.insert_or_assign(id, std::move(med));
  ss.clear();
  // Pass 2: one partition at a time, decoded without parsing JSON.
  std::error_code ec;
  std::string data;
  for (std::size_t p = 0; p < k; ++p) {
    RecordMap records;
    for (std::size_t w = 0; w < nthreads; ++w) {
      const std::string path = part_path(w, p);
      File f(std::fopen(path.c_str(), "rb"));
      if (!f) return Error{"io", tmp->path(), "cannot read a temporary file"};
      const auto size = std::filesystem::file_size(path, ec);
      if (ec) return Error{"io", tmp->path(), "cannot read a temporary file"};
      data.resize(static_cast<std::size_t>(size));
      if (std::fread(data.data(), 1, data.size(), f.get()) != data.size() ||
          !DecodeFactsInto(data, records))
        return Error{"io", tmp->path(), "cannot read a temporary file"};
      f.reset();
      std::filesystem::remove(path, ec);
    }
    std::vector<PatientRecord> patients;
    patients.reserve(records.size());
    for (auto& [id, rec] : records)
      if (!rec.id.empty()) patients.push_back(std::move(rec));  // only patients with a Patient
    records.clear();
    std::sort(patients.begin(), patients.end(),
              [](const PatientRecord& a, const PatientRecord& b) { return a.id < b.id; });
    EvaluateRecords(m, patients, meds, mp, threads, count_sink, opt.evidence);
  }
  if (stats) *stats = st;
  return std::nullopt;
}

}  // namespace bp::measures
