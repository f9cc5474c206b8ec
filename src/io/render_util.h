// Shared pieces of the human-readable renderers (render.cc, knowledge_render.cc): escaping for
// Markdown and HTML, clinician-facing labels for the contract vocabularies, the verification
// legend (catalogue §0.1), the clinical-review summary of the knowledge base, and the inline
// stylesheet of the printable pages. Internal to src/io; not a stable API.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/enums.h"
#include "domain/knowledge.h"

namespace bp::render {

// HTML text and attribute escaping (& < > " '); control characters other than line breaks and
// tabs as visible escapes (EscapeControl).
std::string HtmlEscape(std::string_view s);
// Escapes the characters Markdown would interpret (and raw HTML), and folds line breaks into
// spaces so that one statement stays one list item.
std::string MdEscape(std::string_view s);
// A Markdown code span that survives backticks inside `s`.
std::string MdCode(std::string_view s);
// Folds line breaks into spaces (plain text keeps one statement per line).
std::string OneLine(std::string_view s);
// An HTML id fragment built from `s` ([A-Za-z0-9_-] kept, anything else becomes '_').
std::string HtmlId(std::string_view prefix, std::string_view s);
// Control characters (C0, DEL, C1) as visible escapes (\x1b, \u009b), so that text from
// outside (a patient id, an EHR's override reason, a request path) cannot drive a terminal or
// forge a line in a log. Everything else is kept as it is; `keep_whitespace` keeps line breaks
// and tabs (HtmlEscape, MdEscape and OneLine escape the rest of the control characters).
std::string EscapeControl(std::string_view s, bool keep_whitespace = false);
// True for an absolute http(s) URL without characters that could break out of an attribute.
bool IsSafeUrl(std::string_view url);

// One bibliography entry as HTML (key, citation, and its URL as a link when it is safe), for the
// assessment page and the knowledge review page alike.
std::string HtmlCitation(const KnowledgeBase& kb, const std::string& key);

// Clinician-facing wording of the output vocabularies (the wire names live in enums.h).
std::string Label(Destination d);
std::string Label(TherapyClass t);
std::string Label(RiskTier t);
std::string Label(ZaStatus s);
std::string Label(PreCheckKind k);
std::string Label(CheckStatus s);
// A pre-infusion check's status as a person acts on it: "Correct first" only for what can be
// corrected (calcium, vitamin D, hydration, the dosing interval; catalogue §6.H.1), never for a
// contraindication such as a creatinine clearance below the label limit or a pregnancy.
std::string Label(CheckStatus s, PreCheckKind k);
std::string Label(Urgency u);
std::string Label(Severity s);
std::string Label(Route r);
// "yes" / "no" / "undetermined".
std::string IndicatedLabel(const std::optional<bool>& indicated);
// Wire name with '_' shown as ' ' (for agents and other free strings).
std::string Humanize(std::string_view wire);

// The catalogue §0.1 meaning of a verification mark ("V", "V2", "P", "U"); a note for others.
std::string_view VerificationMeaning(std::string_view mark);

// How many rules of the knowledge base carry each review status, and the sentence that says
// so ("no rule has yet been approved by clinical review" while none is approved).
struct ReviewSummary {
  int total = 0;
  int approved = 0;
  int under_review = 0;
  int submitted = 0;
  std::string sentence;
};
ReviewSummary SummarizeReview(const KnowledgeBase& kb);

// "Author et al. ... (url)" for a bibliography key; the key itself when it does not resolve.
std::string CitationText(const KnowledgeBase& kb, std::string_view key);

// The same in Markdown: the citation escaped, a safe URL as an autolink.
std::string MdCitationText(const KnowledgeBase& kb, std::string_view key);

// "> 30 %", "true", "20 ng/mL": a parameter value with its comparator and unit.
std::string FormatParamValue(const ParamValue& v, std::string_view unit);
bool SameValue(const ParamValue& a, const ParamValue& b);

// The inline stylesheet of the printable HTML pages (A4, print-friendly, no external fonts).
std::string_view PageCss();

// The disclaimer every rendering opens with.
inline constexpr std::string_view kDisclaimer =
    "Decision support for health professionals, not a verdict: each statement names the rules "
    "and sources it rests on, to be weighed with clinical judgement.";

}  // namespace bp::render
