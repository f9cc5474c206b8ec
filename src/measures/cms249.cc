// CMS249: Appropriate Use of DXA Scans in Women Under 65 Years Who Do Not Meet the Risk Factor
// Profile for Osteoporotic Fracture. Library AppropriateDXAScansForWomenUnder65FHIR 0.2.001
// (bench/data/cms249/AppropriateDXAScansForWomenUnder65FHIR-0.2.001.cql); an inverse measure.
// Every CQL definition is a function below, named after it, in the order of the CQL file; the
// numbers (ages, thresholds, day counts) and codes come from knowledge/measures/cms249*.json.
#include <algorithm>

#include "measures/measure.h"

namespace bp::measures {
namespace {

const std::vector<std::string> kParams = {"ip_age_min_years",
                                          "ip_age_max_years",
                                          "bmi_max_kg_m2",
                                          "drinks_per_day_above",
                                          "glucocorticoid_days_min",
                                          "frax_major_min_percent",
                                          "orai_min",
                                          "osiris_below",
                                          "ost_below"};
const std::vector<std::string> kCodes = {
    "Alcoholic drinks per day",
    "Body mass index (BMI) [Ratio]",
    "Female",
    "Left (qualifier value)",
    "Major osteoporotic fracture 10-year probability [Likelihood] Fracture Risk Assessment",
    "Osteoporosis Index of Risk panel",
    "Osteoporosis Risk Assessment Instrument",
    "Osteoporosis Self-Assessment Tool",
    "Right (qualifier value)",
    "Unlisted preventive medicine service",
    "survey",
    "active",
    "recurrence",
    "relapse"};
// The condition value sets of "Has Risk Factor Any Time in History or During Measurement Period".
const std::vector<std::string> kHistoryConditions = {"Osteoporosis With Current Fracture",
                                                     "Malabsorption Syndromes",
                                                     "Chronic Malnutrition",
                                                     "Chronic Liver Disease",
                                                     "Rheumatoid Arthritis",
                                                     "Hyperthyroidism",
                                                     "Type 1 Diabetes",
                                                     "End Stage Renal Disease",
                                                     "Osteogenesis Imperfecta",
                                                     "Ankylosing Spondylitis",
                                                     "Psoriatic Arthritis",
                                                     "Ehlers Danlos Syndrome",
                                                     "Cushings Syndrome",
                                                     "Hyperparathyroidism",
                                                     "Marfan's Syndrome",
                                                     "Lupus",
                                                     "Multiple Myeloma",
                                                     "Premature Menopause",
                                                     "Eating Disorders",
                                                     "Amenorrhea"};
const std::vector<std::string> kQualifyingEncounterValueSets = {
    "Office Visit",
    "Preventive Care Services Established Office Visit, 18 and Up",
    "Preventive Care Services Initial Office Visit, 18 and Up",
    "Outpatient Consultation",
    "Virtual Encounter",
    "Telephone Visits"};

std::vector<std::string> AllValueSets() {
  std::vector<std::string> v = kHistoryConditions;
  v.insert(v.end(), kQualifyingEncounterValueSets.begin(), kQualifyingEncounterValueSets.end());
  for (const char* n :
       {"Aromatase Inhibitors", "Bilateral Oophorectomy", "Bone Marrow Transplant", "Chemotherapy",
        "DXA (Dual energy Xray Absorptiometry) Scan", "Evidence of Bilateral Oophorectomy",
        "Gastric Bypass Surgery", "Glucocorticoids (oral only)",
        "History of hip fracture in parent", "Kidney Transplant", "Major Transplant", "Osteopenia",
        "Osteoporosis Without Current Fracture", "Unilateral Oophorectomy Left",
        "Unilateral Oophorectomy Right", "Unilateral Oophorectomy, Unspecified Laterality"})
    v.emplace_back(n);
  return v;
}

// Sorts by a DateTime key, earliest first, nulls first (cql-execution sorts null before values).
template <typename T, typename KeyFn>
void SortByTime(std::vector<const T*>& v, KeyFn key) {
  std::stable_sort(v.begin(), v.end(), [&](const T* a, const T* b) {
    auto ka = key(*a), kb = key(*b);
    if (!ka) return kb.has_value();
    if (!kb) return false;
    return IsTrue(Before(*ka, *kb));
  });
}

class Eval {
 public:
  Eval(const MeasureKnowledge& k, const PatientRecord& p, const MedicationIndex& meds,
       const MeasurementPeriod& mp)
      : k_(k), p_(p), meds_(meds), mp_(mp), mpi_(mp.AsInterval()) {}

