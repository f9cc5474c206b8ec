// The decision engine. Reads top to bottom in the order the catalogue applies its rules:
// derived values, indication, risk tier, glucocorticoid and cancer-treatment rules, drug
// holidays, contraindications, therapy selection, zoledronic acid pre-infusion checks,
// referrals, warnings, then monitoring, sequencing and work-up. Every statement carries the
// catalogue ids of the rules behind it; every threshold comes from the compiled profile.
#include "rules/engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#include "common/decimal.h"
#include "rules/facts.h"
#include "rules/params.h"

// Statements, trace entries and missing-data notes are only built for the assessment that is
// returned; the runs under the other profiles (guideline_disagreement) need only the decisions.
#define BP_VERBOSE(ctx, ...)               \
  do {                                     \
    if ((ctx).verbose) {                   \
      const TextOnly bp_text_only_((ctx)); \
      __VA_ARGS__;                         \
    }                                      \
  } while (0)

// AvoidAgent for the returned assessment; the other profiles only record which agents are
// avoided (Avoided() reads that), so the text and rule ids are not built for them.
#define BP_AVOID(ctx, agent, text, ...)           \
  do {                                            \
    if ((ctx).verbose) {                          \
      const TextOnly bp_text_only_((ctx));        \
      (ctx).AvoidAgent(agent, text, __VA_ARGS__); \
    } else {                                      \
      (ctx).MarkAvoided(agent);                   \
    }                                             \
  } while (0)

namespace bp {

namespace {

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

// The arena of the assessment being decided on this thread (Decide sets it): texts the engine
// formats are copied there once instead of each owning a heap string.
thread_local Arena* current_arena = nullptr;

// A text being formatted: the pieces of `"CrCl " + Num(x) + " mL/min"` are appended into an
// inline buffer (a heap string only past its size), with no allocation per piece. The text
// starts kFront bytes in, so that a literal put in front (`"CrCl " + Num(x)`) is written there
// rather than moving the text. A literal converts to it (for `cond ? Num(x) : "none"`) and it
// converts to std::string; a Text is made from it with Keep (or Str), which files it in the
// arena.
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
Cat&& operator+(Cat&& a, std::string_view b) { return std::move(a.Append(b)); }
template <std::size_t N>
Cat&& operator+(Cat&& a, const char (&b)[N]) {
  return std::move(a.Append(std::string_view(b, N - 1)));
}
Cat&& operator+(Cat&& a, const std::string& b) { return std::move(a.Append(b)); }
Cat&& operator+(Cat&& a, Cat&& b) { return std::move(a.Append(b.view())); }
Cat&& operator+(const std::string& a, Cat&& b) { return std::move(b.Prepend(a)); }
template <std::size_t N>
Cat&& operator+(const char (&a)[N], Cat&& b) {
  return std::move(b.Prepend(std::string_view(a, N - 1)));
}
// Pointers (a literal chosen by a conditional, an enum's wire name): measured at run time. As
// templates, so that a literal array prefers the overloads above.
template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
Cat&& operator+(Cat&& a, P b) {
  return std::move(a.Append(b));
}
template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
Cat&& operator+(P a, Cat&& b) {
  return std::move(b.Prepend(a));
}

Cat Num(double v, int decimals = 1) {
  Cat c;
  c.AppendFixed(v, decimals);
  return c;
}
Cat Tn(Tenths t) { return Num(FromTenths(t)); }
Cat Int(long long n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  return Cat(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}
Cat Dt(Date d) {
  Cat c;
  c.AppendDate(d);
  return c;
}
// REQUIRES: d has a value (as `d->ToString()` did).
Cat Dt(const std::optional<Date>& d) { return Dt(*d); }
Cat Desc(const Threshold& t, std::string_view unit) {
  Cat out;
  t.DescribeTo(unit, [&out](std::string_view piece) { out.Append(piece); });
  return out;
}

std::string_view SiteName(BmdSite s) {
  switch (s) {
    case BmdSite::kLumbarSpine:
      return "lumbar spine";
    case BmdSite::kTotalHip:
      return "total hip";
    case BmdSite::kFemoralNeck:
      return "femoral neck";
    case BmdSite::kRadius33:
      return "1/3 radius";
  }
  return "?";
}

Cat FxName(const FractureEvent& e) {
  Cat s(ToString(e.site));
  if (!e.level.empty()) s.Append(" (").Append(e.level).Append(")");
  if (e.date) s.Append(" on ").AppendDate(*e.date);
  return s;
}

bool IsOralBisphosphonate(const Medication& m) {
  if (m.agent == Agent::kAlendronate || m.agent == Agent::kRisedronate) return true;
  return m.agent == Agent::kIbandronate && m.route.value_or(Route::kOral) == Route::kOral;
}

// An arena for one assessment, from a small per-thread pool: a pooled arena is handed out again
// once no assessment holds it (the pool's reference is the only one left, wherever the last
// holder was destroyed), so that a thread assessing patient after patient allocates neither an
// arena nor a reference count each time.
class ArenaPool {
 public:
  static std::shared_ptr<Arena> Get() {
    thread_local ArenaPool pool;
    for (const std::shared_ptr<Arena>& arena : pool.arenas_) {
      if (arena.use_count() != 1) continue;
      // The last other holder let go with a releasing decrement, perhaps on another thread: its
      // reads of the arena happen before this thread writes to it again.
      std::atomic_thread_fence(std::memory_order_acquire);
      arena->Clear();
      return arena;
    }
    auto arena = std::make_shared<Arena>();
    if (pool.arenas_.size() < kMaxPooled) pool.arenas_.push_back(arena);
    return arena;
  }

 private:
  static constexpr std::size_t kMaxPooled = 8;
  std::vector<std::shared_ptr<Arena>> arenas_;
};

// Sets the arena Keep files texts in, for one scope.
struct ArenaScope {
  Arena* saved;
  explicit ArenaScope(Arena* t) : saved(current_arena) { current_arena = t; }
  ~ArenaScope() { current_arena = saved; }
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;
};

// A formatted text kept in the current assessment's arena (an owned copy when none is set).
Text Keep(std::string_view s) {
  if (current_arena) return Text::Borrowed(current_arena->Store(s));
  return Text(s);
}
Text Keep(const Cat& c) { return Keep(c.view()); }

// A text argument: a literal (kept by pointer, never copied), a formatted text or a built
// string (copied into the arena). Only literals and enum wire names may be passed as const
// char*.
struct Str {
  Text t;
  template <std::size_t N>
  Str(const char (&literal)[N]) : t(literal) {}  // NOLINT
  // An enum's wire name (static) or a literal chosen by a conditional.
  template <typename P, std::enable_if_t<std::is_same_v<P, const char*>, int> = 0>
  Str(P literal) : t(Text::Static(literal)) {}  // NOLINT
  Str(const std::string& s) : t(Keep(s)) {}     // NOLINT
  Str(const Cat& s) : t(Keep(s)) {}             // NOLINT
  Str(Text&& s) : t(std::move(s)) {}            // NOLINT
  // A Text of the assessment being decided: a borrowed one stays borrowed (same arena).
  Str(const Text& s) : t(s.Alias()) {}  // NOLINT
};

// Statement and PreCheck from Str arguments: literal texts are not copied.
struct St {
  Str code;
  Str text;
  RuleIds rules;
  operator Statement() && { return {std::move(code.t), std::move(text.t), std::move(rules)}; }
};
struct Pc {
  PreCheckKind check;
  CheckStatus status;
  Str text;
  RuleIds rules;
  operator PreCheck() && { return {check, status, std::move(text.t), std::move(rules)}; }
};

}  // namespace

// Trace texts that depend on the profile alone (the thresholds it sets), formatted once per
// engine (Engine::Create) instead of once per assessment. Interned: they live as long as the
// process, like literals, so an assessment may outlive its engine.
struct ProfileTexts {
  Text calc07_in, calc07_out, d1, d2, d11, d12, d13, d26, d27;
  Text giop_acr_scope, giop_vh_dose, giop_vh_cumulative, giop_young, giop_young_no_frax,
      giop_not_young;
};

namespace {

Text Interned(const Cat& c) {
  static std::mutex mutex;
  static auto* table = new std::set<std::string, std::less<>>();  // never freed: see above
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = table->find(c.view());
  if (it == table->end()) it = table->emplace(c.view()).first;
  return Text::Static(*it);
}

ProfileTexts MakeProfileTexts(const CompiledProfile& c) {
  ProfileTexts t;
  t.calc07_in =
      Interned("in the T-score population (postmenopausal or perimenopausal woman, or man aged " +
               Desc(c.tscore_population_min_age_men, "years") + ")");
  t.calc07_out = Interned("outside the T-score population (premenopausal woman or man under " +
                          Num(c.tscore_population_min_age_men.value, 0) + "): Z-scores apply");
  t.d1 = Interned("FRAX very-high-risk thresholds " + Desc(c.vh_frax_mof, "%") + " / " +
                  Desc(c.vh_frax_hip, "%") + "; 20 % / 3 % are treatment thresholds only");
  t.d2 = Interned("T-score very-high-risk threshold " + Desc(c.vh_tscore, ""));
  t.d11 = Interned("per-drug renal thresholds: zoledronic acid " + Desc(c.za_crcl, "mL/min") +
                   ", alendronate " + Desc(c.alendronate_crcl, "mL/min") +
                   ", risedronate/ibandronate " + Desc(c.risedronate_crcl, "mL/min") +
                   " (Cockcroft-Gault, not eGFR)");
  t.d12 = Interned("minimum " + Num(c.za_min_vitd.value, 0) + " ng/mL blocks; AACE target " +
                   Num(c.vitd_target.value, 0) + " ng/mL warns");
  t.d13 = Interned("any fracture in the past " + Int(c.vh_recent_fx_months) +
                   " months counts (AACE 2020), not only vertebral or hip");
  t.d26 = Interned("reassess after " + Num(c.bp_oral_reassess_years.value, 0) + " years oral or " +
                   Num(c.za_reassess_doses.value, 0) + " years IV");
  t.d27 = Interned("refer below CrCl " + Num(c.refer_crcl.value, 0) + " mL/min; always at eGFR " +
                   Desc(c.denosumab_egfr, ""));
  t.giop_acr_scope = Interned("ACR 2022 scope not met (" + Desc(c.gc_acr_min_dose, "mg/day") +
                              " for " + Desc(c.gc_acr_min_days, "days") + ")");
  t.giop_vh_dose = Interned("glucocorticoid " + Desc(c.giop_vh_dose, "mg/day") + " for " +
                            Desc(c.giop_vh_dose_days, "days"));
  t.giop_vh_cumulative = Interned("cumulative " + Desc(c.giop_vh_cumulative_g, "g") + " in a year");
  const std::string young(Num(c.giop_young_age.value, 0).view());
  t.giop_young = Interned("age under " + Cat(young));
  t.giop_young_no_frax = Interned("under " + Cat(young) + ": FRAX not used");
  t.giop_not_young = Interned("age " + Cat(young) + " or over");
  return t;
}

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
  bool verbose = true;                  // false: decisions only (see BP_VERBOSE)
  const ProfileTexts* texts = nullptr;  // the profile's, for a verbose run
  const ProfileTexts& Texts() const { return *texts; }
  unsigned avoided = 0;  // bit per kAvoidable agent

  // A parameter of the profile: the decision code reaches the profile only through P. While
  // `reads` is set (the returned assessment's run, up to the end of Selection), each read is
  // recorded, except inside BP_VERBOSE and BP_AVOID's text (texts decide nothing): another
  // profile equal in every recorded parameter would decide the same (Engine::Assess).
  template <typename T>
  [[gnu::always_inline]] const T& P(T CompiledProfile::*field) {
    const T& v = profile_.*field;
    if (reads) reads->Record(profile_, v);
    return v;
  }
  // A parameter read without recording it, where the caller has shown that the value changes
  // only texts, not decisions (say why at the call).
  template <typename T>
  const T& Unrecorded(T CompiledProfile::*field) const {
    return profile_.*field;
  }
  ProfileReads* reads = nullptr;

