// Internal to src/rules: the course decision (catalogue §6, COURSE-04..25) as one class whose
// steps live in course_stops.cc (continue, hard stops, end-of-course limits) and course_decide.cc
// (failure, reviews, after a course, the order they run in). Not for use outside src/rules.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/course.h"
#include "rules/params.h"
#include "rules/steps.h"

namespace bp::course_detail {

inline constexpr int kWarn = static_cast<int>(Severity::kWarning);
inline constexpr int kCrit = static_cast<int>(Severity::kCritical);
inline constexpr int kInfo = static_cast<int>(Severity::kInfo);
inline constexpr int kRoutine = static_cast<int>(Urgency::kRoutine);
inline constexpr int kUrgent = static_cast<int>(Urgency::kUrgent);

inline std::string Name(Agent a) { return std::string(ToString(a)); }
inline std::string Human(Agent a) {
  std::string s = Name(a);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// The catalogue's BLOCK and AVOID markers (an avoid text "BLOCK: why" or "BLOCK (what): why") said
// in words for a person ("blocked: why", "blocked, what: why"; spec README: "its text says which").
// The CDS cards read the words (cdshooks/cards.cc IsBlock).
inline std::string BlockInWords(std::string t) {
  for (std::size_t at = t.find("BLOCK"); at != std::string::npos; at = t.find("BLOCK", at)) {
    std::string with = "blocked";
    std::size_t end = at + 5;
    if (t.compare(end, 2, " (") == 0) {
      const std::size_t close = t.find("): ", end);
      if (close != std::string::npos) {
        with += ", " + t.substr(end + 2, close - end - 2) + ":";
        end = close + 2;
      }
    }
    t.replace(at, end - at, with);
    at += with.size();
  }
  // AVOID is the default meaning of an avoid entry: the marker goes, its qualifier stays.
  for (std::size_t at = t.find("AVOID"); at != std::string::npos; at = t.find("AVOID", at)) {
    std::size_t end = at + 5;
    std::string with;
    if (t.compare(end, 2, " (") == 0 && t.find("): ", end) != std::string::npos) {
      const std::size_t close = t.find("): ", end);
      with = t.substr(end + 2, close - end - 2) + ":";
      end = close + 2;
    } else if (t.compare(end, 2, ": ") == 0) {
      end += 2;
    } else if (t.compare(end, 1, " ") == 0) {
      end += 1;
    }
    t.replace(at, end - at, with);
    at += with.size();
  }
  return t;
}

// A sentence of a rule from knowledge/ (rules/say.h), said through the run's Ctx; none without
// one (the decision's unit tests).
template <RuleId Rule, RuleId Key, RuleId... Names, typename... V>
std::string Say(const rules::Ctx* x, const V&... v) {
  if (x == nullptr) return {};
  return x->template Say<Rule, Key, Names...>(v...);
}

// The same sentence of COURSE-12 (oral bisphosphonate years) or COURSE-13 (zoledronic acid
// doses), whichever maximum or review the course reached.
template <RuleId Key, RuleId... Names, typename... V>
std::string SayBp(bool oral, const rules::Ctx* x, const V&... v) {
  return oral ? Say<"COURSE-12", Key, Names...>(x, v...) : Say<"COURSE-13", Key, Names...>(x, v...);
}

inline bool IsOralBp(const Episode& e) { return IsCourseBisphosphonate(e.agent) && !e.Injected(); }

class Decider {
 public:
  Decider(const CourseModel& m, const CourseParams& cp, const CourseLimits& lim,
          const CourseInputs& in)
      : m_(m), cp_(cp), lim_(lim), in_(in) {}

  CourseDecision Run();

 private:
  void Warn(std::string code, int sev, std::string text, std::vector<std::string_view> rules) {
    d_.warnings.push_back({std::move(code), sev, std::move(text), std::move(rules)});
  }
  void Avoid(Agent a, std::string text, std::vector<std::string_view> rules) {
    d_.avoid.push_back({Name(a), 0, std::move(text), std::move(rules)});
    Exclude(a);
  }
  void Exclude(Agent a) {
    if (std::find(d_.excluded.begin(), d_.excluded.end(), a) == d_.excluded.end())
      d_.excluded.push_back(a);
  }
  void Refer(Destination to, int urgency, std::string text, std::vector<std::string_view> rules) {
    d_.referrals.push_back({Name2(to), urgency, std::move(text), std::move(rules)});
  }
  static std::string Name2(Destination d) { return std::string(ToString(d)); }
  void Seq(std::string code, std::string text, std::vector<std::string_view> rules) {
    d_.sequence.push_back({std::move(code), 0, std::move(text), std::move(rules)});
  }
  // A statement that plans a zoledronic acid infusion now; `head` is its first part, the words
  // kept when the infusion cannot be given as planned (course_finish.cc).
  void SeqZaNow(std::string code, std::string head, std::string text,
                std::vector<std::string_view> rules) {
    d_.sequence.push_back({std::move(code), 0, std::move(text), std::move(rules), std::move(head)});
  }
  void Fired(std::string_view rule, std::string because) {
    d_.trace.push_back({std::string(rule), 1, std::move(because), {rule}});
  }
  void Decide(int episode, CourseAction a, std::string switch_to, std::string text,
              std::vector<std::string_view> rules) {
    decisions_[episode] = {a, std::move(switch_to), std::move(text), std::move(rules)};
  }
  Date DueAfter(const Episode& e, Date last) const {
    switch (e.agent) {
      case Agent::kZoledronicAcid:
        return last.AddMonths(In<&CourseParams::za_due_months, "COURSE-05", "COURSE-25">(cp_));
      case Agent::kDenosumab:
        return last.AddMonths(In<&CourseParams::dmab_due_months, "COURSE-05", "COURSE-25">(cp_));
      case Agent::kRomosozumab:
        return last.AddMonths(In<&CourseParams::romo_due_months, "COURSE-05", "COURSE-25">(cp_));
      case Agent::kIbandronate:
        return last.AddMonths(In<&CourseParams::ibn_iv_due_months, "COURSE-05", "COURSE-25">(cp_));
      default:
        return last;
    }
  }
  std::optional<Date> NextDue(const Episode& e) const {
    if (!e.Injected() || !e.last_dose) return std::nullopt;
    return std::max(DueAfter(e, *e.last_dose), in_.as_of);
  }
  bool HighTier() const { return in_.tier == RiskTier::kHigh || in_.tier == RiskTier::kVeryHigh; }
  bool MiStrokeOnRomo(const Episode& e) const {
    if (in_.mi_stroke_undated) return true;
    for (const Date& d : in_.mi_stroke_dates)
      if ((e.start && d >= *e.start) || d >= in_.as_of.AddMonths(-in_.romo_cv_months)) return true;
    return false;
  }
  // A specialist decision (COURSE-04) goes with an indication: a course under way is its
  // evidence (COURSE-05); without a course and without an indication nothing is recommended
  // (the rule's specialist referral stands).
  void SpecialistNeedsIndication(const Episode& e) {
    if (d_.target != CourseTarget::kSpecialist || in_.indicated == true) return;
    if (e.Ongoing()) {
      d_.indicated = std::optional<bool>(true);
      d_.tier_floor_high = true;
    } else {
      d_.target = CourseTarget::kNewStart;
    }
  }
  bool HardStops(int ci);
  void AffAvoids(bool dmab_on);
  void OnjAvoids(bool dmab_on);
  bool Limits(int ci);
  bool Failure(int ci);
  void Switch(int ci, const std::string& refer_why, bool recent_fracture, const std::string& after,
              const std::string& decided);
  void NotTakenSwitch(int ci, const std::string& cause);
  bool Reviews(int ci);
  void Continue(int ci, std::string why, std::vector<std::string_view> rules);
  void AfterCourse();
  void Transition(Agent from, std::vector<std::string_view> rules);
  void Fill();

  struct Choice {
    CourseAction action = CourseAction::kNone;
    std::string switch_to;
    std::string text;
    std::vector<std::string_view> rules;
  };
  const CourseModel& m_;
  const CourseParams& cp_;
  const CourseLimits& lim_;
  const CourseInputs& in_;
  CourseDecision d_;
  std::map<int, Choice> decisions_;
};

}  // namespace bp::course_detail
