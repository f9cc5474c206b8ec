#include "io/native_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace bp {
namespace {

using json = nlohmann::json;

// A valid record nests three levels (record > spine > red_flags); anything far deeper is not a
// patient, and refusing it before parsing bounds the parser's memory.
constexpr int kMaxNestingDepth = 64;
// Input values quoted back in messages are cut so that a huge string cannot flood stderr.
constexpr std::size_t kMaxQuotedBytes = 80;
constexpr std::size_t kMaxErrors = 500;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The offending value as JSON text, cut on a UTF-8 boundary.
std::string Quote(const json& j) {
  std::string s = Dump(j);
  if (s.size() <= kMaxQuotedBytes) return s;
  std::size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

const char* TypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// The path of a field named by the input itself (an unknown key): plain when it is an
// identifier, else bracketed and JSON-quoted, so that a key holding control characters or
// megabytes cannot corrupt the one-line-per-error stderr format.
std::string JoinInputKey(const std::string& path, const std::string& key) {
  const bool plain = !key.empty() && key.size() <= kMaxQuotedBytes &&
                     std::all_of(key.begin(), key.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_' || c == '-';
                     });
  if (plain) return Join(path, key);
  return path + "[" + Quote(json(key)) + "]";
}
std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// JSON Schema counts string length in code points, not bytes.
std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

template <typename E>
std::string AllowedList() {
  std::string out;
  for (const auto& [v, name] : AllNames<E>()) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Notation-insensitive form of a unit (see FindLabUnit).
std::string NormalizeUnit(std::string_view u) {
  std::string out;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(u[i]);
    if (i + 1 < u.size()) {
      const unsigned char n = static_cast<unsigned char>(u[i + 1]);
      // U+00B5 micro sign and U+03BC Greek mu both spell the SI prefix micro.
      if ((c == 0xC2 && n == 0xB5) || (c == 0xCE && n == 0xBC)) {
        out += 'u';
        ++i;
        continue;
      }
      if (c == 0xC2 && n == 0xB2) {  // superscript two (m²)
        out += '2';
        ++i;
        continue;
      }
    }
    if (c == ' ' || c == '\t' || c == '{' || c == '}' || c == '_') continue;
    out += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  return out;
}

// Records where the parser stopped, without exceptions, for the invalid_json message.
class ParseErrorCapture : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message = ex.what();
    return false;
  }
  std::string message;
};

std::string DescribeParseError(std::string_view text) {
  ParseErrorCapture capture;
  json::sax_parse(text, &capture, json::input_format_t::json, /*strict=*/true,
                  /*ignore_comments=*/false);
  std::string m = capture.message;
  // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep "parse error at line..".
  if (auto p = m.find("] "); !m.empty() && m[0] == '[' && p != std::string::npos) m.erase(0, p + 2);
  if (m.size() > 200) {
    m.resize(200);
    m += "...";
  }
  // The "last read" excerpt may hold raw input bytes: keep messages printable ASCII.
  for (char& c : m)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  return m.empty() ? "not valid JSON" : m;
}

int MaxNesting(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      max_depth = std::max(max_depth, ++depth);
    else if (c == ']' || c == '}')
      --depth;
    if (max_depth > kMaxNestingDepth) break;
  }
  return max_depth;
}

struct Bounds {
  std::optional<double> min;
  std::optional<double> max;
  bool exclusive_min = false;
};
Bounds AtLeast(double min) { return Bounds{min, std::nullopt, false}; }
Bounds Between(double min, double max) { return Bounds{min, max, false}; }
Bounds AboveUpTo(double exclusive_min, double max) { return Bounds{exclusive_min, max, true}; }

struct DatedField {
  std::string path;
  Date date;
};

// Walks the record, building the Patient and collecting every violation.
class Reader {
 public:
  Reader(const KnowledgeBase& kb, std::vector<InputIssue>* issues) : kb_(kb), issues_(issues) {}

  Errors& errors() { return errs_; }
  const std::vector<DatedField>& dated() const { return dated_; }

