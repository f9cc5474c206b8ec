#include "cli/input.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "fhir/fhir_reader.h"
#include "io/line_reader.h"
#include "io/native_reader.h"

namespace bp::cli {
namespace {
// FHIR bundles from an EHR are larger than native records; both are bounded so that a wrong
// file cannot exhaust memory.
constexpr std::size_t kMaxFhirBytes = 256u * 1024 * 1024;
}  // namespace

Result<std::string> ReadInput(const std::string& path, std::size_t max_bytes) {
  std::string data;
  if (path == "-") {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
      data.append(buf, n);
      if (data.size() > max_bytes)
        return Error{"too_large", path,
                     "standard input is larger than " + std::to_string(max_bytes) + " bytes"};
    }
    return data;
  }
  // A regular file only: a FIFO would block, a device (/dev/zero) would never end.
  auto fd = OpenRegularFile(path);
  if (!fd) return fd.errors();
  struct stat st {};
  fstat(*fd, &st);
  const auto size = static_cast<size_t>(st.st_size);
  if (size > max_bytes) {
    ::close(*fd);
    return Error{
        "too_large", path,
        "file is " + std::to_string(size) + " bytes; the limit is " + std::to_string(max_bytes)};
  }
  // One read of the known size: a 2.8 MB bundle through istreambuf_iterator cost ~5 ms.
  data.reserve(size + kFhirInputPadding);  // room for simdjson's padding: parsed in place
  data.resize(size);
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(*fd, data.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(*fd);
  if (got != size) return Error{"io", path, "cannot read the whole file"};
  return data;
}

Result<LoadedPatient> LoadPatient(const std::string& path, const KnowledgeBase& kb,
                                  const LoadOptions& opt) {
  LoadedPatient out;
  FhirOptions fo{opt.patient_id, opt.as_of};
  std::error_code ec;
  if (path != "-" && std::filesystem::is_directory(path, ec)) {
    auto x = ReadBulkExport(path, kb, fo);
    if (!x) return x.errors();
    out.patient = std::move(x->patient);
    out.issues = std::move(x->issues);
    out.mapping_trace = std::move(x->mapping_trace);
    out.source_kind = "fhir-bulk";
    if (opt.as_of) out.patient.as_of = opt.as_of;
    return out;
  }
  auto text = ReadInput(path, kMaxFhirBytes);
  if (!text) return text.errors();
  if (LooksLikeFhir(*text)) {
    auto x = ReadFhirBundleInPlace(*text, kb, fo);
    if (!x) return x.errors();
    out.patient = std::move(x->patient);
    out.issues = std::move(x->issues);
    out.mapping_trace = std::move(x->mapping_trace);
    out.source_kind = "fhir-bundle";
    if (opt.as_of) out.patient.as_of = opt.as_of;
    return out;
  }
  NativeReadOptions no;
  no.as_of_override = opt.as_of;
  auto p = ReadNativePatient(*text, kb, &out.issues, no);
  if (!p) return p.errors();
  out.patient = std::move(p).value();
  out.source_kind = "native";
  return out;
}

Date AssessmentDate(const Patient& p, const LoadOptions& opt) {
  if (opt.as_of) return *opt.as_of;
  if (p.as_of) return *p.as_of;
  return Date::TodayUtc();
}

}  // namespace bp::cli
