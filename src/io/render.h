// Human-readable renderings of one Assessment: plain text for a terminal, Markdown, and a
// self-contained printable HTML page a clinician can attach to a referral.
//
// Contract, shared by the three formats:
// - They open with the disclaimer (decision support for health professionals, not a verdict),
//   the patient id, as-of date, knowledge version and profile, and the clinical-review status of
//   the knowledge base (approved vs submitted rules).
// - The decision comes first (treatment indicated, risk tier, recommended therapy with route and
//   regimen, what to avoid, zoledronic acid status with what to correct or obtain first), then
//   referrals, warnings (critical first), what must follow, monitoring, supportive measures,
//   work-up, missing data with what it blocks, input issues, the values used, and last the rules
//   applied with their verification mark, review status and citations.
// - Every statement shows the ids of the rules that produced it; citations are resolved through
//   the knowledge base (rule -> bibliography keys -> citation text).
// - Every string that comes from the assessment is escaped for the target format. The HTML page
//   has inline CSS only: no scripts, no external resources; the only URLs are citation links.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>

#include "domain/assessment.h"
#include "domain/knowledge.h"

namespace bp {

// For a clinician at a terminal. `color` adds ANSI colour and bold (the CLI passes
// isatty(stdout)); without it the output is plain text with no escape sequences.
std::string RenderText(const Assessment& a, const KnowledgeBase& kb, bool color);

// The same content in CommonMark.
std::string RenderMarkdown(const Assessment& a, const KnowledgeBase& kb);

// A complete HTML5 document (A4 print stylesheet) with an appendix listing every cited rule with
// its statement, verification mark, review status and full citations; rule ids in the body link
// to it.
std::string RenderHtml(const Assessment& a, const KnowledgeBase& kb);

}  // namespace bp
