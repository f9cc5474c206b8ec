// The knowledge base as a review document. One view (topics with their rules, seed questions,
// parameters and references) is selected once and then emitted as Markdown, HTML or JSON, so the
// three formats always list the same things.
#include "io/knowledge_render.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "io/render_util.h"

namespace bp {
namespace {

using json = nlohmann::json;
using render::HtmlEscape;
using render::HtmlId;
using render::MdCode;
using render::MdEscape;

constexpr std::string_view kDefaultProfile = "us-composite";

struct TopicView {
  TopicDef def;
  std::vector<const RuleDef*> rules;
  std::vector<const QuestionDef*> questions;
};

struct View {
  std::vector<TopicView> topics;
  std::vector<const ParameterDef*> parameters;  // used by the selected rules (all when unfiltered)
  std::vector<std::string> references;          // keys, in bibliography order
  bool filtered = false;
};

std::vector<TopicView> AllTopics(const KnowledgeBase& kb) {
  std::vector<TopicView> out;
  auto find = [&](const std::string& id) -> TopicView* {
    for (auto& t : out)
      if (t.def.id == id) return &t;
    return nullptr;
  };
  for (const auto& t : kb.topics)
    if (!find(t.id)) out.push_back({t, {}, {}});
  auto ensure = [&](const std::string& id) {
    if (TopicView* t = find(id)) return t;
    // A topic named by a rule or question but missing from the manifest: shown, not hidden.
    out.push_back({{id, id, ""}, {}, {}});
    return &out.back();
  };
  for (const auto& r : kb.rules) ensure(r.topic)->rules.push_back(&r);
  for (const auto& q : kb.questions) ensure(q.topic)->questions.push_back(&q);
  return out;
}

Result<View> Select(const KnowledgeBase& kb, std::string_view topic) {
  View v;
  std::vector<TopicView> all = AllTopics(kb);
  if (topic.empty()) {
    v.topics = std::move(all);
  } else {
    for (auto& t : all)
      if (t.def.id == topic) v.topics.push_back(std::move(t));
    if (v.topics.empty()) {
      std::string valid;
      for (const auto& t : KnowledgeTopics(kb)) valid += (valid.empty() ? "" : ", ") + t;
      return Error{"unsupported", "--topic",
                   "unknown topic \"" + std::string(topic) + "\"; valid topics: " + valid};
    }
    v.filtered = true;
  }
  std::set<std::string, std::less<>> params, refs;
  for (const auto& t : v.topics) {
    for (const RuleDef* r : t.rules) {
      params.insert(r->parameters.begin(), r->parameters.end());
      refs.insert(r->citations.begin(), r->citations.end());
    }
    // Seed answers may cite rules of other topics.
    for (const QuestionDef* q : t.questions)
      for (const auto& id : q->answer_rules)
        if (const RuleDef* r = kb.FindRule(id))
          refs.insert(r->citations.begin(), r->citations.end());
  }
  for (const auto& p : kb.parameters) {
    if (!v.filtered || params.count(p.name)) v.parameters.push_back(&p);
    if (!v.filtered || params.count(p.name)) refs.insert(p.citations.begin(), p.citations.end());
  }
  for (const auto& b : kb.bibliography)
    if (!v.filtered || refs.count(b.key)) v.references.push_back(b.key);
  // Keys cited but missing from the bibliography are listed too, so the gap is visible.
  for (const auto& k : refs)
    if (!kb.FindReference(k)) v.references.push_back(k);
  return v;
}

// A profile's value for a parameter as displayed: an override that gives only a value keeps the
// default's comparator.
ParamValue ProfileValue(const KnowledgeBase& kb, const ParameterDef& p, std::string_view profile) {
  ParamValue v = kb.Resolve(profile, p.name).value_or(p.value);
  if (v.cmp == Comparator::kNone) v.cmp = p.value.cmp;
  return v;
}

struct ParamValues {
  std::string default_text;
  std::vector<std::pair<std::string, std::string>> others;  // profile, value (only if different)
};

ParamValues ValuesOf(const KnowledgeBase& kb, const ParameterDef& p) {
  ParamValues out;
  const ParamValue def = ProfileValue(kb, p, kDefaultProfile);
  out.default_text = render::FormatParamValue(def, p.unit);
  for (const auto& pr : kb.profiles) {
    if (pr.name == kDefaultProfile) continue;
    const ParamValue v = ProfileValue(kb, p, pr.name);
    if (!render::SameValue(v, def))
      out.others.push_back({pr.name, render::FormatParamValue(v, p.unit)});
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string ReviewText(const Review& r) {
  std::string out = r.status.empty() ? "not reviewed" : render::Humanize(r.status);
  out +=
      "; reviewers: " + (r.reviewers.empty() ? std::string("none yet") : Join(r.reviewers, ", "));
  if (!r.last_updated.empty()) out += "; last updated " + r.last_updated;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown.

std::string MdCitations(const KnowledgeBase& kb, const std::vector<std::string>& keys) {
  std::vector<std::string> parts;
  for (const auto& k : keys) parts.push_back(render::MdCitationText(kb, k));
  return Join(parts, "; ");
}

std::string MdParamLine(const KnowledgeBase& kb, std::string_view name) {
  const ParameterDef* p = kb.FindParameter(name);
  if (p == nullptr) return MdCode(name) + ": not defined in parameters.json";
  const ParamValues v = ValuesOf(kb, *p);
  std::string out = MdCode(name) + " = " + MdEscape(v.default_text) + " (us-composite)";
  for (const auto& [prof, val] : v.others) out += "; " + MdEscape(prof) + ": " + MdEscape(val);
  return out;
}

std::string MdRule(const KnowledgeBase& kb, const RuleDef& r) {
  std::string out = "#### " + MdCode(r.id) + " " + MdEscape(r.title) + "\n\n";
  out += MdEscape(r.statement) + "\n\n";
  if (!r.kind.empty()) out += "- Kind: " + MdEscape(r.kind) + "\n";
  if (!r.parameters.empty()) {
    out += "- Parameters:\n";
    for (const auto& p : r.parameters) out += "  - " + MdParamLine(kb, p) + "\n";
  }
  if (!r.seeds.empty()) out += "- Seeds: " + MdEscape(Join(r.seeds, ", ")) + "\n";
  out += "- Citations:";
  if (r.citations.empty())
    out += " none\n";
  else
    out += "\n";
  for (const auto& c : r.citations)
    out += "  - " + MdCode(c) + " " + render::MdCitationText(kb, c) + "\n";
  out += "- Verification: **" + MdEscape(r.verification.empty() ? "none" : r.verification) +
         "** (" + MdEscape(render::VerificationMeaning(r.verification)) + ")";
  if (!r.verification_note.empty()) out += ". " + MdEscape(r.verification_note);
  out += "\n- Review: " + MdEscape(ReviewText(r.review));
  if (!r.review.note.empty()) out += ". " + MdEscape(r.review.note);
  out += "\n";
  if (!r.expressible)
    out += "- Not expressible in the native input: " + MdEscape(r.not_expressible_reason) + "\n";
  return out + "\n";
}

std::string MdSeedAnswer(const KnowledgeBase& kb, const QuestionDef& q, std::string_view hashes) {
  std::string out =
      std::string(hashes) + " Seed " + MdEscape(q.seed) + ": " + MdEscape(q.question) + "\n\n";
  if (!q.summary.empty()) out += MdEscape(q.summary) + "\n\n";
  for (const auto& id : q.answer_rules) {
    const RuleDef* r = kb.FindRule(id);
    if (r == nullptr) {
      out += "- " + MdCode(id) + ": not in the knowledge base\n";
      continue;
    }
    out += "- " + MdEscape(r->statement) + " (" + MdCode(r->id) + "; " +
           MdCitations(kb, r->citations) + ")\n";
  }
  return out + "\n";
}

std::string MdTopic(const KnowledgeBase& kb, const TopicView& t, int n) {
  std::string out = fmt::format("## {}. {} ({})\n\n", n, MdEscape(t.def.title), MdCode(t.def.id));
  if (!t.def.question.empty()) out += "**Question:** " + MdEscape(t.def.question) + "\n\n";
  out += "**Answer from the rules:**";
  if (t.rules.empty())
    out += " no rule yet.\n\n";
  else
    out += "\n\n";
  for (const RuleDef* r : t.rules) {
    std::vector<std::string> keys;
    for (const auto& k : r->citations) keys.push_back(MdEscape(k));
    out += "- " + MdEscape(r->statement) + " (" + MdCode(r->id) +
           (keys.empty() ? "" : "; " + Join(keys, ", ")) + ")\n";
  }
  if (!t.rules.empty()) out += "\n";
  for (const QuestionDef* q : t.questions) out += MdSeedAnswer(kb, *q, "###");
  if (!t.rules.empty()) out += "### Rules\n\n";
  for (const RuleDef* r : t.rules) out += MdRule(kb, *r);
  return out;
}

std::string MdHeader(const KnowledgeBase& kb, const View& v, std::string_view topic) {
  std::string out = "# " + MdEscape(kb.title.empty() ? "bonepath knowledge base" : kb.title);
  if (!topic.empty()) out += ": topic " + MdCode(topic);
  out += "\n\n> " + MdEscape(render::kDisclaimer) + "\n\n";
  out += "- **Knowledge version:** " + MdEscape(kb.version) + "\n";
  out += "- " + MdEscape(render::SummarizeReview(kb).sentence) + "\n";
  out += "- **Topics:** ";
  std::vector<std::string> ids;
  for (const auto& t : v.topics) ids.push_back(MdCode(t.def.id));
  out += Join(ids, ", ") + "\n";
  out += "- Verification marks and profiles are explained at the end.\n";
  return out + "\n";
}

// The verification legend and the profiles close the document: each rule already states its
// mark's meaning, so a reviewer reaches the topic first.
std::string MdLegend(const KnowledgeBase& kb) {
  std::string out;
  out += "## Verification marks (catalogue §0.1)\n\n| Mark | Meaning |\n|---|---|\n";
  for (std::string_view m : {"V", "V2", "P", "U"})
    out += "| " + std::string(m) + " | " + MdEscape(render::VerificationMeaning(m)) + " |\n";
  out += "\n## Profiles\n\n";
  for (const auto& p : kb.profiles)
    out += "- " + MdCode(p.name) + " " + MdEscape(p.title) + ": " + MdEscape(p.description) + "\n";
  return out;
}

std::string MdTableCell(std::string_view s) { return MdEscape(s); }

std::string MdParameters(const KnowledgeBase& kb, const View& v) {
  if (v.parameters.empty()) return "";
  std::string out =
      "## Parameters\n\n| Parameter | us-composite | Other profiles | Meaning | "
      "Sources |\n|---|---|---|---|---|\n";
  for (const ParameterDef* p : v.parameters) {
    const ParamValues vals = ValuesOf(kb, *p);
    std::vector<std::string> others;
    for (const auto& [prof, val] : vals.others) others.push_back(prof + ": " + val);
    out += "| " + MdCode(p->name) + " | " + MdTableCell(vals.default_text) + " | " +
           MdTableCell(others.empty() ? "same" : Join(others, "; ")) + " | " +
           MdTableCell(p->description) + " | " +
           MdTableCell(Join(p->citations, ", ") +
                       (p->verification.empty() ? "" : " [" + p->verification + "]")) +
           " |\n";
  }
  return out + "\n";
}

std::string MdBibliography(const KnowledgeBase& kb, const View& v) {
  if (v.references.empty()) return "";
  std::string out = "## Bibliography\n\n";
  for (const auto& k : v.references) {
    out += "- " + MdCode(k) + " " + render::MdCitationText(kb, k);
    if (const Reference* r = kb.FindReference(k); r && !r->verified.empty())
      out += " (verified: " + MdEscape(r->verified) + ")";
    out += "\n";
  }
  return out + "\n";
}

// ---------------------------------------------------------------------------------------------
// HTML.

std::string HtmlRuleLink(const std::string& id) {
  return "<a class=\"code\" href=\"#" + HtmlId("rule-", id) + "\">" + HtmlEscape(id) + "</a>";
}

// Bibliography keys linking to their entry at the end of the page.
std::string HtmlRefLinks(const std::vector<std::string>& keys) {
  std::vector<std::string> links;
  for (const auto& k : keys)
    links.push_back("<a href=\"#" + HtmlId("ref-", k) + "\">" + HtmlEscape(k) + "</a>");
  return Join(links, ", ");
}

std::string HtmlRule(const KnowledgeBase& kb, const RuleDef& r) {
  std::string out = "<div class=\"rule\" id=\"" + HtmlId("rule-", r.id) +
                    "\">\n<h4><span "
                    "class=\"rule-id\">" +
                    HtmlEscape(r.id) + "</span> " + HtmlEscape(r.title) + "</h4>\n<p>" +
                    HtmlEscape(r.statement) + "</p>\n<ul>\n";
  if (!r.kind.empty()) out += "<li>Kind: " + HtmlEscape(r.kind) + "</li>\n";
  if (!r.parameters.empty()) {
    out += "<li>Parameters:<ul>\n";
    for (const auto& name : r.parameters) {
      out += "<li><span class=\"code\">" + HtmlEscape(name) + "</span> ";
      if (const ParameterDef* p = kb.FindParameter(name)) {
        const ParamValues v = ValuesOf(kb, *p);
        out += "= " + HtmlEscape(v.default_text) + " (us-composite)";
        for (const auto& [prof, val] : v.others)
          out += "; " + HtmlEscape(prof) + ": " + HtmlEscape(val);
      } else {
        out += "<i>not defined in parameters.json</i>";
      }
      out += "</li>\n";
    }
    out += "</ul></li>\n";
  }
  if (!r.seeds.empty()) out += "<li>Seeds: " + HtmlEscape(Join(r.seeds, ", ")) + "</li>\n";
  out += "<li>Citations:";
  if (r.citations.empty())
    out += " none";
  else {
    out += "<ol class=\"citations\">\n";
    for (const auto& c : r.citations) out += "<li>" + render::HtmlCitation(kb, c) + "</li>\n";
    out += "</ol>";
  }
  out += "</li>\n<li>Verification: <span class=\"mark\">" +
         HtmlEscape(r.verification.empty() ? "none" : r.verification) + "</span> " +
         HtmlEscape(render::VerificationMeaning(r.verification));
  if (!r.verification_note.empty()) out += ". " + HtmlEscape(r.verification_note);
  out += "</li>\n<li>Review: " + HtmlEscape(ReviewText(r.review));
  if (!r.review.note.empty()) out += ". " + HtmlEscape(r.review.note);
  out += "</li>\n";
  if (!r.expressible)
    out += "<li>Not expressible in the native input: " + HtmlEscape(r.not_expressible_reason) +
           "</li>\n";
  return out + "</ul>\n</div>\n";
}

std::string HtmlTopic(const KnowledgeBase& kb, const TopicView& t, int n) {
  std::string out = "<section id=\"" + HtmlId("topic-", t.def.id) + "\">\n<h2>" +
                    fmt::format("{}. ", n) + HtmlEscape(t.def.title) + " <span class=\"code\">" +
                    HtmlEscape(t.def.id) + "</span></h2>\n";
  if (!t.def.question.empty())
    out += "<p><b>Question:</b> " + HtmlEscape(t.def.question) + "</p>\n";
  out += "<p><b>Answer from the rules:</b>" + std::string(t.rules.empty() ? " no rule yet." : "") +
         "</p>\n";
  if (!t.rules.empty()) {
    out += "<ul>\n";
    for (const RuleDef* r : t.rules)
      out += "<li>" + HtmlEscape(r->statement) + " <span class=\"rules\">[" + HtmlRuleLink(r->id) +
             (r->citations.empty() ? "" : "; " + HtmlRefLinks(r->citations)) + "]</span></li>\n";
    out += "</ul>\n";
  }
  for (const QuestionDef* q : t.questions) {
    out += "<h3>Seed " + HtmlEscape(q->seed) + ": " + HtmlEscape(q->question) + "</h3>\n";
    if (!q->summary.empty()) out += "<p>" + HtmlEscape(q->summary) + "</p>\n";
    out += "<ul>\n";
    for (const auto& id : q->answer_rules) {
      const RuleDef* r = kb.FindRule(id);
      if (r == nullptr) {
        out += "<li><span class=\"code\">" + HtmlEscape(id) +
               "</span>: not in the knowledge "
               "base</li>\n";
        continue;
      }
      out += "<li>" + HtmlEscape(r->statement) + " <span class=\"rules\">[" + HtmlRuleLink(r->id) +
             "]</span>";
      if (!r->citations.empty()) {
        out += "<ol class=\"citations\">";
        for (const auto& c : r->citations) out += "<li>" + render::HtmlCitation(kb, c) + "</li>";
        out += "</ol>";
      }
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  if (!t.rules.empty()) out += "<h3>Rules</h3>\n";
  for (const RuleDef* r : t.rules) out += HtmlRule(kb, *r);
  return out + "</section>\n";
}

// ---------------------------------------------------------------------------------------------
// JSON.

json ValueJson(const ParamValue& v) {
  json value;
  switch (v.kind) {
    case ParamValue::Kind::kNumber:
      value = v.number;
      break;
    case ParamValue::Kind::kBool:
      value = v.flag;
      break;
    case ParamValue::Kind::kText:
      value = v.text;
      break;
  }
  static constexpr const char* kCmp[] = {nullptr, "<", "<=", ">", ">=", "=="};
  json out = {{"value", value}};
  if (v.cmp != Comparator::kNone) out["comparator"] = kCmp[static_cast<int>(v.cmp)];
  return out;
}

json ParamJson(const KnowledgeBase& kb, const ParameterDef& p) {
  json profiles = json::object();
  for (const auto& pr : kb.profiles) profiles[pr.name] = ValueJson(ProfileValue(kb, p, pr.name));
  return {{"name", p.name},
          {"unit", p.unit},
          {"description", p.description},
          {"citations", p.citations},
          {"verification", p.verification},
          {"default", ValueJson(ProfileValue(kb, p, kDefaultProfile))},
          {"profiles", profiles}};
}

json RuleJson(const KnowledgeBase& kb, const RuleDef& r) {
  json params = json::array();
  for (const auto& name : r.parameters) {
    const ParameterDef* p = kb.FindParameter(name);
    params.push_back(p ? ParamJson(kb, *p) : json{{"name", name}, {"error", "not defined"}});
  }
  json cites = json::array();
  for (const auto& k : r.citations) {
    const Reference* ref = kb.FindReference(k);
    cites.push_back({{"key", k},
                     {"citation", ref ? ref->citation : ""},
                     {"url", ref ? ref->url : ""},
                     {"resolved", ref != nullptr}});
  }
  return {{"id", r.id},
          {"topic", r.topic},
          {"title", r.title},
          {"statement", r.statement},
          {"kind", r.kind},
          {"citations", cites},
          {"seeds", r.seeds},
          {"parameters", params},
          {"verification", r.verification},
          {"verification_meaning", std::string(render::VerificationMeaning(r.verification))},
          {"verification_note", r.verification_note},
          {"review",
           {{"status", r.review.status},
            {"reviewers", r.review.reviewers},
            {"last_updated", r.review.last_updated},
            {"note", r.review.note}}},
          {"expressible", r.expressible},
          {"not_expressible_reason", r.not_expressible_reason}};
}

json QuestionJson(const KnowledgeBase& kb, const QuestionDef& q) {
  json answers = json::array();
  for (const auto& id : q.answer_rules) {
    const RuleDef* r = kb.FindRule(id);
    answers.push_back({{"rule", id},
                       {"statement", r ? r->statement : ""},
                       {"citations", r ? json(r->citations) : json::array()}});
  }
  return {{"seed", q.seed},       {"question", q.question},         {"topic", q.topic},
          {"summary", q.summary}, {"answer_rules", q.answer_rules}, {"answer", answers}};
}

}  // namespace

std::vector<std::string> KnowledgeTopics(const KnowledgeBase& kb) {
  std::vector<std::string> out;
  for (const auto& t : AllTopics(kb)) out.push_back(t.def.id);
  return out;
}

Result<std::string> RenderKnowledgeMarkdown(const KnowledgeBase& kb, std::string_view topic) {
  auto v = Select(kb, topic);
  if (!v) return v.errors();
  std::string out = MdHeader(kb, *v, topic);
  int n = 0;
  for (const auto& t : v->topics) out += MdTopic(kb, t, ++n);
  out += MdParameters(kb, *v);
  out += MdBibliography(kb, *v);
  out += MdLegend(kb);
  return out;
}

Result<std::string> RenderKnowledgeHtml(const KnowledgeBase& kb, std::string_view topic) {
  auto v = Select(kb, topic);
  if (!v) return v.errors();
  const std::string title = kb.title.empty() ? "bonepath knowledge base" : kb.title;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>" +
      HtmlEscape(title) + "</title>\n<style>" + std::string(render::PageCss()) +
      "</style>\n</head>\n<body>\n<header>\n<h1>" + HtmlEscape(title) +
      "</h1>\n<p class=\"disclaimer\">" + HtmlEscape(render::kDisclaimer) +
      "</p>\n<p class=\"meta\"><b>Knowledge "
      "version:</b> " +
      HtmlEscape(kb.version) + "</p>\n<p class=\"meta muted\">" +
      HtmlEscape(render::SummarizeReview(kb).sentence) + "</p>\n</header>\n<main>\n";
  out += "<nav><h2>Topics</h2><ol>\n";
  for (const auto& t : v->topics)
    out += "<li><a href=\"#" + HtmlId("topic-", t.def.id) + "\">" + HtmlEscape(t.def.title) +
           "</a></li>\n";
  out += "</ol></nav>\n";
  int n = 0;
  for (const auto& t : v->topics) out += HtmlTopic(kb, t, ++n);
  if (!v->parameters.empty()) {
    out +=
        "<section id=\"parameters\" class=\"appendix\"><h2>Parameters</h2>\n<table>\n<tr><th>"
        "Parameter</th><th>us-composite</th><th>Other profiles</th><th>Meaning</th><th>Sources"
        "</th></tr>\n";
    for (const ParameterDef* p : v->parameters) {
      const ParamValues vals = ValuesOf(kb, *p);
      std::vector<std::string> others;
      for (const auto& [prof, val] : vals.others) others.push_back(prof + ": " + val);
      out += "<tr id=\"" + HtmlId("param-", p->name) + "\"><td class=\"code\">" +
             HtmlEscape(p->name) + "</td><td>" + HtmlEscape(vals.default_text) + "</td><td>" +
             HtmlEscape(others.empty() ? "same" : Join(others, "; ")) + "</td><td>" +
             HtmlEscape(p->description) + "</td><td>" + HtmlEscape(Join(p->citations, ", ")) +
             (p->verification.empty() ? "" : " [" + HtmlEscape(p->verification) + "]") +
             "</td></tr>\n";
    }
    out += "</table>\n</section>\n";
  }
  if (!v->references.empty()) {
    out += "<section id=\"bibliography\"><h2>Bibliography</h2>\n<ul class=\"citations\">\n";
    for (const auto& k : v->references) {
      out += "<li id=\"" + HtmlId("ref-", k) + "\">" + render::HtmlCitation(kb, k);
      if (const Reference* r = kb.FindReference(k); r && !r->verified.empty())
        out += " <span class=\"muted\">(verified: " + HtmlEscape(r->verified) + ")</span>";
      out += "</li>\n";
    }
    out += "</ul>\n</section>\n";
  }
  out +=
      "<section id=\"legend\"><h2>Verification marks (catalogue §0.1)</h2>\n"
      "<table><tr><th>Mark</th><th>Meaning</th></tr>\n";
  for (std::string_view m : {"V", "V2", "P", "U"})
    out += "<tr><td>" + std::string(m) + "</td><td>" + HtmlEscape(render::VerificationMeaning(m)) +
           "</td></tr>\n";
  out += "</table>\n<h3>Profiles</h3>\n<ul>\n";
  for (const auto& p : kb.profiles)
    out += "<li><span class=\"code\">" + HtmlEscape(p.name) + "</span> " + HtmlEscape(p.title) +
           ": " + HtmlEscape(p.description) + "</li>\n";
  out += "</ul>\n</section>\n";
  return out + "</main>\n</body>\n</html>\n";
}

Result<std::string> RenderKnowledgeJson(const KnowledgeBase& kb, std::string_view topic) {
  auto v = Select(kb, topic);
  if (!v) return v.errors();
  const render::ReviewSummary rs = render::SummarizeReview(kb);
  json topics = json::array();
  for (const auto& t : v->topics) {
    json rules = json::array(), seeds = json::array(), answer = json::array();
    for (const RuleDef* r : t.rules) {
      rules.push_back(RuleJson(kb, *r));
      answer.push_back({{"rule", r->id}, {"statement", r->statement}, {"citations", r->citations}});
    }
    for (const QuestionDef* q : t.questions) seeds.push_back(QuestionJson(kb, *q));
    topics.push_back({{"id", t.def.id},
                      {"title", t.def.title},
                      {"question", t.def.question},
                      {"answer", answer},
                      {"seed_questions", seeds},
                      {"rules", rules}});
  }
  json params = json::array();
  for (const ParameterDef* p : v->parameters) params.push_back(ParamJson(kb, *p));
  json profiles = json::array();
  for (const auto& p : kb.profiles) {
    json ov = json::object();
    for (const auto& [name, val] : p.overrides) ov[name] = ValueJson(val);
    profiles.push_back(
        {{"name", p.name}, {"title", p.title}, {"description", p.description}, {"overrides", ov}});
  }
  json bib = json::array();
  for (const auto& k : v->references) {
    const Reference* r = kb.FindReference(k);
    bib.push_back({{"key", k},
                   {"citation", r ? r->citation : ""},
                   {"url", r ? r->url : ""},
                   {"verified", r ? r->verified : ""},
                   {"resolved", r != nullptr}});
  }
  json questions = json::array();
  for (const auto& q : kb.questions)
    if (topic.empty() || q.topic == topic) questions.push_back(QuestionJson(kb, q));
  json legend = json::object();
  for (std::string_view m : {"V", "V2", "P", "U"})
    legend[std::string(m)] = std::string(render::VerificationMeaning(m));
  json out = {{"version", kb.version},
              {"title", kb.title},
              {"topic", topic.empty() ? json(nullptr) : json(std::string(topic))},
              {"review",
               {{"rules", rs.total},
                {"approved", rs.approved},
                {"under_review", rs.under_review},
                {"submitted", rs.submitted},
                {"summary", rs.sentence}}},
              {"verification_legend", legend},
              {"topics", topics},
              {"parameters", params},
              {"profiles", profiles},
              {"bibliography", bib},
              {"questions", questions}};
  return out.dump(2) + "\n";
}

std::string RenderQuestionAnswers(const KnowledgeBase& kb) {
  std::string out =
      "# The seed questions and bonepath's answers\n\n> " + MdEscape(render::kDisclaimer) + "\n\n";
  if (kb.questions.empty()) return out + "No seed question is mapped yet.\n";
  for (const auto& q : kb.questions) out += MdSeedAnswer(kb, q, "##");
  return out;
}

}  // namespace bp