  // define "Initial Population":
  //   AgeInYearsAt(date from start of "Measurement Period") in Interval[50, 63]
  //     and Patient.gender = 'female' and exists "Qualifying Encounter"
  Tri InitialPopulation(Evidence& ev) {
    Tri age_ok;
    if (p_.birth_date) {
      if (auto age = AgeInYearsAt(*p_.birth_date, mp_.start.DateFrom()))
        age_ok = *age >= k_.Param("ip_age_min_years") && *age <= k_.Param("ip_age_max_years");
    }
    Tri female;
    if (!p_.gender.empty()) female = p_.gender == k_.Code("Female");
    const Evidence enc = QualifyingEncounter();
    ev.insert(ev.end(), enc.begin(), enc.end());
    return And(And(age_ok, female), !enc.empty());
  }

  // define "Qualifying Encounter": the encounters of the seven value sets / the unlisted
  // preventive service code, .isEncounterPerformed(), whose period.toInterval() is during day of
  // "Measurement Period".
  Evidence QualifyingEncounter() {
    Evidence out;
    for (const auto& e : p_.encounters) {
      bool coded = false;
      for (const auto& t : e.type_) {
        if (k_.HasCode("Unlisted preventive medicine service", t)) coded = true;
        for (const auto& vs : kQualifyingEncounterValueSets)
          if (k_.InValueSet(vs, t)) coded = true;
      }
      if (!coded || !IsEncounterPerformed(e)) continue;
      if (IsTrue(IncludedIn(ToInterval(e.period, p_.birth_date), mpi_, Precision::kDay)))
        out.push_back(&e);
    }
    return out;
  }

  // define "Denominator Exclusions":
  //   "Has Risk Factor Active During the Measurement Period"
  //     or "Has Risk Factor Any Time in History Prior to Measurement Period"
  //     or "Has Risk Factor Any Time in History or During Measurement Period"
  Tri DenominatorExclusions(Evidence& ev) {
    return Or(Or(HasRiskFactorActiveDuringTheMeasurementPeriod(ev),
                 HasRiskFactorAnyTimeInHistoryPriorToMeasurementPeriod(ev)),
              HasRiskFactorAnyTimeInHistoryOrDuringMeasurementPeriod(ev));
  }

  // define "Has Risk Factor Active During the Measurement Period":
  //   "First BMI in Measurement Period Less Than or Equal to 20 kg m2" is not null
  //     or "First Average Number of Drinks Assessments Indicating More Than Two Per Day" is not
  //     null
  Tri HasRiskFactorActiveDuringTheMeasurementPeriod(Evidence& ev) {
    const ObservationFact* bmi = FirstBMIInMeasurementPeriodLessThanOrEqualTo20KgM2();
    const ObservationFact* drinks =
        FirstAverageNumberOfDrinksAssessmentsIndicatingMoreThanTwoPerDay();
    if (bmi) ev.push_back(bmi);
    if (drinks) ev.push_back(drinks);
    return bmi != nullptr || drinks != nullptr;
  }

  // define "First BMI in Measurement Period Less Than or Equal to 20 kg m2":
  //   "First BMI in Measurement Period" FirstBMI where FirstBMI.value as Quantity <= 20 'kg/m2'
  const ObservationFact* FirstBMIInMeasurementPeriodLessThanOrEqualTo20KgM2() {
    const ObservationFact* first = FirstBMIInMeasurementPeriod();
    if (!first) return nullptr;
    return IsTrue(QuantityLessOrEqual(first->value_quantity, k_.Param("bmi_max_kg_m2"),
                                      k_.ParamUnit("bmi_max_kg_m2")))
               ? first
               : nullptr;
  }

