// The FHIR reader, observations: DXA scores (with the bodySite and LOINC 38265-5 decisions),
// labs in canonical units with their reference range, weight and height, FRAX from an
// Observation or a RiskAssessment; DiagnosticReports date and attribute what they list. The
// merge keeps the whole BMD history and the most recent valid value of the rest.
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader_internal.h"

namespace bp::fhir_reader {
namespace {

template <typename T>
bool Later(const T& a, const T& b) {  // a is more recent than b
  if (a.date != b.date) return a.date && (!b.date || *a.date > *b.date);
  return a.order > b.order;
}

}  // namespace

// ---- Observation ----

void Reader::DoObservation(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  auto code = Field(e.res, "code");
  auto concepts = ConceptsOf(code);
  const Concept* hit = nullptr;
  for (const Concept* c : concepts)
    if (c->domain == Domain::kDxa || c->domain == Domain::kLab || c->domain == Domain::kVital ||
        c->domain == Domain::kStatus) {
      hit = c;
      break;
    }
  const std::string text = CodeText(code);
  const std::string lower = fhir::Lower(text);
  const bool frax = !hit && lower.find("frax") != std::string::npos;
  if (!hit && !frax) {
    Skip("Observation");
    return;
  }
  if (hit && hit->domain == Domain::kVital && hit->value == "bmi") {
    Skip("Observation");  // recomputed from weight and height (catalogue §1.2)
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  if (!date) {
    if (auto it = report_date_.find(e.ref); it != report_date_.end()) date = it->second;
  }
  if (!date) {
    if (auto d = ParseFhirDate(Str(e.res, "issued"))) date = d;
  }
  if (AfterAsOf(date, e, "effective[x]")) return;

  if (hit && hit->domain == Domain::kStatus) {
    // Pregnancy or breastfeeding status: a coded answer (LOINC answer list or SNOMED CT) or a
    // boolean. An answer not understood, or "unknown", stays unknown.
    StatusCand s{hit->value, std::nullopt, date, e.ref, order_++};
    bool understood = false;
    if (auto vb = Field(e.res, "valueBoolean")) {
      bool v = false;
      if (!vb->get_bool().get(v)) s.value = v, understood = true;
    } else {
      for (const Concept* a : ConceptsOf(Field(e.res, "valueCodeableConcept")))
        if (a->domain == Domain::kAnswer) {
          understood = true;
          if (a->value == "yes") s.value = true;
          if (a->value == "no") s.value = false;
          break;
        }
    }
    if (!understood)
      Issue(e.loc + ".value[x]",
            e.ref + ": " + std::string(hit->value) +
                " status answer not recognised: taken as unknown (not as \"no\")",
            Severity::kInfo);
    statuses_.push_back(s);
    Trace(kRuleStatus, e.ref);
    return;
  }

  auto vq = Field(e.res, "valueQuantity");
  if (!vq) {
    if (Field(e.res, "valueString") || Field(e.res, "valueCodeableConcept"))
      Issue(e.loc + ".value[x]", e.ref + ": a " + text + " value must be a Quantity: not used");
    else if (!Field(e.res, "dataAbsentReason"))
      Issue(e.loc + ".valueQuantity", e.ref + ": no value: not used", Severity::kInfo);
    Ignore(e.ref, "no numeric value");
    return;
  }
  auto value = Number(e.res, e, "valueQuantity.value", Field(*vq, "value"));
  if (!value) {
    Ignore(e.ref, "value missing or not a number");
    return;
  }
  std::string_view unit_raw = Str(*vq, "code");
  if (unit_raw.empty()) unit_raw = Str(*vq, "unit");
  const std::string unit = fhir::NormaliseUnit(unit_raw);
  const auto& params = ct_.params();
  auto in_list = [&](const std::vector<std::string>& l) {
    return std::find(l.begin(), l.end(), unit) != l.end();
  };
  auto bad_unit = [&](const std::string& what) {
    Issue(e.loc + ".valueQuantity.code", e.ref + ": \"" + std::string(unit_raw) +
                                             "\" is not a unit for " + what + ": value unusable");
    Ignore(e.ref, "unknown unit \"" + std::string(unit_raw) + "\" for " + what);
    Trace(kRuleUnits, e.ref);
  };

  if (frax) {
    if (!in_list(params.percent_units)) return bad_unit("a FRAX probability");
    FraxCand f{date, {}, {}, e.ref, order_++};
    const bool hip = lower.find("hip") != std::string::npos;
    if (*value < 0 || *value > 100) {
      Issue(e.loc + ".valueQuantity.value", e.ref + ": FRAX outside 0-100 %: not used");
      return;
    }
    (hip ? f.hip : f.mof) = ToTenths(*value);
    frax_.push_back(f);
    Trace(kRuleFrax, e.ref);
    return;
  }

  switch (hit->domain) {
    case Domain::kDxa: {
      BmdCand b;
      b.date = date;
      b.ref = e.ref;
      if (hit->kind == "bmd") {
        // Areal BMD (g/cm2), with the facility's least significant change when the
        // Observation carries it: what COURSE-18 F2 and COURSE-21 compare between scans.
        if (!in_list(params.bmd_units)) return bad_unit("a BMD in g/cm2");
        if (*value <= 0 || *value > 3) {
          Issue(e.loc + ".valueQuantity.value",
                e.ref + ": a BMD outside 0-3 g/cm2 is not plausible: not used");
          Ignore(e.ref, "implausible BMD");
          return;
        }
        b.kind = BmdCand::Kind::kBmd;
        b.g_cm2 = *value;
        b.lsc = LeastSignificantChange(e);
      } else {
        if (!in_list(params.score_units))
          return bad_unit(hit->kind == "t" ? "a T-score" : "a Z-score");
        if (*value < -10 || *value > 10) {
          Issue(e.loc + ".valueQuantity.value",
                e.ref + ": a score outside -10..10 is not plausible: not used");
          Ignore(e.ref, "implausible score");
          return;
        }
        b.kind = hit->kind == "t" ? BmdCand::Kind::kT : BmdCand::Kind::kZ;
        b.value = ToTenths(*value);
      }
      auto site = Parse<BmdSite>(hit->value).value_or(BmdSite::kLumbarSpine);
      // bodySite decides where the code is not site-specific (femur: neck or total; radius
      // and ulna: the 33 % site or a mislabelled central scan).
      const std::string body = fhir::Lower(CodeText(Field(e.res, "bodySite")));
      bool body_decided = false;
      if (!body.empty()) {
        if (body.find("neck") != std::string::npos)
          site = BmdSite::kFemoralNeck, body_decided = true;
        else if (body.find("hip") != std::string::npos || body.find("total") != std::string::npos)
          site = BmdSite::kTotalHip, body_decided = true;
        else if (body.find("spine") != std::string::npos ||
                 body.find("lumbar") != std::string::npos)
          site = BmdSite::kLumbarSpine, body_decided = true;
        else if (body.find("radius") != std::string::npos ||
                 body.find("forearm") != std::string::npos)
          site = BmdSite::kRadius33, body_decided = true;
        if (body_decided && site != Parse<BmdSite>(hit->value)) Trace(kRuleBodySite, e.ref);
      }
      if (!body_decided && hit->value == "radius_33" && b.kind != BmdCand::Kind::kBmd) {
        // LOINC 38265-5/80932-7 mean the radius and ulna. Synthea sends its single, unspecified
        // DXA T-score under this code with the display "DXA [T-score] Bone density".
        const bool says_forearm = lower.find("radius") != std::string::npos ||
                                  lower.find("forearm") != std::string::npos ||
                                  lower.find("ulna") != std::string::npos;
        if (!says_forearm) {
          site = BmdSite::kFemoralNeck;
          Trace(kRuleTscore38265, e.ref);
          Issue(e.loc + ".code",
                e.ref + ": LOINC " +
                    std::string(Codings(code).empty() ? "" : Codings(code)[0].code) + " (\"" +
                    text +
                    "\") names no site: taken as an unspecified central DXA site, recorded as "
                    "femoral_neck (FHIR-TSCORE-38265-5)",
                Severity::kInfo);
        }
      }
      b.site = site;
      if (auto it = report_of_.find(e.ref); it != report_of_.end())
        b.extra_refs.push_back(it->second);
      bmd_.push_back(std::move(b));
      return;
    }
    case Domain::kLab: {
      auto test = Parse<LabTest>(hit->value);
      const LabUnits* lu = nullptr;
      for (const auto& l : kb_.lab_units)
        if (l.test == hit->value) lu = &l;
      if (!test || !lu) {
        Issue(e.loc + ".code",
              e.ref + ": no unit table for " + std::string(hit->value) + ": not used");
        return;
      }
      const UnitDef* ud = nullptr;
      for (const auto& a : lu->accepted)
        if (fhir::NormaliseUnit(a.unit) == unit) ud = &a;
      if (!ud) return bad_unit(std::string(hit->value));
      LabCand l;
      l.test = *test;
      l.value = *value * ud->factor;
      l.date = date;
      l.ref = e.ref;
      l.order = order_++;
      if (ud->factor != 1) Trace(kRuleUnits, e.ref);
      if (hit->lab_code_rule) Trace(kRuleLabCodes, e.ref);
      for (element rr : Items(e.res, "referenceRange")) {
        auto conv = [&](const char* k) -> std::optional<double> {
          auto q = Field(rr, k);
          if (!q) return std::nullopt;
          std::string_view u = Str(*q, "code");
          if (u.empty()) u = Str(*q, "unit");
          double v = 0;
          auto f = Field(*q, "value");
          if (!f || f->get_double().get(v)) return std::nullopt;
          if (!u.empty() && fhir::NormaliseUnit(u) != unit) return std::nullopt;
          return v * ud->factor;
        };
        l.low = conv("low");
        l.high = conv("high");
        break;
      }
      labs_.push_back(l);
      return;
    }
    case Domain::kVital: {
      const bool weight = hit->value == "weight";
      const auto& table = weight ? params.weight_units : params.height_units;
      const fhir::UnitFactor* uf = nullptr;
      for (const auto& u : table)
        if (u.unit == unit) uf = &u;
      if (!uf) return bad_unit(weight ? "body weight" : "body height");
      const double v = *value * uf->factor;
      if (uf->factor != 1) Trace(kRuleUnits, e.ref);
      if (v <= 0 || v > (weight ? 400 : 260)) {
        Issue(e.loc + ".valueQuantity.value", e.ref + ": implausible value: not used");
        Ignore(e.ref, "implausible value");
        return;
      }
      (weight ? weight_ : height_).push_back({v, date, e.ref, order_++});
      return;
    }
    default:
      Skip("Observation");
  }
}

// ---- DiagnosticReport: dates and provenance for the observations it lists ----

void Reader::DoDiagnosticReport(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  bool dxa = false;
  for (const Concept* c : ConceptsOf(Field(e.res, "code")))
    dxa = dxa || c->domain == Domain::kDxaPanel;
  auto results = Items(e.res, "result");
  if (!dxa && results.empty()) {
    Skip("DiagnosticReport");
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  size_t i = 0;
  for (element r : results) {
    const std::string ref = ResolveRef(Str(r, "reference"));
    if (ref.empty() || !by_ref_.count(ref)) {
      if (dxa || !ref.empty())
        Issue(e.loc + ".result[" + std::to_string(i) + "].reference",
              e.ref + ": reference \"" + std::string(Str(r, "reference")) +
                  "\" does not resolve in this input");
    } else {
      report_date_.emplace(ref, date);
      if (dxa) report_of_.emplace(ref, e.ref);
    }
    ++i;
  }
  if (!dxa) Skip("DiagnosticReport");
}

// ---- RiskAssessment (FRAX) ----

void Reader::DoRiskAssessment(const Entry& e) {
  const std::string what =
      fhir::Lower(CodeText(Field(e.res, "method")) + " " + CodeText(Field(e.res, "code")));
  if (what.find("frax") == std::string::npos) {
    Skip("RiskAssessment");
    return;
  }
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  FraxCand f;
  f.ref = e.ref;
  f.order = order_++;
  f.date = EffectiveDate(e.res, e.loc, "occurrence");
  if (AfterAsOf(f.date, e, "occurrence[x]")) return;
  size_t i = 0;
  for (element p : Items(e.res, "prediction")) {
    const std::string outcome = fhir::Lower(CodeText(Field(p, "outcome")));
    const std::string path = e.loc + ".prediction[" + std::to_string(i++) + "].probabilityDecimal";
    auto v = Field(p, "probabilityDecimal");
    double d = 0;
    if (!v || v->get_double().get(d)) {
      Issue(path, e.ref + ": no probabilityDecimal (a number): prediction not used");
      continue;
    }
    // probabilityDecimal is a fraction (0..1); FRAX is reported in percent.
    if (d < 0 || d > 1) {
      Issue(path, e.ref + ": probabilityDecimal must be between 0 and 1: not used");
      continue;
    }
    const Tenths pct = ToTenths(d * 100);
    if (outcome.find("hip") != std::string::npos)
      f.hip = pct;
    else if (outcome.find("major") != std::string::npos ||
             outcome.find("osteoporotic") != std::string::npos)
      f.mof = pct;
    else
      Issue(e.loc + ".prediction.outcome",
            e.ref + ": outcome \"" + outcome + "\" is neither hip nor major osteoporotic",
            Severity::kInfo);
  }
  if (!f.hip && !f.mof) {
    Ignore(e.ref, "no usable FRAX prediction");
    return;
  }
  frax_.push_back(f);
  Trace(kRuleFrax, e.ref);
}

// ---- merging ----

// The facility's least significant change from the BMD Observation's extension
// (fhir-parameters.json lsc_extension), in g/cm2; absent or unusable: none, said why.
std::optional<double> Reader::LeastSignificantChange(const Entry& e) {
  const std::string& url = ct_.params().lsc_extension_url;
  auto ext = Field(e.res, "extension");
  simdjson::dom::array list;
  if (url.empty() || !ext || ext->get(list) != simdjson::SUCCESS) return std::nullopt;
  for (element x : list) {
    if (!x.is_object() || Str(x, "url") != url) continue;
    const std::string loc = e.loc + ".extension(least-significant-change)";
    auto vq = Field(x, "valueQuantity");
    if (!vq) {
      Issue(loc, e.ref + ": least significant change without a valueQuantity: not used");
      return std::nullopt;
    }
    auto v = Number(x, e, "extension(least-significant-change).valueQuantity.value",
                    Field(*vq, "value"));
    if (!v) return std::nullopt;
    std::string_view unit = Str(*vq, "code");
    if (unit.empty()) unit = Str(*vq, "unit");
    const auto& units = ct_.params().bmd_units;
    if (std::find(units.begin(), units.end(), fhir::NormaliseUnit(unit)) == units.end()) {
      Issue(loc + ".valueQuantity.code", e.ref + ": least significant change in \"" +
                                             std::string(unit) + "\", not g/cm2: not used");
      return std::nullopt;
    }
    if (*v <= 0 || *v > 1) {
      Issue(loc + ".valueQuantity.value",
            e.ref + ": a least significant change outside 0-1 g/cm2 is not plausible: not used");
      return std::nullopt;
    }
    return *v;
  }
  return std::nullopt;
}

void Reader::FinishBmd() {
  // One measurement per (date, site): T, Z and BMD together; the whole history kept, oldest
  // first. A second value of the same kind on the same date and site starts a new measurement.
  std::stable_sort(bmd_.begin(), bmd_.end(), [](const BmdCand& a, const BmdCand& b) {
    if (a.date != b.date) return !a.date || (b.date && *a.date < *b.date);
    return static_cast<int>(a.site) < static_cast<int>(b.site);
  });
  Patient& p = out_.patient;
  auto has = [](const BmdMeasurement& m, BmdCand::Kind k) {
    switch (k) {
      case BmdCand::Kind::kT:
        return m.t_score.has_value();
      case BmdCand::Kind::kZ:
        return m.z_score.has_value();
      case BmdCand::Kind::kBmd:
        return m.bmd_g_cm2.has_value();
    }
    return true;
  };
  for (const BmdCand& b : bmd_) {
    size_t idx = p.bmd.size();
    for (size_t i = 0; i < p.bmd.size(); ++i)
      if (p.bmd[i].date == b.date && p.bmd[i].site == b.site && !has(p.bmd[i], b.kind)) idx = i;
    if (idx == p.bmd.size()) p.bmd.push_back({b.date, b.site, {}, {}, {}, {}});
    const std::string base = "/bmd/" + std::to_string(idx);
    const char* field = "/t_score";
    switch (b.kind) {
      case BmdCand::Kind::kT:
        p.bmd[idx].t_score = b.value;
        break;
      case BmdCand::Kind::kZ:
        p.bmd[idx].z_score = b.value;
        field = "/z_score";
        break;
      case BmdCand::Kind::kBmd:
        p.bmd[idx].bmd_g_cm2 = b.g_cm2;
        field = "/bmd_g_cm2";
        if (b.lsc) {
          p.bmd[idx].lsc_g_cm2 = b.lsc;
          out_.provenance[base + "/lsc_g_cm2"].push_back(b.ref);
        }
        break;
    }
    auto& prov = out_.provenance[base + field];
    prov.push_back(b.ref);
    auto& all = out_.provenance[base];
    all.push_back(b.ref);
    for (const auto& r : b.extra_refs) {
      if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
    }
  }
}

void Reader::FinishStatuses() {
  // Per status, the answers in date order: "yes" and "no" replace what was known; "unknown"
  // replaces an earlier "no" (stale) but not an earlier "yes" (a pregnancy is not unsaid by
  // a later "unknown").
  std::stable_sort(statuses_.begin(), statuses_.end(),
                   [](const StatusCand& a, const StatusCand& b) { return Later(b, a); });
  for (std::string_view what : {std::string_view("pregnancy"), std::string_view("breastfeeding")}) {
    const StatusCand* decided = nullptr;
    std::optional<bool> value;
    const StatusCand* last = nullptr;
    for (const StatusCand& s : statuses_) {
      if (s.what != what) continue;
      last = &s;
      if (s.value) {
        value = s.value;
        decided = &s;
      } else if (value == false) {
        value.reset();
        decided = nullptr;
      }
    }
    if (!last) continue;
    if (!value && !last->value)
      Issue(last->ref, std::string(what) + " status recorded as unknown: left unknown",
            Severity::kInfo);
    if (!decided) continue;
    if (what == "pregnancy") {
      if (*value)
        conds_.push_back({ConditionCode::kPregnancy, decided->date, true, "", decided->ref});
    } else {
      out_.patient.breastfeeding = value;
      out_.provenance["/breastfeeding"] = {decided->ref};
    }
  }
}

void Reader::FinishLabs() {
  // The most recent valid value per test wins; older ones are history, not used.
  std::map<LabTest, const LabCand*> latest;
  std::map<LabTest, int> count;
  for (const LabCand& l : labs_) {
    ++count[l.test];
    auto it = latest.find(l.test);
    if (it == latest.end() || Later(l, *it->second)) latest[l.test] = &l;
  }
  Patient& p = out_.patient;
  const auto& stale = ct_.params().stale_after_days;
  for (const auto& [test, l] : latest) {
    Lab lab;
    lab.test = test;
    lab.value = l->value;
    lab.date = l->date;
    lab.reference_low = l->low;
    lab.reference_high = l->high;
    lab.source = l->ref;
    const std::string ptr = "/labs/" + std::to_string(p.labs.size());
    out_.provenance[ptr] = {l->ref};
    p.labs.push_back(lab);
    if (count[test] > 1) Trace(kRuleLatest, l->ref);
    const std::string name(ToString(test));
    if (auto s = stale.find(name); s != stale.end() && l->date) {
      const Date ref = opt_.as_of.value_or(Date::TodayUtc());
      if (DaysBetween(*l->date, ref) > s->second) {
        Issue(ptr,
              name + " from " + l->ref + " is dated " + l->date->ToString() + ", " +
                  std::to_string(DaysBetween(*l->date, ref)) + " days before " + ref.ToString() +
                  ": stale (older than " + std::to_string(s->second) +
                  " days) for checks that need a recent value",
              Severity::kInfo);
        Trace(kRuleLatest, l->ref);
      }
    }
  }
  auto pick = [&](std::vector<ValueCand>& v, std::optional<double>* field, const char* ptr) {
    const ValueCand* best = nullptr;
    for (const auto& c : v)
      if (!best || Later(c, *best)) best = &c;
    if (!best) return;
    *field = best->value;
    out_.provenance[ptr] = {best->ref};
    if (v.size() > 1) Trace(kRuleLatest, best->ref);
  };
  pick(weight_, &p.weight_kg, "/weight_kg");
  pick(height_, &p.height_cm, "/height_cm");
  if (!frax_.empty()) {
    // The most recent FRAX result (MOF and hip may come in separate Observations on one date).
    std::sort(frax_.begin(), frax_.end(),
              [](const FraxCand& a, const FraxCand& b) { return Later(b, a); });
    const FraxCand& last = frax_.back();
    Frax f;
    f.date = last.date;
    std::vector<std::string> refs;
    for (const FraxCand& c : frax_) {
      if (c.date != last.date) continue;
      if (c.mof) f.major_osteoporotic_pct = c.mof;
      if (c.hip) f.hip_pct = c.hip;
      refs.push_back(c.ref);
    }
    p.frax = f;
    out_.provenance["/frax"] = refs;
  }
}

}  // namespace bp::fhir_reader
