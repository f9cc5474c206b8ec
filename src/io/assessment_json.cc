#include "io/assessment_json.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace bp {
namespace {

using json = nlohmann::ordered_json;  // keep the contract's field order, for people reading it

constexpr std::string_view kDisclaimer =
    "Decision support for health professionals, not a verdict: every statement names the rules "
    "and sources behind it, and the treating clinician decides.";

// Catalogue §0.3.5: computed values are displayed rounded to one decimal.
std::optional<double> Rounded(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return std::nullopt;
  return std::round(*v * 10.0) / 10.0;
}

// The length of the well-formed UTF-8 sequence starting at p (lead byte >= 0x80), or 0 when it
// is not well-formed (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above
// U+10FFFF), the sequences nlohmann::json passes through unchanged.
int Utf8Length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  int n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (end - p <= n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (int i = 2; i <= n; ++i)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return n + 1;
}

// Bytes copied as they are: printable ASCII but '"' and '\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

// Writes JSON text as it goes, byte for byte what nlohmann::ordered_json::dump(indent, ' ',
// false, error_handler_t::replace) writes for the same tree (the format the contract's
// consumers and tests already see), without building the tree.
class Writer {
 public:
  Writer(std::string& out, int indent) : out_(out), indent_(indent < 0 ? -1 : indent) {
    if (indent_ >= 0) newline_.assign(1 + 16 * static_cast<size_t>(indent_), ' ');
    if (indent_ >= 0) newline_[0] = '\n';
  }

  void BeginObject() { Open('{', false); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('[', true); }
  void EndArray() { Close(']'); }

  // The key of the next value in the current object.
  // The key of the next value in the current object (the contract's keys: plain ASCII).
  void Key(std::string_view k) {
    Separate();
    out_ += '"';
    out_.append(k);
    out_.append(indent_ >= 0 ? "\": " : "\":");
  }
  void String(std::string_view s) {
    BeforeValue();
    Quoted(s);
    out_ += '"';
  }
  void Null() {
    BeforeValue();
    out_ += "null";
  }
  void Bool(bool b) {
    BeforeValue();
    out_ += b ? "true" : "false";
  }
  void Number(double v) {
    BeforeValue();
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    // nlohmann's own shortest round-trip formatting ("82.0", "34.6"), as dump() uses.
    std::array<char, 64> buf;
    char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
    out_.append(buf.data(), end);
  }
  void Integer(long long v) {
    BeforeValue();
    out_ += std::to_string(v);
  }
  void Number(const std::optional<double>& v) {
    if (v)
      Number(*v);
    else
      Null();
  }

  // Convenience: "key": value.
  void Field(std::string_view k, std::string_view v) {
    Key(k);
    Quoted(v);
    out_ += '"';
  }
  void StringArray(std::string_view k, const RuleIds& ids) {
    Key(k);
    BeginArray();
    for (std::string_view id : ids) String(id);
    EndArray();
  }

 private:
  struct Level {
    bool array = false;
    bool empty = true;
  };