  // The rule id is a literal (static). (Brace-initialized: clang 14, which builds the fuzzers,
  // has no parenthesized aggregate initialization for emplace_back.)
  void Trace(std::string_view rule, Outcome o, Str&& because) {
    a.trace.push_back(TraceEntry{Text::Static(rule), o, std::move(because.t)});
  }
  void Trace(std::string_view rule, Outcome o) {
    a.trace.push_back(TraceEntry{Text::Static(rule), o, Text()});
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
    for (auto& m : a.missing_data)
      if (m.field == field.t) {
        if (m.needed_for.find(needed_for.t) == std::string_view::npos)
          m.needed_for += "; " + needed_for.t;
        return;
      }
    a.missing_data.push_back({std::move(field.t), std::move(needed_for.t)});
  }
  void Warn(std::string_view code, Severity sev, Str text, RuleIds rules) {
    for (auto& w : a.warnings)
      if (w.code == code) {
        if (sev > w.severity) {
          w.severity = sev;
          w.text = std::move(text.t);
        }
        for (auto r : rules)
          if (!w.rules.contains(r)) w.rules.push_back(r);
        return;
      }
    a.warnings.push_back({Text::Static(code), sev, std::move(text.t), std::move(rules)});
  }
  void Refer(Destination to, Urgency u, Str text, RuleIds rules) {
    for (auto& r : a.referrals)
      if (r.to == to) {
        if (u > r.urgency) r.urgency = u;
        r.reasons.push_back({Text(), std::move(text.t), std::move(rules)});
        return;
      }
    Referral r{to, u, List<Statement>(a.referrals.get_allocator())};
    r.reasons.push_back({Text(), std::move(text.t), std::move(rules)});
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
        x.text += "; " + text.t;
        for (auto r : rules)
          if (!x.rules.contains(r)) x.rules.push_back(r);
        return;
      }
    a.avoid.push_back({Text::Static(agent), std::move(text.t), std::move(rules)});
  }
  bool Avoided(std::string_view agent) const {
    const int bit = AvoidBit(agent);
    if (bit >= 0) return (avoided >> bit) & 1u;
    for (const auto& x : a.avoid)
      if (x.agent == agent) return true;
    return false;
  }
  // Appends the regimen of `agent` to `to`, built in place. `agent` is a literal or an enum's wire
  // name (static); the regimen's texts and rule ids refer to the knowledge base.
  void AddRegimen(List<Regimen>& to, std::string_view agent,
                  std::initializer_list<std::string_view> rules) const {
    Regimen& r = to.emplace_back();
    r.agent = Text::Static(agent);
    for (std::string_view id : rules) r.rules.push_back(id);
    // The regimen table is the knowledge base's, the same in every profile: not a recorded read.
    if (const CompiledRegimen* cr = profile_.FindRegimen(agent)) {
      r.dose = Text::Static(cr->def->dose);
      r.route = cr->route;
      r.interval = Text::Static(cr->def->interval);
      r.max_duration = Text::Static(cr->def->max_duration);
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

// Suspends recording of profile reads, for code that only writes texts.
struct TextOnly {
  Ctx& x;
  ProfileReads* saved;
  explicit TextOnly(Ctx& c) : x(c), saved(c.reads) { c.reads = nullptr; }
  ~TextOnly() { x.reads = saved; }
  TextOnly(const TextOnly&) = delete;
  TextOnly& operator=(const TextOnly&) = delete;
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
  friend bool operator==(const State&, const State&) = default;
};

int LowBoneMassBoundTenths(Ctx& x) {
  return static_cast<int>(std::lround(x.P(&CP::tx_tscore_low_bone_mass).value * 10));
}

// Whole calendar months from a to b (24 for 2024-01-01 .. 2026-01-01), plus the fraction of the
// last one, so that a course of exactly 24 months is not "beyond 24 months".
double CompletedMonths(Date a, Date b) {
  if (b <= a) return 0;
  int months = (b.year() - a.year()) * 12 + (b.month() - a.month());
  if (a.AddMonths(months) > b) --months;
  const Date base = a.AddMonths(months);
  return months + DaysBetween(base, b) / 31.0;
}

bool RecentMonths(const std::optional<Date>& d, Date as_of, int months) {
  return d && WithinMonths(*d, as_of, months);
}

// True when a medication covered `when` (started on or before it and not yet ended).
bool OnAt(const Medication& m, Date when) {
  if (!m.start || *m.start > when) return false;
  if (m.status == MedStatus::kPlanned) return false;
  if (m.end) return *m.end >= when;
  return m.status == MedStatus::kActive || m.last_dose.value_or(*m.start) >= when;
}

// ---------------------------------------------------------------------------------------------
void Demographics(Ctx& x, State& s) {
  const Facts& f = x.f;
  auto& d = x.a.derived;
  d.age_years = f.age;
  d.bmi_kg_m2 = f.bmi;
  d.crcl_ml_min = f.crcl;
  d.egfr_ml_min_1_73m2 = f.egfr;
  if (f.t_min) d.lowest_t_score = FromTenths(*f.t_min);
  d.lowest_t_score_site = f.t_min_site;
  d.frax_major_osteoporotic_pct = f.frax_mof;
  d.frax_hip_pct = f.frax_hip;
  d.corrected_calcium_mg_dl = f.corrected_calcium;
  if (f.vitd) d.vitamin_d_25oh_ng_ml = f.vitd->value;
  d.prednisone_equivalent_mg_day = f.gc_dose_mg;

  BP_VERBOSE(
      x, x.Trace(
             "CONV-DECISION-SUPPORT", Outcome::kFired,
             "decision support for health professionals; every rule is shown with its verification "
             "mark and review status"));
  BP_VERBOSE(
      x,
      x.Trace("CONV-ABSENT", Outcome::kFired,
              "absent lists are taken as none recorded; absent measurements are unknown and listed "
              "as missing"));
  BP_VERBOSE(
      x,
      x.Trace(
          "CONV-ROUNDING", Outcome::kFired,
          "T-/Z-scores and FRAX compared as reported to one decimal; computed values unrounded"));

  if (!f.age)
    BP_VERBOSE(
        x, x.Missing("birth_date", "age: population gate, Cockcroft-Gault CrCl, eGFR, FRAX range"));
  if (f.sex_unknown) {
    BP_VERBOSE(
        x,
        x.Fired("CONV-SEX-UNKNOWN",
                "sex unknown: Cockcroft-Gault and eGFR take the lower (female) value; the T-score "
                "population is judged by the men's age limit"));
  } else {
    BP_VERBOSE(x, x.NotFired("CONV-SEX-UNKNOWN"));
  }
  if (f.menopause_assumed) {
    BP_VERBOSE(x,
               x.Fired("CONV-MENOPAUSE",
                       std::string("menopausal status not recorded: taken as ") +
                           (*f.menopause == Menopause::kPost ? "postmenopausal" : "premenopausal") +
                           " from age " + Num(x.Age(), 0) + " (cut-off " +
                           Desc(x.P(&CP::menopause_assumed_age), "years") + ")"));
  } else {
    BP_VERBOSE(x, x.NotFired("CONV-MENOPAUSE", "menopausal status recorded or not applicable"));
  }

  // CALC-07 population gate.
  if (f.in_t_population) {
    s.outside_population = !*f.in_t_population;
    BP_VERBOSE(x, x.Trace("CALC-07", Outcome::kFired,
                          *f.in_t_population ? x.Texts().calc07_in : x.Texts().calc07_out));
  } else {
    s.population_unknown = true;
    BP_VERBOSE(x, x.Insufficient("CALC-07",
                                 "age or menopausal status unknown: the T-score population gate "
                                 "cannot be applied"));
    BP_VERBOSE(x, x.Missing(x.f.female ? "menopausal_status" : "birth_date",
                            "the T-score population gate (CALC-07)"));
  }

  // CALC-01..04 values into the trace.
  if (!x.verbose) {
    // The other profiles need no trace, warnings or missing data from here on.
  } else if (f.crcl) {
    Cat because = "Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min (" + f.crcl_weight_method +
                  " body weight";
    if (f.crcl_sex_assumed) because.Append("; sex unknown, female factor applied");
    because.Append(")");
    BP_VERBOSE(x, x.Fired("CALC-01", because));
    if (f.crcl_weight_method != "actual") {
      BP_VERBOSE(x,
                 x.Fired("CALC-02", "CrCl computed with " + f.crcl_weight_method + " body weight"));
      BP_VERBOSE(x, x.Warn("crcl_method", Severity::kInfo,
                           "Creatinine clearance computed with " + f.crcl_weight_method +
                               " body weight (profile setting), not actual body weight.",
                           {"CALC-02"}));
    } else {
      BP_VERBOSE(x, x.NotFired("CALC-02", "actual body weight (default)"));
    }
  } else {
    std::string why;
    if (!f.creatinine) {
      why = "no serum creatinine";
      BP_VERBOSE(x, x.Missing("labs.creatinine",
                              "Cockcroft-Gault CrCl for zoledronic acid and oral "
                              "bisphosphonates (CALC-01, PRE-01)"));
    }
    if (!x.p.weight_kg) {
      why += why.empty() ? "no body weight" : ", no body weight";
      BP_VERBOSE(x, x.Missing("weight_kg", "Cockcroft-Gault CrCl (CALC-01, PRE-01)"));
    }
    if (!f.age) why += why.empty() ? "no age" : ", no age";
    BP_VERBOSE(x, x.Insufficient("CALC-01", why.empty() ? "cannot compute" : why));
    BP_VERBOSE(x, x.NotFired("CALC-02"));
  }
  if (f.egfr) {
    BP_VERBOSE(
        x, x.Fired("CALC-03", "eGFR " + Num(*f.egfr) + " mL/min/1.73m2 (" +
                                  (f.egfr_computed ? "CKD-EPI 2021 from creatinine" : "reported") +
                                  ")"));
  } else {
    BP_VERBOSE(x, x.Insufficient("CALC-03", "no eGFR and no creatinine with age"));
  }
  if (f.ionized_calcium) {
    BP_VERBOSE(x, x.Fired("CALC-04", "ionized calcium " + Num(f.ionized_calcium->value, 2) +
                                         " mmol/L" + (f.hypocalcemia ? ": low" : "")));
  } else if (f.corrected_calcium) {
    BP_VERBOSE(x, x.Fired("CALC-04", "albumin-corrected calcium " + Num(*f.corrected_calcium, 2) +
                                         " mg/dL" + (f.hypocalcemia ? ": low" : "")));
  } else {
    BP_VERBOSE(
        x, x.Insufficient("CALC-04", f.calcium ? "total calcium without albumin" : "no calcium"));
    if (!f.calcium)
      BP_VERBOSE(x, x.Missing("labs.calcium",
                              "hypocalcemia check before any antiresorptive (CALC-04, PRE-02)"));
    else if (!f.albumin && !f.hypocalcemia)
      BP_VERBOSE(x, x.Missing("labs.albumin", "albumin-corrected calcium (CALC-04, PRE-02)"));
  }
  if (f.gc_dose_mg) {
    BP_VERBOSE(
        x,
        x.Fired("CALC-05",
                "systemic glucocorticoid " + Num(*f.gc_dose_mg) + " mg/day prednisone-equivalent" +
                    (f.gc_applies_acr ? ", duration > 3 months (actual or planned)" : "")));
  } else if (f.gc_active) {
    BP_VERBOSE(x, x.Insufficient("CALC-05", "glucocorticoid active without a dose"));
    BP_VERBOSE(
        x, x.Missing("medications[glucocorticoid].dose_mg_per_day",
                     "glucocorticoid exposure and FRAX adjustment (CALC-05, CALC-06, GIOP-01)"));
  } else {
    BP_VERBOSE(x, x.NotFired("CALC-05", "no systemic glucocorticoid active or planned"));
  }
  if (f.frax_gc_adjusted_here) {
    BP_VERBOSE(x, x.Fired("CALC-06", "FRAX adjusted for " + Num(*f.gc_dose_mg) + " mg/day: MOF " +
                                         Num(*f.frax_mof_raw) + " -> " + Num(*f.frax_mof) + " %" +
                                         (f.frax_hip ? ", hip " + Num(*f.frax_hip_raw) + " -> " +
                                                           Num(*f.frax_hip) + " %"
                                                     : "")));
    BP_VERBOSE(x, x.Warn("glucocorticoid_frax_adjusted", Severity::kInfo,
                         "FRAX adjusted for the glucocorticoid dose (" + Num(*f.gc_dose_mg) +
                             " mg/day prednisone-equivalent): major osteoporotic " +
                             (f.frax_mof ? Num(*f.frax_mof) : std::string("n/a")) + " %, hip " +
                             (f.frax_hip ? Num(*f.frax_hip) : std::string("n/a")) + " %.",
                         {"CALC-06", "D7"}));
  } else if (f.frax_gc_adjust_unknown) {
    BP_VERBOSE(x,
               x.Insufficient("CALC-06",
                              "glucocorticoid active but the dose is unknown: FRAX not adjusted"));
  } else {
    BP_VERBOSE(x, x.NotFired("CALC-06", f.gc_active
                                            ? "medium dose band or FRAX already adjusted: no change"
                                            : "no active glucocorticoid"));
  }
  if (f.frax_gc_boundary) {
    BP_VERBOSE(
        x,
        x.Warn("glucocorticoid_dose_boundary", Severity::kInfo,
               "Glucocorticoid dose exactly " + Num(x.P(&CP::gc_bands).high_from_mg) +
                   " mg/day: sources differ on whether this is the high band (D7). Unadjusted FRAX "
                   "MOF " +
                   Num(*f.frax_mof_raw) + " %, adjusted " + Num(f.frax_mof.value_or(0)) + " %.",
               {"CALC-06", "D7"}));
  }
  BP_VERBOSE(
      x, x.Trace("CALC-08", f.events.empty() ? Outcome::kNotFired : Outcome::kFired,
                 f.events.empty() ? "no fracture recorded"
                                  : Int(f.fragility_events) + " fragility fracture event(s) of " +
                                        Int(f.events.size())));
  if (f.events.size() < x.p.fractures.size())
    BP_VERBOSE(
        x, x.Fired("CONV-FRACTURE-EVENT", "records of the same fracture merged into one event"));
  else
    BP_VERBOSE(x, x.NotFired("CONV-FRACTURE-EVENT"));
  for (size_t i = 0; i < f.events.size(); ++i)
    if (f.events[i].mechanism_unknown && f.events[i].HipOrVertebral())
      BP_VERBOSE(x, x.Missing("fractures[" + Int(f.events[i].first_index) + "].mechanism",
                              "whether the fracture is a fragility fracture (CALC-08, TX-01)"));
  if (f.bmi)
    BP_VERBOSE(
        x, x.Trace("CALC-07", Outcome::kNotFired, "BMI " + Num(*f.bmi) + " kg/m2 (not a gate)"));
}

// ---------------------------------------------------------------------------------------------
// DX / TX: is treatment indicated (for the T-score population)?
void Indication(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  s.recorded_dx = FindCondition(p, ConditionCode::kOsteoporosis) != nullptr;
  s.vertebral_fx = std::any_of(f.events.begin(), f.events.end(), [](const FractureEvent& e) {
    return e.site == FractureSite::kVertebral;
  });
  s.neuro_deficit = s.vertebral_fx && p.spine.neurological_deficit.value_or(false);
  s.pathologic = f.any_pathologic || (s.vertebral_fx && !p.spine.red_flags.empty());
  s.malignancy = x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
                 x.f.HasActive(p, ConditionCode::kMultipleMyeloma) ||
                 x.f.HasActive(p, ConditionCode::kSkeletalMalignancy);

  // DX-01 WHO category.
  if (!x.verbose) {
  } else if (f.t_min) {
    const char* cat = x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min)
                          ? (f.fragility_events ? "severe osteoporosis" : "osteoporosis")
                      : x.P(&CP::tx_tscore_low_bone_mass).MetTenths(*f.t_min) ? "low bone mass"
                                                                              : "normal";
    BP_VERBOSE(
        x, x.Fired("DX-01", "lowest T-score on record " + Tn(*f.t_min) + " at " +
                                SiteName(*f.t_min_site) +
                                (f.t_min_date ? " (" + Dt(f.t_min_date) + ")" : "") + ": " + cat));
    if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa)
      BP_VERBOSE(x, x.Fired("D32", "the diagnosis from the " + Dt(f.t_min_date) +
                                       " scan persists although the latest scan is better"));
    else
      BP_VERBOSE(x, x.NotFired("D32"));
    if (*f.t_min_site == BmdSite::kRadius33)
      BP_VERBOSE(x, x.Fired("D33", "the 1/3 radius counts for diagnosis"));
    else
      BP_VERBOSE(x, x.NotFired("D33"));
  } else {
    BP_VERBOSE(x, x.Insufficient("DX-01", "no T-score on record"));
    BP_VERBOSE(x, x.NotFired("D32"));
    BP_VERBOSE(x, x.NotFired("D33"));
  }
  // DX-02 Z-score.
  if (f.z_min && x.P(&CP::zscore_below_expected).MetTenths(*f.z_min))
    BP_VERBOSE(x, x.Fired("DX-02", "Z-score " + Tn(*f.z_min) + " " +
                                       Desc(x.P(&CP::zscore_below_expected), "") +
                                       ": below the expected range for age"));
  else
    BP_VERBOSE(
        x, x.NotFired("DX-02", f.z_min ? "Z-score " + Tn(*f.z_min) + ": within the expected range"
                                       : "no Z-score"));

  if (s.outside_population) {
    const bool secondary = x.f.HasActive(p, ConditionCode::kHyperparathyroidism) ||
                           x.f.HasActive(p, ConditionCode::kHyperthyroidism) ||
                           x.f.HasActive(p, ConditionCode::kCushingSyndrome) ||
                           x.f.HasActive(p, ConditionCode::kMalabsorption) ||
                           x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
                           x.f.HasActive(p, ConditionCode::kHypogonadism) ||
                           x.f.HasActive(p, ConditionCode::kAnorexiaNervosa) ||
                           x.f.HasActive(p, ConditionCode::kHyperprolactinemia) ||
                           x.f.HasActive(p, ConditionCode::kInflammatoryBowelDisease);
    const bool low_z = f.z_min && x.P(&CP::zscore_below_expected).MetTenths(*f.z_min);
    if (f.fragility_events || low_z || secondary || s.recorded_dx) {
      x.a.treatment_indicated = std::nullopt;
      x.a.risk_tier = RiskTier::kIndeterminate;
      const std::string why = !x.verbose           ? std::string()
                              : f.fragility_events ? "a fragility fracture"
                              : low_z              ? "a Z-score below the expected range"
                              : secondary          ? "a secondary cause of bone loss"
                                                   : "a recorded diagnosis of osteoporosis";
      BP_VERBOSE(
          x,
          x.Fired("TX-06", "outside the T-score population with " + why +
                               ": T-score and FRAX thresholds do not apply; a specialist decides"));
      BP_VERBOSE(x, x.a.treatment_reasons.push_back(
                        St{"outside_population",
                           "Outside the populations the T-score and FRAX thresholds were made for "
                           "(premenopausal "
                           "woman or man under 50) with " +
                               why + ": a specialist decides whether and how to treat.",
                           {"TX-06", "CALC-07"}}));
    } else {
      x.a.treatment_indicated = false;
      x.a.risk_tier = RiskTier::kNotIndicated;
      BP_VERBOSE(x, x.Fired("TX-06",
                            "outside the T-score population, no fragility fracture, Z-score within "
                            "range and no secondary cause: not indicated"));
      BP_VERBOSE(
          x, x.a.treatment_reasons.push_back(St{
                 "not_indicated",
                 "Outside the T-score population, with no fragility fracture, low Z-score or known "
                 "secondary cause: osteoporosis drug treatment is not indicated.",
                 {"TX-06", "CALC-07"}}));
    }
    for (std::string_view r :
         {"TX-01", "TX-02", "TX-03", "TX-04", "TX-05", "CONV-DX-RECORDED", "D31", "D18"})
      BP_VERBOSE(x, x.NotFired(r, "not applied outside the T-score population (TX-06)"));
    return;
  }
  BP_VERBOSE(x, x.NotFired("TX-06", s.population_unknown ? "population unknown"
                                                         : "in the T-score population"));

  List<Statement>& reasons = x.a.treatment_reasons;
  bool indicated = false;
  // TX-01.
  const FractureEvent* hipvert = nullptr;
  for (const auto& e : f.events)
    if (e.fragility && e.HipOrVertebral()) hipvert = &e;
  if (hipvert) {
    indicated = true;
    BP_VERBOSE(x, x.Fired("TX-01", "hip or vertebral fragility fracture: " + FxName(*hipvert)));
    BP_VERBOSE(x, reasons.push_back(St{"hip_vertebral_fracture",
                                       "Hip or vertebral fragility fracture (" + FxName(*hipvert) +
                                           "): treatment is indicated regardless of BMD.",
                                       {"TX-01"}}));
  } else {
    BP_VERBOSE(x, x.NotFired("TX-01", "no hip or vertebral fragility fracture"));
  }
  // TX-02.
  if (f.t_min && x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min)) {
    indicated = true;
    if (x.verbose) {
      x.Fired("TX-02",
              "lowest T-score " + Tn(*f.t_min) + " " + Desc(x.P(&CP::tx_tscore_osteoporosis), ""));
      RuleIds r = {"TX-02", "DX-01"};
      if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa) r.push_back("D32");
      if (*f.t_min_site == BmdSite::kRadius33) r.push_back("D33");
      reasons.push_back(St{"osteoporotic_t_score",
                           "Osteoporotic T-score: " + Tn(*f.t_min) + " at " +
                               SiteName(*f.t_min_site) + " (" +
                               Desc(x.P(&CP::tx_tscore_osteoporosis), "") + ").",
                           r});
    }
  } else {
    BP_VERBOSE(x, x.NotFired("TX-02", f.t_min ? "lowest T-score " + Tn(*f.t_min) : "no T-score"));
  }
  // CONV-DX-RECORDED.
  if (s.recorded_dx) {
    indicated = true;
    BP_VERBOSE(x, x.Fired("CONV-DX-RECORDED", "a clinician-recorded diagnosis of osteoporosis"));
    BP_VERBOSE(x, reasons.push_back(
                      St{"recorded_diagnosis",
                         "A clinician has recorded a diagnosis of osteoporosis: it counts as "
                         "osteoporosis (clinical diagnosis).",
                         {"CONV-DX-RECORDED"}}));
  } else {
    BP_VERBOSE(x, x.NotFired("CONV-DX-RECORDED"));
  }
  // TX-03 (FRAX).
  const bool low_bone_mass_central =
      f.t_min_central && !x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min_central) &&
      x.P(&CP::tx_tscore_low_bone_mass).MetTenths(*f.t_min_central);
  const bool frax_population =
      x.P(&CP::tx_frax_requires_low_bone_mass)
          ? low_bone_mass_central
          : !(f.t_min && x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min));
  const bool us_model = !p.frax || p.frax->model.empty() || p.frax->model == "US" ||
                        p.frax->model == "us" || p.frax->model == "USA";
  // CALC-07: FRAX applies from 40 to 90. Under 40 it is not used; over 90 the FRAX tool computes
  // at 90, so a reported figure is used as the age-90 estimate (said in the trace).
  const bool frax_too_young = x.AgeKnown() && !x.P(&CP::frax_min_age).Met(x.Age());
  if (f.frax_present && x.AgeKnown() && !x.P(&CP::frax_max_age).Met(x.Age()))
    BP_VERBOSE(x, x.Fired("CALC-07", "age " + Num(x.Age(), 0) +
                                         " is above FRAX's range: the FRAX figure is the age-" +
                                         Num(x.P(&CP::frax_max_age).value, 0) + " estimate"));
  auto frax_meets = [&](const Threshold& mof, const Threshold& hip) {
    // Reported FRAX compared in tenths; adjusted FRAX unrounded.
    bool m = false, h = false;
    if (f.frax_mof)
      m = f.frax_gc_adjusted_here ? mof.Met(*f.frax_mof)
                                  : mof.MetTenths(*p.frax->major_osteoporotic_pct);
    if (f.frax_hip)
      h = f.frax_gc_adjusted_here ? hip.Met(*f.frax_hip) : hip.MetTenths(*p.frax->hip_pct);
    return m || h;
  };
  bool tx03_missing = false;
  if (frax_population && f.frax_present && us_model && !frax_too_young &&
      frax_meets(x.P(&CP::tx_frax_mof), x.P(&CP::tx_frax_hip))) {
    indicated = true;
    if (x.verbose) {
      const std::string fx = "FRAX major osteoporotic " +
                             (f.frax_mof ? Num(*f.frax_mof) : std::string("n/a")) + " %, hip " +
                             (f.frax_hip ? Num(*f.frax_hip) : std::string("n/a")) + " %";
      x.Fired("TX-03", fx + " meets " + Desc(x.P(&CP::tx_frax_mof), "%") + " or " +
                           Desc(x.P(&CP::tx_frax_hip), "%"));
      RuleIds r = {"TX-03"};
      if (!x.P(&CP::tx_frax_requires_low_bone_mass)) r.push_back("D18");
      if (f.frax_gc_adjusted_here) r.push_back("CALC-06");
      reasons.push_back(St{"frax_threshold",
                           (low_bone_mass_central ? "Low bone mass with " : "") + fx +
                               " (thresholds " + Desc(x.P(&CP::tx_frax_mof), "%") + " or hip " +
                               Desc(x.P(&CP::tx_frax_hip), "%") + ").",
                           r});
    }
  } else if (frax_population &&
             (!f.frax_present || !us_model || f.frax_gc_adjust_unknown || frax_too_young)) {
    tx03_missing = !indicated;
    BP_VERBOSE(
        x, x.Insufficient("TX-03", !f.frax_present  ? "low bone mass but no FRAX"
                                   : frax_too_young ? "FRAX does not apply under age 40"
                                   : !us_model
                                       ? "FRAX is not the US model"
                                       : "FRAX cannot be adjusted: glucocorticoid dose unknown"));
    if (!indicated && !frax_too_young)
      BP_VERBOSE(x, x.Missing(!f.frax_present ? "frax"
                              : !us_model     ? "frax.model"
                                              : "medications[glucocorticoid].dose_mg_per_day",
                              "US FRAX for low bone mass (TX-03)"));
  } else {
    BP_VERBOSE(
        x, x.NotFired("TX-03", frax_population ? "FRAX below " + Desc(x.P(&CP::tx_frax_mof), "%") +
                                                     " and " + Desc(x.P(&CP::tx_frax_hip), "%")
                                               : "not low bone mass"));
  }
  if (x.P(&CP::tx_frax_requires_low_bone_mass))
    BP_VERBOSE(x, x.NotFired("D18", "FRAX thresholds applied to low bone mass only"));
  // TX-04.
  const bool low_bone_mass_any = f.t_min && !x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min) &&
                                 x.P(&CP::tx_tscore_low_bone_mass).MetTenths(*f.t_min);
  const FractureEvent* tx04 = nullptr;
  for (const auto& e : f.events) {
    if (!e.fragility) continue;
    const bool site = e.site == FractureSite::kHumerus || e.site == FractureSite::kPelvis ||
                      ((e.site == FractureSite::kWrist || e.site == FractureSite::kForearm) &&
                       x.P(&CP::tx_low_bmd_fx_forearm));
    if (site) tx04 = &e;
  }
  if (low_bone_mass_any && tx04) {
    indicated = true;
    BP_VERBOSE(x,
               x.Fired("TX-04", "low bone mass with a fragility fracture of the " + FxName(*tx04)));
    BP_VERBOSE(
        x,
        reasons.push_back(St{
            "low_bone_mass_fracture",
            "Low bone mass with a fragility fracture of the " + FxName(*tx04) +
                " (proximal humerus or pelvis" +
                (x.P(&CP::tx_low_bmd_fx_forearm) ? ", or distal forearm under this profile" : "") +
                "): clinical diagnosis of osteoporosis.",
            {"TX-04"}}));
  } else {
    BP_VERBOSE(x, x.NotFired("TX-04"));
  }
  // D31: fragility fracture with normal BMD.
  const FractureEvent* any_fragility = nullptr;
  for (const auto& e : f.events)
    if (e.fragility) any_fragility = &e;
  // "Normal BMD" here is every T-score above the low-bone-mass bound (README: > -1.0); a T-score
  // of exactly -1.0 is not low bone mass either, so it qualifies for neither.
  const bool normal_bmd = f.t_min && *f.t_min > LowBoneMassBoundTenths(x);
  if (any_fragility && normal_bmd) {
    BP_VERBOSE(x, x.Fired("D31", "fragility fracture (" + FxName(*any_fragility) +
                                     ") with every T-score > " +
                                     Num(x.P(&CP::tx_tscore_low_bone_mass).value)));
    BP_VERBOSE(x, x.Warn("fragility_fracture_with_normal_bmd", Severity::kWarning,
                         "Fragility fracture with normal BMD (lowest T-score " + Tn(*f.t_min) +
                             "): specialist evaluation for underlying metabolic bone disease.",
                         {"D31", "REF-02"}));
    if (x.P(&CP::fragility_fracture_normal_bmd_indicates) && !indicated) {
      indicated = true;
      BP_VERBOSE(x, reasons.push_back(
                        St{"fragility_fracture_clinical_diagnosis",
                           "A fragility fracture is a clinical diagnosis of osteoporosis even with "
                           "a normal T-score (AACE 2020, this profile).",
                           {"D31"}}));
    }
  } else {
    BP_VERBOSE(x, x.NotFired("D31"));
  }

  if (indicated && !s.population_unknown) {
    x.a.treatment_indicated = true;
    BP_VERBOSE(x, x.NotFired("TX-05"));
    BP_VERBOSE(x, x.NotFired("CONV-INDETERMINATE"));
    return;
  }
  // Not indicated by the rules: is there enough data to say no?
  const bool nothing = !f.t_min && !f.frax_present && f.events.empty() && !s.recorded_dx;
  const char* missing_why = "";
  if (s.population_unknown)
    missing_why = "age or menopausal status unknown";
  else if (!f.t_min)
    missing_why = "no DXA T-score";
  else if (tx03_missing)
    missing_why = "low bone mass without a usable US FRAX";
  else if (f.any_mechanism_unknown &&
           std::any_of(f.events.begin(), f.events.end(), [](const FractureEvent& e) {
             return e.mechanism_unknown && e.HipOrVertebral();
           }))
    missing_why = "a hip or vertebral fracture of unknown mechanism";
  if (*missing_why != '\0') {
    x.a.treatment_indicated = std::nullopt;
    x.a.risk_tier = RiskTier::kIndeterminate;
    BP_VERBOSE(x, x.Fired("CONV-INDETERMINATE",
                          nothing ? "no DXA, no FRAX, no fragility fracture and no recorded "
                                    "diagnosis: not enough to decide"
                                  : std::string(missing_why) + ": not enough to decide"));
    if (!f.t_min)
      BP_VERBOSE(
          x, x.Missing("bmd", "diagnosis and treatment indication (DX-01, TX-02, TX-03, TX-04)"));
    BP_VERBOSE(x, x.a.treatment_reasons.push_back(
                      St{"insufficient_data",
                         "Not enough data to decide whether treatment is indicated (" +
                             std::string(missing_why) + "): see missing data.",
                         {"CONV-INDETERMINATE"}}));
    BP_VERBOSE(x, x.Insufficient("TX-05", missing_why));
    return;
  }
  BP_VERBOSE(x, x.NotFired("CONV-INDETERMINATE"));
  x.a.treatment_indicated = false;
  x.a.risk_tier = RiskTier::kNotIndicated;
  BP_VERBOSE(x, x.Fired("TX-05", "no indication: lowest T-score " + Tn(*f.t_min) +
                                     (f.frax_present ? ", FRAX below thresholds" : "")));
  BP_VERBOSE(
      x, x.a.treatment_reasons.push_back(St{
             "not_indicated",
             "No treatment indication under the BHOF thresholds (lowest T-score " + Tn(*f.t_min) +
                 (f.frax_present ? ", FRAX major osteoporotic " + Num(f.frax_mof.value_or(0)) +
                                       " %, hip " + Num(f.frax_hip.value_or(0)) + " %"
                                 : "") +
                 "): calcium, vitamin D, exercise, falls prevention and repeat DXA.",
             {"TX-05"}}));
  if (x.f.female && x.AgeKnown() && x.P(&CP::acp_osteopenia_age).Met(x.Age()) &&
      low_bone_mass_any) {
    s.acp_osteopenia = true;
    BP_VERBOSE(x, x.Warn("acp_osteopenia_over_65", Severity::kInfo,
                         "Woman over " + Num(x.P(&CP::acp_osteopenia_age).value, 0) +
                             " with low bone mass: ACP suggests an individualized decision about a "
                             "bisphosphonate.",
                         {"TX-05"}));
  }
}

