// The three human-readable formats are emitted from one document model built here, so that
// text, Markdown and HTML always say the same thing in the same order; only the markup differs.
#include "io/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "io/render_util.h"

namespace bp {
namespace {

using render::HtmlEscape;
using render::HtmlId;
using render::Label;
using render::MdCode;
using render::MdEscape;
using render::OneLine;

enum class Tone { kNormal, kGood, kCaution, kAlert, kMuted };

// One statement of the rendering: "label: [code] text [rules]". depth 1 items belong to the
// depth 0 item before them.
struct Item {
  std::string label;
  std::string code;
  std::string text;
  RuleIds rules;
  Tone tone = Tone::kNormal;
  int depth = 0;
};

struct Section {
  std::string key;  // HTML anchor
  std::string title;
  std::vector<Item> items;
  std::string when_empty;  // shown when there are no items; the section is omitted if empty
};

struct Doc {
  std::string patient_id;
  std::string as_of;
  std::string version;
  std::string profile;
  std::string review;
  Section decision;
  std::vector<Section> sections;
  std::vector<std::string> applied;       // rule ids, trace order then first mention
  std::vector<std::string> insufficient;  // rules the engine could not evaluate
};

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string RegimenText(const Regimen& r) {
  std::vector<std::string> parts = {r.dose, Label(r.route), r.interval};
  if (!r.max_duration.empty()) parts.push_back("duration: " + r.max_duration);
  return render::Humanize(r.agent) + ": " + Join(parts, ", ");
}

Tone IndicatedTone(const std::optional<bool>& ind) {
  if (!ind) return Tone::kCaution;
  return *ind ? Tone::kCaution : Tone::kGood;
}

Tone TierTone(RiskTier t) {
  switch (t) {
    case RiskTier::kVeryHigh:
      return Tone::kAlert;
    case RiskTier::kHigh:
      return Tone::kCaution;
    case RiskTier::kNotIndicated:
      return Tone::kGood;
    case RiskTier::kIndeterminate:
      return Tone::kCaution;
  }
  return Tone::kNormal;
}

Tone ZaTone(ZaStatus s) {
  switch (s) {
    case ZaStatus::kEligible:
      return Tone::kGood;
    case ZaStatus::kContraindicated:
      return Tone::kAlert;
    case ZaStatus::kNotIndicated:
      return Tone::kMuted;
    default:
      return Tone::kCaution;
  }
}

Tone CheckTone(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return Tone::kGood;
    case CheckStatus::kFail:
      return Tone::kAlert;
    case CheckStatus::kUnknown:
      return Tone::kCaution;
    case CheckStatus::kAdvice:
      return Tone::kMuted;
  }
  return Tone::kNormal;
}

Tone SeverityTone(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return Tone::kAlert;
    case Severity::kWarning:
      return Tone::kCaution;
    case Severity::kInfo:
      return Tone::kNormal;
  }
  return Tone::kNormal;
}

void AddStatements(std::vector<Item>& out, const std::vector<Statement>& stmts, int depth) {
  for (const auto& s : stmts) out.push_back({"", "", s.text, s.rules, Tone::kNormal, depth});
}

Section DecisionSection(const Assessment& a) {
  Section s{"decision", "Decision", {}, ""};
  auto& it = s.items;
  std::string indicated = render::IndicatedLabel(a.treatment_indicated);
  if (!a.treatment_indicated)
    indicated +=
        " (the data on record cannot decide, or the patient is outside the populations "
        "the thresholds were made for)";
  it.push_back({"Treatment indicated", "", indicated, {}, IndicatedTone(a.treatment_indicated), 0});
  AddStatements(it, a.treatment_reasons, 1);
  it.push_back({"Risk tier", "", Label(a.risk_tier), {}, TierTone(a.risk_tier), 0});

  it.push_back({"Recommended therapy", "", Label(a.therapy_recommended), {}, Tone::kNormal, 0});
  for (size_t i = 0; i < a.agents.size(); ++i)
    it.push_back({i == 0 ? "Preferred regimen" : "Regimen", "", RegimenText(a.agents[i]),
                  a.agents[i].rules, Tone::kNormal, 1});
  for (const auto& r : a.alternatives)
    it.push_back({"Alternative", "", RegimenText(r), r.rules, Tone::kNormal, 1});
  for (const auto& v : a.avoid)
    it.push_back({"Avoid " + render::Humanize(v.agent), "", v.text, v.rules, Tone::kAlert, 1});

  it.push_back({"Zoledronic acid infusion", "", Label(a.za_status), {}, ZaTone(a.za_status), 0});
  AddStatements(it, a.za_reasons, 1);
  // What to correct first, then what to obtain, then what passed, then advice: the order a
  // clinician acts on.
  static constexpr CheckStatus kOrder[] = {CheckStatus::kFail, CheckStatus::kUnknown,
                                           CheckStatus::kPass, CheckStatus::kAdvice};
  for (CheckStatus want : kOrder)
    for (const auto& c : a.pre_infusion)
      if (c.status == want)
        it.push_back({Label(c.status, c.check) + ": " + Label(c.check), "", c.text, c.rules,
                      CheckTone(c.status), 1});
  return s;
}

