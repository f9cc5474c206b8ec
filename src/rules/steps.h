// Internal to src/rules: the context the decision steps share (the assessment being built,
// the profile's parameters, the texts they format) and the steps themselves, one file per
// topic (see src/rules/README.md). Not for use outside src/rules.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/decimal.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"
#include "rules/facts.h"
#include "rules/ids.h"
#include "rules/params.h"
#include "rules/say.h"

namespace bp {

namespace rules {

using CP = CompiledProfile;

// The agents a contraindication can name, as bits (Ctx::avoided).
constexpr std::string_view kAvoidable[] = {"alendronate",    "risedronate",     "ibandronate_oral",
                                           "ibandronate_iv", "zoledronic_acid", "denosumab",
                                           "romosozumab",    "teriparatide",    "abaloparatide",
                                           "raloxifene",     "estrogen"};
// By length, then a comparison with a constant (which compiles to a few loads): the engine
// asks this many times per run. The static_assert below keeps it in step with kAvoidable.
[[gnu::always_inline]] constexpr int AvoidBit(std::string_view a) {
  switch (a.size()) {
    case 8:
      return a == "estrogen" ? 10 : -1;
    case 9:
      return a == "denosumab" ? 5 : -1;
    case 10:
      return a == "raloxifene" ? 9 : -1;
    case 11:
      return a == "alendronate" ? 0 : a == "risedronate" ? 1 : a == "romosozumab" ? 6 : -1;
    case 12:
      return a == "teriparatide" ? 7 : -1;
    case 13:
      return a == "abaloparatide" ? 8 : -1;
    case 14:
      return a == "ibandronate_iv" ? 3 : -1;
    case 15:
      return a == "zoledronic_acid" ? 4 : -1;
    case 16:
      return a == "ibandronate_oral" ? 2 : -1;
    default:
      return -1;
  }
}
constexpr bool AvoidBitsMatch() {
  for (int i = 0; i < static_cast<int>(std::size(kAvoidable)); ++i)
    if (AvoidBit(kAvoidable[i]) != i) return false;
  return true;
}
static_assert(AvoidBitsMatch(), "AvoidBit must give every kAvoidable agent its index");

// A few agent names (candidates in order, literals), without allocating.
struct AgentList {
  std::string_view v[4] = {};
  int n = 0;
  void push_back(std::string_view a) { v[n++] = a; }
  bool empty() const { return n == 0; }
  const std::string_view* begin() const { return v; }
  const std::string_view* end() const { return v + n; }
  friend bool operator==(const AgentList& a, const AgentList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
};

// A text being formatted: the pieces of `"CrCl " + Num(x) + " mL/min"` are appended into an
// inline buffer (a heap string only past its size), with no allocation per piece. The text
// starts kFront bytes in, so that a literal put in front (`"CrCl " + Num(x)`) is written there
// rather than moving the text. A literal converts to it (for `cond ? Num(x) : "none"`) and it
// converts to std::string (Keep, Str).
class Cat {
 public:
  Cat() = default;
  explicit Cat(std::string_view s) { Append(s); }
  Cat(const char* s) { Append(s); }               // NOLINT: implicit on purpose
  operator std::string() const { return str(); }  // NOLINT: implicit on purpose
  Cat(const Cat& o) { Append(o.view()); }
  Cat& operator=(const Cat& o) {
    if (this != &o) {
      start_ = kFront;
      n_ = 0;
      big_.clear();
      Append(o.view());
    }
    return *this;
  }