  // define "First BMI in Measurement Period":
  //   First((["observation-bmi"]).isObservationBMI() BMIRatio
  //     where BMIRatio.effective.toInterval() during "Measurement Period"
  //       and BMIRatio.value as Quantity is not null
  //     sort by start of effective.toInterval())
  // The QI-Core BMI profile is the Observation with LOINC 39156-5.
  const ObservationFact* FirstBMIInMeasurementPeriod() {
    std::vector<const ObservationFact*> v;
    for (const auto& o : p_.observations) {
      if (!k_.HasCode("Body mass index (BMI) [Ratio]", o.code) || !IsObservationFinal(o)) continue;
      if (!IsTrue(IncludedIn(ToInterval(o.effective, p_.birth_date), mpi_))) continue;
      if (!o.value_quantity || o.value_quantity->comparator) continue;
      v.push_back(&o);
    }
    SortByTime(v, [&](const ObservationFact& o) { return EffectiveStart(o); });
    return v.empty() ? nullptr : v.front();
  }

  // define "First Average Number of Drinks Assessments Indicating More Than Two Per Day":
  //   First(([Observation: "Alcoholic drinks per day"]).isAssessmentPerformed() AverageDrinks
  //     where start of AverageDrinks.effective.toInterval() during "Measurement Period"
  //       and AverageDrinks.value as Quantity > 2 '{drinks}/d'
  //     sort by start of effective.toInterval())
  const ObservationFact* FirstAverageNumberOfDrinksAssessmentsIndicatingMoreThanTwoPerDay() {
    std::vector<const ObservationFact*> v;
    for (const auto& o : p_.observations) {
      if (!k_.HasCode("Alcoholic drinks per day", o.code) || !IsAssessmentPerformed(o, k_))
        continue;
      if (!IsTrue(In(EffectiveStart(o), mpi_))) continue;
      if (!IsTrue(QuantityGreater(o.value_quantity, k_.Param("drinks_per_day_above"),
                                  k_.ParamUnit("drinks_per_day_above"))))
        continue;
      v.push_back(&o);
    }
    SortByTime(v, [&](const ObservationFact& o) { return EffectiveStart(o); });
    return v.empty() ? nullptr : v.front();
  }

  // define "Has Risk Factor Any Time in History Prior to Measurement Period":
  //   exists (osteoporosis without current fracture or osteopenia whose prevalenceInterval()
  //   starts before start of "Measurement Period", gastric bypass (isProcedurePerformed) whose
  //   performed interval ends before start of MP, aromatase inhibitor isMedicationActive whose
  //   CMD."MedicationRequestPeriod" starts before start of MP, aromatase inhibitor
  //   isMedicationOrder whose authoredOn.toInterval() is before start of MP, parental hip
  //   fracture history (isAssessmentPerformed) whose effective starts before start of MP)
  Tri HasRiskFactorAnyTimeInHistoryPriorToMeasurementPeriod(Evidence& ev) {
    const std::size_t before = ev.size();
    const std::optional<DateTime> mp_start = mpi_.Start();
    for (const auto& c : p_.conditions) {
      if (!k_.InValueSet("Osteoporosis Without Current Fracture", c.code) &&
          !k_.InValueSet("Osteopenia", c.code))
        continue;
      auto prev = PrevalenceInterval(c, p_.birth_date, k_);
      if (prev && IsTrue(Before(prev->Start(), mp_start))) ev.push_back(&c);
    }
    for (const auto& pr : p_.procedures) {
      if (!k_.InValueSet("Gastric Bypass Surgery", pr.code) || !IsProcedurePerformed(pr)) continue;
      auto perf = ToInterval(pr.performed, p_.birth_date);
      if (perf && IsTrue(Before(perf->End(), mp_start))) ev.push_back(&pr);
    }
    for (const auto& m : p_.medication_requests) {
      if (!MedicationInValueSet(m, "Aromatase Inhibitors", k_, meds_)) continue;
      bool hit = false;
      if (IsMedicationActive(m)) {
        auto period = MedicationRequestPeriod(m);
        std::optional<DateTime> start = period ? period->Start() : std::nullopt;
        if (start) start = start->AsDateTime();  // ToDateTime(start of ...)
        if (IsTrue(Before(start, mp_start))) hit = true;
      }
      if (!hit && IsMedicationOrder(m) && m.authored_on &&
          IsTrue(IntervalBefore(Interval::Point(*m.authored_on), mp_start)))
        hit = true;
      if (hit) ev.push_back(&m);
    }
    for (const auto& o : p_.observations) {
      if (!k_.InValueSet("History of hip fracture in parent", o.code) ||
          !IsAssessmentPerformed(o, k_))
        continue;
      if (IsTrue(Before(EffectiveStart(o), mp_start))) ev.push_back(&o);
    }
    return ev.size() > before;
  }