// ---------------------------------------------------------------------------------------------
// RISK: tier for an indicated patient in the T-score population.
void Tier(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const char* model_rule = x.P(&CP::risk_model) == RiskModel::kAace2020 ? "RISK-01"
                           : x.P(&CP::risk_model) == RiskModel::kEndocrineSociety
                               ? "RISK-P-ES"
                               : "RISK-P-SEED004";
  // Fracture on therapy / treatment failure (RISK-01b, REF-02b).
  const Medication* fx_on_drug = nullptr;
  const FractureEvent* fx_on_drug_event = nullptr;
  for (const auto& e : f.events) {
    if (!e.fragility || !e.date) continue;
    for (const auto& m : p.medications) {
      if (!IsOsteoporosisDrug(m.agent) || !OnAt(m, *e.date)) continue;
      if (x.P(&CP::risk_model) == RiskModel::kSeed004 && !IsBisphosphonate(m.agent)) continue;
      fx_on_drug = &m;
      fx_on_drug_event = &e;
      if (m.start && x.P(&CP::treatment_failure_months).Met(CompletedMonths(*m.start, *e.date)))
        s.treatment_failure = true;
    }
  }
  if (s.treatment_failure) {
    BP_VERBOSE(x, x.Warn("treatment_failure", Severity::kWarning,
                         "Fragility fracture (" + FxName(*fx_on_drug_event) + ") after " +
                             Desc(x.P(&CP::treatment_failure_months), "months") + " on " +
                             std::string(ToString(fx_on_drug->agent)) +
                             ": possible treatment failure; check adherence and secondary causes.",
                         {"RISK-01", "REF-02"}));
  }

  if (x.a.treatment_indicated != true) {
    for (std::string_view r :
         {"RISK-01", "RISK-02", "RISK-P-ES", "RISK-P-SEED004", "D1", "D2", "D3", "D13"})
      BP_VERBOSE(x, x.NotFired(r, "treatment not indicated or undetermined"));
    if (x.a.treatment_indicated == false)
      BP_VERBOSE(x, x.Fired("RISK-03", "not indicated"));
    else
      BP_VERBOSE(x, x.NotFired("RISK-03"));
    return;
  }
  BP_VERBOSE(x, x.NotFired("RISK-03"));

  // Very-high-risk criteria met; their texts only for the returned assessment.
  // At most 9 criteria apply (AACE (a) to (g) with FRAX MOF and hip, and seed 004's age).
  int vh_count = 0;
  std::array<Text, 12> vh;
  std::size_t vh_texts = 0;
  auto add_vh = [&](auto&& text) {
    ++vh_count;
    if (x.verbose && vh_texts < vh.size()) vh[vh_texts++] = Keep(text());
  };
  RuleIds vh_rules;
  if (x.verbose) vh_rules.push_back(model_rule);
  const auto months_recent = x.P(&CP::vh_recent_fx_months);
  auto frax_vh = [&](const Threshold& mof, const Threshold& hip, bool& boundary) {
    bool hit = false;
    if (f.frax_mof) {
      const bool m = f.frax_gc_adjusted_here ? mof.Met(*f.frax_mof)
                                             : mof.MetTenths(*p.frax->major_osteoporotic_pct);
      if (m) {
        hit = true;
        add_vh([&] {
          return Cat("FRAX major osteoporotic " + Num(*f.frax_mof) + " % " + Desc(mof, "%"));
        });
      }
      if (std::abs(*f.frax_mof - mof.value) < 1e-9) boundary = true;
    }
    if (f.frax_hip) {
      const bool h =
          f.frax_gc_adjusted_here ? hip.Met(*f.frax_hip) : hip.MetTenths(*p.frax->hip_pct);
      if (h) {
        hit = true;
        add_vh([&] { return Cat("FRAX hip " + Num(*f.frax_hip) + " % " + Desc(hip, "%")); });
      }
      if (std::abs(*f.frax_hip - hip.value) < 1e-9) boundary = true;
    }
    return hit;
  };

  bool boundary = false;
  if (x.P(&CP::risk_model) == RiskModel::kEndocrineSociety) {
    int vert = 0;
    for (const auto& e : f.events)
      if (e.fragility && e.site == FractureSite::kVertebral) ++vert;
    if (vert >= 2) add_vh([&] { return Cat("multiple vertebral fractures"); });
    if (f.t_min && x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min) && f.fragility_events)
      add_vh([&] {
        return Cat("T-score " + Tn(*f.t_min) + " with a fragility fracture (severe osteoporosis)");
      });
    BP_VERBOSE(x, x.Trace("RISK-P-ES", vh_count == 0 ? Outcome::kNotFired : Outcome::kFired,
                          vh_count == 0 ? "high risk (Endocrine Society)" : vh.front()));
    BP_VERBOSE(x, x.NotFired("RISK-01", "profile uses RISK-P-ES"));
    BP_VERBOSE(x, x.NotFired("RISK-P-SEED004"));
  } else {
    // (a) recent fragility fracture.
    for (const auto& e : f.events)
      if (e.fragility && RecentMonths(e.date, f.as_of, months_recent)) {
        add_vh([&] {
          return Cat("fragility fracture within " + Int(months_recent) + " months (" + FxName(e) +
                     ", " + Int(DaysBetween(*e.date, f.as_of)) + " days ago)");
        });
        break;
      }
    // (b) fracture on an osteoporosis drug.
    if (fx_on_drug)
      add_vh([&] { return Cat("fracture while on " + std::string(ToString(fx_on_drug->agent))); });
    // (c) multiple fragility fractures.
    if (f.fragility_events >= 2)
      add_vh([&] { return Cat(Int(f.fragility_events) + " fragility fractures"); });
    // (d) fracture on a bone-harming drug.
    if (x.P(&CP::vh_use_fracture_on_harmful_drug)) {
      for (const auto& e : f.events) {
        if (!e.fragility || !e.date) continue;
        for (const auto& m : p.medications) {
          const bool harmful =
              m.agent == Agent::kAromataseInhibitor ||
              m.agent == Agent::kAndrogenDeprivationTherapy ||
              (m.agent == Agent::kGnrhAgonist && x.f.male) ||
              (m.agent == Agent::kGlucocorticoid && m.start &&
               x.P(&CP::gc_harmful_drug_months).Met(CompletedMonths(*m.start, *e.date)));
          if (harmful && OnAt(m, *e.date)) {
            add_vh([&] { return Cat("fracture while on " + std::string(ToString(m.agent))); });
            break;
          }
        }
      }
    }
    // (e) T-score.
    if (f.t_min) {
      if (x.P(&CP::vh_tscore).MetTenths(*f.t_min))
        add_vh(
            [&] { return Cat("T-score " + Tn(*f.t_min) + " " + Desc(x.P(&CP::vh_tscore), "")); });
      if (*f.t_min == static_cast<int>(std::lround(x.P(&CP::vh_tscore).value * 10)))
        boundary = true;
    }
    // (f) falls.
    if (x.P(&CP::vh_use_falls)) {
      if ((p.falls.count_past_year && x.P(&CP::vh_falls).Met(*p.falls.count_past_year)) ||
          p.falls.injurious.value_or(false))
        add_vh([&] {
          return Cat("high fall risk (" +
                     (p.falls.count_past_year ? Int(*p.falls.count_past_year) + " falls"
                                              : Cat("injurious fall")) +
                     " in the past year)");
        });
    }
    // (g) FRAX.
    frax_vh(x.P(&CP::vh_frax_mof), x.P(&CP::vh_frax_hip), boundary);
    // seed 004: age.
    if (x.P(&CP::vh_age_enabled) && x.AgeKnown() && x.P(&CP::vh_age).Met(x.Age())) {
      add_vh([&] {
        return Cat("age " + Num(x.Age(), 0) + " " + Desc(x.P(&CP::vh_age), "years") +
                   " (seed-004 criterion, unsourced)");
      });
      if (x.verbose) vh_rules.push_back("D3");
      BP_VERBOSE(x, x.Fired("D3", "age criterion enabled by the profile"));
    } else {
      BP_VERBOSE(x,
                 x.NotFired("D3", "age alone is not a very-high-risk criterion in this profile"));
    }
    BP_VERBOSE(x, x.Trace(model_rule, vh_count == 0 ? Outcome::kNotFired : Outcome::kFired,
                          vh_count == 0 ? Str("no very-high-risk criterion") : Str(vh.front())));
    if (x.P(&CP::risk_model) == RiskModel::kAace2020) {
      BP_VERBOSE(x, x.NotFired("RISK-P-ES"));
      BP_VERBOSE(x, x.NotFired("RISK-P-SEED004"));
    } else {
      BP_VERBOSE(x, x.NotFired("RISK-01", "profile uses RISK-P-SEED004"));
      BP_VERBOSE(x, x.NotFired("RISK-P-ES"));
    }
    if (x.P(&CP::vh_use_falls) && !p.falls.count_past_year && !p.falls.injurious && vh_count == 0)
      BP_VERBOSE(x, x.Missing("falls.count_past_year",
                              "very-high-risk criterion: high fall risk (RISK-01f)"));
  }
  BP_VERBOSE(x, x.Trace("D1", Outcome::kFired, x.Texts().d1));
  BP_VERBOSE(x, x.Trace("D2", Outcome::kFired, x.Texts().d2));
  BP_VERBOSE(x, x.Trace("D13", Outcome::kFired, x.Texts().d13));
  if (boundary) {
    BP_VERBOSE(
        x, x.Warn("very_high_risk_boundary", Severity::kInfo,
                  "A value sits exactly on a very-high-risk threshold (FRAX " +
                      Desc(x.P(&CP::vh_frax_mof), "%") + " / " + Desc(x.P(&CP::vh_frax_hip), "%") +
                      ", T-score " + Desc(x.P(&CP::vh_tscore), "") +
                      "): guidelines differ at this boundary.",
                  {"D1", "D2"}));
  }
  if (vh_count != 0) {
    x.a.risk_tier = RiskTier::kVeryHigh;
    Cat all("Very high fracture risk: ");
    for (std::size_t i = 0; i < vh_texts; ++i) all.Append(i ? "; " : "").Append(vh[i]);
    all.Append(".");
    BP_VERBOSE(x, x.a.treatment_reasons.push_back(St{"very_high_risk", all, vh_rules}));
    BP_VERBOSE(x, x.NotFired("RISK-02"));
  } else {
    x.a.risk_tier = RiskTier::kHigh;
    BP_VERBOSE(x, x.Fired("RISK-02", "indicated, no very-high-risk criterion"));
    BP_VERBOSE(x, x.a.treatment_reasons.push_back(
                      St{"high_risk",
                         "High fracture risk (indicated, no very-high-risk criterion).",
                         {"RISK-02", model_rule}}));
  }
}

// ---------------------------------------------------------------------------------------------
// GIOP (ACR 2022 or seed-000 legacy): runs alongside; the higher tier wins.
void Glucocorticoids(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  static constexpr std::string_view kAcrRules[] = {"GIOP-01", "GIOP-02", "GIOP-03",
                                                   "GIOP-04", "GIOP-05", "GIOP-06",
                                                   "GIOP-07", "GIOP-08", "GIOP-09"};
  const bool bone_drug_active =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOsteoporosisDrug(m.agent) && m.status == MedStatus::kActive;
      });
  // Without a glucocorticoid dose neither rule can indicate treatment (GIOP-LEGACY needs the
  // dose, and so does the ACR scope, gc_applies_acr): the profile's choice changes only texts.
  const GiopProfile giop = f.gc_dose_mg ? x.P(&CP::giop_profile) : x.Unrecorded(&CP::giop_profile);
  if (giop == GiopProfile::kSeed000) {
    for (std::string_view r : kAcrRules) BP_VERBOSE(x, x.NotFired(r, "profile uses GIOP-LEGACY"));
    BP_VERBOSE(x, x.NotFired("D6", "seed-000 legacy glucocorticoid rule in use"));
    const bool long_enough =
        f.gc_days_actual &&
        *f.gc_days_actual >=
            DaysBetween(f.as_of.AddMonths(-static_cast<int>(x.P(&CP::giop_legacy_months).value)),
                        f.as_of);
    if (f.gc_dose_mg && x.P(&CP::giop_legacy_dose).Met(*f.gc_dose_mg) && long_enough &&
        ((f.t_min && x.P(&CP::giop_legacy_tscore).MetTenths(*f.t_min)) || f.fragility_events)) {
      s.giop_indicated = true;
      BP_VERBOSE(x, x.Fired("GIOP-LEGACY",
                            "glucocorticoid " + Num(*f.gc_dose_mg) + " mg/day for >= " +
                                Num(x.P(&CP::giop_legacy_months).value, 0) + " months with " +
                                (f.fragility_events ? "a fragility fracture"
                                                    : "T-score " + Tn(*f.t_min))));
      BP_VERBOSE(x, x.a.treatment_reasons.push_back(
                        St{"giop_legacy",
                           "Glucocorticoid-induced osteoporosis (seed 000 rule): treat, "
                           "oral bisphosphonate first.",
                           {"GIOP-LEGACY"}}));
    } else {
      BP_VERBOSE(x, x.NotFired("GIOP-LEGACY"));
    }
  } else {
    BP_VERBOSE(x, x.NotFired("GIOP-LEGACY", "profile uses ACR 2022"));
    if (!f.gc_applies_acr) {
      for (std::string_view r : kAcrRules) BP_VERBOSE(x, x.NotFired(r, x.Texts().giop_acr_scope));
      BP_VERBOSE(x, x.NotFired("D6"));
      BP_VERBOSE(x, x.NotFired("D8"));
      BP_VERBOSE(x, x.NotFired("D9"));
    } else {
      BP_VERBOSE(x, x.Fired("GIOP-01", "glucocorticoid " + Num(*f.gc_dose_mg) +
                                           " mg/day for > 3 months (actual or planned)"));
      BP_VERBOSE(x, x.Fired("D9",
                            "glucocorticoid use triggers a fracture-risk assessment, not an "
                            "automatic prescription"));
      BP_VERBOSE(x, x.a.monitoring.push_back(
                        St{"giop_bmd",
                           "On glucocorticoids: BMD (with vertebral fracture assessment or spine "
                           "X-ray) within 6 months of starting, then every 1-2 years.",
                           {"GIOP-01", "MON-02"}}));
      enum { kLow, kModerate, kHigh, kVeryHigh, kUnknown } cat = kLow;
      std::string why;
      const bool young = x.AgeKnown() && x.P(&CP::giop_young_age).Met(x.Age());
      const bool vh_dose = f.gc_dose_mg && x.P(&CP::giop_vh_dose).Met(*f.gc_dose_mg) &&
                           f.gc_days_actual && x.P(&CP::giop_vh_dose_days).Met(*f.gc_days_actual);
      const bool vh_cum =
          f.gc_cumulative_g_year && x.P(&CP::giop_vh_cumulative_g).Met(*f.gc_cumulative_g_year);
      const bool prior_fx = f.fragility_events > 0;
      if (!x.AgeKnown()) {
        cat = kUnknown;
      } else if (young) {
        BP_VERBOSE(x, x.NotFired("GIOP-02", x.Texts().giop_young_no_frax));
        if (prior_fx || vh_dose || vh_cum) {
          cat = kVeryHigh;
          if (x.verbose)
            why = prior_fx  ? "prior osteoporotic fracture"
                  : vh_dose ? x.Texts().giop_vh_dose.view()
                            : x.Texts().giop_vh_cumulative.view();
        } else if (f.gc_dose_mg && x.P(&CP::giop_young_dose).Met(*f.gc_dose_mg) &&
                   f.gc_days_actual &&
                   *f.gc_days_actual >= DaysBetween(f.as_of.AddMonths(-static_cast<int>(
                                                        x.P(&CP::giop_young_months).value)),
                                                    f.as_of) &&
                   f.z_min && x.P(&CP::giop_young_zscore).MetTenths(*f.z_min)) {
          cat = kModerate;
          if (x.verbose) why = "continuing high-dose glucocorticoid with Z-score " + Tn(*f.z_min);
        }
        BP_VERBOSE(x, x.Trace("GIOP-07", Outcome::kFired,
                              "age under " + Num(x.P(&CP::giop_young_age).value, 0) + ": " +
                                  (why.empty() ? "low risk" : why)));
        for (std::string_view r : {"GIOP-03", "GIOP-04", "GIOP-05", "GIOP-06"})
          BP_VERBOSE(x, x.NotFired(r, x.Texts().giop_young));
      } else {
        BP_VERBOSE(x, x.NotFired("GIOP-07", x.Texts().giop_not_young));
        BP_VERBOSE(x,
                   x.Trace("GIOP-02", f.frax_present ? Outcome::kFired : Outcome::kInsufficientData,
                           f.frax_present ? "adjusted FRAX used" : "no FRAX"));
        auto frax_ge = [&](const Threshold& mof, const Threshold& hip) {
          return (f.frax_mof && mof.Met(*f.frax_mof)) || (f.frax_hip && hip.Met(*f.frax_hip));
        };
        if (prior_fx || (f.t_min && x.P(&CP::giop_vh_tscore).MetTenths(*f.t_min)) ||
            frax_ge(x.P(&CP::giop_vh_frax_mof), x.P(&CP::giop_vh_frax_hip)) || vh_dose || vh_cum) {
          cat = kVeryHigh;
          if (!x.verbose) {
          } else if (prior_fx) {
            why = "prior osteoporotic fracture";
          } else if (f.t_min && x.P(&CP::giop_vh_tscore).MetTenths(*f.t_min)) {
            why = "T-score " + Tn(*f.t_min);
          } else {
            why = vh_dose  ? x.Texts().giop_vh_dose.view()
                  : vh_cum ? x.Texts().giop_vh_cumulative.view()
                           : "adjusted FRAX at very-high thresholds";
          }
        } else if ((f.t_min && x.P(&CP::giop_high_tscore).MetTenths(*f.t_min)) ||
                   frax_ge(x.P(&CP::giop_high_frax_mof), x.P(&CP::giop_high_frax_hip))) {
          cat = kHigh;
          if (x.verbose) why = "T-score or adjusted FRAX in the ACR high range";
        } else if ((f.t_min && x.P(&CP::giop_mod_tscore).MetTenths(*f.t_min)) ||
                   frax_ge(x.P(&CP::giop_mod_frax_mof), x.P(&CP::giop_mod_frax_hip))) {
          cat = kModerate;
          if (x.verbose) why = "T-score or adjusted FRAX in the ACR moderate range";
        } else if (!f.t_min && !f.frax_present) {
          cat = kUnknown;
        }
        BP_VERBOSE(x, x.Trace("GIOP-03", cat == kVeryHigh ? Outcome::kFired : Outcome::kNotFired,
                              cat == kVeryHigh ? why : ""));
        BP_VERBOSE(x, x.Trace("GIOP-04", cat == kHigh ? Outcome::kFired : Outcome::kNotFired,
                              cat == kHigh ? why : ""));
        BP_VERBOSE(
            x, x.Trace("GIOP-05", cat == kModerate ? Outcome::kFired : Outcome::kNotFired,
                       cat == kModerate ? why + " (ACR moderate is reported as tier high)" : ""));
        BP_VERBOSE(x, x.Trace("GIOP-06", cat == kLow ? Outcome::kFired : Outcome::kNotFired,
                              cat == kLow ? "low risk" : ""));
      }
      if (cat == kUnknown) {
        BP_VERBOSE(
            x, x.Insufficient("GIOP-08",
                              "no age, T-score or FRAX to classify glucocorticoid fracture risk"));
        BP_VERBOSE(x, x.Missing("bmd", "glucocorticoid fracture-risk category (GIOP-03..06)"));
        BP_VERBOSE(x, x.NotFired("D6"));
        BP_VERBOSE(x, x.NotFired("D8"));
      } else if (cat >= kModerate) {
        s.giop_indicated = true;
        s.giop_very_high = cat == kVeryHigh;
        BP_VERBOSE(x, x.Fired("D6", "ACR 2022 treats moderate, high and very high risk"));
        BP_VERBOSE(x,
                   x.Trace("D8", s.giop_very_high && vh_dose ? Outcome::kFired : Outcome::kNotFired,
                           s.giop_very_high && vh_dose
                               ? "very-high-dose glucocorticoid: very high tier, anabolic first"
                               : ""));
        BP_VERBOSE(x, x.Fired("GIOP-08", std::string("ACR ") +
                                             (cat == kVeryHigh ? "very high"
                                              : cat == kHigh   ? "high"
                                                               : "moderate") +
                                             " risk: treatment indicated"));
        BP_VERBOSE(x, x.a.treatment_reasons.push_back(
                          St{"giop",
                             std::string("Glucocorticoid-induced osteoporosis, ACR ") +
                                 (cat == kVeryHigh ? "very high"
                                  : cat == kHigh   ? "high"
                                                   : "moderate") +
                                 " risk (" + why + "): treatment indicated.",
                             {"GIOP-08", "GIOP-01",
                              cat == kVeryHigh ? "GIOP-03"
                              : cat == kHigh   ? "GIOP-04"
                              : young          ? "GIOP-07"
                                               : "GIOP-05"}}));
      } else {
        BP_VERBOSE(x, x.NotFired("GIOP-08", "ACR low risk"));
        BP_VERBOSE(x, x.NotFired("D6"));
        BP_VERBOSE(x, x.NotFired("D8"));
      }
    }
  }
  if (s.giop_indicated) {
    // The higher tier wins; GIOP applies to every adult (overrides the population gate).
    x.a.treatment_indicated = true;
    const RiskTier giop_tier = s.giop_very_high ? RiskTier::kVeryHigh : RiskTier::kHigh;
    if (x.a.risk_tier == RiskTier::kIndeterminate || x.a.risk_tier == RiskTier::kNotIndicated ||
        (giop_tier == RiskTier::kVeryHigh))
      x.a.risk_tier = giop_tier;
    if (f.gc_applies_acr && !bone_drug_active) {
      BP_VERBOSE(
          x,
          x.Warn(
              "glucocorticoid_start_protection_now", Severity::kWarning,
              "Systemic glucocorticoid " + Num(*f.gc_dose_mg) +
                  " mg/day for more than 3 months and treatment indicated, with no bone-protective "
                  "drug active: start bone protection now.",
              {"GIOP-01", "GIOP-08"}));
    }
  }
}

