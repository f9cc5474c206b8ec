// "One voice" checks of an assessment (issue 14, catalogue §6), shared by the vignette and
// generated-patient tests (one_voice_test.cc, course_property_test.cc):
//   - "Correct first" is shown only for what can be corrected (never for a creatinine clearance
//     below the label limit or a pregnancy);
//   - the infusion section does not repeat a check or a reason, and its status agrees with the
//     avoid list and with its reasons (never eligible while avoided);
//   - the course decision never says both continue and stop (of one course);
//   - no course is left "for the specialist to decide" while its agent is avoided;
//   - no warning suggests starting, giving or switching to an agent the decision avoids;
//   - no person-facing text has an item letter like "(g)", a verification mark ([V], [V2], [P],
//     [U]), a profile id, an enum name (snake_case word) or an internal marker ("BLOCK:");
//   - no clause of five words or more is said in two statements of what must follow, or of
//     monitoring;
//   - an avoid entry gives each reason once: no two of its reasons state the same numbers
//     ("course complete (12/12 doses); blocked: 12 doses received (maximum 12)");
//   - the reasons of one referral speak in one voice (sentences) and no two of them rest on the
//     same clinical rule (two voices for one reason); a treatment failure the course decided
//     (COURSE-18) is not also REF-02(b)'s "possible treatment failure";
//   - no monitoring for an agent whose course is stopped, complete or switched and which is not
//     being given;
//   - when the course switches to zoledronic acid first because the oral drug may not have been
//     taken or absorbed (COURSE-19, SEL-03), no referral reason proposes anabolic therapy or calls
//     the fracture a possible treatment failure.
#pragma once

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "domain/assessment.h"
#include "io/render.h"
#include "io/render_util.h"
#include "knowledge/loader.h"

namespace bp::one_voice {

// The person-facing texts of an assessment, each with where it is.
inline std::vector<std::pair<std::string, std::string>> Texts(const Assessment& a) {
  std::vector<std::pair<std::string, std::string>> out;
  auto statements = [&](const char* where, const auto& list) {
    for (const auto& s : list) out.emplace_back(where, s.text);
  };
  statements("treatment.reasons", a.treatment_reasons);
  statements("therapy.sequence", a.sequence);
  statements("infusion.reasons", a.za_reasons);
  statements("monitoring", a.monitoring);
  statements("adjuncts", a.adjuncts);
  statements("workup", a.workup);
  for (const auto& w : a.warnings) out.emplace_back("warning " + w.code, w.text);
  for (const auto& r : a.referrals)
    for (const auto& s : r.reasons) out.emplace_back("referral", s.text);
  for (const auto& v : a.avoid) out.emplace_back("avoid", v.text);
  for (const auto& c : a.pre_infusion) out.emplace_back("pre_infusion", c.text);
  for (const auto& c : a.current) out.emplace_back("therapy.current", c.text);
  return out;
}

// The clauses of a text (split at sentence, clause and bracket punctuation), lower-case,
// letters and digits only, with at least `min_words` words.
inline std::vector<std::string> Clauses(const std::string& t, std::size_t min_words = 5) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string norm;
    std::size_t words = 0;
    bool in_word = false;
    for (char ch : cur) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c) || c >= 0x80) {
        if (!in_word && !norm.empty()) norm += ' ';
        if (!in_word) ++words;
        in_word = true;
        norm += static_cast<char>(std::tolower(c));
      } else {
        in_word = false;
      }
    }
    if (words >= min_words) out.push_back(norm);
    cur.clear();
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool end_dot = c == '.' && (i + 1 == t.size() || t[i + 1] == ' ');
    if (end_dot || c == ';' || c == ':' || c == ',' || c == '(' || c == ')' || c == '!' || c == '?')
      flush();
    else
      cur += c;
  }
  flush();
  return out;
}