  // Past kMaxErrors, violations are counted, not stored: a hostile 5 MB input could otherwise
  // produce millions of messages. Finish() reports the count.
  void Add(ErrorCode code, std::string path, std::string message) {
    if (errs_.size() >= kMaxErrors) {
      ++dropped_;
      return;
    }
    errs_.push_back({code, std::move(path), std::move(message)});
  }
  Errors Finish() {
    if (dropped_ > 0)
      errs_.push_back({"schema", "", fmt::format("{} further violations not listed", dropped_)});
    return std::move(errs_);
  }
  void Issue(std::string path, std::string message, Severity severity) {
    if (issues_) issues_->push_back({std::move(path), std::move(message), severity});
  }

  // Reports unknown and missing fields; false when `j` is not an object.
  bool CheckObject(const json& j, const std::string& path,
                   std::initializer_list<std::string_view> allowed,
                   std::initializer_list<std::string_view> required = {}) {
    if (!j.is_object()) {
      Add("schema", path, fmt::format("expected an object, got {}", TypeName(j)));
      return false;
    }
    for (const auto& [key, value] : j.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      if (errs_.size() >= kMaxErrors) {  // counted only: skip the costly suggestion
        ++dropped_;
        continue;
      }
      // Suggest a near miss ("weigth_kg") or a field the key abbreviates ("weight"). Long keys
      // are no near miss of anything, and the distance is quadratic.
      std::string_view best;
      std::size_t best_d = 3;
      for (auto a : allowed) {
        if (key.size() > 64) break;
        if (const std::size_t d = EditDistance(key, a); d < best_d) best_d = d, best = a;
      }
      if (best.empty() && key.size() >= 3 && key.size() <= 64) {
        for (auto a : allowed) {
          if (a.starts_with(key) || std::string_view(key).starts_with(a)) {
            best = a;
            break;
          }
        }
      }
      std::string msg = "unknown field";
      if (!best.empty()) {
        msg += fmt::format(" (did you mean \"{}\"?)", best);
      } else if (allowed.size() <= 10) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        msg += " (allowed: " + list + ")";
      }
      Add("schema", JoinInputKey(path, key), msg);
    }
    for (auto r : required)
      if (!j.contains(r)) Add("schema", Join(path, r), "required field is missing");
    return true;
  }

  const json* Field(const json& obj, std::string_view key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  std::optional<std::string> String(const json& obj, std::string_view key, const std::string& path,
                                    std::size_t min_len = 0, std::size_t max_len = SIZE_MAX) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    const std::string p = Join(path, key);
    if (!v->is_string()) {
      Add("schema", p, fmt::format("expected a string, got {}", TypeName(*v)));
      return std::nullopt;
    }
    const std::string& s = v->get_ref<const std::string&>();
    const std::size_t n = CodePoints(s);
    if (n < min_len) {
      Add("schema", p, fmt::format("must be at least {} character(s) long", min_len));
      return std::nullopt;
    }
    if (n > max_len) {
      Add("schema", p, fmt::format("must be at most {} characters long, got {}", max_len, n));
      return std::nullopt;
    }
    return s;
  }

  std::optional<double> Number(const json& obj, std::string_view key, const std::string& path,
                               const Bounds& b = {}) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    return NumberValue(*v, Join(path, key), b);
  }

  std::optional<double> NumberValue(const json& v, const std::string& p, const Bounds& b) {
    if (!v.is_number()) {
      Add("schema", p, fmt::format("expected a number, got {}", TypeName(v)));
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {
      Add("schema", p, "number out of range");
      return std::nullopt;
    }
    bool ok = true;
    if (b.min) {
      if (b.exclusive_min && !(x > *b.min)) {
        Add("schema", p, fmt::format("{} must be greater than {}", Quote(v), *b.min));
        ok = false;
      } else if (!b.exclusive_min && x < *b.min) {
        Add("schema", p, fmt::format("{} is below the minimum {}", Quote(v), *b.min));
        ok = false;
      }
    }
    if (b.max && x > *b.max) {
      Add("schema", p, fmt::format("{} is above the maximum {}", Quote(v), *b.max));
      ok = false;
    }
    if (!ok) return std::nullopt;
    return x;
  }

  // JSON Schema "integer": any number with no fractional part (2.0 included).
  std::optional<int> Integer(const json& obj, std::string_view key, const std::string& path,
                             const Bounds& b = {}) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    const std::string p = Join(path, key);
    if (!v->is_number()) {
      Add("schema", p, fmt::format("expected an integer, got {}", TypeName(*v)));
      return std::nullopt;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x) || std::floor(x) != x) {
      Add("schema", p, fmt::format("expected an integer, got {}", Quote(*v)));
      return std::nullopt;
    }
    auto checked = NumberValue(*v, p, b);
    if (!checked) return std::nullopt;
    // Beyond int, no clinical count makes sense; refuse rather than overflow.
    if (x > INT_MAX || x < INT_MIN) {
      Add("schema", p, fmt::format("{} is out of the supported range", Quote(*v)));
      return std::nullopt;
    }
    return static_cast<int>(x);
  }

  std::optional<bool> Bool(const json& obj, std::string_view key, const std::string& path) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      Add("schema", Join(path, key), fmt::format("expected true or false, got {}", TypeName(*v)));
      return std::nullopt;
    }
    return v->get<bool>();
  }

  template <typename E>
  std::optional<E> EnumValue(const json& v, const std::string& p) {
    if (v.is_string()) {
      if (auto e = Parse<E>(v.get_ref<const std::string&>())) return e;
    }
    Add("schema", p, fmt::format("{} is not one of: {}", Quote(v), AllowedList<E>()));
    return std::nullopt;
  }

  template <typename E>
  std::optional<E> Enum(const json& obj, std::string_view key, const std::string& path) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    return EnumValue<E>(*v, Join(path, key));
  }

  // A date field; remembered for the after-as_of check unless `check_after_as_of` is false.
  std::optional<Date> DateField(const json& obj, std::string_view key, const std::string& path,
                                bool check_after_as_of = true) {
    const json* v = Field(obj, key);
    if (!v) return std::nullopt;
    return DateAt(*v, Join(path, key), check_after_as_of);
  }

  // A date value at path `p` (a field or an array element).
  std::optional<Date> DateAt(const json& jv, const std::string& p, bool check_after_as_of = true) {
    const json* v = &jv;
    if (!v->is_string()) {
      Add("schema", p, fmt::format("expected a date string YYYY-MM-DD, got {}", TypeName(*v)));
      return std::nullopt;
    }
    const std::string& s = v->get_ref<const std::string&>();
    const bool shape =
        s.size() == 10 && s[4] == '-' && s[7] == '-' &&
        std::all_of(s.begin(), s.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
    if (!shape) {
      Add("date", p, fmt::format("{} is not a date in the form YYYY-MM-DD", Quote(*v)));
      return std::nullopt;
    }
    auto d = Date::Parse(s);
    if (!d) {
      Add("date", p, fmt::format("{} is not a valid calendar date", Quote(*v)));
      return std::nullopt;
    }
    if (check_after_as_of) dated_.push_back({p, *d});
    return d;
  }

  // An array field: calls `each(item, item_path)` per element. Absent: nothing.
  template <typename F>
  void Array(const json& obj, std::string_view key, const std::string& path, F each) {
    const json* v = Field(obj, key);
    if (!v) return;
    const std::string p = Join(path, key);
    if (!v->is_array()) {
      Add("schema", p, fmt::format("expected an array, got {}", TypeName(*v)));
      return;
    }
    for (std::size_t i = 0; i < v->size(); ++i) each((*v)[i], Index(p, i));
  }

  void ReadLab(const json& j, const std::string& p, Patient& pt) {
    if (!CheckObject(
            j, p, {"test", "value", "unit", "date", "baseline", "reference_low", "reference_high"},
            {"test", "value", "unit"}))
      return;
    Lab lab;
    lab.source = p;
    auto test = Enum<LabTest>(j, "test", p);
    auto value = Number(j, "value", p);
    auto unit = String(j, "unit", p);
    lab.date = DateField(j, "date", p);
    lab.baseline = Bool(j, "baseline", p);
    auto low = Number(j, "reference_low", p);
    auto high = Number(j, "reference_high", p);
    if (!test || !value || !unit) return;
    lab.test = *test;
    auto conv = FindLabUnit(kb_, *test, *unit);
    if (!conv) {
      Add("unit", Join(p, "unit"),
          fmt::format("{} is not a unit for {} (accepted: {})", Quote(json(*unit)), ToString(*test),
                      AcceptedUnits(kb_, *test)));
      return;
    }
    lab.value = *value * conv->factor;
    if (low) lab.reference_low = *low * conv->factor;
    if (high) lab.reference_high = *high * conv->factor;
    if (low && high && *low > *high) {
      // A swapped range cannot be trusted either way: fall back to the profile's limits.
      Issue(Join(p, "reference_low"), "reference_low is above reference_high; range ignored",
            Severity::kWarning);
      lab.reference_low.reset();
      lab.reference_high.reset();
    }
    pt.labs.push_back(std::move(lab));
  }

  void ReadMedication(const json& j, const std::string& p, Patient& pt) {
    if (!CheckObject(j, p,
                     {"agent", "status", "start", "end", "last_dose", "doses_received",
                      "dose_mg_per_day", "stop_reason", "route", "dose_mg", "held", "dose_dates"},
                     {"agent", "status"}))
      return;
    Medication m;
    auto agent = Enum<Agent>(j, "agent", p);
    auto status = Enum<MedStatus>(j, "status", p);
    // A planned medication may carry its intended (future) start; an end date may be the
    // intended end of a course. Neither is a contradiction with as_of.
    const bool planned = status == MedStatus::kPlanned;
    m.start = DateField(j, "start", p, /*check_after_as_of=*/!planned);
    m.end = DateField(j, "end", p, /*check_after_as_of=*/false);
    m.last_dose = DateField(j, "last_dose", p);
    m.doses_received = Integer(j, "doses_received", p, AtLeast(0));
    m.dose_mg_per_day = Number(j, "dose_mg_per_day", p, AtLeast(0));
    m.stop_reason = Enum<StopReason>(j, "stop_reason", p);
    m.route = Enum<Route>(j, "route", p);
    m.dose_mg = Number(j, "dose_mg", p, AtLeast(0));
    m.held = Bool(j, "held", p).value_or(false);
    Array(j, "dose_dates", p, [&](const json& v, const std::string& ip) {
      if (auto d = DateAt(v, ip)) m.dose_dates.push_back(*d);
    });
    std::sort(m.dose_dates.begin(), m.dose_dates.end());
    if (m.start && m.end && *m.end < *m.start)
      Add("inconsistent", Join(p, "end"),
          fmt::format("end {} is before start {}", m.end->ToString(), m.start->ToString()));
    if (!agent || !status) return;
    m.agent = *agent;
    m.status = *status;
    pt.medications.push_back(std::move(m));
  }

  void ReadSpine(const json& j, const std::string& p, Patient& pt) {
    if (!CheckObject(j, p,
                     {"neurological_deficit", "instability", "deformity", "pulmonary_dysfunction",
                      "pain", "weeks_of_conservative_care", "on_analgesics", "red_flags"}))
      return;
    pt.spine_recorded = true;
    SpineFindings& s = pt.spine;
    s.neurological_deficit = Bool(j, "neurological_deficit", p);
    s.instability = Bool(j, "instability", p);
    s.deformity = Enum<Deformity>(j, "deformity", p);
    s.pulmonary_dysfunction = Bool(j, "pulmonary_dysfunction", p);
    s.pain = Enum<SpinePain>(j, "pain", p);
    s.weeks_of_conservative_care = Number(j, "weeks_of_conservative_care", p, AtLeast(0));
    s.on_analgesics = Bool(j, "on_analgesics", p);
    if (j.contains("red_flags")) s.red_flags_recorded = true;
    Array(j, "red_flags", p, [&](const json& v, const std::string& ip) {
      if (auto f = EnumValue<RedFlag>(v, ip)) s.red_flags.push_back(*f);
    });
  }

  void ReadRecord(const json& j, Patient& pt) {
    const std::string root;
    CheckObject(j, root,
                {"schema",
                 "id",
                 "as_of",
                 "sex",
                 "birth_date",
                 "age_years",
                 "menopausal_status",
                 "weight_kg",
                 "height_cm",
                 "bmd",
                 "frax",
                 "fractures",
                 "labs",
                 "conditions",
                 "medications",
                 "intolerances",
                 "oral_bisphosphonate_barriers",
                 "preferences",
                 "falls",
                 "spine",
                 "dental",
                 "hydration_adequate",
                 "prior_referrals",
                 "deceased",
                 "deceased_date",
                 "breastfeeding"},
                {"id", "sex"});
    if (const json* s = Field(j, "schema"); s && *s != "bonepath.patient/1")
      Add("schema", "schema", fmt::format("must be \"bonepath.patient/1\", got {}", Quote(*s)));
    if (auto id = String(j, "id", root, 1, 128)) pt.id = *id;
    pt.as_of = DateField(j, "as_of", root, /*check_after_as_of=*/false);
    record_as_of_given_ = j.contains("as_of");
    if (auto sex = Enum<Sex>(j, "sex", root)) pt.sex = *sex;
    pt.birth_date = DateField(j, "birth_date", root, /*check_after_as_of=*/false);
    pt.age_years = Number(j, "age_years", root, Between(0, 120));
    pt.menopausal_status = Enum<Menopause>(j, "menopausal_status", root);
    pt.weight_kg = Number(j, "weight_kg", root, AboveUpTo(0, 400));
    pt.height_cm = Number(j, "height_cm", root, AboveUpTo(0, 260));

    Array(j, "bmd", root, [&](const json& b, const std::string& p) {
      if (!CheckObject(b, p, {"date", "site", "t_score", "z_score", "bmd_g_cm2", "lsc_g_cm2"},
                       {"site"}))
        return;
      BmdMeasurement m;
      m.date = DateField(b, "date", p);
      auto site = Enum<BmdSite>(b, "site", p);
      if (auto t = Number(b, "t_score", p, Between(-10, 10))) m.t_score = ToTenths(*t);
      if (auto z = Number(b, "z_score", p, Between(-10, 10))) m.z_score = ToTenths(*z);
      m.bmd_g_cm2 = Number(b, "bmd_g_cm2", p, Between(0, 3));
      m.lsc_g_cm2 = Number(b, "lsc_g_cm2", p, Between(0, 1));
      if (!site) return;
      m.site = *site;
      pt.bmd.push_back(m);
    });

    if (const json* f = Field(j, "frax")) {
      const std::string p = "frax";
      if (CheckObject(
              *f, p,
              {"date", "major_osteoporotic_pct", "hip_pct", "glucocorticoid_adjusted", "model"})) {
        Frax fx;
        fx.date = DateField(*f, "date", p);
        if (auto v = Number(*f, "major_osteoporotic_pct", p, Between(0, 100)))
          fx.major_osteoporotic_pct = ToTenths(*v);
        if (auto v = Number(*f, "hip_pct", p, Between(0, 100))) fx.hip_pct = ToTenths(*v);
        fx.glucocorticoid_adjusted = Bool(*f, "glucocorticoid_adjusted", p);
        if (auto m = String(*f, "model", p)) fx.model = *m;
        pt.frax = fx;
      }
    }

    Array(j, "fractures", root, [&](const json& fr, const std::string& p) {
      if (!CheckObject(
              fr, p,
              {"site", "vertebral_level", "date", "mechanism", "pathologic_suspected", "atypical"},
              {"site"}))
        return;
      Fracture x;
      auto site = Enum<FractureSite>(fr, "site", p);
      if (auto l = String(fr, "vertebral_level", p)) x.vertebral_level = *l;
      x.date = DateField(fr, "date", p);
      if (auto m = Enum<FractureMechanism>(fr, "mechanism", p)) {
        x.mechanism = *m;
        x.mechanism_recorded = true;
      }
      x.pathologic_suspected = Bool(fr, "pathologic_suspected", p);
      x.atypical = Bool(fr, "atypical", p);
      if (!site) return;
      x.site = *site;
      pt.fractures.push_back(std::move(x));
    });

    Array(j, "labs", root, [&](const json& l, const std::string& p) { ReadLab(l, p, pt); });

    Array(j, "conditions", root, [&](const json& c, const std::string& p) {
      if (!CheckObject(c, p, {"code", "onset", "active", "stage"}, {"code"})) return;
      Condition x;
      auto code = Enum<ConditionCode>(c, "code", p);
      x.onset = DateField(c, "onset", p);
      x.active = Bool(c, "active", p).value_or(true);  // schema default
      if (auto s = String(c, "stage", p)) x.stage = *s;
      if (!code) return;
      x.code = *code;
      pt.conditions.push_back(std::move(x));
    });

    Array(j, "medications", root,
          [&](const json& m, const std::string& p) { ReadMedication(m, p, pt); });

    Array(j, "intolerances", root, [&](const json& v, const std::string& p) {
      if (auto i = EnumValue<Intolerance>(v, p)) pt.intolerances.push_back(*i);
    });

    if (const json* b = Field(j, "oral_bisphosphonate_barriers")) {
      const std::string p = "oral_bisphosphonate_barriers";
      if (CheckObject(*b, p,
                      {"cannot_remain_upright_30_60_min", "cannot_follow_dosing_instructions",
                       "adherence_concern"})) {
        auto& x = pt.oral_bisphosphonate_barriers;
        x.cannot_remain_upright_30_60_min = Bool(*b, "cannot_remain_upright_30_60_min", p);
        x.cannot_follow_dosing_instructions = Bool(*b, "cannot_follow_dosing_instructions", p);
        x.adherence_concern = Bool(*b, "adherence_concern", p);
      }
    }
    if (const json* pr = Field(j, "preferences")) {
      if (CheckObject(*pr, "preferences", {"prefers_annual_infusion"}))
        pt.prefers_annual_infusion = Bool(*pr, "prefers_annual_infusion", "preferences");
    }
    if (const json* fa = Field(j, "falls")) {
      if (CheckObject(*fa, "falls", {"count_past_year", "injurious"})) {
        pt.falls.count_past_year = Integer(*fa, "count_past_year", "falls", AtLeast(0));
        pt.falls.injurious = Bool(*fa, "injurious", "falls");
      }
    }
    if (const json* sp = Field(j, "spine")) ReadSpine(*sp, "spine", pt);
    if (const json* d = Field(j, "dental")) {
      if (CheckObject(*d, "dental", {"invasive_procedure_planned", "exam_within_6_months"})) {
        pt.dental.invasive_procedure_planned = Bool(*d, "invasive_procedure_planned", "dental");
        pt.dental.exam_within_6_months = Bool(*d, "exam_within_6_months", "dental");
      }
    }
    pt.hydration_adequate = Bool(j, "hydration_adequate", root);
    Array(j, "prior_referrals", root, [&](const json& r, const std::string& p) {
      if (!CheckObject(r, p, {"to", "date"}, {"to"})) return;
      PriorReferral x;
      auto to = Enum<Destination>(r, "to", p);
      x.date = DateField(r, "date", p);
      if (!to) return;
      x.to = *to;
      pt.prior_referrals.push_back(x);
    });
    pt.deceased = Bool(j, "deceased", root);
    // A date of death after as_of is a retrospective assessment, not a contradiction.
    pt.deceased_date = DateField(j, "deceased_date", root, /*check_after_as_of=*/false);
    if (pt.deceased == false && pt.deceased_date)
      Add("inconsistent", "deceased_date",
          "a date of death is given while deceased is false; give one or the other");
    pt.breastfeeding = Bool(j, "breastfeeding", root);
  }

  bool record_as_of_given() const { return record_as_of_given_; }

 private:
  const KnowledgeBase& kb_;
  std::vector<InputIssue>* issues_;
  Errors errs_;
  std::size_t dropped_ = 0;
  std::vector<DatedField> dated_;
  bool record_as_of_given_ = false;
};

}  // namespace