// CTIBL: cancer-treatment-induced bone loss.
void CancerTreatment(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  auto active = [&](Agent a) { return FindMedication(p, a, MedStatus::kActive) != nullptr; };
  const bool ai = active(Agent::kAromataseInhibitor) && f.female && f.menopause != Menopause::kPre;
  const bool ovarian = active(Agent::kGnrhAgonist) && f.female && f.menopause == Menopause::kPre;
  const bool adt =
      (active(Agent::kAndrogenDeprivationTherapy) || active(Agent::kGnrhAgonist)) && f.male;
  if (s.malignancy) {
    BP_VERBOSE(x, x.Fired("CTIBL-04",
                          "bone metastases, skeletal malignancy or myeloma: osteoporosis-dose "
                          "rules do not apply"));
    BP_VERBOSE(x, x.Refer(Destination::kOncology, Urgency::kRoutine,
                          "Bone metastases, skeletal malignancy or myeloma: bone-targeted therapy "
                          "is an oncology decision; osteoporosis-dose rules do not apply.",
                          {"CTIBL-04", "REF-05"}));
  } else {
    BP_VERBOSE(x, x.NotFired("CTIBL-04"));
  }
  if (!ai && !ovarian && !adt) {
    for (std::string_view r : {"CTIBL-01", "CTIBL-02", "CTIBL-03", "D25"})
      BP_VERBOSE(x, x.NotFired(r, "no cancer-treatment bone loss population"));
    return;
  }
  const char* who = ai        ? "aromatase inhibitor"
                    : ovarian ? "ovarian suppression"
                              : "androgen deprivation therapy";
  BP_VERBOSE(x, x.Fired("CTIBL-01", std::string("on ") + who));
  bool indicated = false;
  std::string why;
  if (x.P(&CP::ctibl) == CtiblThreshold::kHadji17 && ai) {
    BP_VERBOSE(x, x.NotFired("CTIBL-02", "profile uses HADJI17 for aromatase inhibitors"));
    int risk = 0;
    if (x.AgeKnown() && x.P(&CP::hadji_age).Met(x.Age())) ++risk;
    if (f.bmi && x.P(&CP::hadji_bmi).Met(*f.bmi)) ++risk;
    if (f.fragility_events) ++risk;
    if (f.gc_days_actual && x.P(&CP::hadji_gc_months).Met(*f.gc_days_actual / 30.4375)) ++risk;
    if (f.t_min && x.P(&CP::hadji_tscore).MetTenths(*f.t_min)) {
      indicated = true;
      if (x.verbose) why = "T-score " + Tn(*f.t_min) + " " + Desc(x.P(&CP::hadji_tscore), "");
    } else if (f.t_min && x.P(&CP::hadji_tscore_with_risk).MetTenths(*f.t_min) && risk >= 1) {
      indicated = true;
      if (x.verbose) why = "T-score " + Tn(*f.t_min) + " with " + Int(risk) + " risk factor(s)";
    } else if (!f.t_min && x.P(&CP::hadji_risk_factors).Met(risk)) {
      indicated = true;
      if (x.verbose) why = Int(risk) + " risk factors without BMD";
    }
    BP_VERBOSE(x, x.Trace("CTIBL-03",
                          indicated ? Outcome::kFired
                                    : (f.t_min ? Outcome::kNotFired : Outcome::kInsufficientData),
                          why));
  } else {
    BP_VERBOSE(x, x.NotFired("CTIBL-03", "profile uses the seed-000 threshold"));
    const bool frax = (f.frax_mof && x.P(&CP::ctibl_frax_mof).Met(*f.frax_mof)) ||
                      (f.frax_hip && x.P(&CP::ctibl_frax_hip).Met(*f.frax_hip));
    if ((f.t_min && x.P(&CP::ctibl_tscore).MetTenths(*f.t_min)) || frax) {
      indicated = true;
      if (x.verbose)
        why = f.t_min && x.P(&CP::ctibl_tscore).MetTenths(*f.t_min) ? "T-score " + Tn(*f.t_min)
                                                                    : "FRAX at treatment threshold";
    }
    BP_VERBOSE(x, x.Trace("CTIBL-02",
                          indicated ? Outcome::kFired
                                    : (f.t_min || f.frax_present ? Outcome::kNotFired
                                                                 : Outcome::kInsufficientData),
                          why));
  }
  BP_VERBOSE(x, x.Trace("D25", Outcome::kFired,
                        x.P(&CP::ctibl) == CtiblThreshold::kHadji17 ? "HADJI17 thresholds"
                                                                    : "seed-000 thresholds"));
  if (!f.t_min)
    BP_VERBOSE(x, x.Missing("bmd", "cancer-treatment bone loss threshold (CTIBL-01..03)"));
  if (indicated) {
    s.ctibl_indicated = true;
    s.ctibl_only = x.a.treatment_indicated != true;
    x.a.treatment_indicated = true;
    if (x.a.risk_tier == RiskTier::kNotIndicated || x.a.risk_tier == RiskTier::kIndeterminate)
      x.a.risk_tier = RiskTier::kHigh;
    BP_VERBOSE(x, x.a.treatment_reasons.push_back(St{
                      "ctibl",
                      std::string("Cancer-treatment-induced bone loss (") + who + ", " + why +
                          "): treatment indicated for the duration of therapy.",
                      {x.P(&CP::ctibl) == CtiblThreshold::kHadji17 && ai ? "CTIBL-03" : "CTIBL-02",
                       "CTIBL-01"}}));
  }
}

// RISK-04: possibly pathologic fracture or malignancy: a specialist decides.
void Indeterminate(Ctx& x, State& s) {
  if (s.pathologic || s.malignancy) {
    BP_VERBOSE(x, x.Fired("RISK-04", s.pathologic ? "a fracture may be pathologic"
                                                  : "bone metastases or myeloma"));
    x.a.treatment_indicated = std::nullopt;
    x.a.risk_tier = RiskTier::kIndeterminate;
    BP_VERBOSE(
        x, x.a.treatment_reasons.push_back(St{
               "possibly_pathologic",
               s.pathologic
                   ? "A fracture may be pathologic (suspected, or vertebral fracture with red "
                     "flags for malignancy or infection): no osteoporosis drug until a specialist "
                     "has excluded malignancy."
                   : "Bone metastases, skeletal malignancy or myeloma: a specialist decides.",
               {"RISK-04"}}));
  } else {
    BP_VERBOSE(x, x.NotFired("RISK-04"));
  }
  if (x.a.risk_tier == RiskTier::kIndeterminate) x.a.treatment_indicated = std::nullopt;
}

// SEQ-06/07: drug holidays.
void Holidays(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  // High risk enough to continue (SEQ-06): hip T <= -2.5, prior major osteoporotic fracture,
  // fracture on therapy, or very high risk.
  bool major_fx = false;
  for (const auto& e : f.events)
    if (e.fragility && (e.HipOrVertebral() || e.site == FractureSite::kHumerus ||
                        e.site == FractureSite::kWrist || e.site == FractureSite::kForearm))
      major_fx = true;
  const bool hip_low =
      f.t_hip_latest && x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_hip_latest);
  const bool still_high =
      hip_low || major_fx || s.treatment_failure || x.a.risk_tier == RiskTier::kVeryHigh;
  // Formatted only where it is shown.
  const auto still_why = [&]() -> Cat {
    if (hip_low) return "hip T-score " + Tn(*f.t_hip_latest);
    if (major_fx) return Cat("a prior major osteoporotic fracture");
    return Cat(s.treatment_failure ? "a fracture on therapy" : "very high risk");
  };
  bool oral_due = false, za_due = false;
  for (const auto& m : p.medications) {
    if (!IsOralBisphosphonate(m) || m.status != MedStatus::kActive) continue;
    if (!m.start) {
      BP_VERBOSE(x,
                 x.Missing("medications[" + std::string(ToString(m.agent)) + "].start",
                           "duration of oral bisphosphonate for the drug-holiday review (SEQ-06)"));
      continue;
    }
    const double years = CompletedMonths(*m.start, f.as_of) / 12.0;
    if (x.P(&CP::bp_oral_reassess_years).Met(years)) {
      oral_due = true;
      BP_VERBOSE(
          x, x.Fired("SEQ-06", std::string(ToString(m.agent)) + " for " + Num(years) + " years"));
      BP_VERBOSE(x, x.Warn("drug_holiday_reassessment_due", Severity::kInfo,
                           "Oral bisphosphonate for " + Num(years) +
                               " years (>= " + Num(x.P(&CP::bp_oral_reassess_years).value, 0) +
                               "): reassess fracture risk; continue up to " +
                               Num(x.P(&CP::bp_oral_max_years), 0) +
                               " years if still high risk, otherwise a drug holiday.",
                           {"SEQ-06", "D26"}));
      if (years >= x.P(&CP::bp_oral_max_years))
        BP_VERBOSE(x, x.a.sequence.push_back(
                          St{"oral_bp_max",
                             "Oral bisphosphonate for " + Num(years) + " years: beyond the " +
                                 Num(x.P(&CP::bp_oral_max_years), 0) +
                                 "-year maximum for high risk; stop or switch therapy.",
                             {"SEQ-06"}}));
    }
  }
  if (!oral_due) BP_VERBOSE(x, x.NotFired("SEQ-06"));
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kZoledronicAcid || m.status == MedStatus::kPlanned) continue;
    if (m.doses_received && x.P(&CP::za_reassess_doses).Met(*m.doses_received)) {
      za_due = true;
      BP_VERBOSE(x, x.Fired("SEQ-07", Int(*m.doses_received) + " zoledronic acid doses"));
      BP_VERBOSE(x, x.Warn("drug_holiday_reassessment_due", Severity::kInfo,
                           Int(*m.doses_received) + " annual zoledronic acid doses (>= " +
                               Num(x.P(&CP::za_reassess_doses).value, 0) +
                               "): reassess; continue up to " + Num(x.P(&CP::za_max_doses), 0) +
                               " doses if still high risk, otherwise a drug holiday.",
                           {"SEQ-07", "D26"}));
    }
  }
  if (!za_due) BP_VERBOSE(x, x.NotFired("SEQ-07"));
  BP_VERBOSE(
      x, x.Trace("D26", oral_due || za_due ? Outcome::kFired : Outcome::kNotFired, x.Texts().d26));
  if ((oral_due || za_due) && x.a.treatment_indicated == true) {
    if (still_high) {
      BP_VERBOSE(
          x, x.a.sequence.push_back(St{"continue_after_review",
                                       "Still at high risk (" + still_why() +
                                           "): continue bisphosphonate therapy after the review.",
                                       {oral_due ? "SEQ-06" : "SEQ-07"}}));
      BP_VERBOSE(x, x.NotFired("SEQ-08"));
    } else {
      s.holiday = true;
      x.a.treatment_indicated = false;
      x.a.risk_tier = RiskTier::kNotIndicated;
      BP_VERBOSE(
          x, x.a.treatment_reasons.push_back(St{
                 "drug_holiday",
                 "Drug holiday due: bisphosphonate course reached its review point without a "
                 "high-risk feature (hip T-score <= -2.5, major osteoporotic fracture, fracture on "
                 "therapy, very high risk).",
                 {oral_due ? "SEQ-06" : "SEQ-07", "RISK-03"}}));
      BP_VERBOSE(x, x.Fired("SEQ-08", "holiday: reassess every 2-4 years"));
      BP_VERBOSE(
          x, x.a.sequence.push_back(St{
                 "holiday_review",
                 "During the drug holiday: reassess every 2-4 years; restart early after "
                 "a fracture, a BMD loss beyond the least significant change, or new risk factors.",
                 {"SEQ-08"}}));
    }
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-08"));
  }
}

