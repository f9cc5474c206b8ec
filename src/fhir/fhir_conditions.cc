// The FHIR reader, conditions: Condition resources mapped through the value sets (status
// rules, menopause evidence), fractures coded by site or as due to osteoporosis (catalogue §6
// CONV-01, merged into one event within the window), and Procedures that imply a condition.
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader_internal.h"

namespace bp::fhir_reader {

// ---- Condition ----

void Reader::DoCondition(const Entry& e) {
  auto status_code = [&](const char* field) {
    auto f = Field(e.res, field);
    if (!f) return std::string();
    auto c = Codings(f);
    return c.empty() ? std::string() : std::string(c[0].code);
  };
  const std::string verification = status_code("verificationStatus");
  const std::string clinical = status_code("clinicalStatus");
  auto concepts = ConceptsOf(Field(e.res, "code"));
  if (concepts.empty()) {
    Skip("Condition");
    return;
  }
  if (verification == "refuted" || verification == "entered-in-error") {
    Ignore(e.ref, "verificationStatus " + verification);
    Trace(kRuleConditionStatus, e.ref);
    return;
  }
  std::optional<Date> onset = EffectiveDate(e.res, e.loc, "onset");
  if (!onset) onset = ParseFhirDate(Str(e.res, "recordedDate"));
  if (AfterAsOf(onset, e, "onset[x]")) return;
  const bool inactive = clinical == "inactive" || clinical == "resolved" || clinical == "remission";
  for (const Concept* c : concepts) {
    switch (c->domain) {
      case Domain::kCondition: {
        auto code = Parse<ConditionCode>(c->value);
        if (!code) break;
        conds_.push_back({*code, onset, !inactive, std::string(c->stage), e.ref});
        if (inactive) Trace(kRuleConditionStatus, e.ref);
        if (*code == ConditionCode::kOsteoporosis) Trace(kRuleDxRecorded, e.ref);
        break;
      }
      case Domain::kFracture: {
        if (c->kind == "excluded_site") {
          Ignore(e.ref, "site excluded from fragility-fracture definitions");
          Trace(kRuleConv01, e.ref);
          return;
        }
        auto site = Parse<FractureSite>(c->value);
        if (!site) break;
        fx_.push_back({*site, onset, c->osteoporotic, c->unsited, c->kind == "pathologic", e.ref});
        if (inactive) Trace(kRuleConditionStatus, e.ref);
        break;
      }
      case Domain::kMenopause:
        menopause_refs_.push_back(e.ref);
        break;
      default:
        break;
    }
  }
}

// ---- Procedure ----

void Reader::DoProcedure(const Entry& e) {
  auto concepts = ConceptsOf(Field(e.res, "code"));
  bool used = false;
  const std::string_view status = Str(e.res, "status");
  for (const Concept* c : concepts) {
    if (c->domain != Domain::kCondition && c->domain != Domain::kMenopause) continue;
    if (status == "entered-in-error" || status == "not-done" || status == "stopped" ||
        status == "preparation") {
      Ignore(e.ref, "status " + std::string(status));
      return;
    }
    std::optional<Date> date = EffectiveDate(e.res, e.loc, "performed");
    if (AfterAsOf(date, e, "performed[x]")) return;
    if (c->domain == Domain::kMenopause) {
      menopause_refs_.push_back(e.ref);
      used = true;
    } else if (auto code = Parse<ConditionCode>(c->value)) {
      conds_.push_back({*code, date, true, std::string(c->stage), e.ref});
      used = true;
    }
  }
  if (!used) Skip("Procedure");
}

void Reader::FinishConditions() {
  Patient& p = out_.patient;
  std::map<ConditionCode, size_t> at;
  for (const CondCand& c : conds_) {
    auto it = at.find(c.code);
    if (it == at.end()) {
      at[c.code] = p.conditions.size();
      p.conditions.push_back({c.code, c.onset, c.active, c.stage});
      out_.provenance["/conditions/" + std::to_string(p.conditions.size() - 1)] = {c.ref};
      continue;
    }
    Condition& k = p.conditions[it->second];
    // One entry per condition: earliest onset, active if any record is active, the stage of
    // the latest record.
    if (c.onset && (!k.onset || *c.onset < *k.onset)) k.onset = c.onset;
    k.active = k.active || c.active;
    if (!c.stage.empty()) k.stage = c.stage;
    auto& prov = out_.provenance["/conditions/" + std::to_string(it->second)];
    if (std::find(prov.begin(), prov.end(), c.ref) == prov.end()) prov.push_back(c.ref);
  }
}

void Reader::FinishFractures() {
  const int window = ct_.params().fracture_merge_window_days;
  std::stable_sort(fx_.begin(), fx_.end(), [](const FxCand& a, const FxCand& b) {
    if (a.date != b.date) return !a.date || (b.date && *a.date < *b.date);
    return a.unsited < b.unsited;  // sited first
  });
  struct Event {
    Fracture f;
    bool sited = false;
    std::vector<std::string> refs;
  };
  std::vector<Event> events;
  auto near = [&](const std::optional<Date>& a, const std::optional<Date>& b) {
    if (!a || !b) return a == b;
    return window >= 0 && std::abs(DaysBetween(*a, *b)) <= window;
  };
  for (const FxCand& c : fx_) {
    Event* same = nullptr;
    for (auto& ev : events) {
      if (!near(ev.f.date, c.date)) continue;
      // The same fracture: an unsited osteoporotic code next to a sited one, or the same site.
      if (c.unsited || !ev.sited || ev.f.site == c.site) {
        same = &ev;
        break;
      }
    }
    if (!same) {
      Event ev;
      ev.f.site = c.site;
      ev.f.date = c.date;
      ev.sited = !c.unsited;
      events.push_back(ev);
      same = &events.back();
    } else if (same->sited == false && !c.unsited) {
      same->f.site = c.site;
      same->sited = true;
    }
    if (c.pathologic) same->f.pathologic_suspected = true;
    if (c.osteoporotic) {
      // Coded as due to osteoporosis: a fragility fracture, not a malignancy red flag.
      same->f.mechanism = FractureMechanism::kFragility;
      same->f.mechanism_recorded = true;
    }
    same->refs.push_back(c.ref);
  }
  Patient& p = out_.patient;
  for (auto& ev : events) {
    const std::string ptr = "/fractures/" + std::to_string(p.fractures.size());
    bool osteo = ev.f.mechanism == FractureMechanism::kFragility;
    if (osteo) {
      for (const auto& r : ev.refs) Trace(kRule443165006, r);
      out_.provenance[ptr + "/mechanism"] = ev.refs;
    }
    out_.provenance[ptr] = ev.refs;
    // CONV-01: a site code alone leaves the mechanism unknown (never defaulted).
    if (!ev.f.mechanism_recorded || ev.f.pathologic_suspected)
      for (const auto& r : ev.refs) Trace(kRuleConv01, r);
    p.fractures.push_back(ev.f);
  }
}

}  // namespace bp::fhir_reader