std::optional<UnitConversion> FindLabUnit(const KnowledgeBase& kb, LabTest test,
                                          std::string_view unit) {
  const std::string_view name = ToString(test);
  const std::string wanted = NormalizeUnit(unit);
  if (wanted.empty()) return std::nullopt;
  for (const auto& lu : kb.lab_units) {
    if (lu.test != name) continue;
    for (const auto& a : lu.accepted)
      if (NormalizeUnit(a.unit) == wanted) return UnitConversion{a.factor, lu.canonical};
  }
  return std::nullopt;
}

std::string AcceptedUnits(const KnowledgeBase& kb, LabTest test) {
  std::string out;
  for (const auto& lu : kb.lab_units) {
    if (lu.test != ToString(test)) continue;
    for (const auto& a : lu.accepted) out += (out.empty() ? "" : ", ") + a.unit;
  }
  return out.empty() ? "none known" : out;
}

Result<Patient> ReadNativePatient(std::string_view json_text, const KnowledgeBase& kb,
                                  std::vector<InputIssue>* issues,
                                  const NativeReadOptions& options) {
  if (json_text.size() > options.max_input_bytes)
    return Error{"too_large", "",
                 fmt::format("input is {} bytes; the limit is {} bytes", json_text.size(),
                             options.max_input_bytes)};
  if (std::all_of(json_text.begin(), json_text.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }))
    return Error{"invalid_json", "", "empty input"};
  if (MaxNesting(json_text) > kMaxNestingDepth)
    return Error{
        "too_large", "",
        fmt::format("nested deeper than {} levels; a patient record nests 3", kMaxNestingDepth)};

  // Exceptions off: malformed input is a value, never a throw.
  const json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{"invalid_json", "", DescribeParseError(json_text)};
  if (!j.is_object())
    return Error{"schema", "",
                 fmt::format("a patient record must be a JSON object, got {}", TypeName(j))};

  Patient pt;
  Reader reader(kb, issues);
  reader.ReadRecord(j, pt);

  if (options.as_of_override) pt.as_of = options.as_of_override;
  // A record as_of that failed to parse is already an error; checking against "today" instead
  // would only add noise.
  std::optional<Date> as_of = pt.as_of;
  if (!as_of && !reader.record_as_of_given())
    as_of = options.today ? *options.today : Date::TodayUtc();
  if (as_of) {
    const std::string ref = as_of->ToString();
    if (pt.birth_date && *pt.birth_date > *as_of)
      reader.Add("inconsistent", "birth_date",
                 fmt::format("{} is after as_of {}", pt.birth_date->ToString(), ref));
    for (const auto& d : reader.dated())
      if (d.date > *as_of)
        reader.Add("inconsistent", d.path,
                   fmt::format("{} is after as_of {}", d.date.ToString(), ref));
    if (pt.deceased_date && *pt.deceased_date > *as_of)
      reader.Issue(
          "deceased_date",
          fmt::format("the date of death is after as_of {}: assessed as of that date", ref),
          Severity::kInfo);
    if (pt.birth_date && pt.age_years && *pt.birth_date <= *as_of) {
      const int computed = CompletedYears(*pt.birth_date, *as_of);
      if (std::fabs(*pt.age_years - computed) >= 1.0)
        reader.Issue("age_years",
                     fmt::format("age_years {} disagrees with birth_date ({} years on {}); "
                                 "birth_date is used",
                                 *pt.age_years, computed, ref),
                     Severity::kWarning);
    }
  }
  if (!reader.errors().empty()) return reader.Finish();
  return pt;
}

}  // namespace bp