Section ReferralSection(const Assessment& a) {
  Section s{"referrals", "Referrals", {}, "No referral suggested by the rules."};
  std::vector<const Referral*> refs;
  for (const auto& r : a.referrals) refs.push_back(&r);
  std::stable_sort(refs.begin(), refs.end(),
                   [](const Referral* x, const Referral* y) { return x->urgency > y->urgency; });
  for (const Referral* r : refs) {
    const Tone tone = r->urgency == Urgency::kImmediate ? Tone::kAlert
                      : r->urgency == Urgency::kUrgent  ? Tone::kCaution
                                                        : Tone::kNormal;
    s.items.push_back({Label(r->to), "", Label(r->urgency), {}, tone, 0});
    AddStatements(s.items, r->reasons, 1);
  }
  return s;
}

Section WarningSection(const Assessment& a) {
  Section s{"warnings", "Warnings", {}, "No warning raised."};
  std::vector<const Warning*> ws;
  for (const auto& w : a.warnings) ws.push_back(&w);
  std::stable_sort(ws.begin(), ws.end(),
                   [](const Warning* x, const Warning* y) { return x->severity > y->severity; });
  for (const Warning* w : ws)
    s.items.push_back(
        {Label(w->severity), w->code, w->text, w->rules, SeverityTone(w->severity), 0});
  return s;
}

Section StatementSection(std::string key, std::string title, const std::vector<Statement>& stmts) {
  Section s{std::move(key), std::move(title), {}, ""};
  AddStatements(s.items, stmts, 0);
  return s;
}

std::string Fixed1(double v) { return fmt::format("{:.1f}", v); }

Section ValuesSection(const Assessment& a) {
  Section s{"values", "Values used", {}, ""};
  const Derived& d = a.derived;
  auto add = [&](const char* label, const std::optional<double>& v, const char* unit,
                 int decimals = 1) {
    if (v)
      s.items.push_back(
          {label, "", fmt::format("{:.{}f}", *v, decimals) + unit, {}, Tone::kNormal, 0});
  };
  add("Age", d.age_years, " years");
  add("BMI", d.bmi_kg_m2, " kg/m²");
  add("Creatinine clearance (Cockcroft-Gault)", d.crcl_ml_min, " mL/min");
  add("eGFR", d.egfr_ml_min_1_73m2, " mL/min/1.73 m²");
  if (d.lowest_t_score) {
    std::string t = Fixed1(*d.lowest_t_score);
    if (d.lowest_t_score_site) t += " (" + render::Humanize(ToString(*d.lowest_t_score_site)) + ")";
    s.items.push_back({"Lowest T-score", "", t, {}, Tone::kNormal, 0});
  }
  add("FRAX major osteoporotic fracture", d.frax_major_osteoporotic_pct, " %");
  add("FRAX hip fracture", d.frax_hip_pct, " %");
  // Two decimals, as the calcium checks say it: 10.24 against an upper limit of 10.2 must not
  // read "10.2" here (CONV-ROUNDING).
  add("Corrected calcium", d.corrected_calcium_mg_dl, " mg/dL", 2);
  add("25-OH vitamin D", d.vitamin_d_25oh_ng_ml, " ng/mL");
  add("Glucocorticoid dose (prednisone equivalent)", d.prednisone_equivalent_mg_day, " mg/day");
  return s;
}