  // define "Has Risk Factor Any Time in History or During Measurement Period":
  //   "Has 90 or More Active Glucocorticoid Medication Days"
  //     or exists (the 20 condition value sets).diagnosisInPatientHistory()
  //     or exists ([Procedure: "Chemotherapy"]).procedureInPatientHistory()
  //     or "Has Double or Bilateral Oophorectomy" or "Has Organ Transplants"
  Tri HasRiskFactorAnyTimeInHistoryOrDuringMeasurementPeriod(Evidence& ev) {
    Tri gc = HasNinetyOrMoreActiveGlucocorticoidMedicationDays(ev);
    const std::size_t before = ev.size();
    for (const auto& c : p_.conditions) {
      bool in = false;
      for (const auto& vs : kHistoryConditions)
        if (k_.InValueSet(vs, c.code)) {
          in = true;
          break;
        }
      if (in && DiagnosisInPatientHistory(c)) ev.push_back(&c);
    }
    for (const auto& pr : p_.procedures)
      if (k_.InValueSet("Chemotherapy", pr.code) && ProcedureInPatientHistory(pr))
        ev.push_back(&pr);
    const bool conditions_or_chemo = ev.size() > before;
    return Or(Or(gc, conditions_or_chemo),
              Or(HasDoubleOrBilateralOophorectomy(ev), HasOrganTransplants(ev)));
  }

  // define "Has 90 or More Active Glucocorticoid Medication Days":
  //   "Glucocorticoid Active Medication Days" >= 90
  Tri HasNinetyOrMoreActiveGlucocorticoidMedicationDays(Evidence& ev) {
    Evidence used;
    auto days = GlucocorticoidActiveMedicationDays(used);
    if (!days) return std::nullopt;
    const bool r = static_cast<double>(*days) >= k_.Param("glucocorticoid_days_min");
    if (r) ev.insert(ev.end(), used.begin(), used.end());
    return r;
  }

  // define "Glucocorticoid Active Medication Days":
  //   ((([MedicationRequest: "Glucocorticoids (oral only)"]).isMedicationActive())
  //   OralGlucocorticoid
  //     where OralGlucocorticoid.medicationRequestPeriod() starts before end of "Measurement
  //     Period") Glucocorticoid return Glucocorticoid.medicationRequestPeriod()
  //       intersect Interval[Patient.birthDate, date from end of "Measurement Period"]
  //   ).cumulativeDuration()
  std::optional<long> GlucocorticoidActiveMedicationDays(Evidence& used) {
    std::vector<Interval> periods;
    const std::optional<Interval> life = Interval::Closed(p_.birth_date, mp_.end.DateFrom());
    for (const auto& m : p_.medication_requests) {
      if (!MedicationInValueSet(m, "Glucocorticoids (oral only)", k_, meds_) ||
          !IsMedicationActive(m))
        continue;
      auto period = MedicationRequestPeriod(m);
      std::optional<DateTime> start = period ? period->Start() : std::nullopt;
      if (start) start = start->AsDateTime();
      if (!IsTrue(Before(start, mpi_.End()))) continue;
      used.push_back(&m);
      if (auto x = Intersect(period, life)) periods.push_back(*x);
    }
    return CumulativeDurationDays(std::move(periods));
  }

  // define "Has Organ Transplants":
  //   exists ([Procedure: "Major Transplant"] union [Procedure: "Kidney Transplant"]
  //     union [Procedure: "Bone Marrow Transplant"]).procedureInPatientHistory()
  bool HasOrganTransplants(Evidence& ev) {
    bool any = false;
    for (const auto& pr : p_.procedures) {
      if ((k_.InValueSet("Major Transplant", pr.code) ||
           k_.InValueSet("Kidney Transplant", pr.code) ||
           k_.InValueSet("Bone Marrow Transplant", pr.code)) &&
          ProcedureInPatientHistory(pr)) {
        ev.push_back(&pr);
        any = true;
      }
    }
    return any;
  }

