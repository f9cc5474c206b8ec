#include "io/native_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <string>

#include "common/json.h"

namespace bp {
namespace {

using simdjson::dom::element;
namespace jp = jsonparse;

// Input values quoted back in messages are cut so that a huge string cannot flood stderr.
constexpr std::size_t kMaxQuotedBytes = 80;
constexpr std::size_t kMaxErrors = 500;

// The offending value as JSON text, cut on a UTF-8 boundary.
std::string Quote(element j) { return jp::Quote(j, kMaxQuotedBytes); }
std::string Quote(std::string_view s) { return jp::QuoteString(s, kMaxQuotedBytes); }

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// The path of a field named by the input itself (an unknown key): plain when it is an
// identifier, else bracketed and JSON-quoted (jsonparse::JoinKey), so that a key holding control
// characters or megabytes cannot corrupt the one-line-per-error stderr format.
std::string JoinInputKey(const std::string& path, std::string_view key) {
  return jp::JoinKey(path, key);
}
std::string Index(const std::string& path, std::size_t i) { return jp::JoinIndex(path, i); }

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
  bool CheckObject(element j, const std::string& path,
                   std::initializer_list<std::string_view> allowed,
                   std::initializer_list<std::string_view> required = {}) {
    simdjson::dom::object o;
    if (j.get(o) != simdjson::SUCCESS) {
      Add("schema", path, fmt::format("expected an object, got {}", jp::TypeName(j)));
      return false;
    }
    for (auto field : o) {
      const std::string_view key = field.key;
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
          if (a.starts_with(key) || key.starts_with(a)) {
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
      if (o.at_key(r).error() != simdjson::SUCCESS)
        Add("schema", Join(path, r), "required field is missing");
    return true;
  }

  // The member `key` of `obj`; nullopt when absent or when `obj` is not an object.
  std::optional<element> Field(element obj, std::string_view key) {
    element v;
    if (obj.at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
    return v;
  }

  std::optional<std::string> String(element obj, std::string_view key, const std::string& path,
                                    std::size_t min_len = 0, std::size_t max_len = SIZE_MAX) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    const std::string p = Join(path, key);
    std::string_view s;
    if (v->get(s) != simdjson::SUCCESS) {
      Add("schema", p, fmt::format("expected a string, got {}", jp::TypeName(*v)));
      return std::nullopt;
    }
    const std::size_t n = CodePoints(s);
    if (n < min_len) {
      Add("schema", p, fmt::format("must be at least {} character(s) long", min_len));
      return std::nullopt;
    }
    if (n > max_len) {
      Add("schema", p, fmt::format("must be at most {} characters long, got {}", max_len, n));
      return std::nullopt;
    }
    return std::string(s);
  }

  std::optional<double> Number(element obj, std::string_view key, const std::string& path,
                               const Bounds& b = {}) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    return NumberValue(*v, Join(path, key), b);
  }

  std::optional<double> NumberValue(element v, const std::string& p, const Bounds& b) {
    if (!v.is_number()) {
      Add("schema", p, fmt::format("expected a number, got {}", jp::TypeName(v)));
      return std::nullopt;
    }
    double x = 0;
    if (v.get_double().get(x) != simdjson::SUCCESS || !std::isfinite(x)) {
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
  std::optional<int> Integer(element obj, std::string_view key, const std::string& path,
                             const Bounds& b = {}) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    const std::string p = Join(path, key);
    if (!v->is_number()) {
      Add("schema", p, fmt::format("expected an integer, got {}", jp::TypeName(*v)));
      return std::nullopt;
    }
    double x = 0;
    if (v->get_double().get(x) != simdjson::SUCCESS || !std::isfinite(x) || std::floor(x) != x) {
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

  std::optional<bool> Bool(element obj, std::string_view key, const std::string& path) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    bool b = false;
    if (v->get(b) != simdjson::SUCCESS) {
      Add("schema", Join(path, key),
          fmt::format("expected true or false, got {}", jp::TypeName(*v)));
      return std::nullopt;
    }
    return b;
  }

  template <typename E>
  std::optional<E> EnumValue(element v, const std::string& p) {
    std::string_view s;
    if (v.get(s) == simdjson::SUCCESS) {
      if (auto e = Parse<E>(s)) return e;
    }
    Add("schema", p, fmt::format("{} is not one of: {}", Quote(v), AllowedList<E>()));
    return std::nullopt;
  }

  template <typename E>
  std::optional<E> Enum(element obj, std::string_view key, const std::string& path) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    return EnumValue<E>(*v, Join(path, key));
  }

  // A date field; remembered for the after-as_of check unless `check_after_as_of` is false.
  std::optional<Date> DateField(element obj, std::string_view key, const std::string& path,
                                bool check_after_as_of = true) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return std::nullopt;
    return DateAt(*v, Join(path, key), check_after_as_of);
  }

  // A date value at path `p` (a field or an array element).
  std::optional<Date> DateAt(element jv, const std::string& p, bool check_after_as_of = true) {
    const std::optional<element> v = jv;
    std::string_view s;
    if (v->get(s) != simdjson::SUCCESS) {
      Add("schema", p, fmt::format("expected a date string YYYY-MM-DD, got {}", jp::TypeName(*v)));
      return std::nullopt;
    }
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
  void Array(element obj, std::string_view key, const std::string& path, F each) {
    const std::optional<element> v = Field(obj, key);
    if (!v) return;
    const std::string p = Join(path, key);
    simdjson::dom::array a;
    if (v->get(a) != simdjson::SUCCESS) {
      Add("schema", p, fmt::format("expected an array, got {}", jp::TypeName(*v)));
      return;
    }
    std::size_t i = 0;
    for (element x : a) each(x, Index(p, i++));
  }

  void ReadLab(element j, const std::string& p, Patient& pt) {
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
          fmt::format("{} is not a unit for {} (accepted: {})", Quote(*unit), ToString(*test),
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

  void ReadMedication(element j, const std::string& p, Patient& pt) {
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
    Array(j, "dose_dates", p, [&](element v, const std::string& ip) {
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

  void ReadSpine(element j, const std::string& p, Patient& pt) {
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
    if (Field(j, "red_flags")) s.red_flags_recorded = true;
    Array(j, "red_flags", p, [&](element v, const std::string& ip) {
      if (auto f = EnumValue<RedFlag>(v, ip)) s.red_flags.push_back(*f);
    });
  }

  void ReadRecord(element j, Patient& pt) {
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
    std::string_view schema;
    if (auto s = Field(j, "schema");
        s && (s->get(schema) != simdjson::SUCCESS || schema != "bonepath.patient/1"))
      Add("schema", "schema", fmt::format("must be \"bonepath.patient/1\", got {}", Quote(*s)));
    if (auto id = String(j, "id", root, 1, 128)) pt.id = *id;
    pt.as_of = DateField(j, "as_of", root, /*check_after_as_of=*/false);
    record_as_of_given_ = Field(j, "as_of").has_value();
    if (auto sex = Enum<Sex>(j, "sex", root)) pt.sex = *sex;
    pt.birth_date = DateField(j, "birth_date", root, /*check_after_as_of=*/false);
    pt.age_years = Number(j, "age_years", root, Between(0, 120));
    pt.menopausal_status = Enum<Menopause>(j, "menopausal_status", root);
    pt.weight_kg = Number(j, "weight_kg", root, AboveUpTo(0, 400));
    pt.height_cm = Number(j, "height_cm", root, AboveUpTo(0, 260));

    Array(j, "bmd", root, [&](element b, const std::string& p) {
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

    if (auto f = Field(j, "frax")) {
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

    Array(j, "fractures", root, [&](element fr, const std::string& p) {
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

    Array(j, "labs", root, [&](element l, const std::string& p) { ReadLab(l, p, pt); });

    Array(j, "conditions", root, [&](element c, const std::string& p) {
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
          [&](element m, const std::string& p) { ReadMedication(m, p, pt); });

    Array(j, "intolerances", root, [&](element v, const std::string& p) {
      if (auto i = EnumValue<Intolerance>(v, p)) pt.intolerances.push_back(*i);
    });

    if (auto b = Field(j, "oral_bisphosphonate_barriers")) {
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
    if (auto pr = Field(j, "preferences")) {
      if (CheckObject(*pr, "preferences", {"prefers_annual_infusion"}))
        pt.prefers_annual_infusion = Bool(*pr, "prefers_annual_infusion", "preferences");
    }
    if (auto fa = Field(j, "falls")) {
      if (CheckObject(*fa, "falls", {"count_past_year", "injurious"})) {
        pt.falls.count_past_year = Integer(*fa, "count_past_year", "falls", AtLeast(0));
        pt.falls.injurious = Bool(*fa, "injurious", "falls");
      }
    }
    if (auto sp = Field(j, "spine")) ReadSpine(*sp, "spine", pt);
    if (auto d = Field(j, "dental")) {
      if (CheckObject(*d, "dental", {"invasive_procedure_planned", "exam_within_6_months"})) {
        pt.dental.invasive_procedure_planned = Bool(*d, "invasive_procedure_planned", "dental");
        pt.dental.exam_within_6_months = Bool(*d, "exam_within_6_months", "dental");
      }
    }
    pt.hydration_adequate = Bool(j, "hydration_adequate", root);
    Array(j, "prior_referrals", root, [&](element r, const std::string& p) {
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
  // Size, byte-order mark, nesting, syntax and duplicate keys: the one JSON layer.
  jp::Parser parser(jp::Limits{.max_bytes = options.max_input_bytes, .max_depth = jp::kMaxDepth});
  auto parsed = parser.Parse(json_text);
  if (!parsed) return parsed.errors();
  const element j = *parsed;
  if (!j.is_object())
    return Error{"schema", "",
                 fmt::format("a patient record must be a JSON object, got {}", jp::TypeName(j))};

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