void NoteRules(const std::vector<Item>& items, std::vector<std::string>& order,
               std::set<std::string>& seen) {
  for (const auto& i : items)
    for (const auto& r : i.rules)
      if (seen.emplace(r).second) order.emplace_back(r);
}

Doc BuildDoc(const Assessment& a, const KnowledgeBase& kb) {
  Doc d;
  d.patient_id = a.patient_id;
  d.as_of = a.as_of.ToString();
  d.version = a.knowledge_version.empty() ? kb.version : a.knowledge_version;
  d.profile = a.profile.empty() ? "us-composite" : a.profile;
  d.review = render::SummarizeReview(kb).sentence;
  d.decision = DecisionSection(a);
  d.sections.push_back(ReferralSection(a));
  d.sections.push_back(WarningSection(a));
  d.sections.push_back(StatementSection("sequence", "What must follow", a.sequence));
  d.sections.push_back(StatementSection("monitoring", "Monitoring", a.monitoring));
  d.sections.push_back(StatementSection("adjuncts", "Supportive measures", a.adjuncts));
  d.sections.push_back(StatementSection("workup", "Work-up", a.workup));
  Section missing{"missing", "Missing data", {}, "Nothing the rules need is missing."};
  for (const auto& m : a.missing_data)
    missing.items.push_back({"", m.field, "needed for " + m.needed_for, {}, Tone::kCaution, 0});
  d.sections.push_back(std::move(missing));
  Section issues{"input-issues", "Input issues", {}, ""};
  for (const auto& i : a.input_issues) {
    const std::string sev = i.severity == Severity::kCritical ? "error" : Label(i.severity);
    issues.items.push_back({sev, i.path, i.message, {}, SeverityTone(i.severity), 0});
  }
  d.sections.push_back(std::move(issues));
  d.sections.push_back(ValuesSection(a));

  std::set<std::string> seen;
  for (const auto& t : a.trace)
    if (t.outcome == Outcome::kFired && seen.insert(t.rule).second) d.applied.push_back(t.rule);
  NoteRules(d.decision.items, d.applied, seen);
  for (const auto& s : d.sections) NoteRules(s.items, d.applied, seen);
  for (const auto& t : a.trace)
    if (t.outcome == Outcome::kInsufficientData) d.insufficient.push_back(t.rule);
  return d;
}

// "[V2, submitted]" for a rule; empty brackets never appear.
std::string MarkAndStatus(const RuleDef& r) {
  return "[" +
         Join({r.verification, r.review.status.empty() ? "not reviewed" : r.review.status}, ", ") +
         "]";
}

// ---------------------------------------------------------------------------------------------
// Plain text.

class Ansi {
 public:
  explicit Ansi(bool on) : on_(on) {}
  std::string Wrap(std::string_view s, Tone t) const {
    if (!on_) return std::string(s);
    const char* code = nullptr;
    switch (t) {
      case Tone::kGood:
        code = "\x1b[32m";
        break;
      case Tone::kCaution:
        code = "\x1b[1;33m";
        break;
      case Tone::kAlert:
        code = "\x1b[1;31m";
        break;
      case Tone::kMuted:
        code = "\x1b[2m";
        break;
      case Tone::kNormal:
        return std::string(s);
    }
    return code + std::string(s) + "\x1b[0m";
  }
  std::string Bold(std::string_view s) const {
    return on_ ? "\x1b[1m" + std::string(s) + "\x1b[0m" : std::string(s);
  }
  std::string Dim(std::string_view s) const {
    return on_ ? "\x1b[2m" + std::string(s) + "\x1b[0m" : std::string(s);
  }

 private:
  bool on_;
};

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::string TextRules(const RuleIds& rules, const Ansi& c) {
  if (rules.empty()) return "";
  std::vector<std::string> ids;
  for (const auto& r : rules) ids.push_back(OneLine(r));
  return " " + c.Dim("[" + Join(ids, ", ") + "]");
}

std::string TextItem(const Item& i, bool bullet_top, const Ansi& c) {
  std::string line = i.depth == 0 ? (bullet_top ? "  - " : "  ") : "      - ";
  std::string body;
  if (!i.label.empty()) body += c.Wrap(OneLine(i.label), i.tone) + ": ";
  if (!i.code.empty()) body += c.Bold(OneLine(i.code)) + ": ";
  body += i.label.empty() && i.code.empty() ? c.Wrap(OneLine(i.text), i.tone) : OneLine(i.text);
  return line + body + TextRules(i.rules, c) + "\n";
}