  // define "Has Double or Bilateral Oophorectomy":
  //   exists [Procedure: "Bilateral Oophorectomy"].procedureInPatientHistory()
  //   or exists [Procedure: "Evidence of Bilateral Oophorectomy"].procedureInPatientHistory()
  //   or (exists (unspecified laterality with bodySite ~ "Right (qualifier value)"
  //         union [Procedure: "Unilateral Oophorectomy Right"]).procedureInPatientHistory()
  //       and exists (unspecified laterality with bodySite ~ "Left (qualifier value)"
  //         union [Procedure: "Unilateral Oophorectomy Left"]).procedureInPatientHistory())
  bool HasDoubleOrBilateralOophorectomy(Evidence& ev) {
    Evidence bilateral, right, left;
    for (const auto& pr : p_.procedures) {
      if (!ProcedureInPatientHistory(pr)) continue;
      if (k_.InValueSet("Bilateral Oophorectomy", pr.code) ||
          k_.InValueSet("Evidence of Bilateral Oophorectomy", pr.code))
        bilateral.push_back(&pr);
      const bool unspecified =
          k_.InValueSet("Unilateral Oophorectomy, Unspecified Laterality", pr.code);
      bool site_right = false, site_left = false;
      for (const auto& s : pr.body_site) {
        site_right = site_right || k_.HasCode("Right (qualifier value)", s);
        site_left = site_left || k_.HasCode("Left (qualifier value)", s);
      }
      if ((unspecified && site_right) || k_.InValueSet("Unilateral Oophorectomy Right", pr.code))
        right.push_back(&pr);
      if ((unspecified && site_left) || k_.InValueSet("Unilateral Oophorectomy Left", pr.code))
        left.push_back(&pr);
    }
    const bool both_sides = !right.empty() && !left.empty();
    ev.insert(ev.end(), bilateral.begin(), bilateral.end());
    if (both_sides) {
      ev.insert(ev.end(), right.begin(), right.end());
      ev.insert(ev.end(), left.begin(), left.end());
    }
    return !bilateral.empty() || both_sides;
  }

  // define "Numerator": exists "DXA Scan Order During Measurement Period"
  Tri Numerator(Evidence& ev) {
    auto dxa = DXAScanOrderDuringMeasurementPeriod();
    ev.insert(ev.end(), dxa.begin(), dxa.end());
    return !dxa.empty();
  }

  // define "DXA Scan Order During Measurement Period":
  //   (([ServiceRequest: "DXA (Dual energy Xray Absorptiometry) Scan"]).isDiagnosticStudyOrder())
  //   DXA
  //     where DXA.authoredOn.toInterval() during "Measurement Period"
  //     sort by authoredOn asc
  std::vector<const ServiceRequestFact*> DXAScanOrderDuringMeasurementPeriod() {
    std::vector<const ServiceRequestFact*> v;
    for (const auto& s : p_.service_requests) {
      if (!k_.InValueSet("DXA (Dual energy Xray Absorptiometry) Scan", s.code) ||
          !IsDiagnosticStudyOrder(s) || !s.authored_on)
        continue;
      if (IsTrue(IncludedIn(Interval::Point(*s.authored_on), mpi_))) v.push_back(&s);
    }
    SortByTime(v, [](const ServiceRequestFact& s) { return s.authored_on; });
    return v;
  }

  // define "Numerator Exclusion":
  //   exists "Osteoporosis Fracture Risk Assessment Prior to First DXA Scan"
  Tri NumeratorExclusion(Evidence& ev) {
    auto r = OsteoporosisFractureRiskAssessmentPriorToFirstDXAScan();
    ev.insert(ev.end(), r.begin(), r.end());
    return !r.empty();
  }