  void Open(char c, bool array) {
    BeforeValue();
    out_ += c;
    levels_.push_back({array, true});
  }
  void Close(char c) {
    const bool empty = levels_.back().empty;
    levels_.pop_back();
    if (!empty && indent_ >= 0) NewLine();
    out_ += c;
  }
  // Before an array element or an object key.
  void Separate() {
    Level& l = levels_.back();
    if (!l.empty) out_ += ',';
    l.empty = false;
    if (indent_ >= 0) NewLine();
  }
  // A line break and the indentation of the current depth.
  void NewLine() {
    const size_t n = 1 + levels_.size() * static_cast<size_t>(indent_);
    if (n <= newline_.size()) {
      out_.append(newline_.data(), n);
    } else {
      out_ += '\n';
      out_.append(n - 1, ' ');
    }
  }
  void BeforeValue() {
    if (!levels_.empty() && levels_.back().array) Separate();
  }
  // Writes '"' and `s` escaped, without the closing quote.
  void Quoted(std::string_view s) {
    const size_t start = out_.size();
    out_ += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    const auto* run = p;  // start of the bytes not yet copied
    while (p < end) {
      const unsigned char c = *p;
      if (kPlain[c]) {
        ++p;
        continue;
      }
      if (c >= 0x80) {
        const int n = Utf8Length(p, end);
        if (n == 0) {
          // Invalid bytes: let nlohmann replace them exactly as it always has (rare).
          out_.resize(start);
          const std::string q =
              nlohmann::ordered_json(std::string(s))
                  .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
          out_.append(q, 0, q.size() - 1);
          return;
        }
        p += n;
        continue;
      }
      out_.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
      ++p;
      run = p;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += kHex[c >> 4];
          out_ += kHex[c & 0xF];
        }
      }
    }
    out_.append(reinterpret_cast<const char*>(run), static_cast<size_t>(end - run));
  }

  std::string& out_;
  int indent_;
  std::string newline_;  // "\n" and 16 levels of indentation
  std::vector<Level> levels_;
};

void WriteStatement(Writer& w, const Statement& s) {
  w.BeginObject();
  if (!s.code.empty()) w.Field("code", s.code);
  w.Field("text", s.text);
  w.StringArray("rules", s.rules);
  w.EndObject();
}

void WriteStatements(Writer& w, std::string_view key, const std::vector<Statement>& v) {
  w.Key(key);
  w.BeginArray();
  for (const auto& s : v) WriteStatement(w, s);
  w.EndArray();
}

void WriteRegimens(Writer& w, std::string_view key, const std::vector<Regimen>& v) {
  w.Key(key);
  w.BeginArray();
  for (const auto& r : v) {
    w.BeginObject();
    w.Field("agent", r.agent);
    if (!r.dose.empty()) w.Field("dose", r.dose);
    w.Field("route", ToString(r.route));
    if (!r.interval.empty()) w.Field("interval", r.interval);
    if (!r.max_duration.empty()) w.Field("max_duration", r.max_duration);
    // The schema wants at least one rule when the field is given.
    if (!r.rules.empty()) w.StringArray("rules", r.rules);
    w.EndObject();
  }
  w.EndArray();
}

// Issues the reader could not act on are "error" in the contract's input_issues vocabulary.
std::string_view IssueSeverity(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "error";
  }
  return "warning";
}

// How far clinicians have reviewed the rules: the knowledge is a draft until they approve it.
std::string ReviewSummary(const KnowledgeBase& kb) {
  std::size_t approved = 0, under_review = 0, submitted = 0, other = 0;
  for (const auto& r : kb.rules) {
    if (r.review.status == "approved")
      ++approved;
    else if (r.review.status == "under_review")
      ++under_review;
    else if (r.review.status == "submitted")
      ++submitted;
    else
      ++other;
  }
  const std::size_t n = kb.rules.size();
  if (n == 0) return "no rules loaded";
  if (submitted == n) return fmt::format("all {} rules submitted, none approved", n);
  if (approved == n) return fmt::format("all {} rules approved", n);
  std::string s = fmt::format("{} of {} rules approved, {} under review, {} submitted", approved, n,
                              under_review, submitted);
  if (other) s += fmt::format(", {} without a review status", other);
  return s;
}