  // The inline path is small enough to be inlined at every piece; the rest is out of line.
  Cat& Append(std::string_view s) {
    if (start_ + n_ + s.size() > kSize) [[unlikely]]
      return AppendLong(s);
    CopyShort(buf_ + start_ + n_, s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  // A number as WriteFixed formats it, written in place when it takes the fast path.
  Cat& AppendFixed(double v, int decimals) {
    if (start_ + n_ + kFixedFastSize <= kSize) {
      if (const std::size_t k = WriteFixedFast(buf_ + start_ + n_, v, decimals)) {
        n_ += k;
        return *this;
      }
    }
    char buf[kFixedBufferSize];
    return Append(std::string_view(buf, WriteFixed(buf, v, decimals)));
  }
  Cat& AppendDate(Date d) {
    if (start_ + n_ + Date::kBufferSize <= kSize) {
      n_ += d.WriteTo(buf_ + start_ + n_);
      return *this;
    }
    char buf[Date::kBufferSize];
    return Append(std::string_view(buf, d.WriteTo(buf)));
  }
  Cat& Prepend(std::string_view s) {
    if (n_ == kSpilled || s.size() > start_) [[unlikely]]
      return PrependLong(s);
    start_ -= s.size();
    CopyShort(buf_ + start_, s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  std::string_view view() const {
    return n_ != kSpilled ? std::string_view(buf_ + start_, n_) : std::string_view(big_);
  }
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }

 private:
  static constexpr std::size_t kFront = 64;
  static constexpr std::size_t kSize = kFront + 240;
  static constexpr std::size_t kSpilled = static_cast<std::size_t>(-1) / 2;  // n_: text in big_
  // memcpy for the short pieces of a statement, without a library call: fixed-size copies
  // (which compile to moves), overlapping at the end.
  static void CopyShort(char* d, const char* src, std::size_t n) {
    if (n >= 8) {
      std::size_t i = 0;
      for (; i + 8 <= n; i += 8) std::memcpy(d + i, src + i, 8);
      if (i < n) std::memcpy(d + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(d, src, 4);
      std::memcpy(d + n - 4, src + n - 4, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i) d[i] = src[i];
    }
  }
  [[gnu::noinline]] Cat& AppendLong(std::string_view s) {
    Spill();
    big_.append(s);
    return *this;
  }
  // A piece longer than the room in front, or a text already on the heap. (`s` never points
  // into this Cat: pieces come from literals and other texts.)
  [[gnu::noinline]] Cat& PrependLong(std::string_view s) {
    if (n_ != kSpilled && s.size() + n_ <= kSize) {
      std::memmove(buf_ + s.size(), buf_ + start_, n_);
      std::memcpy(buf_, s.data(), s.size());
      start_ = 0;
      n_ += s.size();
      return *this;
    }
    Spill();
    big_.insert(0, s);
    return *this;
  }
  void Spill() {
    if (n_ != kSpilled) {
      big_.reserve(2 * kSize);
      big_.assign(buf_ + start_, n_);
      n_ = kSpilled;
    }
  }
  char buf_[kSize];
  std::size_t start_ = kFront;
  std::size_t n_ = 0;
  std::string big_;
};
// A referral reason as a sentence, like every other referral reason (one voice): the first
// letter capitalised, a full stop at the end.
inline std::string Sentence(std::string t) {
  if (t.empty()) return t;
  t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  if (t.back() != '.') t += '.';
  return t;
}
inline Cat&& operator+(Cat&& a, std::string_view b) { return std::move(a.Append(b)); }
template <std::size_t N>
inline Cat&& operator+(Cat&& a, const char (&b)[N]) {
  return std::move(a.Append(std::string_view(b, N - 1)));
}
inline Cat&& operator+(Cat&& a, const std::string& b) { return std::move(a.Append(b)); }
inline Cat&& operator+(Cat&& a, Cat&& b) { return std::move(a.Append(b.view())); }
inline Cat&& operator+(const std::string& a, Cat&& b) { return std::move(b.Prepend(a)); }
template <std::size_t N>
inline Cat&& operator+(const char (&a)[N], Cat&& b) {
  return std::move(b.Prepend(std::string_view(a, N - 1)));
}
// Pointers (a literal chosen by a conditional, an enum's wire name): measured at run time. As
// templates, so that a literal array prefers the overloads above.
template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
inline Cat&& operator+(Cat&& a, P b) {
  return std::move(a.Append(b));
}
template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
inline Cat&& operator+(P a, Cat&& b) {
  return std::move(b.Prepend(a));
}

inline Cat Num(double v, int decimals = 1) {
  Cat c;
  c.AppendFixed(v, decimals);
  return c;
}
inline Cat Tn(Tenths t) { return Num(FromTenths(t)); }
inline Cat Int(long long n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  return Cat(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}
inline Cat Dt(Date d) {
  Cat c;
  c.AppendDate(d);
  return c;
}
// REQUIRES: d has a value (as `d->ToString()` did).
inline Cat Dt(const std::optional<Date>& d) { return Dt(*d); }
// A value a sentence says (Ctx::Say).
inline std::string_view SayArg(std::string_view s) { return s; }
inline std::string_view SayArg(const Cat& c) { return c.view(); }

inline Cat Desc(const Threshold& t, std::string_view unit) {
  Cat out;
  t.DescribeTo(unit, [&out](std::string_view piece) { out.Append(piece); });
  return out;
}

inline bool IsOralBisphosphonate(const Medication& m) {
  if (m.agent == Agent::kAlendronate || m.agent == Agent::kRisedronate) return true;
  return m.agent == Agent::kIbandronate && m.route.value_or(Route::kOral) == Route::kOral;
}

// A formatted text as an assessment's string.
inline std::string Keep(std::string_view s) { return std::string(s); }
inline std::string Keep(const Cat& c) { return c.str(); }
inline std::string Keep(std::string&& s) { return std::move(s); }

// A text argument: a literal, a formatted text or a built string. It refers to its argument
// (which lives until the end of the caller's full-expression) and owns only a std::string moved
// into it (a sentence said by x.Say), so that a call that stores nothing (the other profiles'
// runs, Ctx::verbose false) copies nothing; Take() makes the string the assessment keeps.
class Str {
 public:
  template <std::size_t N>
  Str(const char (&literal)[N]) : view_(literal, N - 1) {}  // NOLINT
  // An enum's wire name or a literal chosen by a conditional.
  template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
  Str(P literal) : view_(literal) {}                               // NOLINT
  Str(std::string_view s) : view_(s) {}                            // NOLINT
  Str(const std::string& s) : view_(s) {}                          // NOLINT
  Str(std::string&& s) : owned_(std::move(s)), is_owned_(true) {}  // NOLINT
  Str(const Cat& s) : view_(s.view()) {}                           // NOLINT
  Str(Str&&) = default;
  Str(const Str&) = delete;
  Str& operator=(const Str&) = delete;

  std::string_view view() const { return is_owned_ ? std::string_view(owned_) : view_; }
  std::string Take() { return is_owned_ ? std::move(owned_) : std::string(view_); }

 private:
  std::string_view view_;
  std::string owned_;
  bool is_owned_ = false;
};

// Statement and PreCheck from Str arguments.
struct St {
  Str code;
  Str text;
  RuleIds rules;
  operator Statement() && { return {code.Take(), text.Take(), std::move(rules)}; }
};
struct Pc {
  PreCheckKind check;
  CheckStatus status;
  Str text;
  RuleIds rules;
  operator PreCheck() && { return {check, status, text.Take(), std::move(rules)}; }
};

}  // namespace rules

namespace rules {

// The state of one assessment under one profile. Collects statements, de-duplicating
// referrals (one per destination, highest urgency), warnings (one per code, highest severity)
// and missing-data entries.
class Ctx {
 public:
  Ctx(const Patient& p, const Facts& f, const CompiledProfile& c, const KnowledgeBase& kb,
      Assessment& a)
      : p(p), f(f), kb(kb), a(a), profile_(c) {}

  const Patient& p;
  const Facts& f;
  const KnowledgeBase& kb;
  Assessment& a;
  // false for the other profiles' runs (guideline_disagreement): they decide, and the Ctx
  // calls that write trace entries, missing data, warnings and referrals write nothing.
  bool verbose = true;
  // The main profile's sentences (null for the other profiles' runs, which say nothing).
  const Sentences* sentences = nullptr;
  unsigned avoided = 0;   // bit per kAvoidable agent
  CourseDecision course;  // the course decision of this run (course_gates.cc)

  // A parameter of the profile, read for the rules it decides: `x.P<&CP::za_crcl, "PRE-01">()`.
  // The read is registered with those rules (params.h, Read), and `bonepath knowledge check`
  // fails unless each rule's `parameters` in knowledge/ are exactly the ones its code reads.
  // The decision code reaches the profile only through P.
  template <auto Member, RuleId... Rules>
  const auto& P() const {
    return Read<Member, Rules...>(profile_);
  }
  // A sentence of a rule, from its template in knowledge/ (rules/say.h), with the values the
  // code supplies named: `x.Say<"GIOP-01", "fired", "dose">(Num(*f.gc_dose_mg))`. The site is
  // registered when the program starts; `knowledge check` checks it against the knowledge.
  template <RuleId Rule, RuleId Key, RuleId... Names, typename... V>
  std::string Say(const V&... v) const {
    static_assert(sizeof...(Names) == sizeof...(V), "Say: one value per name");
    const std::size_t id = say_detail::kSite<Rule, Key, Names...>.id;
    if (!sentences) return {};
    const std::string_view values[sizeof...(V) + 1] = {SayArg(v)..., std::string_view()};
    return sentences->Fill(id, std::span<const std::string_view>(values, sizeof...(V)));
  }

  // A parameter set handed on whole (CourseParams, CourseLimits to the course model and
  // decision): not a read itself; each member is read, naming its rules, where it is used
  // (params.h, In).
  template <auto Member>
  const auto& Set() const {
    static_assert(kReadByMember<std::remove_cvref_t<decltype(profile_.*Member)>>,
                  "Set hands on a set whose members are read by In");
    return profile_.*Member;
  }

  // The entry is filled in place, not moved in (a trace has some 200 entries). `because` is
  // taken first: it may refer to the text of an entry that growing the trace would move.
  void Trace(std::string_view rule, Outcome o, Str&& because) {
    if (!verbose) return;
    std::string text = because.Take();
    TraceEntry& t = a.trace.emplace_back();
    t.rule = rule;
    t.outcome = o;
    t.because = std::move(text);
  }
  void Trace(std::string_view rule, Outcome o) {
    if (!verbose) return;
    TraceEntry& t = a.trace.emplace_back();
    t.rule = rule;
    t.outcome = o;
  }
  void Fired(std::string_view rule, Str&& because) {
    Trace(rule, Outcome::kFired, std::move(because));
  }
  void NotFired(std::string_view rule, Str&& because) {
    Trace(rule, Outcome::kNotFired, std::move(because));
  }
  void NotFired(std::string_view rule) { Trace(rule, Outcome::kNotFired); }
  // CONV-STALE fired (a lab too old for its check); stale_traced says whether it has been.
  void Stale(Str&& because) {
    stale_traced = true;
    Trace("CONV-STALE", Outcome::kFired, std::move(because));
  }
  bool stale_traced = false;
  void Insufficient(std::string_view rule, Str&& because) {
    Trace(rule, Outcome::kInsufficientData, std::move(because));
  }
  void Missing(Str field, Str needed_for) {
    if (!verbose) return;
    for (auto& m : a.missing_data)
      if (m.field == field.view()) {
        if (m.needed_for.find(needed_for.view()) == std::string::npos)
          m.needed_for.append("; ").append(needed_for.view());
        return;
      }
    a.missing_data.push_back({field.Take(), needed_for.Take()});
  }
  // The rule ids as a braced list are made into a list only when the warning is written.
  void Warn(std::string_view code, Severity sev, Str text,
            std::initializer_list<std::string_view> rules) {
    if (verbose) Warn(code, sev, std::move(text), RuleIds(rules));
  }
  void Warn(std::string_view code, Severity sev, Str text, RuleIds rules) {
    if (!verbose) return;
    for (auto& w : a.warnings)
      if (w.code == code) {
        if (sev > w.severity) {
          w.severity = sev;
          w.text = text.Take();
        }
        for (auto r : rules)
          if (!HasId(w.rules, r)) w.rules.push_back(r);
        return;
      }
    a.warnings.push_back({std::string(code), sev, text.Take(), std::move(rules)});
  }
  void Refer(Destination to, Urgency u, Str text, std::initializer_list<std::string_view> rules) {
    if (verbose) Refer(to, u, std::move(text), RuleIds(rules));
  }
  void Refer(Destination to, Urgency u, Str text, RuleIds rules) {
    if (!verbose) return;
    for (auto& r : a.referrals)
      if (r.to == to) {
        if (u > r.urgency) r.urgency = u;
        r.reasons.push_back({std::string(), text.Take(), std::move(rules)});
        return;
      }
    Referral r{to, u, {}};
    r.reasons.push_back({std::string(), text.Take(), std::move(rules)});
    a.referrals.push_back(std::move(r));
  }
  void MarkAvoided(std::string_view agent) {
    const int bit = AvoidBit(agent);
    if (bit >= 0) avoided |= 1u << bit;
  }
  void AvoidAgent(std::string_view agent, Str text, RuleIds rules) {
    MarkAvoided(agent);
    for (auto& x : a.avoid)
      if (x.agent == agent) {
        // One reason said once: a reason already given (in the same words) adds only its rules.
        if (x.text.find(text.view()) == std::string::npos) x.text.append("; ").append(text.view());
        for (auto r : rules)
          if (!HasId(x.rules, r)) x.rules.push_back(r);
        return;
      }
    a.avoid.push_back({std::string(agent), text.Take(), std::move(rules)});
  }
  bool Avoided(std::string_view agent) const {
    const int bit = AvoidBit(agent);
    if (bit >= 0) return (avoided >> bit) & 1u;
    for (const auto& x : a.avoid)
      if (x.agent == agent) return true;
    return false;
  }
  // Appends the regimen of `agent` to `to`, built in place. Its rule ids refer to literals and to
  // the knowledge base.
  void AddRegimen(std::vector<Regimen>& to, std::string_view agent,
                  std::initializer_list<std::string_view> rules) const {
    Regimen& r = to.emplace_back();
    r.agent = agent;
    // The regimen table is the knowledge base's, the same in every profile: not a recorded read.
    const CompiledRegimen* cr = profile_.FindRegimen(agent);
    r.rules.reserve(rules.size() + (cr ? cr->rules.size() : 0));
    for (std::string_view id : rules) r.rules.push_back(id);
    if (cr) {
      r.dose = cr->def->dose;
      r.route = cr->route;
      r.interval = cr->def->interval;
      r.max_duration = cr->def->max_duration;
      // cr->rules has no duplicates (CompileProfile): only the ids passed in can repeat one.
      for (std::string_view id : cr->rules) {
        bool seen = false;
        for (std::string_view passed : rules) seen = seen || SameId(passed, id);
        if (!seen) r.rules.push_back(id);
      }
    }
  }
  bool AgeKnown() const { return f.age.has_value(); }
  double Age() const { return f.age.value_or(0); }

 private:
  const CompiledProfile& profile_;
};

// ---------------------------------------------------------------------------------------------
// Decision state shared between the steps.
struct State {
  bool outside_population = false;  // premenopausal woman or man under 50 (TX-06)
  bool population_unknown = false;
  bool recorded_dx = false;
  bool pathologic = false;  // RISK-04 / VCF-03
  bool malignancy = false;  // CTIBL-04
  bool vertebral_fx = false;
  bool neuro_deficit = false;
  bool osteomalacia_suspected = false;
  bool giop_indicated = false;
  bool giop_very_high = false;
  bool ctibl_indicated = false;
  bool ctibl_only = false;
  bool holiday = false;
  bool treatment_failure = false;
  bool treatment_failure_possible = false;  // COURSE-18 F2 without F1 (course_gates.cc)
  bool acp_osteopenia = false;  // TX-05 advice; withdrawn if a later rule indicates treatment
  bool oral_unsuitable = false;
  std::vector<std::string> oral_unsuitable_reasons;
  RuleIds oral_unsuitable_rules;
  bool za_contraindicated = false;
  std::string za_contra_text;
  RuleIds za_contra_rules;
  bool dmab_transition = false;    // denosumab stopped: a follow-on is needed (SEQ-05)
  bool anabolic_followup = false;  // an anabolic course ended (SEQ-01)
  AgentList anabolic_candidates;
  bool oral_candidates_any = false;
  AgentList oral_candidates;
  // Patients already on treatment (course_gates.cc, course_therapy.cc, course_finish.cc).
  CourseTarget course_target = CourseTarget::kNewStart;
  bool course_gate = false;  // a specialist gate of the course order (CI-12, VCF-03b, SEL-09...)
  bool pregnancy_gate = false, lactation_gate = false, infection = false, phpt_gate = false,
       ckd_gate = false, course_outside_population = false;
  // Calcium above the upper limit (CALC-04) on or after a course (CI-08R, LAB-03R), and more
  // than hyperca_urgent_above_uln above it (the specialist referral is urgent).
  bool hyperca_gate = false, hyperca_urgent = false;
  friend bool operator==(const State&, const State&) = default;
};

// The low-bone-mass bound in tenths, read for the rules named (`LowBoneMassBoundTenths<"D31">(x)`).
template <RuleId... Rules>
int LowBoneMassBoundTenths(Ctx& x) {
  return static_cast<int>(std::lround(x.P<&CP::tx_tscore_low_bone_mass, Rules...>().value * 10));
}

// Whole calendar months from a to b (24 for 2024-01-01 .. 2026-01-01), plus the fraction of the
// last one, so that a course of exactly 24 months is not "beyond 24 months".
inline double CompletedMonths(Date a, Date b) {
  if (b <= a) return 0;
  int months = (b.year() - a.year()) * 12 + (b.month() - a.month());
  if (a.AddMonths(months) > b) --months;
  const Date base = a.AddMonths(months);
  return months + DaysBetween(base, b) / 31.0;
}

inline bool RecentMonths(const std::optional<Date>& d, Date as_of, int months) {
  return d && WithinMonths(*d, as_of, months);
}

// True when a medication covered `when` (started on or before it and not yet ended).
inline bool OnAt(const Medication& m, Date when) {
  if (!m.start || *m.start > when) return false;
  if (m.status == MedStatus::kPlanned) return false;
  if (m.end) return *m.end >= when;
  return m.status == MedStatus::kActive || m.last_dose.value_or(*m.start) >= when;
}
// The decision steps, in the order Decide runs them (engine.cc), one topic file each.
void Demographics(Ctx& x, State& s);
void Indication(Ctx& x, State& s);
void Tier(Ctx& x, State& s);
void Glucocorticoids(Ctx& x, State& s);
void CancerTreatment(Ctx& x, State& s);
void Indeterminate(Ctx& x, State& s);
void Holidays(Ctx& x, State& s);
void Contraindications(Ctx& x, State& s);
void Selection(Ctx& x, State& s);
void Infusion(Ctx& x, State& s);
void Vertebral(Ctx& x, State& s);
void Referrals(Ctx& x, State& s);
void Medications(Ctx& x, State& s);
void MonitoringAndWorkup(Ctx& x, State& s);
void Osteomalacia(Ctx& x, State& s);
// Patients already on treatment (course_gates.cc, course_therapy.cc, course_finish.cc): CONV-02
// before everything, the gates and the
// course decision after the tier, its therapy after Selection, its outputs at the end.
bool Deceased(const Patient& p, Date as_of);
void DeceasedAssessment(Ctx& x);
void Course(Ctx& x, State& s);
// What COURSE-18 needs from the record and the profile besides the course (course_decide.cc):
// the oral adherence prerequisite, RISK-01(b) for F2, the run's sentences.
void CourseFailureInputs(Ctx& x, CourseInputs& in);
// RISK-01(b) for COURSE-18 F2, after the course decision (course_decide.cc).
void FailureTier(Ctx& x, State& s);
void CourseTherapy(Ctx& x, State& s);
void CourseFinish(Ctx& x, State& s);

// An enum's wire name as words, for text a person reads ("zoledronic_acid" -> "zoledronic acid").
inline std::string render_words(std::string_view wire) {
  std::string w(wire);
  std::replace(w.begin(), w.end(), '_', ' ');
  return w;
}

// A BMD site in a sentence, in CALC-07's words (knowledge/rules/calculators.json).
inline std::string SiteName(const Ctx& x, BmdSite s) {
  switch (s) {
    case BmdSite::kLumbarSpine:
      return x.Say<"CALC-07", "site_lumbar_spine">();
    case BmdSite::kTotalHip:
      return x.Say<"CALC-07", "site_total_hip">();
    case BmdSite::kFemoralNeck:
      return x.Say<"CALC-07", "site_femoral_neck">();
    case BmdSite::kRadius33:
      return x.Say<"CALC-07", "site_radius_33">();
  }
  return {};
}

// A fracture event in a sentence: its site (the wire name, as agents are said by theirs), with
// the level and the date when the record gives them, in CONV-FRACTURE-EVENT's words.
inline Cat FxName(const Ctx& x, const FractureEvent& e) {
  const std::string_view site = ToString(e.site);
  if (!e.date && e.level.empty()) return Cat(site);
  return Cat(!e.date ? x.Say<"CONV-FRACTURE-EVENT", "name_level", "site", "level">(site, e.level)
             : e.level.empty()
                 ? x.Say<"CONV-FRACTURE-EVENT", "name_date", "site", "date">(site, Dt(*e.date))
                 : x.Say<"CONV-FRACTURE-EVENT", "name_level_date", "site", "level", "date">(
                       site, e.level, Dt(*e.date)));
}

// A topic's registration: the rule ids its steps implement. Engine::ImplementedRules is the
// union of every topic's list (engine.cc), which `bonepath knowledge check` compares with the
// rules in knowledge/.
struct Topic {
  std::string_view name;
  std::span<const std::string_view> rules;
};

extern const Topic kDemographicsTopic;
extern const Topic kIndicationTopic;
extern const Topic kTierTopic;
extern const Topic kGlucocorticoidsTopic;
extern const Topic kCancerTopic;
extern const Topic kHolidaysTopic;
extern const Topic kContraindicationsTopic;
extern const Topic kSelectionTopic;
extern const Topic kInfusionTopic;
extern const Topic kVertebralTopic;
extern const Topic kReferralsTopic;
extern const Topic kMedicationsTopic;
extern const Topic kMonitoringTopic;
// Patients already on treatment (catalogue §6): the course model, its decision in two parts,
// the steps around it (gates, therapy, outputs).
extern const Topic kCourseModelTopic;
extern const Topic kCourseStopsTopic;
extern const Topic kCourseDecisionTopic;
extern const Topic kCourseGatesTopic;
extern const Topic kCourseTherapyTopic;
extern const Topic kCourseFinishTopic;
extern const Topic kEngineTopic;  // engine.cc: the conventions applied around the steps

}  // namespace rules
}  // namespace bp