// ---------------------------------------------------------------------------------------------
// CI: contraindications and cautions, per agent.
void Contraindications(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const bool pregnant = x.f.HasActive(p, ConditionCode::kPregnancy);
  const bool aki = x.f.HasActive(p, ConditionCode::kAcuteKidneyInjury);
  const bool esophageal = x.f.HasActive(p, ConditionCode::kEsophagealDisorder);
  const bool upright =
      p.oral_bisphosphonate_barriers.cannot_remain_upright_30_60_min.value_or(false);
  const bool oral_intol =
      HasIntolerance(p, Intolerance::kOralBisphosphonate) ||
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOralBisphosphonate(m) && m.status == MedStatus::kStopped &&
               (m.stop_reason == StopReason::kIntolerance ||
                m.stop_reason == StopReason::kAdverseEvent);
      });

  // CI-13 / CI-02..04: oral bisphosphonates.
  if (esophageal || upright) {
    const char* t = esophageal ? "esophageal disorder delaying emptying (stricture, achalasia)"
                               : "cannot remain upright for 30-60 minutes";
    BP_VERBOSE(x, x.Fired("CI-13", t));
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      BP_AVOID(x, a, std::string("BLOCK: ") + t,
               {"CI-13", a[0] == 'a'   ? "CI-02"
                         : a[0] == 'r' ? "CI-03"
                                       : "CI-04"});
  } else {
    BP_VERBOSE(x, x.NotFired("CI-13"));
  }
  if (oral_intol) {
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      BP_AVOID(x, a, "documented intolerance of oral bisphosphonates", {"SEL-03"});
  }
  bool oral_renal = false;
  if (f.crcl) {
    struct {
      const char* agent;
      const Threshold* t;
      const char* rule;
    } renal[] = {{"alendronate", &x.P(&CP::alendronate_crcl), "CI-02"},
                 {"risedronate", &x.P(&CP::risedronate_crcl), "CI-03"},
                 {"ibandronate_oral", &x.P(&CP::ibandronate_crcl), "CI-04"},
                 {"ibandronate_iv", &x.P(&CP::ibandronate_crcl), "CI-05"}};
    for (const auto& r : renal) {
      if (r.t->Met(*f.crcl)) {
        oral_renal = true;
        BP_AVOID(
            x, r.agent,
            "BLOCK (not recommended): CrCl " + Num(*f.crcl) + " mL/min " + Desc(*r.t, "mL/min"),
            {r.rule, "D11", "D30"});
      }
    }
  }
  BP_VERBOSE(x, x.Trace("CI-02", (esophageal || upright ||
                                  (f.crcl && x.P(&CP::alendronate_crcl).Met(*f.crcl)))
                                     ? Outcome::kFired
                                     : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("CI-03", (esophageal || upright ||
                                  (f.crcl && x.P(&CP::risedronate_crcl).Met(*f.crcl)))
                                     ? Outcome::kFired
                                     : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("CI-04", (esophageal || upright ||
                                  (f.crcl && x.P(&CP::ibandronate_crcl).Met(*f.crcl)))
                                     ? Outcome::kFired
                                     : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("CI-05", (f.crcl && x.P(&CP::ibandronate_crcl).Met(*f.crcl))
                                     ? Outcome::kFired
                                     : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("D11", Outcome::kFired, x.Texts().d11));
  BP_VERBOSE(x, x.Trace("D30", oral_renal ? Outcome::kFired : Outcome::kNotFired,
                        "each drug's label value, not a 30-35 range"));

  // SEL-03 reasons oral bisphosphonates are unsuitable.
  auto add_unsuit = [&](const char* why, const char* rule) {
    s.oral_unsuitable = true;
    if (!x.verbose) return;
    s.oral_unsuitable_reasons.push_back(why);
    if (std::find(s.oral_unsuitable_rules.begin(), s.oral_unsuitable_rules.end(), rule) ==
        s.oral_unsuitable_rules.end())
      s.oral_unsuitable_rules.push_back(rule);
  };
  bool medical_unsuitable = false;
  if (esophageal)
    add_unsuit("esophageal disorder that delays emptying", "CI-13"), medical_unsuitable = true;
  if (upright)
    add_unsuit("cannot remain upright for 30-60 minutes", "CI-13"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kUpperGiDisorder))
    add_unsuit("active upper-GI disease", "SEL-03"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      x.f.HasActive(p, ConditionCode::kBariatricSurgery) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    add_unsuit("malabsorption or bariatric surgery", "SEL-03"), medical_unsuitable = true;
  if (oral_intol)
    add_unsuit("documented intolerance of oral bisphosphonates", "SEL-03"),
        medical_unsuitable = true;
  if (p.oral_bisphosphonate_barriers.cannot_follow_dosing_instructions.value_or(false))
    add_unsuit("cannot follow the dosing instructions", "SEL-03");
  if (p.oral_bisphosphonate_barriers.adherence_concern.value_or(false))
    add_unsuit("adherence concern", "SEL-03");
  if (p.prefers_annual_infusion.value_or(false)) add_unsuit("prefers annual dosing", "SEL-03");
  if (medical_unsuitable) {
    std::string t;
    for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
    BP_VERBOSE(
        x, x.Warn("oral_bisphosphonate_unsuitable", Severity::kWarning,
                  "Oral bisphosphonates are unsuitable (" + t + "): consider IV zoledronic acid.",
                  s.oral_unsuitable_rules));
  }
  // Oral candidates still usable (renal may allow risedronate when alendronate is not).
  for (std::string_view a : {std::string_view("alendronate"), std::string_view("risedronate")})
    if (!x.Avoided(a)) s.oral_candidates.push_back(a);
  s.oral_candidates_any = !s.oral_candidates.empty() && !s.oral_unsuitable;

  // CI-01: zoledronic acid.
  const bool za_renal = f.crcl && x.P(&CP::za_crcl).Met(*f.crcl);
  const bool za_intolerance = HasIntolerance(p, Intolerance::kZoledronicAcid);
  if (za_renal || aki || za_intolerance || pregnant) {
    s.za_contraindicated = true;
    x.MarkAvoided("zoledronic_acid");
  }
  if (s.za_contraindicated && x.verbose) {
    std::vector<std::string> za;
    RuleIds za_rules = {"CI-01"};
    if (za_renal) {
      za.push_back("CrCl " + Num(*f.crcl) + " mL/min " + Desc(x.P(&CP::za_crcl), "mL/min"));
      za_rules.push_back("PRE-01");
      za_rules.push_back("D11");
    }
    if (aki) za.push_back("acute renal impairment");
    if (za_intolerance)
      za.push_back("hypersensitivity or intolerance"), za_rules.push_back("PRE-06");
    if (pregnant)
      za.push_back("pregnancy"), za_rules.push_back("CI-12"), za_rules.push_back("PRE-05");
    for (const auto& z : za) s.za_contra_text += (s.za_contra_text.empty() ? "" : ", ") + z;
    s.za_contra_rules = za_rules;
    x.Fired("CI-01", s.za_contra_text);
    x.AvoidAgent("zoledronic_acid", "BLOCK: " + s.za_contra_text, za_rules);
  } else if (s.za_contraindicated) {
  } else {
    BP_VERBOSE(x, x.Trace("CI-01", f.crcl ? Outcome::kNotFired : Outcome::kInsufficientData,
                          f.crcl ? "CrCl " + Num(*f.crcl) + " mL/min" : "CrCl unknown"));
  }
  if ((f.crcl && x.P(&CP::za_crcl).Met(*f.crcl)) || aki)
    BP_VERBOSE(x, x.Warn("zoledronic_acid_renal_contraindication", Severity::kCritical,
                         "Zoledronic acid is contraindicated: " +
                             (f.crcl && x.P(&CP::za_crcl).Met(*f.crcl)
                                  ? "Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min " +
                                        Desc(x.P(&CP::za_crcl), "mL/min")
                                  : std::string("acute renal impairment")) +
                             ".",
                         {"CI-01", "PRE-01"}));
  // Renal borderline (CrCl within the band of a threshold).
  if (f.crcl) {
    for (const Threshold* t :
         {&x.P(&CP::za_crcl), &x.P(&CP::alendronate_crcl), &x.P(&CP::risedronate_crcl)}) {
      if (std::abs(*f.crcl - t->value) <= x.P(&CP::crcl_borderline_band)) {
        BP_VERBOSE(x, x.Warn("renal_function_borderline", Severity::kWarning,
                             "CrCl " + Num(*f.crcl) + " mL/min is within " +
                                 Num(x.P(&CP::crcl_borderline_band)) + " mL/min of the " +
                                 Num(t->value, 0) +
                                 " mL/min threshold: recheck creatinine, "
                                 "hydrate, review nephrotoxic drugs.",
                             {"PRE-01"}));
        break;
      }
    }
  }

  // CI-06 / CI-12: denosumab.
  if (HasIntolerance(p, Intolerance::kDenosumab))
    BP_AVOID(x, "denosumab", "BLOCK: hypersensitivity or intolerance", {"CI-06"});
  if (pregnant) BP_AVOID(x, "denosumab", "BLOCK: pregnancy", {"CI-06", "CI-12"});
  BP_VERBOSE(x, x.Trace("CI-06", x.Avoided("denosumab") ? Outcome::kFired : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("CI-12", pregnant ? Outcome::kFired : Outcome::kNotFired));

  // CI-07 / SEQ-02: romosozumab.
  std::string romo;
  for (ConditionCode cv : {ConditionCode::kMyocardialInfarction, ConditionCode::kStroke}) {
    const Condition* cond = FindCondition(p, cv, false);
    if (!cond) continue;
    const char* name = cv == ConditionCode::kStroke ? "stroke" : "myocardial infarction";
    if (!cond->onset) {
      if (cond->active)
        romo += std::string(romo.empty() ? "" : "; ") + name +
                " with no date recorded (cannot exclude the past " + Int(x.P(&CP::romo_cv_months)) +
                " months)";
    } else if (WithinMonths(*cond->onset, f.as_of, x.P(&CP::romo_cv_months))) {
      romo += std::string(romo.empty() ? "" : "; ") + name + " on " + Dt(cond->onset);
    }
  }
  if (!romo.empty()) {
    BP_AVOID(x, "romosozumab", "BLOCK: " + romo, {"CI-07"});
    BP_VERBOSE(x,
               x.Warn("romosozumab_cardiovascular_contraindication", Severity::kCritical,
                      "Romosozumab must not be started: " + romo +
                          " (boxed warning: no initiation within " + Int(x.P(&CP::romo_cv_months)) +
                          " months of a myocardial infarction or stroke).",
                      {"CI-07"}));
  }
  if (!f.female || f.menopause == Menopause::kPre)
    BP_AVOID(x, "romosozumab",
             f.male ? "not labelled for men in the US" : "US indication: postmenopausal women only",
             {"CI-07", "SEL-08"});
  if (HasIntolerance(p, Intolerance::kRomosozumab))
    BP_AVOID(x, "romosozumab", "BLOCK: hypersensitivity", {"CI-07"});
  int romo_doses = 0;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kRomosozumab && m.doses_received) romo_doses += *m.doses_received;
  if (x.P(&CP::romo_max_doses).Met(romo_doses)) {
    BP_AVOID(x, "romosozumab",
             "BLOCK: " + Int(romo_doses) + " doses received (maximum " +
                 Num(x.P(&CP::romo_max_doses).value, 0) + ")",
             {"SEQ-02"});
    BP_VERBOSE(x, x.Fired("SEQ-02", Int(romo_doses) + " romosozumab doses"));
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-02"));
  }
  BP_VERBOSE(x, x.Trace("CI-07", x.Avoided("romosozumab") ? Outcome::kFired : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("SEL-08", f.male ? Outcome::kFired : Outcome::kNotFired,
                        f.male ? "man: romosozumab excluded; abaloparatide, teriparatide, "
                                 "zoledronic acid, denosumab, alendronate, risedronate labelled"
                               : ""));

  // CI-08 / CI-09 / SEQ-03 / SEQ-04: PTH analogs.
  std::vector<std::string> pth;
  if (x.f.HasActive(p, ConditionCode::kOpenEpiphyses)) pth.push_back("open epiphyses");
  if (x.f.HasActive(p, ConditionCode::kPagetDisease)) pth.push_back("Paget's disease of bone");
  if (x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
      x.f.HasActive(p, ConditionCode::kSkeletalMalignancy) ||
      x.f.HasActive(p, ConditionCode::kMultipleMyeloma))
    pth.push_back("bone metastases or skeletal malignancy");
  if (FindCondition(p, ConditionCode::kPriorSkeletalRadiation, false))
    pth.push_back("prior skeletal radiation");
  if (x.f.HasActive(p, ConditionCode::kHereditaryOsteosarcomaRisk))
    pth.push_back("hereditary osteosarcoma risk");
  if (x.f.HasActive(p, ConditionCode::kHypophosphatasia))
    pth.push_back("metabolic bone disease other than osteoporosis");
  if (!pth.empty()) {
    std::string t;
    for (const auto& r : pth) t += (t.empty() ? "" : ", ") + r;
    BP_AVOID(x, "teriparatide", "AVOID (specialist may override): " + t, {"CI-08", "D5"});
    BP_AVOID(x, "abaloparatide", "AVOID (specialist may override): " + t, {"CI-09", "D5"});
    BP_VERBOSE(x, x.Warn("pth_analog_contraindication", Severity::kWarning,
                         "Teriparatide and abaloparatide should be avoided: " + t + ".",
                         {"CI-08", "CI-09"}));
  }
  if (s.pathologic) {
    BP_AVOID(x, "teriparatide", "AVOID until malignancy is excluded (possible pathologic fracture)",
             {"VCF-03", "CI-08"});
    BP_AVOID(x, "abaloparatide",
             "AVOID until malignancy is excluded (possible pathologic fracture)",
             {"VCF-03", "CI-09"});
  }
  if (s.malignancy) {
    BP_AVOID(x, "teriparatide", "AVOID: bone metastases or myeloma", {"CTIBL-04", "CI-08"});
    BP_AVOID(x, "abaloparatide", "AVOID: bone metastases or myeloma", {"CTIBL-04", "CI-09"});
  }
  if (x.f.HasActive(p, ConditionCode::kHyperparathyroidism))
    BP_AVOID(x, "abaloparatide", "AVOID: pre-existing hyperparathyroidism", {"CI-09"});
  if (HasIntolerance(p, Intolerance::kTeriparatide))
    BP_AVOID(x, "teriparatide", "BLOCK: hypersensitivity", {"CI-08"});
  if (HasIntolerance(p, Intolerance::kAbaloparatide))
    BP_AVOID(x, "abaloparatide", "BLOCK: hypersensitivity", {"CI-09"});
  double tptd_months = 0, abl_months = 0;
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kTeriparatide && m.agent != Agent::kAbaloparatide) continue;
    if (!m.start || m.status == MedStatus::kPlanned) continue;
    const Date until = m.end ? std::min(*m.end, f.as_of) : f.as_of;
    const double months = CompletedMonths(*m.start, until);
    (m.agent == Agent::kTeriparatide ? tptd_months : abl_months) += months;
  }
  if (x.P(&CP::abl_max_months).Met(tptd_months + abl_months)) {
    BP_AVOID(x, "abaloparatide",
             "BLOCK: cumulative PTH-analog exposure " + Num(tptd_months + abl_months) +
                 " months (limit " + Num(x.P(&CP::abl_max_months).value, 0) + ")",
             {"SEQ-04", "CI-09", "D4"});
    BP_VERBOSE(x, x.Fired("SEQ-04", Num(tptd_months + abl_months) + " months of PTH analogs"));
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-04"));
  }
  if (x.P(&CP::tptd_max_months).Met(tptd_months + abl_months)) {
    BP_VERBOSE(x, x.Fired("SEQ-03", "teriparatide/abaloparatide for " +
                                        Num(tptd_months + abl_months) + " months"));
    BP_VERBOSE(x, x.Warn("teriparatide_beyond_24_months", Severity::kWarning,
                         "Teriparatide beyond " + Num(x.P(&CP::tptd_max_months).value, 0) +
                             " months only if the patient remains at or has returned to high "
                             "fracture risk (label revised 2020).",
                         {"SEQ-03", "D4"}));
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-03"));
  }
  BP_VERBOSE(
      x,
      x.Trace("D4", (tptd_months + abl_months) > 0 ? Outcome::kFired : Outcome::kNotFired,
              "teriparatide beyond 24 months warns; abaloparatide blocks at 24 months cumulative"));
  BP_VERBOSE(x, x.Trace("CI-08", x.Avoided("teriparatide") ? Outcome::kFired : Outcome::kNotFired));
  BP_VERBOSE(x,
             x.Trace("CI-09", x.Avoided("abaloparatide") ? Outcome::kFired : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("D5", pth.empty() ? Outcome::kNotFired : Outcome::kFired,
                        "hypersensitivity blocks; the osteosarcoma-risk list is 'avoid'"));

  // CI-10: raloxifene.
  if (FindCondition(p, ConditionCode::kVenousThromboembolism, false))
    BP_AVOID(x, "raloxifene", "BLOCK: active or past venous thromboembolism", {"CI-10"});
  if (pregnant) BP_AVOID(x, "raloxifene", "BLOCK: pregnancy", {"CI-10"});
  BP_VERBOSE(x, x.Trace("CI-10", x.Avoided("raloxifene") ? Outcome::kFired : Outcome::kNotFired));

  // CI-11: hypocalcemia gate.
  if (f.hypocalcemia) {
    BP_VERBOSE(x, x.Fired("CI-11", "hypocalcemia"));
    BP_VERBOSE(
        x,
        x.Warn("hypocalcemia_correct_before_antiresorptive", Severity::kCritical,
               std::string("Low calcium (") +
                   (f.ionized_calcium ? "ionized " + Num(f.ionized_calcium->value, 2) + " mmol/L"
                    : f.corrected_calcium ? "corrected " + Num(*f.corrected_calcium, 2) + " mg/dL"
                                          : std::string("recorded hypocalcemia")) +
                   "): correct before any bisphosphonate, denosumab or romosozumab.",
               {"CI-11", "CALC-04", "PRE-02"}));
  } else {
    BP_VERBOSE(x,
               x.Trace("CI-11", f.calcium_known ? Outcome::kNotFired : Outcome::kInsufficientData,
                       f.calcium_known ? "" : "calcium unknown"));
  }
  // CI-06b: denosumab in advanced CKD (evaluated where denosumab is in play, below).
  // CI-06c monitoring in predisposed patients: see Monitoring().
}

// ---------------------------------------------------------------------------------------------
// SEL: therapy class and regimens.
void Selection(Ctx& x, State& s) {
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto active = [&](Agent ag) { return FindMedication(p, ag, MedStatus::kActive); };
  const Medication* dmab_active = active(Agent::kDenosumab);
  const Medication* dmab_stopped = nullptr;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kDenosumab &&
        (m.status == MedStatus::kStopped || m.status == MedStatus::kCompleted))
      dmab_stopped = &m;
  auto followon_after = [&](const std::optional<Date>& after) {
    for (const auto& m : p.medications) {
      if (!IsBisphosphonate(m.agent)) continue;
      if (m.status == MedStatus::kPlanned) return true;
      if (m.status == MedStatus::kActive && (!after || !m.start || *m.start >= *after)) return true;
    }
    return false;
  };
  s.dmab_transition = !dmab_active && dmab_stopped && !followon_after(dmab_stopped->last_dose);
  const Medication* anabolic_active = nullptr;
  const Medication* anabolic_done = nullptr;
  for (const auto& m : p.medications) {
    if (!IsAnabolic(m.agent)) continue;
    if (m.status == MedStatus::kActive) anabolic_active = &m;
    if (m.status == MedStatus::kCompleted || m.status == MedStatus::kStopped) anabolic_done = &m;
  }
  const bool antiresorptive_after_anabolic =
      anabolic_done &&
      std::any_of(p.medications.begin(), p.medications.end(), [&](const Medication& m) {
        return IsAntiresorptive(m.agent) &&
               (m.status == MedStatus::kPlanned ||
                (m.status == MedStatus::kActive &&
                 (!anabolic_done->end || !m.start || *m.start >= *anabolic_done->end)));
      });
  s.anabolic_followup = anabolic_done && !anabolic_active && !antiresorptive_after_anabolic;

  // Anabolic candidates in order (SEL-01; GIOP prefers teriparatide, GIOP-08).
  static constexpr std::string_view kAnabolicOrder[] = {"romosozumab", "abaloparatide",
                                                        "teriparatide"};
  static constexpr std::string_view kGiopAnabolicOrder[] = {"teriparatide", "abaloparatide",
                                                            "romosozumab"};
  for (std::string_view ag : s.giop_indicated ? kGiopAnabolicOrder : kAnabolicOrder)
    if (!x.Avoided(ag)) s.anabolic_candidates.push_back(ag);

  const bool za_ok = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
  const bool dmab_ok = !x.Avoided("denosumab");

  auto add_oral = [&](List<Regimen>& to, std::string_view rule) {
    for (std::string_view ag : s.oral_candidates) x.AddRegimen(to, ag, {rule});
  };
  auto add_za = [&](List<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "zoledronic_acid", {rule, "SEL-05"});
  };
  auto add_dmab = [&](List<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "denosumab", {rule, "SEL-05"});
  };

  BP_VERBOSE(x, x.Fired("SEL-00", "contraindications, then pre-infusion checks, then preference"));
  BP_VERBOSE(x, x.Trace("SEL-05", Outcome::kFired,
                        "routes: zoledronic acid the only infusion; denosumab, romosozumab, "
                        "teriparatide, abaloparatide subcutaneous"));
  BP_VERBOSE(
      x, x.Trace("D17", Outcome::kFired, "only zoledronic acid is routed to the infusion centre"));
  BP_VERBOSE(
      x, x.Trace("D28", Outcome::kFired, "zoledronic acid infused over no less than 15 minutes"));
  BP_VERBOSE(x, x.Trace("D16", Outcome::kFired,
                        "ACP 2023 grades romosozumab evidence moderate certainty (display only)"));

  // Nothing to select.
  if (a.treatment_indicated == false) {
    a.therapy_recommended = TherapyClass::kNone;
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"})
      BP_VERBOSE(x, x.NotFired(r, "treatment not indicated"));
    return;
  }
  if (a.risk_tier == RiskTier::kIndeterminate || s.neuro_deficit || s.osteomalacia_suspected) {
    a.therapy_recommended = TherapyClass::kSpecialistDecision;
    const char* why =
        a.risk_tier == RiskTier::kIndeterminate
            ? "outside the populations the thresholds apply to, a possibly pathologic fracture, or "
              "not enough data"
        : s.neuro_deficit
            ? "acute vertebral fracture with a neurological deficit: the emergency comes first"
            : "suspected osteomalacia: treat it before any antiresorptive";
    BP_VERBOSE(x, a.sequence.push_back(
                      St{"specialist_decision",
                         std::string("No osteoporosis drug is selected now (") + why + ").",
                         {s.neuro_deficit                           ? "PRE-12"
                          : a.risk_tier == RiskTier::kIndeterminate ? "RISK-04"
                                                                    : "LAB-03"}}));
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"})
      BP_VERBOSE(x, x.NotFired(r, "a specialist decides first"));
    return;
  }

  const bool very_high = a.risk_tier == RiskTier::kVeryHigh;
  TherapyClass chosen = TherapyClass::kNone;
  RuleIds why_rules;
  Text why;  // a literal, or a text kept in the arena

  auto choose_antiresorptive = [&](bool prefer_parenteral) {
    // SEQ-05: after denosumab, zoledronic acid (or alendronate) must follow.
    if (s.dmab_transition) {
      if (za_ok) {
        chosen = TherapyClass::kIvZoledronicAcid;
        if (x.verbose)
          why = Keep("Denosumab stopped: one zoledronic acid infusion about " +
                     Int(x.P(&CP::dmab_transition_months)) +
                     " months after the last injection, no later than " +
                     Num(x.P(&CP::dmab_overdue_months).value, 0) + " months.");
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (s.oral_candidates_any) {
        chosen = TherapyClass::kOralBisphosphonate;
        if (x.verbose)
          why =
              "Denosumab stopped and zoledronic acid contraindicated: oral alendronate as the "
              "follow-on.";
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (dmab_ok) {
        chosen = TherapyClass::kDenosumab;
        if (x.verbose)
          why =
              "Denosumab stopped but no bisphosphonate can follow: resume denosumab; it must not "
              "stop without a follow-on.";
        if (x.verbose) why_rules = {"SEQ-05", "SEL-04"};
      }
      return;
    }
    if (dmab_active && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why =
            "Continue denosumab every 6 months: it must never stop without a follow-on "
            "antiresorptive.";
      if (x.verbose) why_rules = {"SEQ-05", "SEQ-09"};
      return;
    }
    if (s.ctibl_only && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why =
            "Cancer-treatment bone loss: denosumab 60 mg every 6 months is labelled for "
            "aromatase-inhibitor and androgen-deprivation bone loss; bisphosphonates are "
            "alternatives.";
      if (x.verbose) why_rules = {"CTIBL-02"};
      return;
    }
    if (!prefer_parenteral && s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose)
        why =
            "High risk with oral bisphosphonates suitable: alendronate or risedronate first line "
            "(ibandronate not preferred).";
      if (x.verbose) why_rules = {"SEL-02"};
      return;
    }
    if (za_ok) {
      chosen = TherapyClass::kIvZoledronicAcid;
      if (prefer_parenteral) {
        if (x.verbose) why = "No anabolic agent can be used: zoledronic acid 5 mg IV yearly.";
        if (x.verbose) why_rules = {"SEL-01"};
      } else if (x.verbose) {
        std::string t;
        for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
        if (t.empty()) t = "oral bisphosphonates blocked";
        if (x.verbose)
          why = Keep("Oral bisphosphonates unsuitable (" + t +
                     "): zoledronic acid 5 mg IV once yearly.");
        if (x.verbose) why_rules = {"SEL-03"};
        for (const auto& r : s.oral_unsuitable_rules) why_rules.push_back(r);
      }
      return;
    }
    if (dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why = Keep("Bisphosphonates contraindicated or not tolerated (" +
                   (s.za_contra_text.empty() ? std::string("oral unsuitable") : s.za_contra_text) +
                   "): denosumab 60 mg SC every 6 months, with a plan never to stop it without a "
                   "follow-on.");
      if (x.verbose) why_rules = {"SEL-04", "D14"};
      return;
    }
    if (s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose) why = "Oral bisphosphonate is the remaining option.";
      if (x.verbose) why_rules = {"SEL-02"};
    }
  };

  if (very_high) {
    if (dmab_active && dmab_ok) {
      choose_antiresorptive(true);
    } else if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = "Continue the anabolic course, then an antiresorptive without a gap.";
      if (x.verbose) why_rules = {"SEL-01", "SEQ-01"};
    } else if (s.anabolic_followup || s.dmab_transition) {
      choose_antiresorptive(true);
      if (x.verbose && s.anabolic_followup && chosen != TherapyClass::kNone)
        why_rules.push_back("SEQ-01");
    } else if (anabolic_done && antiresorptive_after_anabolic) {
      // The anabolic-then-antiresorptive sequence is under way: continue the antiresorptive.
      for (const auto& m : p.medications) {
        if (m.status != MedStatus::kActive || !IsAntiresorptive(m.agent)) continue;
        if (IsOralBisphosphonate(m) && s.oral_candidates_any)
          chosen = TherapyClass::kOralBisphosphonate;
        if (m.agent == Agent::kZoledronicAcid && za_ok) chosen = TherapyClass::kIvZoledronicAcid;
        if (m.agent == Agent::kDenosumab && dmab_ok) chosen = TherapyClass::kDenosumab;
      }
      if (chosen == TherapyClass::kNone)
        choose_antiresorptive(true);
      else if (x.verbose)
        why = "Anabolic course completed and followed by an antiresorptive: continue it.";
      if (x.verbose) why_rules = {"SEQ-01", "SEL-01"};
    } else if (!s.anabolic_candidates.empty()) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose)
        why = "Very high fracture risk: an anabolic agent first, then an antiresorptive.";
      if (x.verbose) why_rules = {"SEL-01"};
      if (x.verbose && s.giop_indicated) why_rules.push_back("GIOP-08");
    } else {
      choose_antiresorptive(true);
    }
  } else {
    if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = "Continue the anabolic course, then an antiresorptive without a gap.";
      if (x.verbose) why_rules = {"SEQ-01"};
    } else {
      choose_antiresorptive(false);
      if (x.verbose && s.anabolic_followup) why_rules.push_back("SEQ-01");
    }
  }
  if (chosen == TherapyClass::kNone && !s.anabolic_candidates.empty()) {
    chosen = TherapyClass::kAnabolic;
    if (x.verbose)
      why = "Every antiresorptive is blocked: an anabolic agent, then specialist review.";
    if (x.verbose) why_rules = {"SEL-01"};
  }
  if (chosen == TherapyClass::kNone) {
    chosen = TherapyClass::kSpecialistDecision;
    if (x.verbose)
      why = "Every osteoporosis drug is blocked for this patient: a specialist decides.";
    if (x.verbose) why_rules = {"SEL-00"};
  }
  a.therapy_recommended = chosen;
  if (!x.verbose) return;  // the other profiles compare the class only
  // The rest only lists the returned assessment's regimens and texts.
  const TextOnly regimens_and_texts(x);
  BP_VERBOSE(x, x.Trace("SEL-01", very_high ? Outcome::kFired : Outcome::kNotFired,
                        very_high ? Str(why) : Str("not very high risk")));
  BP_VERBOSE(x,
             x.Trace("SEL-02", chosen == TherapyClass::kOralBisphosphonate ? Outcome::kFired
                                                                           : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("SEL-03", s.oral_unsuitable ? Outcome::kFired : Outcome::kNotFired,
                        s.oral_unsuitable ? "oral bisphosphonates unsuitable" : ""));
  BP_VERBOSE(x, x.Trace("SEL-04",
                        chosen == TherapyClass::kDenosumab ? Outcome::kFired : Outcome::kNotFired));
  BP_VERBOSE(x, x.Trace("D14", Outcome::kFired,
                        x.P(&CP::denosumab_first_line)
                            ? "denosumab listed among first-line options (profile)"
                            : "denosumab second line (ACP 2023)"));
  BP_VERBOSE(x, a.treatment_reasons.push_back(St{"therapy", why, why_rules}));

  // Regimens for the chosen class, preferred first.
  switch (chosen) {
    case TherapyClass::kOralBisphosphonate:
      add_oral(a.agents, "SEL-02");
      break;
    case TherapyClass::kIvZoledronicAcid:
      add_za(a.agents, why_rules.front());
      break;
    case TherapyClass::kDenosumab:
      add_dmab(a.agents, why_rules.front());
      break;
    case TherapyClass::kAnabolic:
      if (anabolic_active)
        x.AddRegimen(a.agents, ToString(anabolic_active->agent), {"SEL-01", "SEQ-01"});
      else
        for (std::string_view ag : s.anabolic_candidates)
          x.AddRegimen(a.agents, ag, {"SEL-01", "SEL-05"});
      break;
    default:
      break;
  }
  // Alternatives: the other usable classes.
  if (chosen != TherapyClass::kIvZoledronicAcid && za_ok)
    add_za(a.alternatives, very_high ? "SEL-01" : "SEL-03");
  if (chosen != TherapyClass::kDenosumab && dmab_ok)
    add_dmab(a.alternatives, x.P(&CP::denosumab_first_line) || very_high ? "SEL-01" : "SEL-04");
  if (chosen != TherapyClass::kOralBisphosphonate && s.oral_candidates_any &&
      (!very_high || s.giop_very_high))
    add_oral(a.alternatives, s.giop_very_high ? "D8" : "SEL-02");
  if (chosen != TherapyClass::kAnabolic && very_high && !dmab_active)
    for (std::string_view ag : s.anabolic_candidates) x.AddRegimen(a.alternatives, ag, {"SEL-01"});
  if (x.P(&CP::first_line_equal_options) && chosen == TherapyClass::kOralBisphosphonate)
    BP_VERBOSE(x, a.treatment_reasons.push_back(
                      St{"equal_options",
                         "Under this profile (AACE 2020) zoledronic acid and denosumab are equal "
                         "first-line options with oral bisphosphonates.",
                         {"SEL-02", "D14"}}));
}