// therapy.current: the courses on record and the decision for each (catalogue §6 COURSE-04).
void WriteCourses(Writer& w, const std::vector<CurrentCourse>& courses) {
  const auto date = [&w](std::string_view key, const std::optional<Date>& d) {
    w.Key(key);
    if (d)
      w.String(d->ToString());
    else
      w.Null();
  };
  w.Key("current");
  w.BeginArray();
  for (const auto& c : courses) {
    w.BeginObject();
    w.Field("agent", ToString(c.agent));
    if (c.route) w.Field("route", ToString(*c.route));
    w.Field("state", ToString(c.state));
    w.Field("decision", ToString(c.decision));
    w.Key("switch_to");
    if (c.switch_to.empty())
      w.Null();
    else
      w.String(c.switch_to);
    w.Key("doses_received");
    if (c.doses_received)
      w.Integer(*c.doses_received);
    else
      w.Null();
    w.Key("doses_source");
    if (c.doses_source)
      w.String(ToString(*c.doses_source));
    else
      w.Null();
    w.Key("cumulative_months");
    w.Number(c.cumulative_months ? std::optional<double>(std::round(*c.cumulative_months * 10) / 10)
                                 : std::nullopt);
    date("start", c.start);
    date("last_dose", c.last_dose);
    date("next_due", c.next_due);
    w.Key("stop_reason");
    if (c.stop_reason)
      w.String(ToString(*c.stop_reason));
    else
      w.Null();
    if (!c.text.empty()) w.Field("text", c.text);
    w.Key("rules");
    w.BeginArray();
    for (auto r : c.rules) w.String(r);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void WriteTrace(Writer& w, const TraceEntry& t, const KnowledgeBase& kb) {
  w.BeginObject();
  w.Field("rule", t.rule);
  w.Field("outcome", ToString(t.outcome));
  if (!t.because.empty()) w.Field("because", t.because);
  const RuleDef* def = kb.FindRule(t.rule);
  w.Key("citations");
  w.BeginArray();
  if (def)
    for (const auto& c : def->citations) w.String(c);
  w.EndArray();
  if (def) {
    if (!def->verification.empty()) w.Field("verification", def->verification);
    if (!def->review.status.empty()) w.Field("review_status", def->review.status);
  }
  w.EndObject();
}

std::string Dump(const json& j, int indent) {
  return j.dump(indent < 0 ? -1 : indent, ' ', false, json::error_handler_t::replace);
}

json ErrorJson(const Error& e) {
  json o = json::object();
  o["code"] = std::string(e.code.name());
  o["path"] = e.path;
  o["message"] = e.message;
  return o;
}

}  // namespace

std::string AssessmentToJson(const Assessment& a, const KnowledgeBase& kb, int indent) {
  std::string out;
  out.reserve(a.trace.size() * 512 + 16384);
  Writer w(out, indent);
  w.BeginObject();
  w.Field("schema", "bonepath.assessment/1");
  w.Field("patient_id", a.patient_id);
  w.Field("as_of", a.as_of.ToString());

  w.Key("knowledge");
  w.BeginObject();
  w.Field("version",
          a.knowledge_version.empty() ? std::string_view(kb.version) : a.knowledge_version);
  w.Field("profile", a.profile);
  w.Field("review_status", ReviewSummary(kb));
  w.Field("disclaimer", kDisclaimer);
  w.EndObject();

  const Derived& d = a.derived;
  w.Key("derived");
  w.BeginObject();
  // Derived numbers are rounded once, here, for every consumer of the JSON.
  const auto rounded = [&w](std::string_view key, const std::optional<double>& v) {
    w.Key(key);
    w.Number(Rounded(v));
  };
  rounded("age_years", d.age_years);
  rounded("bmi_kg_m2", d.bmi_kg_m2);
  rounded("crcl_ml_min", d.crcl_ml_min);
  rounded("egfr_ml_min_1_73m2", d.egfr_ml_min_1_73m2);
  rounded("lowest_t_score", d.lowest_t_score);
  w.Key("lowest_t_score_site");
  if (d.lowest_t_score_site)
    w.String(ToString(*d.lowest_t_score_site));
  else
    w.Null();
  rounded("frax_major_osteoporotic_pct", d.frax_major_osteoporotic_pct);
  rounded("frax_hip_pct", d.frax_hip_pct);
  rounded("corrected_calcium_mg_dl", d.corrected_calcium_mg_dl);
  rounded("vitamin_d_25oh_ng_ml", d.vitamin_d_25oh_ng_ml);
  rounded("prednisone_equivalent_mg_day", d.prednisone_equivalent_mg_day);
  w.EndObject();

  w.Key("treatment");
  w.BeginObject();
  w.Key("indicated");
  if (a.treatment_indicated)
    w.Bool(*a.treatment_indicated);
  else
    w.Null();
  WriteStatements(w, "reasons", a.treatment_reasons);
  w.EndObject();
  w.Field("risk_tier", ToString(a.risk_tier));

  w.Key("therapy");
  w.BeginObject();
  w.Field("recommended", ToString(a.therapy_recommended));
  WriteRegimens(w, "agents", a.agents);
  WriteRegimens(w, "alternatives", a.alternatives);
  w.Key("avoid");
  w.BeginArray();
  for (const auto& v : a.avoid) {
    w.BeginObject();
    w.Field("agent", v.agent);
    if (!v.text.empty()) w.Field("text", v.text);
    w.StringArray("rules", v.rules);
    w.EndObject();
  }
  w.EndArray();
  WriteStatements(w, "sequence", a.sequence);
  if (!a.current.empty()) WriteCourses(w, a.current);
  w.EndObject();

  w.Key("infusion");
  w.BeginObject();
  w.Key("zoledronic_acid");
  w.BeginObject();
  w.Field("status", ToString(a.za_status));
  WriteStatements(w, "reasons", a.za_reasons);
  w.Key("pre_infusion");
  w.BeginArray();
  for (const auto& c : a.pre_infusion) {
    w.BeginObject();
    w.Field("check", ToString(c.check));
    w.Field("status", ToString(c.status));
    if (!c.text.empty()) w.Field("text", c.text);
    if (!c.rules.empty()) w.StringArray("rules", c.rules);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();

  w.Key("referrals");
  w.BeginArray();
  for (const auto& r : a.referrals) {
    w.BeginObject();
    w.Field("to", ToString(r.to));
    w.Field("urgency", ToString(r.urgency));
    WriteStatements(w, "reasons", r.reasons);
    w.EndObject();
  }
  w.EndArray();

  w.Key("warnings");
  w.BeginArray();
  for (const auto& x : a.warnings) {
    w.BeginObject();
    w.Field("code", x.code);
    w.Field("severity", ToString(x.severity));
    w.Field("text", x.text);
    w.StringArray("rules", x.rules);
    w.EndObject();
  }
  w.EndArray();
  WriteStatements(w, "monitoring", a.monitoring);
  WriteStatements(w, "adjuncts", a.adjuncts);
  WriteStatements(w, "workup", a.workup);

  w.Key("missing_data");
  w.BeginArray();
  for (const auto& m : a.missing_data) {
    w.BeginObject();
    w.Field("field", m.field);
    w.Field("needed_for", m.needed_for);
    w.EndObject();
  }
  w.EndArray();

  w.Key("trace");
  w.BeginArray();
  for (const auto& t : a.trace) WriteTrace(w, t, kb);
  w.EndArray();

  w.Key("input_issues");
  w.BeginArray();
  for (const auto& i : a.input_issues) {
    w.BeginObject();
    w.Field("path", i.path);
    w.Field("message", i.message);
    w.Field("severity", IssueSeverity(i.severity));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

std::string ErrorsToJson(const Errors& errors, int indent) {
  json all = json::array();
  for (const auto& e : errors) all.push_back(ErrorJson(e));
  if (all.empty()) all.push_back(ErrorJson({"internal", "", "unspecified error"}));
  json o = json::object();
  o["error"] = all.front();
  o["errors"] = std::move(all);
  return Dump(o, indent);
}

std::string FormatErrorsForStderr(std::string_view file, const Errors& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += file;
    out += ": ";
    if (!e.path.empty()) {
      out += e.path;
      out += ": ";
    }
    out += e.message;
    out += '\n';
  }
  return out;
}

}  // namespace bp
