#include "io/render_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace bp::render {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return EscapeControl(out, /*keep_whitespace=*/true);
}

std::string MdEscape(std::string_view s) {
  // Escape only what CommonMark would act on, so that the raw Markdown stays readable at a
  // terminal: '_' between letters or digits never starts emphasis, '<' opens raw HTML or an
  // autolink only before a letter or one of "/!?", and '#' and '>' matter only at a line start.
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char prev = i > 0 ? s[i - 1] : ' ';
    const char next = i + 1 < s.size() ? s[i + 1] : ' ';
    bool escape = false;
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '|':
      case '~':
        escape = true;
        break;
      case '_':
        escape = !(alnum(prev) && alnum(next));
        break;
      case '<':
        escape = std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!' ||
                 next == '?';
        break;
      case '#':
      case '>':
      case '+':
      case '-':
      case '=':
        escape = i == 0;
        break;
      case '\r':
        continue;
      case '\n':
        out += ' ';
        continue;
      default:
        break;
    }
    if (escape) out += '\\';
    out += c;
  }
  return EscapeControl(out, /*keep_whitespace=*/true);
}

std::string MdCode(std::string_view s) {
  std::string body = OneLine(s);
  // A code span ends at a run of backticks as long as its fence: use a longer fence.
  size_t longest = 0, run = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\r') continue;
    out += (c == '\n' || c == '\t') ? ' ' : c;
  }
  return EscapeControl(out, /*keep_whitespace=*/true);
}