// ---------------------------------------------------------------------------------------------
// PRE: zoledronic acid pre-infusion checks and status (first match wins, CONV-ZA-STATUS).
void Infusion(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto& checks = a.pre_infusion;
  checks.reserve(8);
  bool missing = false, correctable = false;
  List<Statement> fixes(a.za_reasons.get_allocator());

  // PRE-01 renal.
  {
    PreCheck k{
        PreCheckKind::kCreatinineClearance, CheckStatus::kUnknown, "", {"PRE-01", "CALC-01"}};
    const bool fresh = f.creatinine && f.creatinine->Fresh(x.P(&CP::creatinine_max_age_days));
    if (f.crcl && x.P(&CP::za_crcl).Met(*f.crcl)) {
      k.status = CheckStatus::kFail;
      k.text = Keep("Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min " +
                    Desc(x.P(&CP::za_crcl), "mL/min") + ": contraindicated.");
    } else if (!f.crcl) {
      k.text = "CrCl cannot be computed (needs serum creatinine, weight and age).";
      missing = true;
    } else if (!fresh) {
      k.text =
          Keep("CrCl " + Num(*f.crcl) + " mL/min, but the creatinine is " +
               (f.creatinine->age_days ? Int(*f.creatinine->age_days) + " days old"
                                       : std::string("undated")) +
               " (must be within " + Int(x.P(&CP::creatinine_max_age_days)) + " days): repeat it.");
      missing = true;
      BP_VERBOSE(x, x.Missing("labs.creatinine (within " + Int(x.P(&CP::creatinine_max_age_days)) +
                                  " days)",
                              "zoledronic acid renal check (PRE-01)"));
      BP_VERBOSE(
          x, x.Stale("creatinine older than " + Int(x.P(&CP::creatinine_max_age_days)) + " days"));
    } else {
      k.status = CheckStatus::kPass;
      k.text = Keep("Cockcroft-Gault CrCl " + Num(*f.crcl) +
                    " mL/min (>= " + Num(x.P(&CP::za_crcl).value, 0) + ").");
    }
    BP_VERBOSE(x, x.Trace("PRE-01",
                          k.status == CheckStatus::kFail      ? Outcome::kFired
                          : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                              : Outcome::kNotFired,
                          k.text));
    checks.push_back(std::move(k));
  }
  // Acute renal impairment.
  const bool aki = x.f.HasActive(p, ConditionCode::kAcuteKidneyInjury);
  checks.push_back(Pc{PreCheckKind::kAcuteRenalImpairment,
                      aki ? CheckStatus::kFail : CheckStatus::kPass,
                      aki ? "Acute renal impairment recorded: contraindicated."
                          : "No acute renal impairment recorded.",
                      {"CI-01", "PRE-01"}});
  // PRE-02 calcium.
  {
    PreCheck k{
        PreCheckKind::kSerumCalcium, CheckStatus::kUnknown, "", {"PRE-02", "CALC-04", "CI-11"}};
    const LabValue* src = f.ionized_calcium ? &*f.ionized_calcium
                          : f.calcium       ? &*f.calcium
                                            : nullptr;
    const bool fresh = src && src->Fresh(x.P(&CP::calcium_max_age_days));
    // Stale data blocks before a correctable failure (CONV-ZA-STATUS): a low value from months
    // ago says what to correct, not that the infusion can follow the correction.
    if (src && !fresh && f.hypocalcemia) {
      missing = true;
      BP_VERBOSE(x,
                 x.Missing("labs.calcium (within " + Int(x.P(&CP::calcium_max_age_days)) + " days)",
                           "zoledronic acid calcium check (PRE-02)"));
      BP_VERBOSE(x, x.Stale("calcium older than " + Int(x.P(&CP::calcium_max_age_days)) + " days"));
    }
    if (f.hypocalcemia) {
      k.status = CheckStatus::kFail;
      k.text = "Low calcium: correct before the infusion.";
      correctable = true;
      fixes.push_back(St{"correct_calcium",
                         "Correct hypocalcemia and recheck calcium before the infusion.",
                         {"PRE-02", "CI-11"}});
    } else if (!f.calcium_known) {
      k.text = "Calcium status unknown (needs total calcium with albumin, or ionized calcium).";
      missing = true;
    } else if (!fresh) {
      k.text = Keep("Calcium normal but older than " + Int(x.P(&CP::calcium_max_age_days)) +
                    " days: repeat it.");
      missing = true;
      BP_VERBOSE(x,
                 x.Missing("labs.calcium (within " + Int(x.P(&CP::calcium_max_age_days)) + " days)",
                           "zoledronic acid calcium check (PRE-02)"));
      BP_VERBOSE(x, x.Stale("calcium older than " + Int(x.P(&CP::calcium_max_age_days)) + " days"));
    } else {
      k.status = CheckStatus::kPass;
      k.text = Keep(f.ionized_calcium
                        ? "Ionized calcium " + Num(f.ionized_calcium->value, 2) + " mmol/L: normal."
                        : "Corrected calcium " + Num(*f.corrected_calcium, 2) + " mg/dL: normal.");
    }
    BP_VERBOSE(x, x.Trace("PRE-02",
                          k.status == CheckStatus::kFail      ? Outcome::kFired
                          : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                              : Outcome::kNotFired,
                          k.text));
    checks.push_back(std::move(k));
  }
  // PRE-03 vitamin D.
  {
    PreCheck k{PreCheckKind::kVitaminD, CheckStatus::kUnknown, "", {"PRE-03", "D12"}};
    if (!f.vitd) {
      k.text = "25-OH vitamin D not measured.";
      missing = true;
      BP_VERBOSE(x, x.Missing("labs.vitamin_d_25oh", "zoledronic acid vitamin D check (PRE-03)"));
    } else if (x.P(&CP::za_min_vitd).Met(f.vitd->value)) {
      if (!f.vitd->Fresh(x.P(&CP::vitd_max_age_days))) {
        missing = true;  // stale before correctable (CONV-ZA-STATUS)
        BP_VERBOSE(x, x.Missing("labs.vitamin_d_25oh (within " + Int(x.P(&CP::vitd_max_age_days)) +
                                    " days)",
                                "zoledronic acid vitamin D check (PRE-03)"));
        BP_VERBOSE(x,
                   x.Stale("vitamin D older than " + Int(x.P(&CP::vitd_max_age_days)) + " days"));
      }
      k.status = CheckStatus::kFail;
      k.text =
          Keep("25-OH vitamin D " + Num(f.vitd->value) + " ng/mL " +
               Desc(x.P(&CP::za_min_vitd), "ng/mL") + ": replete and recheck before the infusion.");
      correctable = true;
      fixes.push_back(St{"replete_vitamin_d",
                         "Replete vitamin D (25-OH D " + Num(f.vitd->value) +
                             " ng/mL) and recheck before the infusion.",
                         {"PRE-03", "D12"}});
    } else if (!f.vitd->Fresh(x.P(&CP::vitd_max_age_days))) {
      k.text = Keep("25-OH vitamin D older than " + Int(x.P(&CP::vitd_max_age_days)) +
                    " days: repeat it.");
      missing = true;
      BP_VERBOSE(
          x, x.Missing("labs.vitamin_d_25oh (within " + Int(x.P(&CP::vitd_max_age_days)) + " days)",
                       "zoledronic acid vitamin D check (PRE-03)"));
      BP_VERBOSE(x, x.Stale("vitamin D older than " + Int(x.P(&CP::vitd_max_age_days)) + " days"));
    } else {
      k.status = CheckStatus::kPass;
      k.text = Keep("25-OH vitamin D " + Num(f.vitd->value) + " ng/mL (minimum " +
                    Num(x.P(&CP::za_min_vitd).value, 0) + ").");
    }
    BP_VERBOSE(x, x.Trace("PRE-03",
                          k.status == CheckStatus::kFail      ? Outcome::kFired
                          : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                              : Outcome::kNotFired,
                          k.text));
    BP_VERBOSE(x, x.Trace("D12", Outcome::kFired, x.Texts().d12));
    checks.push_back(std::move(k));
  }
  // PRE-04 dosing interval.
  {
    std::optional<Date> last;
    for (const auto& m : p.medications) {
      if (m.agent != Agent::kZoledronicAcid || m.status == MedStatus::kPlanned) continue;
      std::optional<Date> d = m.last_dose                      ? m.last_dose
                              : m.status == MedStatus::kActive ? m.start
                                                               : std::nullopt;
      if (d && (!last || *d > *last)) last = d;
    }
    PreCheck k{PreCheckKind::kDosingInterval, CheckStatus::kPass, "", {"PRE-04"}};
    if (last && *last > f.as_of.AddMonths(-x.P(&CP::za_interval_months))) {
      k.status = CheckStatus::kFail;
      const Date due = last->AddMonths(x.P(&CP::za_interval_months));
      k.text = Keep("Last zoledronic acid dose " + Dt(last) + ": next due " + Dt(due) + ".");
      correctable = true;
      fixes.push_back(St{"wait_interval",
                         "Wait until " + Dt(due) + " (" + Int(x.P(&CP::za_interval_months)) +
                             " months after the last dose).",
                         {"PRE-04"}});
    } else {
      k.text = Keep(last ? "Last zoledronic acid dose " + Dt(last) +
                               " (>= " + Int(x.P(&CP::za_interval_months)) + " months ago)."
                         : "No previous zoledronic acid dose recorded.");
    }
    BP_VERBOSE(
        x, x.Trace("PRE-04", k.status == CheckStatus::kFail ? Outcome::kFired : Outcome::kNotFired,
                   k.text));
    checks.push_back(std::move(k));
  }
  // PRE-06 hypersensitivity, PRE-05 pregnancy.
  const bool hyper = HasIntolerance(p, Intolerance::kZoledronicAcid);
  checks.push_back(Pc{PreCheckKind::kHypersensitivity,
                      hyper ? CheckStatus::kFail : CheckStatus::kPass,
                      hyper ? "Hypersensitivity or intolerance to zoledronic acid recorded."
                            : "No hypersensitivity recorded.",
                      {"PRE-06"}});
  BP_VERBOSE(x, x.Trace("PRE-06", hyper ? Outcome::kFired : Outcome::kNotFired));
  const bool pregnant = x.f.HasActive(p, ConditionCode::kPregnancy);
  const bool may_be_pregnant = f.female && f.menopause != Menopause::kPost;
  checks.push_back(Pc{PreCheckKind::kPregnancy,
                      pregnant          ? CheckStatus::kFail
                      : may_be_pregnant ? CheckStatus::kAdvice
                                        : CheckStatus::kPass,
                      pregnant          ? "Pregnancy recorded: contraindicated."
                      : may_be_pregnant ? "Confirm the patient is not pregnant before the infusion."
                                        : "Not applicable (no reproductive potential recorded).",
                      {"PRE-05", "CI-12"}});
  BP_VERBOSE(x, x.Trace("PRE-05", pregnant ? Outcome::kFired : Outcome::kNotFired));
  // PRE-12 acute condition.
  const bool acute = s.neuro_deficit || s.pathologic;
  checks.push_back(Pc{PreCheckKind::kAcuteCondition,
                      acute ? CheckStatus::kFail : CheckStatus::kPass,
                      s.neuro_deficit ? "Acute vertebral fracture with neurological deficit: defer "
                                        "until the emergency is managed."
                      : s.pathologic
                          ? "Possibly pathologic fracture: defer until malignancy is excluded."
                          : "No acute spine emergency or suspected pathologic fracture.",
                      {"PRE-12"}});
  BP_VERBOSE(x, x.Trace("PRE-12", acute ? Outcome::kFired : Outcome::kNotFired));
  // PRE-08 hydration, PRE-07 dental, PRE-10 acetaminophen: advice, never blocking.
  const bool dehydrated = p.hydration_adequate.has_value() && !*p.hydration_adequate;
  checks.push_back(Pc{
      PreCheckKind::kHydration,
      CheckStatus::kAdvice,
      dehydrated
          ? "Recorded as not adequately hydrated: hydrate before the infusion; review diuretics "
            "and NSAIDs."
          : "Drink fluids before the infusion (at least 2 glasses); review diuretics and NSAIDs.",
      {"PRE-08"}});
  BP_VERBOSE(x, x.Trace("PRE-08", dehydrated ? Outcome::kFired : Outcome::kNotFired,
                        dehydrated ? "not adequately hydrated" : "advice"));
  const bool dental = p.dental.invasive_procedure_planned.value_or(false);
  checks.push_back(Pc{PreCheckKind::kDentalReview,
                      CheckStatus::kAdvice,
                      dental ? "Invasive dental work planned: complete it before starting an "
                               "antiresorptive if possible."
                      : p.dental.exam_within_6_months.value_or(false)
                          ? "Dental examination within 6 months recorded."
                          : "Oral examination before starting, especially with ONJ risk factors.",
                      {"PRE-07"}});
  BP_VERBOSE(x, x.Trace("PRE-07", dental ? Outcome::kFired : Outcome::kNotFired));
  checks.push_back(
      Pc{PreCheckKind::kAcetaminophenProphylaxis,
         CheckStatus::kAdvice,
         "Flu-like acute-phase symptoms are common within 3 days of the first infusion; "
         "acetaminophen after the infusion may reduce them.",
         {"PRE-10"}});
  BP_VERBOSE(x, x.Trace("PRE-10", Outcome::kFired, "advice"));
  // PRE-09 atypical femoral fracture screen.
  const bool aff = FindCondition(p, ConditionCode::kAtypicalFemoralFracture, false) != nullptr ||
                   std::any_of(p.fractures.begin(), p.fractures.end(),
                               [](const Fracture& fx) { return fx.atypical.value_or(false); });
  if (aff) {
    BP_VERBOSE(x, x.Fired("PRE-09", "atypical femoral fracture on record"));
    BP_VERBOSE(x, x.Warn("atypical_femoral_fracture_screen", Severity::kWarning,
                         "Atypical femoral fracture on record: bisphosphonates and denosumab need "
                         "specialist review.",
                         {"PRE-09"}));
  } else {
    BP_VERBOSE(x, x.NotFired("PRE-09"));
  }
  if (FindCondition(p, ConditionCode::kOsteonecrosisOfJaw, false))
    BP_VERBOSE(x, x.Warn("onj_dental_risk", Severity::kWarning,
                         "Osteonecrosis of the jaw on record: antiresorptives need specialist and "
                         "dental review.",
                         {"PRE-07", "CI-01"}));

  // Status, first match wins.
  ZaStatus st;
  if (a.treatment_indicated == false) {
    st = ZaStatus::kNotIndicated;
    a.za_reasons.push_back(
        St{"", "Osteoporosis treatment is not indicated.", {"CONV-ZA-STATUS", "TX-05"}});
  } else if (acute || a.risk_tier == RiskTier::kIndeterminate || s.osteomalacia_suspected) {
    st = ZaStatus::kDeferred;
    a.za_reasons.push_back(
        St{"",
           s.neuro_deficit ? "Deferred: acute vertebral fracture with neurological deficit."
           : s.pathologic  ? "Deferred: possibly pathologic fracture."
           : s.osteomalacia_suspected ? "Deferred: suspected osteomalacia."
                                      : "Deferred: a specialist decides first (outside the "
                                        "populations the thresholds apply to, or not enough data).",
           {"CONV-ZA-STATUS", s.neuro_deficit || s.pathologic ? "PRE-12" : "RISK-04"}});
  } else if (s.za_contraindicated) {
    st = ZaStatus::kContraindicated;
    a.za_reasons.push_back(St{"", "Contraindicated: " + s.za_contra_text + ".", s.za_contra_rules});
  } else if (missing) {
    st = ZaStatus::kInsufficientData;
    a.za_reasons.push_back(
        St{"",
           "A blocking check cannot be made (see pre-infusion checks and missing data).",
           {"CONV-ZA-STATUS", "CONV-STALE"}});
  } else if (correctable) {
    st = ZaStatus::kEligibleAfterCorrection;
    for (auto& fx : fixes) a.za_reasons.push_back(std::move(fx));
  } else {
    st = ZaStatus::kEligible;
    a.za_reasons.push_back(St{"",
                              "Every pre-infusion check passes.",
                              {"PRE-01", "PRE-02", "PRE-03", "PRE-04", "PRE-05", "PRE-06"}});
  }
  a.za_status = st;
  BP_VERBOSE(x, x.Fired("CONV-ZA-STATUS", ToString(st).data()));  // a static wire name
  if (!x.stale_traced) BP_VERBOSE(x, x.NotFired("CONV-STALE"));

  // Vitamin D warnings.
  if (f.vitd && (a.treatment_indicated == true || a.therapy_recommended != TherapyClass::kNone)) {
    if (x.P(&CP::za_min_vitd).Met(f.vitd->value)) {
      BP_VERBOSE(x, x.Warn("vitamin_d_deficiency_correct_first", Severity::kWarning,
                           "25-OH vitamin D " + Num(f.vitd->value) + " ng/mL " +
                               Desc(x.P(&CP::za_min_vitd), "ng/mL") +
                               ": replete before starting an antiresorptive.",
                           {"PRE-03", "D12"}));
    } else if (x.P(&CP::vitd_target).Met(f.vitd->value)) {
      BP_VERBOSE(x, x.Warn("vitamin_d_below_aace_target", Severity::kInfo,
                           "25-OH vitamin D " + Num(f.vitd->value) +
                               " ng/mL is below the AACE target of " +
                               Num(x.P(&CP::vitd_target).value, 0) + " ng/mL.",
                           {"PRE-03", "D12"}));
    }
  }
  if (dehydrated && (a.therapy_recommended == TherapyClass::kIvZoledronicAcid))
    BP_VERBOSE(x, x.Warn("hydrate_before_infusion", Severity::kWarning,
                         "Not adequately hydrated: hydrate before the zoledronic acid infusion.",
                         {"PRE-08"}));
  if (dental && a.treatment_indicated == true)
    BP_VERBOSE(x, x.Warn("dental_review_before_antiresorptive", Severity::kWarning,
                         "Invasive dental work is planned: complete it (or review with the "
                         "dentist) before starting an antiresorptive.",
                         {"PRE-07"}));
}

// ---------------------------------------------------------------------------------------------
// VCF pathway (seed 003 with ACR-AC-VCF corrections).
void Vertebral(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const FractureEvent* vcf = nullptr;
  for (const auto& e : f.events)
    if (e.site == FractureSite::kVertebral &&
        (!vcf || (e.date && (!vcf->date || *e.date > *vcf->date))))
      vcf = &e;
  static constexpr std::string_view kVcf[] = {"VCF-01", "VCF-02", "VCF-03", "VCF-04", "VCF-05",
                                              "VCF-06", "VCF-07", "VCF-08", "VCF-09", "D19",
                                              "D20",    "D21",    "D22"};
  // The pathway is for a new or symptomatic fracture: one within the fracture-liaison window, or
  // one for which spine findings were recorded. An old healed fracture still counts for the
  // indication and the tier, not for spine referrals.
  if (vcf && !p.spine_recorded &&
      !(vcf->date && WithinMonths(*vcf->date, f.as_of, x.P(&CP::fls_window_months))))
    vcf = nullptr;
  if (!vcf) {
    for (std::string_view r : kVcf)
      BP_VERBOSE(x, x.NotFired(r, "no new or symptomatic vertebral fracture"));
    return;
  }
  const auto& sp = p.spine;
  const bool neuro = sp.neurological_deficit.value_or(false);
  const bool instab = sp.instability.value_or(false);
  const bool red = !sp.red_flags.empty() || vcf->pathologic;
  const bool deformity = sp.deformity && *sp.deformity != Deformity::kNone;
  const bool worsening =
      sp.pain == SpinePain::kSevereWorsening || sp.pulmonary_dysfunction.value_or(false);
  const std::string fx = FxName(*vcf);
  if (!sp.neurological_deficit)
    BP_VERBOSE(x,
               x.Missing("spine.neurological_deficit",
                         "urgent spine surgery referral (VCF-01) and infusion deferral (PRE-12)"));
  if (neuro) {
    BP_VERBOSE(x, x.Fired("VCF-01", "neurological deficit with " + fx));
    x.Refer(Destination::kSpineSurgery, Urgency::kImmediate,
            "Vertebral fracture (" + fx +
                ") with a neurological deficit: same-day spine surgery or neurosurgery "
                "assessment and urgent MRI; osteoporosis drugs deferred.",
            {"VCF-01", "PRE-12", "D19"});
    x.a.workup.push_back(
        St{"urgent_mri", "Urgent MRI of the spine (neurological deficit).", {"VCF-01"}});
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-01"));
  }
  if (instab) {
    BP_VERBOSE(x, x.Fired("VCF-02", "spinal instability"));
    x.Refer(Destination::kSpineSurgery, Urgency::kUrgent,
            "Spinal instability or cord compromise on imaging: urgent surgical evaluation.",
            {"VCF-02", "D19"});
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-02"));
  }
  if (red) {
    std::string flags;
    for (auto rf : sp.red_flags) flags += (flags.empty() ? "" : ", ") + std::string(ToString(rf));
    if (flags.empty()) flags = "suspected pathologic fracture";
    BP_VERBOSE(x, x.Fired("VCF-03", flags));
    x.Refer(Destination::kOncology, Urgency::kUrgent,
            "Vertebral fracture with red flags (" + flags + "): possible malignancy or infection.",
            {"VCF-03", "REF-05"});
    if (neuro || instab)
      x.Refer(Destination::kSpineSurgery, Urgency::kUrgent,
              "Possible pathologic vertebral fracture with neurological deficit or instability.",
              {"VCF-03"});
    x.a.workup.push_back(St{"mri_contrast",
                            "MRI of the whole spine with and without IV contrast (red flags for "
                            "malignancy or infection).",
                            {"VCF-03"}});
    BP_VERBOSE(x, x.Warn("pathologic_fracture_suspected", Severity::kCritical,
                         "Possibly pathologic vertebral fracture (" + flags +
                             "): exclude malignancy or infection before osteoporosis treatment.",
                         {"VCF-03", "RISK-04"}));
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-03"));
    BP_VERBOSE(x, x.Fired("VCF-04", "new vertebral fracture without known malignancy"));
    x.a.workup.push_back(St{"mri",
                            "MRI of the spine without IV contrast (CT without contrast if MRI is "
                            "contraindicated) to confirm and date the fracture.",
                            {"VCF-04"}});
  }
  const bool persistent =
      sp.pain == SpinePain::kPersistent || sp.pain == SpinePain::kSevereWorsening;
  const bool long_enough = sp.weeks_of_conservative_care &&
                           x.P(&CP::va_min_pain_weeks).Met(*sp.weeks_of_conservative_care);
  if (persistent && long_enough && !neuro && !instab && !red) {
    BP_VERBOSE(x, x.Fired("VCF-05",
                          "pain persisting " + Num(*sp.weeks_of_conservative_care, 0) + " weeks"));
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine,
            "Pain persisting " + Num(*sp.weeks_of_conservative_care, 0) +
                " weeks despite conservative care: evaluation for vertebral augmentation.",
            {"VCF-05", "D19", "D20"});
    x.Refer(Destination::kPainManagement, Urgency::kRoutine,
            "Persistent pain after a vertebral compression fracture.", {"VCF-05"});
    BP_VERBOSE(
        x, x.Warn("vertebral_augmentation_evidence", Severity::kInfo,
                  "Vertebral augmentation: ACR rates it usually appropriate; AAOS recommends "
                  "strongly against vertebroplasty and weakly for kyphoplasty. Share the decision.",
                  {"D20", "VCF-05"}));
    BP_VERBOSE(x,
               x.Fired("D20", "augmentation after " + Desc(x.P(&CP::va_min_pain_weeks), "weeks")));
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-05"));
    BP_VERBOSE(x, x.NotFired("D20"));
    if (persistent && !sp.weeks_of_conservative_care)
      BP_VERBOSE(x, x.Missing("spine.weeks_of_conservative_care",
                              "vertebral augmentation referral (VCF-05)"));
  }
  if (deformity && worsening && !red) {
    BP_VERBOSE(x, x.Fired("VCF-06", "deformity with worsening symptoms or pulmonary dysfunction"));
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine,
            "Spinal deformity with worsening symptoms or pulmonary dysfunction: vertebral "
            "augmentation evaluation.",
            {"VCF-06", "D19"});
    if (x.P(&CP::surgery_referral_for_deformity))
      x.Refer(Destination::kSpineSurgery, Urgency::kRoutine,
              "Deformity: orthopedic or neurosurgical opinion (seed 003 profile).",
              {"VCF-06", "D19"});
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-06"));
  }
  BP_VERBOSE(x, x.Trace("D19", Outcome::kFired,
                        "urgent surgery only for neurological deficit or instability"));
  const bool recent =
      vcf->date && WithinMonths(*vcf->date, f.as_of,
                                static_cast<int>(x.P(&CP::vcf_conservative_max_months).value));
  if (!neuro && !instab && !red && (!deformity) && sp.pain != SpinePain::kPersistent &&
      sp.pain != SpinePain::kSevereWorsening) {
    BP_VERBOSE(x, x.Fired("VCF-07", "conservative care"));
    x.a.adjuncts.push_back(St{
        "vcf_conservative",
        std::string("Conservative care for the vertebral fracture (analgesia, early mobilisation, "
                    "bracing as needed) with osteoporosis management; reassess at 4-6 weeks") +
            (recent ? "; image again if symptoms persist beyond 8 weeks." : "."),
        {"VCF-07"}});
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-07"));
  }
  // VCF-08 calcitonin.
  if (vcf->date && !neuro && x.P(&CP::calcitonin_max_days).Met(DaysBetween(*vcf->date, f.as_of))) {
    BP_VERBOSE(x, x.Fired("VCF-08", "fracture " + Int(DaysBetween(*vcf->date, f.as_of)) +
                                        " days old, neurologically intact"));
    BP_VERBOSE(x, x.Fired("D21", "calcitonin optional for pain, never as osteoporosis treatment"));
    x.a.adjuncts.push_back(St{"calcitonin",
                              "Calcitonin for 4 weeks is an option for acute fracture pain (AAOS "
                              "moderate recommendation); not an osteoporosis treatment.",
                              {"VCF-08", "SEL-07", "D21"}});
    BP_VERBOSE(x, x.Warn("calcitonin_malignancy_risk", Severity::kInfo,
                         "Calcitonin: regulators flagged a malignancy risk with long-term use; "
                         "limit to 4 weeks for acute pain.",
                         {"VCF-08", "SEL-07"}));
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-08"));
    BP_VERBOSE(x, x.NotFired("D21"));
  }
  // VCF-09 nerve-root block for L3/L4.
  const bool l34 = vcf->level == "L3" || vcf->level == "L4";
  if (l34 && persistent) {
    BP_VERBOSE(x, x.Fired("VCF-09", "L3/L4 fracture with persistent pain"));
    BP_VERBOSE(x, x.Fired("D22", "nerve-root block restricted to L3/L4"));
    x.Refer(Destination::kPainManagement, Urgency::kRoutine,
            "L3/L4 fracture with persistent pain: an L2 nerve-root block may be considered (AAOS "
            "weak).",
            {"VCF-09", "D22"});
  } else {
    BP_VERBOSE(x, x.NotFired("VCF-09"));
    BP_VERBOSE(x, x.NotFired("D22"));
  }
  (void)s;
}