inline std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every contradiction and jargon finding of one assessment ("" when none).
inline std::string Problems(const Assessment& a) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  std::ostringstream out;
  // "Correct first" only for what can be corrected.
  for (const auto& c : a.pre_infusion)
    if (render::Label(c.status, c.check) == "Correct first" &&
        (c.check == PreCheckKind::kCreatinineClearance || c.check == PreCheckKind::kPregnancy))
      out << "\n  'Correct first' for " << ToString(c.check);
  const std::string text = RenderText(a, kb, /*color=*/false);
  for (const std::string& bad :
       {render::Label(PreCheckKind::kCreatinineClearance), render::Label(PreCheckKind::kPregnancy)})
    if (text.find("Correct first: " + bad) != std::string::npos)
      out << "\n  rendered 'Correct first: " << bad << "'";
  // The infusion section repeats nothing.
  for (std::size_t i = 0; i < a.pre_infusion.size(); ++i)
    for (std::size_t j = i + 1; j < a.pre_infusion.size(); ++j)
      if (a.pre_infusion[i].check == a.pre_infusion[j].check)
        out << "\n  pre-infusion check repeated: " << ToString(a.pre_infusion[i].check);
  for (std::size_t i = 0; i < a.za_reasons.size(); ++i)
    for (std::size_t j = i + 1; j < a.za_reasons.size(); ++j)
      if (a.za_reasons[i].text == a.za_reasons[j].text)
        out << "\n  infusion reason repeated: " << a.za_reasons[i].text;
  // The zoledronic acid status agrees with the avoid list and with its own reasons: never
  // eligible while avoided; a deferral, a contraindication or "not indicated" is not explained
  // by "every check passes", and a contraindication is not explained as a deferral (or the
  // reverse).
  const bool za_avoided = std::any_of(a.avoid.begin(), a.avoid.end(),
                                      [](const Avoid& v) { return v.agent == "zoledronic_acid"; });
  if (za_avoided &&
      (a.za_status == ZaStatus::kEligible || a.za_status == ZaStatus::kEligibleAfterCorrection))
    out << "\n  zoledronic acid " << ToString(a.za_status) << " while avoided";
  for (const auto& r : a.za_reasons) {
    const std::string_view t = r.text;
    if (a.za_status != ZaStatus::kEligible && t == "Every pre-infusion check passes.")
      out << "\n  zoledronic acid " << ToString(a.za_status) << " explained by: " << t;
    if ((a.za_status == ZaStatus::kContraindicated && t.rfind("Deferred", 0) == 0) ||
        (a.za_status == ZaStatus::kDeferred && t.rfind("Contraindicated", 0) == 0))
      out << "\n  zoledronic acid " << ToString(a.za_status) << " explained by: " << t;
  }
  if (a.za_reasons.empty() && !a.HasWarning("patient_deceased"))
    out << "\n  zoledronic acid " << ToString(a.za_status) << " without a reason";
  // The headline agrees with the trace: treatment indicated, yet "not indicated" fired.
  if (a.treatment_indicated == true)
    for (const auto& t : a.trace)
      if ((t.rule == "TX-05" || t.rule == "RISK-03") && t.outcome == Outcome::kFired)
        out << "\n  treatment indicated, yet " << t.rule << " fired: " << t.because;
  // Continue and stop at once.
  bool cont = false, stop = false;
  for (const auto& s : a.sequence) {
    cont = cont || s.code == "course_continue";
    stop = stop || s.code == "course_stop";
  }
  // Two courses at once may each have their own (denosumab continued under a gate's specialist
  // beside a PTH analog the gate stops): a contradiction is one course said both ways.
  const bool two_courses =
      std::any_of(a.current.begin(), a.current.end(),
                  [](const CurrentCourse& c) { return c.decision == CourseAction::kContinue; }) &&
      std::any_of(a.current.begin(), a.current.end(),
                  [](const CurrentCourse& c) { return c.decision == CourseAction::kStop; });
  if (cont && stop && !two_courses) out << "\n  the course decision says both continue and stop";
  // A course left to the specialist ("whether it continues") is not one whose agent is avoided:
  // an avoidance that acts now stops it (COURSE-24).
  for (const auto& c : a.current) {
    if (c.decision != CourseAction::kNone || c.switch_to != "specialist_decision") continue;
    const std::string wire(ToString(c.agent));
    for (const auto& v : a.avoid)
      if (v.agent == wire || (wire == "ibandronate" && v.agent.rfind("ibandronate", 0) == 0))
        out << "\n  course " << wire << " left to the specialist while avoided: " << v.text;
  }
  // No warning suggests an avoided agent.
  for (const auto& v : a.avoid) {
    const std::string agent = Lower(render::Humanize(v.agent));
    for (const auto& w : a.warnings) {
      const std::string t = Lower(w.text);
      for (const char* verb : {"start ", "give ", "switch to ", "consider ", "resume "})
        if (t.find(verb + agent) != std::string::npos)
          out << "\n  warning " << w.code << " suggests avoided " << agent;
    }
  }
  // No clause said twice among the instructions of one section (what must follow, monitoring):
  // a fact may be cited as evidence in several sections, an instruction is given once.
  for (const auto* section : {&a.sequence, &a.monitoring}) {
    std::vector<std::pair<std::string, std::string>> texts;
    for (const auto& s : *section)
      texts.emplace_back(section == &a.sequence ? "therapy.sequence" : "monitoring", s.text);
    std::vector<std::pair<std::string, std::size_t>> seen;  // clause, statement
    for (std::size_t i = 0; i < texts.size(); ++i)
      for (const auto& c : Clauses(texts[i].second)) {
        bool dup = false;
        for (const auto& [prev, j] : seen)
          if (prev == c && j != i) {
            out << "\n  said twice (" << texts[j].first << ", " << texts[i].first << "): " << c;
            dup = true;
            break;
          }
        if (!dup) seen.emplace_back(c, i);
      }
  }
  // One reason said once in an avoid entry: two of its reasons ("; ") that state the same
  // numbers say the same thing twice.
  for (const auto& v : a.avoid) {
    static const std::regex kNumber(R"(\d+(\.\d+)?)");
    std::vector<std::pair<std::string, std::vector<std::string>>> reasons;
    const std::string t = v.text;
    for (std::size_t from = 0; from <= t.size();) {
      std::size_t to = t.find("; ", from);
      if (to == std::string::npos) to = t.size();
      const std::string part = t.substr(from, to - from);
      std::vector<std::string> nums;
      for (auto it = std::sregex_iterator(part.begin(), part.end(), kNumber);
           it != std::sregex_iterator(); ++it)
        if (std::find(nums.begin(), nums.end(), it->str()) == nums.end()) nums.push_back(it->str());
      std::sort(nums.begin(), nums.end());
      if (!nums.empty()) reasons.emplace_back(part, nums);
      from = to + 2;
    }
    for (std::size_t i = 0; i < reasons.size(); ++i)
      for (std::size_t j = i + 1; j < reasons.size(); ++j)
        if (reasons[i].second == reasons[j].second)
          out << "\n  avoid " << v.agent << " gives one reason twice: " << reasons[i].first << " | "
              << reasons[j].first;
  }
  // The reasons of one referral: sentences, and one reason per clinical rule.
  for (const auto& r : a.referrals) {
    for (const auto& s : r.reasons) {
      const std::string t = s.text;
      if (t.empty() ||
          !(std::isupper(static_cast<unsigned char>(t.front())) ||
            std::isdigit(static_cast<unsigned char>(t.front()))) ||
          t.back() != '.')
        out << "\n  referral reason not a sentence: " << t;
    }
    for (std::size_t i = 0; i < r.reasons.size(); ++i)
      for (std::size_t j = i + 1; j < r.reasons.size(); ++j)
        for (const auto& id : r.reasons[i].rules) {
          if (id.rfind("REF-", 0) == 0) continue;
          if (std::find(r.reasons[j].rules.begin(), r.reasons[j].rules.end(), id) !=
              r.reasons[j].rules.end())
            out << "\n  two reasons for " << ToString(r.to) << " rest on " << id << ": "
                << r.reasons[i].text << " | " << r.reasons[j].text;
        }
  }
  // A treatment failure the course decided (COURSE-18) has one reason: REF-02(b)'s "possible
  // treatment failure" is not said beside it.
  for (const auto& r : a.referrals) {
    const bool course_failure = std::any_of(r.reasons.begin(), r.reasons.end(), [](const auto& st) {
      return std::find(st.rules.begin(), st.rules.end(), "COURSE-18") != st.rules.end();
    });
    for (const auto& st : r.reasons)
      if (course_failure && st.rules.size() == 1 && st.rules.front() == "REF-02" &&
          Lower(st.text).find("treatment failure") != std::string::npos)
        out << "\n  referral to " << ToString(r.to) << " gives the failure twice: " << st.text;
  }
  // The course's switch to zoledronic acid first for an oral drug that may not have been taken
  // or absorbed (COURSE-19, SEL-03) is the decision: no referral reason proposes anabolic therapy
  // against it, or calls the fracture a possible treatment failure (REF-02(b) needs no obvious
  // treatable cause).
  const bool za_first_switch =
      a.therapy_recommended != TherapyClass::kAnabolic &&
      std::any_of(a.sequence.begin(), a.sequence.end(), [](const Statement& st) {
        return st.code == "course_switch" &&
               std::find(st.rules.begin(), st.rules.end(), "SEL-03") != st.rules.end();
      });
  if (za_first_switch)
    for (const auto& r : a.referrals)
      for (const auto& st : r.reasons) {
        const std::string t = Lower(st.text);
        if (t.find("anabolic") != std::string::npos ||
            t.find("possible treatment failure") != std::string::npos)
          out << "\n  referral to " << ToString(r.to)
              << " contradicts the zoledronic-acid-first switch: " << st.text;
      }
  // No monitoring for an agent that is not being given after its course stopped.
  for (const auto& c : a.current) {
    const bool ended = c.decision == CourseAction::kStop || c.decision == CourseAction::kSwitch ||
                       c.decision == CourseAction::kTransition ||
                       (c.decision == CourseAction::kNone &&
                        (c.state == CourseState::kCompleted || c.state == CourseState::kStopped));
    if (!ended) continue;
    const std::string wire(ToString(c.agent));
    const bool pth = wire == "teriparatide" || wire == "abaloparatide";
    auto same = [&](std::string_view g) {
      return pth ? (g == "teriparatide" || g == "abaloparatide") : g.rfind(wire, 0) == 0;
    };
    auto given = [&](const auto& list) {
      return std::any_of(list.begin(), list.end(), [&](const Regimen& g) { return same(g.agent); });
    };
    if (given(a.agents) || given(a.alternatives)) continue;
    if (std::any_of(a.current.begin(), a.current.end(), [&](const CurrentCourse& o) {
          return &o != &c && same(ToString(o.agent)) &&
                 (o.decision == CourseAction::kContinue || o.decision == CourseAction::kHold ||
                  o.decision == CourseAction::kResume);
        }))
      continue;
    const std::string agent = Lower(render::Humanize(wire));
    for (const auto& m : a.monitoring)
      if (Lower(m.text).find(agent) != std::string::npos)
        out << "\n  monitoring for " << agent << " (course " << ToString(c.decision)
            << ", not given): " << m.text;
  }
  // Jargon.
  static const std::regex kInternal(R"(\b(BLOCK|AVOID|DEFER|TODO|FIXME)\b)");
  static const std::regex kLetter(R"((^|: )\([a-z]\) )");
  static const std::regex kMark(R"(\[(V|V2|P|U)\])");
  static const std::regex kEnum(R"(\b[a-z0-9]+_[a-z0-9_]+\b)");
  for (const auto& [where, t] : Texts(a)) {
    if (std::regex_search(t, kLetter)) out << "\n  item letter in " << where << ": " << t;
    if (std::regex_search(t, kInternal)) out << "\n  internal marker in " << where << ": " << t;
    if (std::regex_search(t, kMark)) out << "\n  verification mark in " << where << ": " << t;
    std::smatch m;
    if (std::regex_search(t, m, kEnum))
      out << "\n  enum name '" << m[0] << "' in " << where << ": " << t;
    for (const auto& p : kb.profiles)
      if (t.find(p.name) != std::string::npos && p.name != p.title)
        out << "\n  profile id " << p.name << " in " << where << ": " << t;
  }
  return out.str();
}

}  // namespace bp::one_voice