std::string HtmlId(std::string_view prefix, std::string_view s) {
  std::string out(prefix);
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

std::string EscapeControl(std::string_view s, bool keep_whitespace) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (keep_whitespace && (c == '\n' || c == '\r' || c == '\t')) {
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      const auto d = static_cast<unsigned char>(s[++i]);
      out += "\\u00";
      out += kHex[d >> 4];
      out += kHex[d & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool IsSafeUrl(std::string_view url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return false;
  for (char c : url)
    if (c == '"' || c == '\'' || c == '<' || c == '>' || c == ' ' || c == '\\' ||
        static_cast<unsigned char>(c) < 0x20)
      return false;
  return true;
}

std::string Humanize(std::string_view wire) {
  std::string out(wire);
  for (char& c : out)
    if (c == '_') c = ' ';
  return out;
}

std::string Label(Destination d) {
  switch (d) {
    case Destination::kOsteoporosisSpecialist:
      return "osteoporosis specialist (endocrinology, rheumatology or metabolic bone)";
    case Destination::kFractureLiaisonService:
      return "fracture liaison service";
    case Destination::kSpineSurgery:
      return "spine surgery (orthopaedic spine or neurosurgery)";
    case Destination::kInterventionalRadiology:
      return "interventional radiology";
    case Destination::kPainManagement:
      return "pain management";
    case Destination::kInfusionCenter:
      return "infusion centre";
    case Destination::kNephrology:
      return "nephrology (CKD-MBD)";
    case Destination::kOncology:
      return "oncology";
    case Destination::kPrimaryCare:
      return "primary care";
    case Destination::kDental:
      return "dental";
    case Destination::kObstetrics:
      return "obstetrics";
    case Destination::kInfectiousDisease:
      return "infectious diseases";
    case Destination::kOrthopedics:
      return "orthopaedics";
  }
  return Humanize(ToString(d));
}

std::string Label(TherapyClass t) {
  switch (t) {
    case TherapyClass::kNone:
      return "none";
    case TherapyClass::kOralBisphosphonate:
      return "oral bisphosphonate";
    case TherapyClass::kIvZoledronicAcid:
      return "intravenous zoledronic acid";
    case TherapyClass::kDenosumab:
      return "denosumab (subcutaneous)";
    case TherapyClass::kAnabolic:
      return "anabolic agent";
    case TherapyClass::kSpecialistDecision:
      return "specialist decision";
  }
  return Humanize(ToString(t));
}

std::string Label(RiskTier t) {
  switch (t) {
    case RiskTier::kNotIndicated:
      return "not indicated (below treatment thresholds)";
    case RiskTier::kHigh:
      return "high";
    case RiskTier::kVeryHigh:
      return "very high";
    case RiskTier::kIndeterminate:
      return "indeterminate (not enough data, or outside the populations the thresholds were "
             "made for: a specialist decides)";
  }
  return Humanize(ToString(t));
}

std::string Label(ZaStatus s) {
  switch (s) {
    case ZaStatus::kEligible:
      return "eligible";  // the status's reason below says that every check passes (CONV-ZA-STATUS)
    case ZaStatus::kEligibleAfterCorrection:
      return "eligible after correction: correct what is listed below first";
    case ZaStatus::kContraindicated:
      return "contraindicated";
    case ZaStatus::kDeferred:
      return "deferred: an acute problem or a specialist decision comes first";
    case ZaStatus::kInsufficientData:
      return "pending: a pre-infusion check cannot be made with the data on record";
    case ZaStatus::kNotIndicated:
      return "not indicated: no osteoporosis treatment is indicated";
  }
  return Humanize(ToString(s));
}

std::string Label(PreCheckKind k) {
  switch (k) {
    case PreCheckKind::kCreatinineClearance:
      return "creatinine clearance";
    case PreCheckKind::kAcuteRenalImpairment:
      return "acute renal impairment";
    case PreCheckKind::kSerumCalcium:
      return "serum calcium";
    case PreCheckKind::kVitaminD:
      return "25-OH vitamin D";
    case PreCheckKind::kDosingInterval:
      return "dosing interval";
    case PreCheckKind::kHypersensitivity:
      return "hypersensitivity";
    case PreCheckKind::kPregnancy:
      return "pregnancy";
    case PreCheckKind::kAcuteCondition:
      return "acute condition";
    case PreCheckKind::kHydration:
      return "hydration";
    case PreCheckKind::kDentalReview:
      return "dental review";
    case PreCheckKind::kAcetaminophenProphylaxis:
      return "acetaminophen prophylaxis";
  }
  return Humanize(ToString(k));
}

std::string Label(CheckStatus s, PreCheckKind k) {
  if (s != CheckStatus::kFail) return Label(s);
  switch (k) {
    case PreCheckKind::kSerumCalcium:
    case PreCheckKind::kVitaminD:
    case PreCheckKind::kDosingInterval:
    case PreCheckKind::kHydration:
      return "Correct first";
    case PreCheckKind::kCreatinineClearance:
    case PreCheckKind::kAcuteRenalImpairment:
    case PreCheckKind::kHypersensitivity:
    case PreCheckKind::kPregnancy:
      return "Contraindication";
    default:
      return "Not met";
  }
}

std::string Label(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "Passes";
    case CheckStatus::kFail:
      return "Correct first";
    case CheckStatus::kUnknown:
      return "Obtain first";
    case CheckStatus::kAdvice:
      return "Advice";
  }
  return Humanize(ToString(s));
}

std::string Label(Urgency u) {
  switch (u) {
    case Urgency::kRoutine:
      return "routine";
    case Urgency::kUrgent:
      return "urgent";
    case Urgency::kImmediate:
      return "immediate";
  }
  return Humanize(ToString(u));
}

std::string Label(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return Humanize(ToString(s));
}

std::string Label(Route r) {
  switch (r) {
    case Route::kOral:
      return "oral";
    case Route::kIntravenous:
      return "intravenous";
    case Route::kSubcutaneous:
      return "subcutaneous";
  }
  return Humanize(ToString(r));
}

std::string IndicatedLabel(const std::optional<bool>& indicated) {
  if (!indicated) return "undetermined";
  return *indicated ? "yes" : "no";
}

std::string_view VerificationMeaning(std::string_view mark) {
  if (mark == "V")
    return "checked against text retrieved from the primary source or an official copy of it "
           "(label, guideline abstract or table, published value set)";
  if (mark == "V2")
    return "checked only through a faithful secondary reproduction; confirm against the "
           "original before release";
  if (mark == "P")
    return "primary source named but the exact passage was not retrieved; states what the source "
           "is generally understood to say; verify before release";
  if (mark == "U") return "unverified, uncertain, or sources conflict; must be checked";
  return "no recognised verification mark";
}

ReviewSummary SummarizeReview(const KnowledgeBase& kb) {
  ReviewSummary s;
  for (const auto& r : kb.rules) {
    ++s.total;
    if (r.review.status == "approved")
      ++s.approved;
    else if (r.review.status == "under_review")
      ++s.under_review;
    else
      ++s.submitted;  // submitted, or no status: not reviewed either way
  }
  std::string counts = fmt::format("{} of {} rules approved ({} submitted, {} under review)",
                                   s.approved, s.total, s.submitted, s.under_review);
  if (s.total == 0) {
    s.sentence = "Clinical review: the knowledge base holds no rules.";
  } else if (s.approved == 0) {
    s.sentence =
        "Clinical review: " + counts + "; no rule has yet been approved by clinical review.";
  } else if (s.approved < s.total) {
    s.sentence = "Clinical review: " + counts + "; the others still await review.";
  } else {
    s.sentence = "Clinical review: " + counts + ".";
  }
  return s;
}

std::string CitationText(const KnowledgeBase& kb, std::string_view key) {
  const Reference* ref = kb.FindReference(key);
  if (ref == nullptr) return std::string(key) + " (not in the bibliography)";
  std::string out = ref->citation.empty() ? ref->key : ref->citation;
  if (!ref->url.empty()) out += " <" + ref->url + ">";
  return out;
}

std::string MdCitationText(const KnowledgeBase& kb, std::string_view key) {
  const Reference* ref = kb.FindReference(key);
  if (ref == nullptr) return MdEscape(key) + " (not in the bibliography)";
  std::string out = MdEscape(ref->citation.empty() ? ref->key : ref->citation);
  if (!ref->url.empty())
    out += IsSafeUrl(ref->url) ? " <" + ref->url + ">" : " " + MdEscape(ref->url);
  return out;
}

std::string FormatParamValue(const ParamValue& v, std::string_view unit) {
  std::string out;
  switch (v.cmp) {
    case Comparator::kLt:
      out = "< ";
      break;
    case Comparator::kLe:
      out = "≤ ";
      break;
    case Comparator::kGt:
      out = "> ";
      break;
    case Comparator::kGe:
      out = "≥ ";
      break;
    case Comparator::kEq:
      out = "= ";
      break;
    case Comparator::kNone:
      break;
  }
  switch (v.kind) {
    case ParamValue::Kind::kNumber:
      out += fmt::format("{}", v.number);
      if (!unit.empty() && unit != "1") out += " " + std::string(unit);
      break;
    case ParamValue::Kind::kBool:
      out += v.flag ? "true" : "false";
      break;
    case ParamValue::Kind::kText:
      out += v.text;
      break;
  }
  return out;
}

bool SameValue(const ParamValue& a, const ParamValue& b) {
  if (a.kind != b.kind || a.cmp != b.cmp) return false;
  switch (a.kind) {
    case ParamValue::Kind::kNumber:
      return a.number == b.number;
    case ParamValue::Kind::kBool:
      return a.flag == b.flag;
    case ParamValue::Kind::kText:
      return a.text == b.text;
  }
  return false;
}

std::string_view PageCss() {
  return R"css(
@page { size: A4; margin: 15mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
  color: #111; max-width: 190mm; margin: 0 auto; padding: 8mm 4mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
.disclaimer { border: 1px solid #b58900; background: #fdf6e3; padding: 2mm 3mm; margin: 2mm 0; }
.meta { color: #333; margin: 1mm 0; }
.meta span { margin-right: 5mm; }
.decision { border: 2px solid #222; padding: 3mm 4mm; margin: 4mm 0; page-break-inside: avoid;
  break-inside: avoid; }
.decision dl { margin: 0; display: grid; grid-template-columns: 48mm 1fr; gap: 1mm 3mm; }
.decision dt { font-weight: bold; }
.decision dd { margin: 0; }
ul { margin: 1mm 0 1mm 5mm; padding-left: 3mm; }
li { margin: 0.6mm 0; }
.rules { font-size: 8.5pt; color: #444; white-space: nowrap; }
.rules a { color: #1d4f91; text-decoration: none; }
.code { font-family: Menlo, Consolas, monospace; font-size: 9pt; }
.sev-critical { color: #a00; font-weight: bold; }
.sev-warning { color: #8a5a00; font-weight: bold; }
.sev-info { color: #333; }
.tone-good { color: #1a6b1a; font-weight: bold; }
.tone-alert { color: #a00; font-weight: bold; }
.tone-caution { color: #8a5a00; font-weight: bold; }
.muted { color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 1mm 2mm; text-align: left; vertical-align: top; }
.rule { border-top: 1px solid #ccc; padding: 2mm 0; page-break-inside: avoid; break-inside: avoid; }
.rule-id { font-family: Menlo, Consolas, monospace; font-weight: bold; }
.citations { font-size: 9pt; }
.mark { display: inline-block; border: 1px solid #777; padding: 0 1.5mm; font-size: 8.5pt; }
@media print {
  body { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .appendix { page-break-before: always; break-before: page; }
}
)css";
}

std::string HtmlCitation(const KnowledgeBase& kb, const std::string& key) {
  const Reference* ref = kb.FindReference(key);
  std::string out = "<span class=\"code\">" + HtmlEscape(key) + "</span> ";
  if (ref == nullptr) return out + "<i>not in the bibliography</i>";
  out += HtmlEscape(ref->citation);
  if (!ref->url.empty()) {
    if (IsSafeUrl(ref->url))
      out += " <a href=\"" + HtmlEscape(ref->url) + "\">" + HtmlEscape(ref->url) + "</a>";
    else
      out += " " + HtmlEscape(ref->url);
  }
  return out;
}

}  // namespace bp::render