// ---------------------------------------------------------------------------------------------
// REF: referrals.
void Referrals(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto prior = [&](Destination d, std::optional<Date> since) {
    for (const auto& r : p.prior_referrals)
      if (r.to == d && (!since || !r.date || *r.date >= *since)) return true;
    return false;
  };
  // REF-01 FLS.
  const FractureEvent* fls_fx = nullptr;
  for (const auto& e : f.events)
    if (e.fragility && RecentMonths(e.date, f.as_of, x.P(&CP::fls_window_months))) fls_fx = &e;
  if (fls_fx && x.AgeKnown() && x.P(&CP::fls_min_age).Met(x.Age())) {
    if (prior(Destination::kFractureLiaisonService, fls_fx->date)) {
      BP_VERBOSE(
          x, x.NotFired("REF-01", "a fracture liaison episode already exists for this fracture"));
    } else {
      BP_VERBOSE(x, x.Fired("REF-01", "fragility fracture " + FxName(*fls_fx)));
      x.Refer(Destination::kFractureLiaisonService, Urgency::kRoutine,
              "Fragility fracture (" + FxName(*fls_fx) + ") within " +
                  Int(x.P(&CP::fls_window_months)) +
                  " months: fracture liaison service for investigation, falls assessment, "
                  "treatment and follow-up.",
              {"REF-01"});
    }
  } else {
    BP_VERBOSE(x, x.NotFired("REF-01", fls_fx ? "age below " + Num(x.P(&CP::fls_min_age).value, 0)
                                              : "no recent fragility fracture"));
  }
  // REF-02 specialist.
  // Texts are literals or kept in the arena; the list is the arena's too.
  List<std::pair<Text, RuleIds>> spec(a.workup.get_allocator());
  spec.reserve(8);
  Urgency spec_urgency = Urgency::kRoutine;
  bool any_fragility = f.fragility_events > 0;
  if (any_fragility && f.t_min && *f.t_min > LowBoneMassBoundTenths(x))
    spec.push_back({"(a) fragility fracture with normal BMD", {"REF-02", "D31"}});
  if (s.treatment_failure)
    spec.push_back({"(b) fracture on therapy (possible treatment failure)", {"REF-02"}});
  if (f.z_min && x.P(&CP::zscore_below_expected).MetTenths(*f.z_min))
    spec.push_back({Keep("(c) Z-score " + Tn(*f.z_min) + " below the expected range for age"),
                    {"REF-08", "DX-02"}});
  auto lab_abn = [&](const std::optional<LabValue>& v, const Threshold& hi,
                     const Threshold* lo) -> const char* {
    if (!v) return nullptr;
    if (v->AboveReference(hi)) return "(c) unexplained high alkaline phosphatase";
    if (lo && v->BelowReference(*lo)) return "(c) unexplained low alkaline phosphatase";
    return nullptr;
  };
  if (const char* alp = lab_abn(f.alp, x.P(&CP::alp_high), &x.P(&CP::alp_low)))
    spec.push_back({Text::Static(alp), {"REF-02", "LAB-03"}});
  if (f.phosphate && f.phosphate->BelowReference(x.P(&CP::phosphate_low)))
    spec.push_back({"(c) low phosphate", {"REF-02", "LAB-03"}});
  for (auto [code, name] : {std::pair{ConditionCode::kHyperparathyroidism, "hyperparathyroidism"},
                            std::pair{ConditionCode::kHyperthyroidism, "hyperthyroidism"},
                            std::pair{ConditionCode::kHypercalciuria, "hypercalciuria"},
                            std::pair{ConditionCode::kHyperprolactinemia, "raised prolactin"}})
    if (x.f.HasActive(p, code))
      spec.push_back({Keep("(d) concurrent metabolic bone disease: " + Cat(name)), {"REF-02"}});
  if (f.crcl && x.P(&CP::refer_crcl).Met(*f.crcl))
    spec.push_back({Keep("(e) reduced kidney function (CrCl " + Num(*f.crcl) + " mL/min " +
                         Desc(x.P(&CP::refer_crcl), "mL/min") + ")"),
                    {"REF-02", "D27"}});
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    spec.push_back({"(e) malabsorption or bariatric surgery complicates treatment", {"REF-02"}});
  const bool young = s.outside_population && any_fragility;
  if (young) {
    spec.push_back(
        {"(f) premenopausal woman or man under 50 with a fragility fracture", {"REF-07"}});
    BP_VERBOSE(x, x.Fired("REF-07", "young patient with a fragility fracture"));
  } else {
    BP_VERBOSE(x, x.NotFired("REF-07"));
  }
  if (f.z_min && x.P(&CP::zscore_below_expected).MetTenths(*f.z_min))
    BP_VERBOSE(x, x.Fired("REF-08", "Z-score " + Tn(*f.z_min)));
  else
    BP_VERBOSE(x, x.NotFired("REF-08"));
  if (a.risk_tier == RiskTier::kVeryHigh) {
    spec.push_back({"(g) very high fracture risk: consider anabolic therapy (expedited)",
                    {"REF-02", "RISK-01"}});
    spec_urgency = Urgency::kUrgent;
  }
  const bool dmab_stopping =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return m.agent == Agent::kDenosumab &&
               (m.status == MedStatus::kStopped || m.status == MedStatus::kCompleted);
      });
  if (dmab_stopping)
    spec.push_back({"(h) denosumab discontinuation: plan the transition", {"REF-02", "SEQ-05"}});
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  const bool immuno = FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) != nullptr;
  if (transplant && immuno && f.gc_active)
    spec.push_back(
        {"(i) glucocorticoids in a transplant recipient on immunosuppressants", {"REF-02", "D24"}});
  if (s.outside_population && a.risk_tier == RiskTier::kIndeterminate && !young &&
      std::none_of(spec.begin(), spec.end(),
                   [](const auto& r) { return r.first.rfind("(c) Z", 0) == 0; }))
    spec.push_back(
        {"outside the T-score population with a secondary cause or recorded diagnosis", {"TX-06"}});
  if (s.osteomalacia_suspected) spec.push_back({"suspected osteomalacia", {"LAB-03"}});
  if (!spec.empty()) {
    for (auto& [t, r] : spec)
      x.Refer(Destination::kOsteoporosisSpecialist, spec_urgency,
              "Osteoporosis specialist: " + Cat(t.view()) + ".", r);
    BP_VERBOSE(x, x.Fired("REF-02", spec.front().first));
  } else {
    BP_VERBOSE(x, x.NotFired("REF-02"));
  }
  BP_VERBOSE(
      x, x.Trace("D27",
                 f.crcl && x.P(&CP::refer_crcl).Met(*f.crcl) ? Outcome::kFired : Outcome::kNotFired,
                 x.Texts().d27));
  BP_VERBOSE(x, x.Trace("D24", transplant && immuno ? Outcome::kFired : Outcome::kNotFired,
                        "transplant: warning and referral, not a block"));

  // Denosumab in advanced CKD (CI-06b, REF-06, REF-02j).
  const bool dmab_in_play = a.therapy_recommended == TherapyClass::kDenosumab ||
                            std::any_of(a.alternatives.begin(), a.alternatives.end(),
                                        [](const Regimen& r) { return r.agent == "denosumab"; }) ||
                            FindMedication(p, Agent::kDenosumab, MedStatus::kActive);
  const bool dialysis = x.f.HasActive(p, ConditionCode::kDialysis);
  const bool severe_ckd = (f.egfr && x.P(&CP::denosumab_egfr).Met(*f.egfr)) || dialysis;
  if (dmab_in_play && severe_ckd) {
    const std::string t =
        dialysis ? "dialysis"
                 : "eGFR " + Num(*f.egfr) + " mL/min/1.73m2 " + Desc(x.P(&CP::denosumab_egfr), "");
    BP_VERBOSE(x, x.Fired("CI-06b", t));
    BP_VERBOSE(x, x.Fired("D10", "denosumab never simply preferred in advanced CKD"));
    BP_VERBOSE(x,
               x.Warn("denosumab_severe_ckd_hypocalcemia", Severity::kCritical,
                      "Denosumab with " + t +
                          ": risk of severe, sometimes fatal hypocalcemia (boxed warning). CKD-MBD "
                          "evaluation first and supervision by a clinician with CKD-MBD expertise.",
                      {"CI-06b", "D10"}));
    x.Refer(Destination::kNephrology, Urgency::kRoutine,
            "Denosumab considered with " + t +
                ": CKD-MBD evaluation (iPTH, calcium, 25(OH)D, 1,25(OH)2D) before deciding.",
            {"CI-06b", "REF-06", "REF-02"});
    BP_VERBOSE(x, x.Fired("REF-06", t));
    x.a.workup.push_back(St{"ckd_mbd",
                            "CKD-MBD work-up before denosumab: intact PTH, calcium, phosphate, "
                            "25(OH)D, 1,25(OH)2D; consider bone turnover markers or bone biopsy.",
                            {"CI-06b"}});
  } else {
    BP_VERBOSE(x, x.NotFired("CI-06b"));
    BP_VERBOSE(x, x.NotFired("D10"));
    BP_VERBOSE(x, x.NotFired("REF-06"));
  }
  // REF-03 infusion centre.
  const bool za_chosen = a.therapy_recommended == TherapyClass::kIvZoledronicAcid;
  if (za_chosen && a.za_status == ZaStatus::kEligible) {
    const bool urgent = s.dmab_transition;
    Text t =
        "Zoledronic acid 5 mg IV (infusion over at least 15 minutes): every pre-infusion check "
        "passes.";
    if (urgent) {
      const Medication* d = nullptr;
      for (const auto& m : p.medications)
        if (m.agent == Agent::kDenosumab) d = &m;
      if (d && d->last_dose)
        t = Keep(
            "Time-critical: zoledronic acid infusion about " +
            Dt(d->last_dose->AddMonths(x.P(&CP::dmab_transition_months))) + " (" +
            Int(x.P(&CP::dmab_transition_months)) +
            " months after the last denosumab injection), no later than " +
            Dt(d->last_dose->AddMonths(static_cast<int>(x.P(&CP::dmab_overdue_months).value))) +
            ".");
      else
        t = Keep("Time-critical: zoledronic acid infusion " +
                 Int(x.P(&CP::dmab_transition_months)) +
                 " months after the last denosumab injection.");
    }
    x.Refer(Destination::kInfusionCenter, urgent ? Urgency::kUrgent : Urgency::kRoutine, t,
            urgent ? RuleIds{"REF-03", "SEQ-05"} : RuleIds{"REF-03"});
    BP_VERBOSE(x, x.Fired("REF-03", urgent ? "time-critical transition from denosumab"
                                           : "zoledronic acid eligible"));
  } else {
    BP_VERBOSE(x, x.NotFired("REF-03", za_chosen ? "pre-infusion checks not all passed"
                                                 : "zoledronic acid not the chosen therapy"));
  }
  // REF-04 primary care.
  if (a.treatment_indicated == false) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Calcium, vitamin D, exercise, falls prevention and repeat DXA.", {"REF-04", "TX-05"});
    BP_VERBOSE(x, x.Fired("REF-04", "not indicated: lifestyle and re-screening"));
  } else if (za_chosen && a.za_status == ZaStatus::kEligibleAfterCorrection) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Replete vitamin D or correct calcium, then refer for the infusion.",
            {"REF-04", "PRE-02", "PRE-03"});
    BP_VERBOSE(x, x.Fired("REF-04", "correct before infusion"));
  } else if (a.therapy_recommended == TherapyClass::kOralBisphosphonate &&
             !a.FindReferral(Destination::kOsteoporosisSpecialist)) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Oral bisphosphonate managed in primary care.", {"REF-04", "SEL-02"});
    BP_VERBOSE(x, x.Fired("REF-04", "oral bisphosphonate in primary care"));
  } else {
    BP_VERBOSE(x, x.NotFired("REF-04"));
  }
  BP_VERBOSE(x, x.Trace("REF-05", a.FindReferral(Destination::kOncology) ? Outcome::kFired
                                                                         : Outcome::kNotFired));
  // Dental.
  if (p.dental.invasive_procedure_planned.value_or(false) && a.treatment_indicated == true)
    x.Refer(Destination::kDental, Urgency::kRoutine,
            "Invasive dental work planned: complete before starting an antiresorptive.",
            {"PRE-07"});
}

// ---------------------------------------------------------------------------------------------
// Warnings tied to current medications, sequencing and monitoring.
void Medications(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  const TherapyClass rec = a.therapy_recommended;
  const bool dmab_alt = std::any_of(a.alternatives.begin(), a.alternatives.end(),
                                    [](const Regimen& r) { return r.agent == "denosumab"; });

  // Denosumab: never stop without a follow-on (SEQ-05) and never late (DMAB-OVERDUE).
  const Medication* dmab = nullptr;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kDenosumab) dmab = &m;
  if (rec == TherapyClass::kDenosumab || dmab) {
    Severity sev = Severity::kWarning;
    std::string t =
        "Denosumab must never stop without a follow-on antiresorptive: stopping causes rebound "
        "bone loss and multiple vertebral fractures.";
    if (dmab && (dmab->status == MedStatus::kStopped || dmab->status == MedStatus::kCompleted) &&
        s.dmab_transition) {
      sev = Severity::kCritical;
      t = "Denosumab stopped with no follow-on antiresorptive planned: give zoledronic acid "
          "about " +
          Int(x.P(&CP::dmab_transition_months)) +
          " months after the last injection (no later than " +
          Num(x.P(&CP::dmab_overdue_months).value, 0) + ") to prevent rebound vertebral fractures.";
    }
    BP_VERBOSE(x, x.Warn("denosumab_discontinuation_rebound", sev, t, {"SEQ-05"}));
    BP_VERBOSE(
        x, x.Fired("SEQ-05", dmab ? std::string("denosumab ") + std::string(ToString(dmab->status))
                                  : "denosumab recommended"));
    BP_VERBOSE(
        x, a.sequence.push_back(
               St{"denosumab_plan",
                  "Denosumab: no drug holiday. If it is to stop, give zoledronic acid 5 mg about 6 "
                  "months after the last injection "
                  "(no later than 7 months; oral alendronate if zoledronic acid is not possible), "
                  "then CTX 3 and 6 months after the infusion; repeat if CTX stays high.",
                  {"SEQ-05"}}));
    BP_VERBOSE(x,
               a.sequence.push_back(St{"denosumab_review",
                                       "Reassess after 5-10 years; if still at high risk continue "
                                       "denosumab or switch therapy, never simply stop.",
                                       {"SEQ-09"}}));
    BP_VERBOSE(x, x.Fired("SEQ-09", "denosumab course review"));
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-05"));
    BP_VERBOSE(x, x.NotFired("SEQ-09"));
  }
  if (dmab && dmab->status == MedStatus::kActive) {
    if (!dmab->last_dose) {
      BP_VERBOSE(x, x.Missing("medications[denosumab].last_dose",
                              "denosumab dosing interval (DMAB-OVERDUE)"));
      BP_VERBOSE(x, x.Insufficient("DMAB-OVERDUE", "no last dose date"));
      BP_VERBOSE(x, x.Insufficient("DMAB-DUE", "no last dose date"));
    } else {
      const Date due = dmab->last_dose->AddMonths(x.P(&CP::dmab_interval_months));
      const Date overdue =
          dmab->last_dose->AddMonths(static_cast<int>(x.P(&CP::dmab_overdue_months).value));
      if (f.as_of > overdue) {
        BP_VERBOSE(x, x.Fired("DMAB-OVERDUE", "last dose " + Dt(dmab->last_dose)));
        BP_VERBOSE(x,
                   x.Warn("denosumab_dose_overdue", Severity::kCritical,
                          "Denosumab overdue: last dose " + Dt(dmab->last_dose) + ", more than " +
                              Num(x.P(&CP::dmab_overdue_months).value, 0) + " months ago (due " +
                              Dt(due) + "): give it now; rebound vertebral fractures risk.",
                          {"DMAB-OVERDUE", "SEQ-05"}));
      } else {
        BP_VERBOSE(x, x.NotFired("DMAB-OVERDUE", "next dose due " + Dt(due)));
      }
      BP_VERBOSE(x, x.Trace("DMAB-DUE", f.as_of >= due ? Outcome::kFired : Outcome::kNotFired,
                            "next dose due " + Dt(due)));
      a.monitoring.push_back(St{"denosumab_next_dose",
                                "Next denosumab dose due " + Dt(due) + " (every " +
                                    Int(x.P(&CP::dmab_interval_months)) +
                                    " months; overdue after " + Dt(overdue) + ").",
                                {"DMAB-DUE", "DMAB-OVERDUE"}});
    }
  } else {
    BP_VERBOSE(x, x.NotFired("DMAB-OVERDUE"));
    BP_VERBOSE(x, x.NotFired("DMAB-DUE"));
  }

  // Anabolic then antiresorptive (SEQ-01).
  const bool anabolic_rec = rec == TherapyClass::kAnabolic;
  const bool anabolic_any = std::any_of(
      p.medications.begin(), p.medications.end(),
      [](const Medication& m) { return IsAnabolic(m.agent) && m.status != MedStatus::kPlanned; });
  if (anabolic_rec || s.anabolic_followup ||
      (anabolic_any &&
       std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
         return IsAnabolic(m.agent) && m.status == MedStatus::kActive;
       }))) {
    BP_VERBOSE(
        x, x.Warn("anabolic_requires_antiresorptive_followup",
                  s.anabolic_followup ? Severity::kCritical : Severity::kWarning,
                  s.anabolic_followup ? "An anabolic course has ended without an antiresorptive "
                                        "after it: start one without a gap."
                                      : "An anabolic course must be followed by an antiresorptive "
                                        "(bisphosphonate or denosumab) without a gap.",
                  {"SEQ-01"}));
    BP_VERBOSE(x, x.Fired("SEQ-01", s.anabolic_followup ? "anabolic course ended"
                                                        : "anabolic recommended or active"));
    BP_VERBOSE(x, a.sequence.push_back(
                      St{"after_anabolic",
                         "After the anabolic course (romosozumab 12 monthly doses; teriparatide or "
                         "abaloparatide as labelled), start an antiresorptive without a gap.",
                         {"SEQ-01"}}));
  } else {
    BP_VERBOSE(x, x.NotFired("SEQ-01"));
  }

  // Estrogen / raloxifene / calcitonin as osteoporosis treatment.
  for (const auto& m : p.medications) {
    if ((m.agent == Agent::kEstrogen || m.agent == Agent::kRaloxifene) &&
        (m.status == MedStatus::kActive || m.status == MedStatus::kPlanned)) {
      if (x.P(&CP::estrogen_raloxifene_warning)) {
        BP_VERBOSE(x, x.Warn("estrogen_raloxifene_not_recommended", Severity::kWarning,
                             std::string(ToString(m.agent)) +
                                 " is not recommended as osteoporosis treatment (ACP, strong); "
                                 "prefer a bisphosphonate or denosumab.",
                             {"SEL-06", "D15"}));
      }
    }
    if (m.agent == Agent::kCalcitonin && m.status == MedStatus::kActive)
      BP_VERBOSE(x, x.Warn("calcitonin_malignancy_risk", Severity::kWarning,
                           "Calcitonin is not an osteoporosis treatment; long-term use carries a "
                           "malignancy signal.",
                           {"SEL-07"}));
  }
  BP_VERBOSE(x, x.Trace("SEL-06",
                        a.HasWarning("estrogen_raloxifene_not_recommended") ? Outcome::kFired
                                                                            : Outcome::kNotFired,
                        x.P(&CP::estrogen_raloxifene_warning)
                            ? ""
                            : "raloxifene acceptable in selected women under this profile"));
  BP_VERBOSE(
      x,
      x.Trace("D15", x.P(&CP::estrogen_raloxifene_warning) ? Outcome::kFired : Outcome::kNotFired,
              "not recommended, not a label contraindication"));
  BP_VERBOSE(x, x.Trace("SEL-07", a.HasWarning("calcitonin_malignancy_risk") ? Outcome::kFired
                                                                             : Outcome::kNotFired));

  // Transplant and denosumab (D24).
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  if (transplant && FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) &&
      (rec == TherapyClass::kDenosumab || dmab_alt || dmab))
    BP_VERBOSE(x,
               x.Warn("denosumab_transplant_infection_risk", Severity::kWarning,
                      "Organ transplant recipient on immunosuppressants: denosumab may raise "
                      "infection risk (seed 000; not confirmed in ACR 2022): specialist decision.",
                      {"D24", "REF-02"}));
  // GIOP-09 zoledronic acid label in GIOP.
  if (s.giop_indicated &&
      (rec == TherapyClass::kIvZoledronicAcid ||
       std::any_of(a.alternatives.begin(), a.alternatives.end(),
                   [](const Regimen& r) { return r.agent == "zoledronic_acid"; }))) {
    const bool label =
        f.gc_dose_mg && x.P(&CP::giop_za_label_dose).Met(*f.gc_dose_mg) && f.gc_days_planned &&
        *f.gc_days_planned >=
            DaysBetween(f.as_of,
                        f.as_of.AddMonths(static_cast<int>(x.P(&CP::giop_za_label_months).value)));
    if (!label) {
      BP_VERBOSE(
          x,
          x.Warn("zoledronic_acid_giop_label", Severity::kInfo,
                 "Zoledronic acid for glucocorticoid-induced osteoporosis is labelled for >= 7.5 "
                 "mg/day expected for >= 12 months; this patient is outside that population.",
                 {"GIOP-09"}));
      BP_VERBOSE(x, x.Fired("GIOP-09", "outside the labelled GIOP population"));
    }
  }
  // Guideline disagreement handled by the Engine (needs other profiles).
}