std::string TextSection(const Section& s, bool bullet_top, const Ansi& c) {
  if (s.items.empty() && s.when_empty.empty()) return "";
  std::string out = "\n" + c.Bold(Upper(s.title)) + "\n";
  if (s.items.empty()) out += "  " + s.when_empty + "\n";
  for (const auto& i : s.items) out += TextItem(i, bullet_top, c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown.

std::string MdRules(const RuleIds& rules) {
  if (rules.empty()) return "";
  std::vector<std::string> ids;
  for (const auto& r : rules) ids.push_back(MdCode(r));
  return " (rules " + Join(ids, ", ") + ")";
}

std::string MdItem(const Item& i) {
  std::string out = i.depth == 0 ? "- " : "  - ";
  if (!i.label.empty()) out += "**" + MdEscape(i.label) + ":** ";
  if (!i.code.empty()) out += MdCode(i.code) + ": ";
  out += MdEscape(i.text) + MdRules(i.rules) + "\n";
  return out;
}

std::string MdSection(const Section& s) {
  if (s.items.empty() && s.when_empty.empty()) return "";
  std::string out = "\n## " + MdEscape(s.title) + "\n\n";
  if (s.items.empty()) out += MdEscape(s.when_empty) + "\n";
  for (const auto& i : s.items) out += MdItem(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTML.

std::string ToneClass(Tone t) {
  switch (t) {
    case Tone::kGood:
      return "tone-good";
    case Tone::kCaution:
      return "tone-caution";
    case Tone::kAlert:
      return "tone-alert";
    case Tone::kMuted:
      return "muted";
    case Tone::kNormal:
      return "";
  }
  return "";
}

std::string HtmlRules(const RuleIds& rules) {
  if (rules.empty()) return "";
  std::vector<std::string> links;
  for (const auto& r : rules)
    links.push_back("<a href=\"#" + HtmlId("rule-", r) + "\">" + HtmlEscape(r) + "</a>");
  return " <span class=\"rules\">[" + Join(links, ", ") + "]</span>";
}

std::string HtmlSpan(std::string_view text, Tone t) {
  const std::string cls = ToneClass(t);
  if (cls.empty()) return HtmlEscape(text);
  return "<span class=\"" + cls + "\">" + HtmlEscape(text) + "</span>";
}

std::string HtmlItemBody(const Item& i) {
  std::string out;
  if (!i.label.empty()) out += "<b>" + HtmlSpan(i.label, i.tone) + ":</b> ";
  if (!i.code.empty()) out += "<span class=\"code\">" + HtmlEscape(i.code) + "</span>: ";
  out += (i.label.empty() && i.code.empty()) ? HtmlSpan(i.text, i.tone) : HtmlEscape(i.text);
  return out + HtmlRules(i.rules);
}

// Items as a two-level list: depth 1 items nest under the depth 0 item before them.
std::string HtmlList(const std::vector<Item>& items) {
  std::string out = "<ul>\n";
  bool li_open = false, sub_open = false;
  for (const auto& i : items) {
    if (i.depth == 0) {
      if (sub_open) out += "</ul>";
      if (li_open) out += "</li>\n";
      sub_open = false;
      out += "<li>" + HtmlItemBody(i);
      li_open = true;
    } else {
      if (!li_open) {
        out += "<li>";
        li_open = true;
      }
      if (!sub_open) out += "\n<ul>\n";
      sub_open = true;
      out += "<li>" + HtmlItemBody(i) + "</li>\n";
    }
  }
  if (sub_open) out += "</ul>";
  if (li_open) out += "</li>\n";
  return out + "</ul>\n";
}

std::string HtmlDecision(const Section& s) {
  std::string out = "<section class=\"decision\" id=\"decision\">\n<h2>Decision</h2>\n<dl>\n";
  std::vector<Item> sub;
  auto flush = [&] {
    if (!sub.empty()) {
      for (auto& i : sub) i.depth = 0;
      out += HtmlList(sub);
    }
    sub.clear();
  };
  bool dd_open = false;
  for (const auto& i : s.items) {
    if (i.depth == 0) {
      flush();
      if (dd_open) out += "</dd>\n";
      out += "<dt>" + HtmlEscape(i.label) + "</dt>\n<dd>" + HtmlSpan(i.text, i.tone) +
             HtmlRules(i.rules);
      dd_open = true;
    } else {
      sub.push_back(i);
    }
  }
  flush();
  if (dd_open) out += "</dd>\n";
  return out + "</dl>\n</section>\n";
}

std::string HtmlSection(const Section& s) {
  if (s.items.empty() && s.when_empty.empty()) return "";
  std::string out =
      "<section id=\"" + HtmlId("", s.key) + "\">\n<h2>" + HtmlEscape(s.title) + "</h2>\n";
  if (s.items.empty())
    out += "<p class=\"muted\">" + HtmlEscape(s.when_empty) + "</p>\n";
  else
    out += HtmlList(s.items);
  return out + "</section>\n";
}

std::string HtmlAppendix(const Doc& d, const KnowledgeBase& kb) {
  std::string out =
      "<section class=\"appendix\" id=\"rules\">\n<h2>Appendix: rules cited</h2>\n"
      "<p class=\"muted\">Each rule as held in the knowledge base, with its verification mark "
      "(how closely its source text was checked) and its clinical-review status.</p>\n";
  for (const auto& id : d.applied) {
    out += "<div class=\"rule\" id=\"" + HtmlId("rule-", id) + "\">\n";
    const RuleDef* r = kb.FindRule(id);
    if (r == nullptr) {
      out += "<p><span class=\"rule-id\">" + HtmlEscape(id) +
             "</span> <i>not in the knowledge base of this build</i></p>\n</div>\n";
      continue;
    }
    out += "<p><span class=\"rule-id\">" + HtmlEscape(r->id) + "</span> " + HtmlEscape(r->title) +
           "</p>\n";
    out += "<p>" + HtmlEscape(r->statement) + "</p>\n";
    out += "<p>Verification: <span class=\"mark\">" + HtmlEscape(r->verification) + "</span> " +
           HtmlEscape(render::VerificationMeaning(r->verification));
    if (!r->verification_note.empty()) out += ". " + HtmlEscape(r->verification_note);
    out += "</p>\n";
    out += "<p>Clinical review: " +
           HtmlEscape(r->review.status.empty() ? "not reviewed" : r->review.status);
    if (!r->review.reviewers.empty())
      out += "; reviewers: " + HtmlEscape(Join(r->review.reviewers, ", "));
    if (!r->review.last_updated.empty())
      out += "; last updated " + HtmlEscape(r->review.last_updated);
    out += "</p>\n";
    if (!r->citations.empty()) {
      out += "<ol class=\"citations\">\n";
      for (const auto& c : r->citations) out += "<li>" + render::HtmlCitation(kb, c) + "</li>\n";
      out += "</ol>\n";
    }
    out += "</div>\n";
  }
  if (d.applied.empty()) out += "<p class=\"muted\">No rule was cited.</p>\n";
  return out + "</section>\n";
}

}  // namespace

std::string RenderText(const Assessment& a, const KnowledgeBase& kb, bool color) {
  const Doc d = BuildDoc(a, kb);
  const Ansi c(color);
  std::string out = c.Bold("bonepath assessment") + ": " + std::string(render::kDisclaimer) + "\n";
  out += "Patient " + OneLine(d.patient_id) + "  |  as of " + d.as_of + "  |  knowledge " +
         OneLine(d.version) + ", profile " + OneLine(d.profile) + "\n";
  out += c.Dim(d.review) + "\n";
  out += TextSection(d.decision, /*bullet_top=*/false, c);
  for (const auto& s : d.sections) out += TextSection(s, /*bullet_top=*/true, c);

  out += "\n" + c.Bold("RULES APPLIED") + "\n";
  if (d.applied.empty()) out += "  none\n";
  for (const auto& id : d.applied) {
    const RuleDef* r = kb.FindRule(id);
    if (r == nullptr) {
      out += "  " + OneLine(id) + " (not in the knowledge base of this build)\n";
      continue;
    }
    out += "  " + c.Bold(OneLine(r->id)) + " — " + OneLine(r->title) + " " + MarkAndStatus(*r);
    if (!r->citations.empty()) out += " — " + c.Dim(Join(r->citations, "; "));
    out += "\n";
  }
  if (!d.insufficient.empty())
    out += "  Not evaluated for lack of data: " + OneLine(Join(d.insufficient, ", ")) + "\n";
  return out;
}

std::string RenderMarkdown(const Assessment& a, const KnowledgeBase& kb) {
  const Doc d = BuildDoc(a, kb);
  std::string out = "# Osteoporosis decision support: assessment\n\n";
  out += "> " + MdEscape(render::kDisclaimer) + "\n\n";
  out += "- **Patient:** " + MdEscape(d.patient_id) + "\n";
  out += "- **As of:** " + MdEscape(d.as_of) + "\n";
  out += "- **Knowledge:** " + MdEscape(d.version) + ", profile " + MdCode(d.profile) + "\n";
  out += "- " + MdEscape(d.review) + "\n";
  out += MdSection(d.decision);
  for (const auto& s : d.sections) out += MdSection(s);

  out += "\n## Rules applied\n\n";
  if (d.applied.empty()) out += "None.\n";
  for (const auto& id : d.applied) {
    const RuleDef* r = kb.FindRule(id);
    if (r == nullptr) {
      out += "- " + MdCode(id) + " (not in the knowledge base of this build)\n";
      continue;
    }
    out += "- " + MdCode(r->id) + " — " + MdEscape(r->title) + " " + MdEscape(MarkAndStatus(*r));
    if (!r->citations.empty()) {
      std::vector<std::string> keys;
      for (const auto& k : r->citations) keys.push_back(MdEscape(k));
      out += " — " + Join(keys, "; ");
    }
    out += "\n";
  }
  if (!d.insufficient.empty()) {
    std::vector<std::string> ids;
    for (const auto& i : d.insufficient) ids.push_back(MdCode(i));
    out += "\nNot evaluated for lack of data: " + Join(ids, ", ") + "\n";
  }
  // Full citations once, for the rules above.
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const auto& id : d.applied)
    if (const RuleDef* r = kb.FindRule(id))
      for (const auto& k : r->citations)
        if (seen.insert(k).second) keys.push_back(k);
  if (!keys.empty()) {
    out += "\n## References\n\n";
    for (const auto& k : keys) out += "- " + MdCode(k) + " " + render::MdCitationText(kb, k) + "\n";
  }
  return out;
}

std::string RenderHtml(const Assessment& a, const KnowledgeBase& kb) {
  const Doc d = BuildDoc(a, kb);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
      "Osteoporosis decision support: " +
      HtmlEscape(d.patient_id) + " (as of " + HtmlEscape(d.as_of) + ")</title>\n<style>" +
      std::string(render::PageCss()) + "</style>\n</head>\n<body>\n<header>\n";
  out += "<h1>Osteoporosis decision support: assessment</h1>\n";
  out += "<p class=\"disclaimer\">" + HtmlEscape(render::kDisclaimer) + "</p>\n";
  out += "<p class=\"meta\"><span><b>Patient:</b> " + HtmlEscape(d.patient_id) +
         "</span><span><b>As of:</b> " + HtmlEscape(d.as_of) + "</span><span><b>Knowledge:</b> " +
         HtmlEscape(d.version) + "</span><span><b>Profile:</b> " + HtmlEscape(d.profile) +
         "</span></p>\n";
  out += "<p class=\"meta muted\">" + HtmlEscape(d.review) + "</p>\n</header>\n<main>\n";
  out += HtmlDecision(d.decision);
  for (const auto& s : d.sections) out += HtmlSection(s);
  if (!d.insufficient.empty()) {
    out += "<section id=\"not-evaluated\">\n<h2>Rules not evaluated for lack of data</h2>\n<p>";
    std::vector<std::string> ids;
    for (const auto& i : d.insufficient) ids.push_back(HtmlEscape(i));
    out += Join(ids, ", ") + "</p>\n</section>\n";
  }
  out += HtmlAppendix(d, kb);
  out += "</main>\n<footer><p class=\"muted\">Generated by bonepath with knowledge " +
         HtmlEscape(d.version) + " (profile " + HtmlEscape(d.profile) + "). " +
         HtmlEscape(render::kDisclaimer) + "</p></footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace bp
