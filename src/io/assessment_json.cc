#include "io/assessment_json.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

namespace bp {
namespace {

using json = nlohmann::ordered_json;  // keep the contract's field order, for people reading it

constexpr std::string_view kDisclaimer =
    "Decision support for health professionals, not a verdict: every statement names the rules "
    "and sources behind it, and the treating clinician decides.";

// Catalogue §0.3.5: computed values are displayed rounded to one decimal.
json Rounded(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(*v * 10.0) / 10.0;
}

json Rules(const RuleIds& ids) {
  json out = json::array();
  for (const auto& r : ids) out.push_back(r);
  return out;
}

json StatementJson(const Statement& s) {
  json o = json::object();
  if (!s.code.empty()) o["code"] = s.code;
  o["text"] = s.text;
  o["rules"] = Rules(s.rules);
  return o;
}

json Statements(const std::vector<Statement>& v) {
  json out = json::array();
  for (const auto& s : v) out.push_back(StatementJson(s));
  return out;
}

json RegimenJson(const Regimen& r) {
  json o = json::object();
  o["agent"] = r.agent;
  if (!r.dose.empty()) o["dose"] = r.dose;
  o["route"] = ToString(r.route);
  if (!r.interval.empty()) o["interval"] = r.interval;
  if (!r.max_duration.empty()) o["max_duration"] = r.max_duration;
  if (!r.rules.empty()) o["rules"] = Rules(r.rules);  // the schema wants at least one when given
  return o;
}

json Regimens(const std::vector<Regimen>& v) {
  json out = json::array();
  for (const auto& r : v) out.push_back(RegimenJson(r));
  return out;
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

json TraceJson(const TraceEntry& t, const KnowledgeBase& kb) {
  json o = json::object();
  o["rule"] = t.rule;
  o["outcome"] = ToString(t.outcome);
  if (!t.because.empty()) o["because"] = t.because;
  json cites = json::array();
  const RuleDef* def = kb.FindRule(t.rule);
  if (def)
    for (const auto& c : def->citations) cites.push_back(c);
  o["citations"] = std::move(cites);
  if (def) {
    if (!def->verification.empty()) o["verification"] = def->verification;
    if (!def->review.status.empty()) o["review_status"] = def->review.status;
  }
  return o;
}

std::string Dump(const json& j, int indent) {
  return j.dump(indent < 0 ? -1 : indent, ' ', false, json::error_handler_t::replace);
}

json ErrorJson(const Error& e) {
  json o = json::object();
  o["code"] = e.code;
  o["path"] = e.path;
  o["message"] = e.message;
  return o;
}

}  // namespace

std::string AssessmentToJson(const Assessment& a, const KnowledgeBase& kb, int indent) {
  json o = json::object();
  o["schema"] = "bonepath.assessment/1";
  o["patient_id"] = a.patient_id;
  o["as_of"] = a.as_of.ToString();

  json k = json::object();
  k["version"] = a.knowledge_version.empty() ? kb.version : a.knowledge_version;
  k["profile"] = a.profile;
  k["review_status"] = ReviewSummary(kb);
  k["disclaimer"] = kDisclaimer;
  o["knowledge"] = std::move(k);

  const Derived& d = a.derived;
  json dj = json::object();
  dj["age_years"] = Rounded(d.age_years);
  dj["bmi_kg_m2"] = Rounded(d.bmi_kg_m2);
  dj["crcl_ml_min"] = Rounded(d.crcl_ml_min);
  dj["egfr_ml_min_1_73m2"] = Rounded(d.egfr_ml_min_1_73m2);
  dj["lowest_t_score"] = Rounded(d.lowest_t_score);
  dj["lowest_t_score_site"] =
      d.lowest_t_score_site ? json(ToString(*d.lowest_t_score_site)) : json(nullptr);
  dj["frax_major_osteoporotic_pct"] = Rounded(d.frax_major_osteoporotic_pct);
  dj["frax_hip_pct"] = Rounded(d.frax_hip_pct);
  dj["corrected_calcium_mg_dl"] = Rounded(d.corrected_calcium_mg_dl);
  dj["vitamin_d_25oh_ng_ml"] = Rounded(d.vitamin_d_25oh_ng_ml);
  dj["prednisone_equivalent_mg_day"] = Rounded(d.prednisone_equivalent_mg_day);
  o["derived"] = std::move(dj);

  json tr = json::object();
  tr["indicated"] = a.treatment_indicated ? json(*a.treatment_indicated) : json(nullptr);
  tr["reasons"] = Statements(a.treatment_reasons);
  o["treatment"] = std::move(tr);
  o["risk_tier"] = ToString(a.risk_tier);

  json th = json::object();
  th["recommended"] = ToString(a.therapy_recommended);
  th["agents"] = Regimens(a.agents);
  th["alternatives"] = Regimens(a.alternatives);
  json avoid = json::array();
  for (const auto& v : a.avoid) {
    json x = json::object();
    x["agent"] = v.agent;
    if (!v.text.empty()) x["text"] = v.text;
    x["rules"] = Rules(v.rules);
    avoid.push_back(std::move(x));
  }
  th["avoid"] = std::move(avoid);
  th["sequence"] = Statements(a.sequence);
  o["therapy"] = std::move(th);

  json za = json::object();
  za["status"] = ToString(a.za_status);
  za["reasons"] = Statements(a.za_reasons);
  json pre = json::array();
  for (const auto& c : a.pre_infusion) {
    json x = json::object();
    x["check"] = ToString(c.check);
    x["status"] = ToString(c.status);
    if (!c.text.empty()) x["text"] = c.text;
    if (!c.rules.empty()) x["rules"] = Rules(c.rules);
    pre.push_back(std::move(x));
  }
  za["pre_infusion"] = std::move(pre);
  json inf = json::object();
  inf["zoledronic_acid"] = std::move(za);
  o["infusion"] = std::move(inf);

  json refs = json::array();
  for (const auto& r : a.referrals) {
    json x = json::object();
    x["to"] = ToString(r.to);
    x["urgency"] = ToString(r.urgency);
    x["reasons"] = Statements(r.reasons);
    refs.push_back(std::move(x));
  }
  o["referrals"] = std::move(refs);

  json warns = json::array();
  for (const auto& w : a.warnings) {
    json x = json::object();
    x["code"] = w.code;
    x["severity"] = ToString(w.severity);
    x["text"] = w.text;
    x["rules"] = Rules(w.rules);
    warns.push_back(std::move(x));
  }
  o["warnings"] = std::move(warns);
  o["monitoring"] = Statements(a.monitoring);
  o["adjuncts"] = Statements(a.adjuncts);
  o["workup"] = Statements(a.workup);

  json missing = json::array();
  for (const auto& m : a.missing_data) {
    json x = json::object();
    x["field"] = m.field;
    x["needed_for"] = m.needed_for;
    missing.push_back(std::move(x));
  }
  o["missing_data"] = std::move(missing);

  json trace = json::array();
  for (const auto& t : a.trace) trace.push_back(TraceJson(t, kb));
  o["trace"] = std::move(trace);

  json issues = json::array();
  for (const auto& i : a.input_issues) {
    json x = json::object();
    x["path"] = i.path;
    x["message"] = i.message;
    x["severity"] = IssueSeverity(i.severity);
    issues.push_back(std::move(x));
  }
  o["input_issues"] = std::move(issues);
  return Dump(o, indent);
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