// MON: monitoring, and LAB: work-up.
void MonitoringAndWorkup(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  const TherapyClass rec = a.therapy_recommended;
  const bool oral_active =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOralBisphosphonate(m) && m.status == MedStatus::kActive;
      });
  // MON-01 bone turnover markers.
  if (rec == TherapyClass::kOralBisphosphonate || oral_active) {
    a.monitoring.push_back(
        St{"btm",
           "Fasting morning P1NP and CTX at baseline and 3 months after starting "
           "an oral bisphosphonate; adequate response: P1NP falls by more than " +
               Num(x.P(&CP::btm_p1np_drop).value, 0) + " % or CTX by more than " +
               Num(x.P(&CP::btm_ctx_drop).value, 0) + " %.",
           {"MON-01"}});
    bool response_known = false, responded = false;
    if (f.p1np_base && f.p1np_follow && f.p1np_base->value > 0) {
      response_known = true;
      responded |=
          x.P(&CP::btm_p1np_drop)
              .Met(100.0 * (f.p1np_base->value - f.p1np_follow->value) / f.p1np_base->value);
    }
    if (f.ctx_base && f.ctx_follow && f.ctx_base->value > 0) {
      response_known = true;
      responded |= x.P(&CP::btm_ctx_drop)
                       .Met(100.0 * (f.ctx_base->value - f.ctx_follow->value) / f.ctx_base->value);
    }
    if (response_known && !responded && oral_active) {
      BP_VERBOSE(x, x.Warn("bone_turnover_nonresponse", Severity::kWarning,
                           "Neither P1NP nor CTX fell by the least significant change on an oral "
                           "bisphosphonate: check adherence, dosing technique and absorption; "
                           "consider IV zoledronic acid.",
                           {"MON-01", "SEL-03"}));
      BP_VERBOSE(x, x.Fired("MON-01", "no bone turnover response"));
    } else {
      BP_VERBOSE(x, x.Fired("MON-01", response_known ? "adequate response" : "markers to measure"));
    }
  } else {
    BP_VERBOSE(x, x.NotFired("MON-01"));
  }
  if (a.treatment_indicated == true || oral_active) {
    a.monitoring.push_back(
        St{"dxa",
           "Repeat DXA 1-2 years after starting or changing therapy, then less often once stable.",
           {"MON-02"}});
    BP_VERBOSE(x, x.Fired("MON-02", "DXA follow-up"));
  } else {
    BP_VERBOSE(x, x.NotFired("MON-02"));
  }
  const bool za = rec == TherapyClass::kIvZoledronicAcid ||
                  FindMedication(p, Agent::kZoledronicAcid, MedStatus::kActive);
  if (za) {
    a.monitoring.push_back(St{
        "za_renal",
        "Serum creatinine and Cockcroft-Gault CrCl before every zoledronic acid dose; consider a "
        "post-dose check in older patients, with baseline impairment or on diuretics.",
        {"MON-03", "PRE-01"}});
    BP_VERBOSE(x, x.Fired("MON-03", "zoledronic acid"));
  } else {
    BP_VERBOSE(x, x.NotFired("MON-03"));
  }
  const bool dmab =
      rec == TherapyClass::kDenosumab || FindMedication(p, Agent::kDenosumab, MedStatus::kActive);
  if (dmab) {
    a.monitoring.push_back(
        St{"dmab_calcium", "Calcium before each denosumab dose.", {"MON-04", "CI-06"}});
    const bool predisposed = x.f.HasActive(p, ConditionCode::kMalabsorption) ||
                             x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
                             FindCondition(p, ConditionCode::kBariatricSurgery, false) ||
                             x.f.HasActive(p, ConditionCode::kHypocalcemia);
    if (predisposed) {
      a.monitoring.push_back(St{"dmab_calcium_predisposed",
                                "Predisposed to hypocalcemia: calcium, phosphorus and magnesium "
                                "10-14 days after each denosumab dose.",
                                {"CI-06c", "MON-04"}});
      BP_VERBOSE(x, x.Fired("CI-06c", "predisposed to hypocalcemia"));
    } else {
      BP_VERBOSE(x, x.NotFired("CI-06c"));
    }
    if ((f.egfr && x.P(&CP::denosumab_egfr).Met(*f.egfr)) ||
        x.f.HasActive(p, ConditionCode::kDialysis))
      a.monitoring.push_back(St{"dmab_calcium_ckd",
                                "eGFR < 30 or dialysis: calcium weekly for the first month after "
                                "each dose, then monthly.",
                                {"MON-04", "CI-06b"}});
    a.adjuncts.push_back(St{
        "calcium_vitd_dmab", "Calcium and vitamin D supplementation with denosumab.", {"CI-06"}});
    BP_VERBOSE(x, x.Fired("MON-04", "denosumab"));
  } else {
    BP_VERBOSE(x, x.NotFired("MON-04"));
    BP_VERBOSE(x, x.NotFired("CI-06c"));
  }
  const bool romo = rec == TherapyClass::kAnabolic &&
                    std::any_of(a.agents.begin(), a.agents.end(),
                                [](const Regimen& r) { return r.agent == "romosozumab"; });
  if (romo || FindMedication(p, Agent::kRomosozumab, MedStatus::kActive)) {
    a.monitoring.push_back(St{"romo_cv",
                              "Romosozumab: watch for symptoms of myocardial infarction or stroke; "
                              "stop if either occurs.",
                              {"MON-05", "CI-07"}});
    BP_VERBOSE(x, x.Fired("MON-05", "romosozumab"));
  } else {
    BP_VERBOSE(x, x.NotFired("MON-05"));
  }
  const bool pth = (rec == TherapyClass::kAnabolic &&
                    std::any_of(a.agents.begin(), a.agents.end(),
                                [](const Regimen& r) {
                                  return r.agent == "teriparatide" || r.agent == "abaloparatide";
                                })) ||
                   FindMedication(p, Agent::kTeriparatide, MedStatus::kActive) ||
                   FindMedication(p, Agent::kAbaloparatide, MedStatus::kActive);
  if (pth) {
    a.monitoring.push_back(St{"pth_calcium",
                              "Teriparatide or abaloparatide: serum calcium if symptomatic or at "
                              "risk; urinary calcium with a stone history.",
                              {"MON-06"}});
    BP_VERBOSE(x, x.Fired("MON-06", "PTH analog"));
  } else {
    BP_VERBOSE(x, x.NotFired("MON-06"));
  }

  // LAB-01..03 work-up.
  const bool workup = a.treatment_indicated == true || f.fragility_events > 0 ||
                      a.risk_tier == RiskTier::kIndeterminate ||
                      (f.t_min && x.P(&CP::tx_tscore_osteoporosis).MetTenths(*f.t_min));
  if (workup) {
    a.workup.push_back(
        St{"baseline_labs",
           "Baseline secondary-cause tests: CBC; calcium, albumin, phosphate, creatinine/eGFR, "
           "alkaline phosphatase, liver enzymes; 25-OH vitamin D; magnesium.",
           {"LAB-01", "D23"}});
    BP_VERBOSE(x,
               x.Fired("LAB-01", "osteoporosis, fragility fracture or tier not 'not indicated'"));
    BP_VERBOSE(x, x.Fired("D23", "laboratory list from AACE"));
  } else {
    BP_VERBOSE(x, x.NotFired("LAB-01"));
    BP_VERBOSE(x, x.NotFired("D23"));
  }
  const bool targeted = (f.z_min && x.P(&CP::zscore_below_expected).MetTenths(*f.z_min)) ||
                        s.outside_population || s.treatment_failure;
  if (targeted) {
    std::string t =
        "Targeted tests: intact PTH, TSH, 24-hour urine calcium/sodium/creatinine, tTG-IgA with "
        "total IgA, ESR/CRP, bone turnover markers";
    if (f.male) t += ", total testosterone (+/- LH/FSH)";
    if (f.female && f.menopause == Menopause::kPre)
      t += ", estradiol/FSH/LH/prolactin if menstrual disturbance";
    if (x.AgeKnown() && x.Age() > 50) t += ", SPEP with serum free light chains";
    t += "; consider urinary free cortisol or dexamethasone suppression, and tryptase.";
    a.workup.push_back(St{"targeted_labs", t, {"LAB-02"}});
    BP_VERBOSE(x, x.Fired("LAB-02", "low Z-score, young patient or fracture on therapy"));
  } else {
    BP_VERBOSE(x, x.NotFired("LAB-02"));
  }
  // LAB-03 results that trigger referral; osteomalacia defers antiresorptives.
  std::vector<std::string> abn;
  if (f.alp && f.alp->AboveReference(x.P(&CP::alp_high)))
    abn.push_back("high alkaline phosphatase");
  if (f.alp && f.alp->BelowReference(x.P(&CP::alp_low)))
    abn.push_back("low alkaline phosphatase (consider hypophosphatasia before antiresorptives)");
  if (f.phosphate && f.phosphate->BelowReference(x.P(&CP::phosphate_low)))
    abn.push_back("low phosphate");
  if (f.corrected_calcium && f.calcium && f.calcium->AboveReference(x.P(&CP::hyperca_corrected)) &&
      f.pth)
    abn.push_back("high calcium with PTH measured (primary hyperparathyroidism?)");
  if (f.tsh && f.tsh->lab && f.tsh->lab->reference_low && f.tsh->value < *f.tsh->lab->reference_low)
    abn.push_back("suppressed TSH");
  if (f.prolactin && f.prolactin->lab && f.prolactin->lab->reference_high &&
      f.prolactin->value > *f.prolactin->lab->reference_high)
    abn.push_back("raised prolactin");
  if (!abn.empty()) {
    std::string t;
    for (const auto& r : abn) t += (t.empty() ? "" : ", ") + r;
    BP_VERBOSE(x, x.Fired("LAB-03", t));
    x.Refer(
        Destination::kOsteoporosisSpecialist, Urgency::kRoutine,
        "Osteoporosis specialist: laboratory results suggesting another bone disease (" + t + ").",
        {"LAB-03", "REF-02"});
  } else {
    BP_VERBOSE(x, x.NotFired("LAB-03"));
  }
  // Adjuncts for everyone treated or assessed.
  if (a.treatment_indicated == true) {
    a.adjuncts.push_back(St{"basics",
                            "Calcium and vitamin D intake, weight-bearing exercise, falls "
                            "prevention, smoking cessation and alcohol moderation.",
                            {"TX-05", "CI-06"}});
  }
}

// Osteomalacia suspicion (LAB-03) before selection: vitamin D < 12 with high ALP, or recorded.
void Osteomalacia(Ctx& x, State& s) {
  const Facts& f = x.f;
  s.osteomalacia_suspected = x.f.HasActive(x.p, ConditionCode::kOsteomalacia) ||
                             (f.vitd && x.P(&CP::vitd_osteomalacia).Met(f.vitd->value) && f.alp &&
                              f.alp->AboveReference(x.P(&CP::alp_high)));
  if (s.osteomalacia_suspected && x.a.treatment_indicated == true)
    BP_VERBOSE(x, x.a.treatment_reasons.push_back(St{
                      "osteomalacia",
                      "Suspected osteomalacia (very low vitamin D with high alkaline phosphatase, "
                      "or recorded): treat it and defer antiresorptives.",
                      {"LAB-03"}}));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<Engine> Engine::Create(const KnowledgeBase& kb, std::string_view profile,
                              ProfileComparison comparison) {
  auto main = CompileProfile(kb, profile);
  if (!main) return main.errors();
  Engine e;
  e.kb_ = &kb;
  e.comparison_ = comparison;
  e.main_ = std::make_unique<CompiledProfile>(std::move(main).value());
  for (const auto& p : kb.profiles) {
    if (p.name == profile) continue;
    auto other = CompileProfile(kb, p.name);
    if (!other) return other.errors();
    e.others_.push_back(std::make_unique<CompiledProfile>(std::move(other).value()));
    e.others_share_facts_.push_back(SameFactsParameters(*e.main_, *e.others_.back()));
  }
  std::vector<const CompiledProfile*> others;
  for (const auto& o : e.others_) others.push_back(o.get());
  e.diffs_ = std::make_unique<ProfileDiffs>(std::move(others));
  e.texts_ = std::make_unique<ProfileTexts>(MakeProfileTexts(*e.main_));
  return e;
}

Engine::Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const std::string& Engine::profile() const { return main_->name; }

namespace {

// verbose=false decides treatment, tier and therapy only (for the other profiles).
// What guideline_disagreement compares.
struct Decisions {
  std::optional<bool> treatment_indicated;
  RiskTier risk_tier = RiskTier::kIndeterminate;
  TherapyClass therapy = TherapyClass::kNone;
  explicit Decisions(const Assessment& a)
      : treatment_indicated(a.treatment_indicated),
        risk_tier(a.risk_tier),
        therapy(a.therapy_recommended) {}
  friend bool operator==(const Decisions&, const Decisions&) = default;
};

// What the steps from Tier on read of the first four (Demographics, Indication, Glucocorticoids,
// CancerTreatment): their State and the indication and tier they set. A run under another
// profile with the same facts and the same value of every parameter those four steps read
// would reach exactly this, so it starts from here (Engine::Assess). The same after Tier, for the
// steps after it (Indeterminate to Selection): they read nothing else of the steps before them.
struct StepState {
  State s;
  std::optional<bool> treatment_indicated;
  RiskTier risk_tier = RiskTier::kIndeterminate;
  void Capture(const State& state, const Assessment& a) {
    s = state;
    treatment_indicated = a.treatment_indicated;
    risk_tier = a.risk_tier;
  }
  bool Same(const State& state, const Assessment& a) const {
    return a.treatment_indicated == treatment_indicated && a.risk_tier == risk_tier && state == s;
  }
};

// `reads`: records the profile parameters the decisions read, up to the end of Selection (where
// the other profiles' runs stop), in three segments: the first four steps, Tier, and the steps
// after it; `at_selection` receives the decisions there. `capture` receives the state before
// Tier, `after_tier` the state after it; `resume` starts from a state before Tier instead of
// running the first four steps. `stop_after_tier`: a run under another profile that reads the
// same value of every parameter the steps after Tier read ends after Tier when its state equals
// that one; it would decide the same. Returns true when it ended there.
bool Decide(const Patient& p, const Facts& f, const CompiledProfile& c, const KnowledgeBase& kb,
            Assessment& a, bool verbose, ProfileReads* reads = nullptr,
            std::optional<Decisions>* at_selection = nullptr, StepState* capture = nullptr,
            const StepState* resume = nullptr, StepState* after_tier = nullptr,
            const StepState* stop_after_tier = nullptr, const ProfileTexts* texts = nullptr) {
  Ctx x(p, f, c, kb, a);
  x.verbose = verbose;
  x.texts = texts;
  x.reads = reads;
  if (verbose) {
    // Typical sizes (every golden case, vignette and example): one allocation each, no regrowth.
    a.trace.reserve(160);
    a.treatment_reasons.reserve(4);
    a.monitoring.reserve(4);
    a.warnings.reserve(4);
    a.agents.reserve(3);
    a.alternatives.reserve(4);
  }
  State s;
  if (resume) {
    s = resume->s;
    a.treatment_indicated = resume->treatment_indicated;
    a.risk_tier = resume->risk_tier;
  } else {
    Demographics(x, s);
    Indication(x, s);
    Glucocorticoids(x, s);
    CancerTreatment(x, s);
    if (capture) capture->Capture(s, a);
    if (reads) reads->StartSegment();  // Tier's reads
  }
  Tier(x, s);
  // GIOP very high may raise the tier after RISK-01 (the higher tier wins).
  if (s.giop_very_high && x.a.treatment_indicated == true) x.a.risk_tier = RiskTier::kVeryHigh;
  if (after_tier) after_tier->Capture(s, a);
  if (reads) reads->StartSegment();  // the reads of the steps after Tier
  if (stop_after_tier && stop_after_tier->Same(s, a)) return true;
  Indeterminate(x, s);
  Holidays(x, s);
  Osteomalacia(x, s);
  Contraindications(x, s);
  Selection(x, s);
  // The other profiles' runs stop here.
  x.reads = nullptr;
  if (at_selection) at_selection->emplace(a);
  if (!verbose) return false;
  Infusion(x, s);
  Vertebral(x, s);
  Referrals(x, s);
  Medications(x, s);
  MonitoringAndWorkup(x, s);
  // TX-05's advice for women over 65 with low bone mass stands only if nothing else indicated
  // treatment (GIOP or CTIBL may have, after TX-05 ran).
  if (s.acp_osteopenia && a.treatment_indicated != false)
    std::erase_if(a.warnings, [](const Warning& w) { return w.code == "acp_osteopenia_over_65"; });
  // Pathologic-fracture warning for fractures marked suspected (outside the VCF pathway).
  if (f.any_pathologic)
    x.Warn("pathologic_fracture_suspected", Severity::kCritical,
           "A fracture is marked as possibly pathologic: exclude malignancy before osteoporosis "
           "treatment.",
           {"RISK-04", "CALC-08"});
  return false;
}

const char* TierName(RiskTier t) { return ToString(t).data(); }

}  // namespace

Assessment Engine::Assess(const Patient& p, Date as_of) const {
  // The texts the engine formats and the lists it fills go to the assessment's arena (the other
  // profiles' runs below use it too: they end before this function does).
  std::shared_ptr<Arena> held = ArenaPool::Get();
  Arena* const arena = held.get();
  const ArenaScope scope(arena);
  Assessment a(std::move(held));  // the assessment holds the arena
  a.patient_id = p.id;
  a.as_of = as_of;
  a.knowledge_version = Text::Static(kb_->version);
  a.profile = main_->name;
  const Facts facts = DeriveFacts(p, as_of, *main_, arena);
  ProfileReads reads(*diffs_);
  std::optional<Decisions> at_selection;
  StepState before_tier, after_tier;
  Decide(p, facts, *main_, *kb_, a, /*verbose=*/true, &reads, &at_selection, &before_tier, nullptr,
         &after_tier, nullptr, texts_.get());
  // A profile that would run exactly as this one did up to the end of Selection decides the
  // same there; these are the final decisions unless a later step changed them (none does).
  const bool skip_unaffected =
      comparison_ == ProfileComparison::kSkipUnaffected && at_selection == Decisions(a);

  // Guideline disagreement: would another shipped profile decide differently?
  // The other profiles' assessments never leave this function, whose `a` holds the arena: their
  // lists refer to it without owning it (an aliasing shared_ptr with no owner: copies count
  // nothing).
  const std::shared_ptr<Arena> unowned(std::shared_ptr<Arena>(), arena);
  Cat diff;
  for (size_t i = 0; i < others_.size(); ++i) {
    const CompiledProfile* other = others_[i].get();
    // Same facts, and the same value of every parameter read (the reads' segments):
    // - by the first four steps: start at Tier with their result;
    // - by Tier too, and the steps after it: the same decisions;
    // - by the steps after Tier: the same decisions if Tier leaves the same state (then the
    //   decisions at Selection are the same, and they are the final ones here).
    const bool compare = others_share_facts_[i] && i < ProfileDiffs::kMaxOthers &&
                         comparison_ == ProfileComparison::kSkipUnaffected;
    const std::uint32_t bit = compare ? std::uint32_t{1} << i : 0;
    const bool before = compare && (reads.Differing(0) & bit) == 0;
    const bool rest = compare && skip_unaffected && (reads.Differing(2) & bit) == 0;
    if (rest && before && (reads.Differing(1) & bit) == 0) continue;
    Assessment b(unowned);
    if (compare) {
      if (Decide(p, facts, *other, *kb_, b, /*verbose=*/false, nullptr, nullptr, nullptr,
                 before ? &before_tier : nullptr, nullptr, rest ? &after_tier : nullptr))
        continue;
    } else if (others_share_facts_[i]) {
      Decide(p, facts, *other, *kb_, b, /*verbose=*/false);
    } else {
      const Facts other_facts = DeriveFacts(p, as_of, *other, arena);
      Decide(p, other_facts, *other, *kb_, b, /*verbose=*/false);
    }
    const bool treatment = b.treatment_indicated != a.treatment_indicated;
    const bool tier = b.risk_tier != a.risk_tier;
    const bool therapy = b.therapy_recommended != a.therapy_recommended;
    if (!treatment && !tier && !therapy) continue;
    if (!diff.empty()) diff.Append("; ");
    diff.Append(other->name).Append(": ");
    if (treatment)
      diff.Append("treatment indicated ")
          .Append(b.treatment_indicated ? (*b.treatment_indicated ? "yes" : "no") : "undetermined");
    if (tier) diff.Append(treatment ? ", " : "").Append("tier ").Append(TierName(b.risk_tier));
    if (therapy)
      diff.Append(treatment || tier ? ", " : "")
          .Append("therapy ")
          .Append(ToString(b.therapy_recommended));
  }
  if (!diff.empty()) {
    a.warnings.push_back({"guideline_disagreement",
                          Severity::kInfo,
                          Keep("Other guideline profiles would decide differently (" + diff +
                               "). This assessment uses " + main_->name + "."),
                          {"CONV-PROFILE-DISAGREEMENT"}});
    a.trace.push_back({"CONV-PROFILE-DISAGREEMENT", Outcome::kFired, Keep(diff)});
  } else {
    a.trace.push_back(
        {"CONV-PROFILE-DISAGREEMENT", Outcome::kNotFired, "every shipped profile agrees"});
  }
  arena->Seal();  // read-only from here: lists that grow later use the heap
  return a;
}

std::span<const std::string_view> Engine::ImplementedRules() {
  static constexpr std::string_view kIds[] = {"CONV-ABSENT",
                                              "CONV-INDETERMINATE",
                                              "CONV-DX-RECORDED",
                                              "CONV-ROUNDING",
                                              "CONV-MENOPAUSE",
                                              "CONV-SEX-UNKNOWN",
                                              "CONV-FRACTURE-EVENT",
                                              "CONV-ZA-STATUS",
                                              "CONV-STALE",
                                              "CONV-PROFILE-DISAGREEMENT",
                                              "CONV-DECISION-SUPPORT",
                                              "CALC-01",
                                              "CALC-02",
                                              "CALC-03",
                                              "CALC-04",
                                              "CALC-05",
                                              "CALC-06",
                                              "CALC-07",
                                              "CALC-08",
                                              "DX-01",
                                              "DX-02",
                                              "TX-01",
                                              "TX-02",
                                              "TX-03",
                                              "TX-04",
                                              "TX-05",
                                              "TX-06",
                                              "RISK-01",
                                              "RISK-02",
                                              "RISK-03",
                                              "RISK-04",
                                              "RISK-P-ES",
                                              "RISK-P-SEED004",
                                              "GIOP-01",
                                              "GIOP-02",
                                              "GIOP-03",
                                              "GIOP-04",
                                              "GIOP-05",
                                              "GIOP-06",
                                              "GIOP-07",
                                              "GIOP-08",
                                              "GIOP-09",
                                              "GIOP-LEGACY",
                                              "CTIBL-01",
                                              "CTIBL-02",
                                              "CTIBL-03",
                                              "CTIBL-04",
                                              "SEL-00",
                                              "SEL-01",
                                              "SEL-02",
                                              "SEL-03",
                                              "SEL-04",
                                              "SEL-05",
                                              "SEL-06",
                                              "SEL-07",
                                              "SEL-08",
                                              "CI-01",
                                              "CI-02",
                                              "CI-03",
                                              "CI-04",
                                              "CI-05",
                                              "CI-06",
                                              "CI-06b",
                                              "CI-06c",
                                              "CI-07",
                                              "CI-08",
                                              "CI-09",
                                              "CI-10",
                                              "CI-11",
                                              "CI-12",
                                              "CI-13",
                                              "PRE-01",
                                              "PRE-02",
                                              "PRE-03",
                                              "PRE-04",
                                              "PRE-05",
                                              "PRE-06",
                                              "PRE-07",
                                              "PRE-08",
                                              "PRE-09",
                                              "PRE-10",
                                              "PRE-12",
                                              "MON-01",
                                              "MON-02",
                                              "MON-03",
                                              "MON-04",
                                              "MON-05",
                                              "MON-06",
                                              "SEQ-01",
                                              "SEQ-02",
                                              "SEQ-03",
                                              "SEQ-04",
                                              "SEQ-05",
                                              "SEQ-06",
                                              "SEQ-07",
                                              "SEQ-08",
                                              "SEQ-09",
                                              "DMAB-OVERDUE",
                                              "DMAB-DUE",
                                              "REF-01",
                                              "REF-02",
                                              "REF-03",
                                              "REF-04",
                                              "REF-05",
                                              "REF-06",
                                              "REF-07",
                                              "REF-08",
                                              "VCF-01",
                                              "VCF-02",
                                              "VCF-03",
                                              "VCF-04",
                                              "VCF-05",
                                              "VCF-06",
                                              "VCF-07",
                                              "VCF-08",
                                              "VCF-09",
                                              "LAB-01",
                                              "LAB-02",
                                              "LAB-03",
                                              "D1",
                                              "D2",
                                              "D3",
                                              "D4",
                                              "D5",
                                              "D6",
                                              "D7",
                                              "D8",
                                              "D9",
                                              "D10",
                                              "D11",
                                              "D12",
                                              "D13",
                                              "D14",
                                              "D15",
                                              "D16",
                                              "D17",
                                              "D18",
                                              "D19",
                                              "D20",
                                              "D21",
                                              "D22",
                                              "D23",
                                              "D24",
                                              "D25",
                                              "D26",
                                              "D27",
                                              "D28",
                                              "D30",
                                              "D31",
                                              "D32",
                                              "D33"};
  return kIds;
}

}  // namespace bp