  // define "Osteoporosis Fracture Risk Assessment Prior to First DXA Scan":
  //   (FRAX (isAssessmentPerformed) where FRAX.value >= 8.4 '%'
  //    union ORAI where ORAI.value as Integer >= 9
  //    union OSIRIS where OSIRIS.value as Quantity < 1.0
  //    union OST where OST.value as Quantity < 2.0) RiskAssessment
  //   where start of RiskAssessment.effective.toInterval()
  //     before First("DXA Scan Order During Measurement Period").authoredOn
  Evidence OsteoporosisFractureRiskAssessmentPriorToFirstDXAScan() {
    Evidence out;
    auto dxa = DXAScanOrderDuringMeasurementPeriod();
    const std::optional<DateTime> first_dxa = dxa.empty() ? std::nullopt : dxa.front()->authored_on;
    for (const auto& o : p_.observations) {
      if (!IsAssessmentPerformed(o, k_)) continue;
      Tri qualifies = false;
      if (k_.HasCode("Major osteoporotic fracture 10-year probability [Likelihood] Fracture Risk "
                     "Assessment",
                     o.code)) {
        qualifies = QuantityGreaterOrEqual(o.value_quantity, k_.Param("frax_major_min_percent"),
                                           k_.ParamUnit("frax_major_min_percent"));
      } else if (k_.HasCode("Osteoporosis Risk Assessment Instrument", o.code)) {
        if (o.value_integer)
          qualifies = static_cast<double>(*o.value_integer) >= k_.Param("orai_min");
        else
          qualifies = std::nullopt;
      } else if (k_.HasCode("Osteoporosis Index of Risk panel", o.code)) {
        qualifies =
            QuantityLess(o.value_quantity, k_.Param("osiris_below"), k_.ParamUnit("osiris_below"));
      } else if (k_.HasCode("Osteoporosis Self-Assessment Tool", o.code)) {
        qualifies =
            QuantityLess(o.value_quantity, k_.Param("ost_below"), k_.ParamUnit("ost_below"));
      }
      if (!IsTrue(qualifies)) continue;
      if (IsTrue(Before(EffectiveStart(o), first_dxa))) out.push_back(&o);
    }
    return out;
  }

  // define fluent function "procedureInPatientHistory"(Procedure List<"Procedure">):
  //   (Procedure.isProcedurePerformed()) Proc
  //     where Proc.performed.toInterval() ends on or before day of end of "Measurement Period"
  bool ProcedureInPatientHistory(const ProcedureFact& pr) {
    if (!IsProcedurePerformed(pr)) return false;
    auto perf = ToInterval(pr.performed, p_.birth_date);
    return perf && IsTrue(SameOrBefore(perf->End(), mpi_.End(), Precision::kDay));
  }

  // define fluent function "diagnosisInPatientHistory"(Condition List<"Condition">):
  //   Condition Dx where Dx.prevalenceInterval() starts on or before day of end of
  //   "Measurement Period"
  bool DiagnosisInPatientHistory(const ConditionFact& c) {
    auto prev = PrevalenceInterval(c, p_.birth_date, k_);
    return prev && IsTrue(SameOrBefore(prev->Start(), mpi_.End(), Precision::kDay));
  }

 private:
  // start of O.effective.toInterval()
  std::optional<DateTime> EffectiveStart(const ObservationFact& o) const {
    auto i = ToInterval(o.effective, p_.birth_date);
    return i ? i->Start() : std::nullopt;
  }

  const MeasureKnowledge& k_;
  const PatientRecord& p_;
  const MedicationIndex& meds_;
  const MeasurementPeriod& mp_;
  const Interval mpi_;
};

class Cms249 final : public Measure {
 public:
  explicit Cms249(MeasureKnowledge k) : Measure(std::move(k)) {}

  Criteria Evaluate(const PatientRecord& p, const MedicationIndex& meds,
                    const MeasurementPeriod& mp) const override {
    Eval e(k_, p, meds, mp);
    Criteria c;
    c.initial_population = e.InitialPopulation(c.ip_evidence);
    // define "Denominator": "Initial Population"
    c.denominator = c.initial_population;
    if (!IsTrue(c.initial_population)) return c;
    c.denominator_exclusion = e.DenominatorExclusions(c.denex_evidence);
    c.numerator = e.Numerator(c.numer_evidence);
    c.numerator_exclusion = e.NumeratorExclusion(c.numex_evidence);
    c.denominator_exception = false;  // CMS249 defines no Denominator Exception
    return c;
  }
};

}  // namespace

Result<std::unique_ptr<Measure>> MakeCms249() {
  auto k = MeasureKnowledge::Load("CMS249", kParams, kCodes, AllValueSets());
  if (!k) return k.errors();
  return std::unique_ptr<Measure>(new Cms249(std::move(*k)));
}

}  // namespace bp::measures
