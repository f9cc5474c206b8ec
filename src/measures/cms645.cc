// CMS645: Bone Density Evaluation for Patients with Prostate Cancer and Receiving Androgen
// Deprivation Therapy. Library BoneDensityProstateCancerAndrogenDeprivationTherapyFHIR 1.4.000
// (bench/data/cms645/BoneDensityProstateCancerAndrogenDeprivationTherapyFHIR-1.4.000.cql).
// Every CQL definition is a function below, named after it; the windows (months, years) and the
// codes come from knowledge/measures/cms645*.json.
#include <algorithm>

#include "measures/measure.h"

namespace bp::measures {
namespace {

const std::vector<std::string> kParams = {"adt_window_before_months", "adt_window_after_months",
                                          "dexa_after_adt_months", "dexa_before_adt_years"};
const std::vector<std::string> kCodes = {
    "Injection of leuprolide acetate for twelve month period (regime/therapy)", "active",
    "recurrence", "relapse", "confirmed"};
const std::vector<std::string> kValueSets = {
    "Androgen deprivation therapy for Urology Care",
    "DEXA Dual Energy Xray Absorptiometry, Bone Density for Urology Care", "Office Visit",
    "Patient Declined", "Prostate Cancer"};
constexpr const char* kAdt = "Androgen deprivation therapy for Urology Care";
constexpr const char* kDexa = "DEXA Dual Energy Xray Absorptiometry, Bone Density for Urology Care";

bool OneOf(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

int Whole(double v) { return static_cast<int>(v); }

// Ascending by instant; nulls first.
bool EarlierOrNull(const std::optional<DateTime>& a, const std::optional<DateTime>& b) {
  if (!a) return b.has_value();
  if (!b) return false;
  return IsTrue(Before(*a, *b));
}

class Eval {
 public:
  Eval(const MeasureKnowledge& k, const PatientRecord& p, const MedicationIndex& meds,
       const MeasurementPeriod& mp)
      : k_(k), p_(p), meds_(meds), mpi_(mp.AsInterval()) {
    const DateTime start = mp.start;
    adt_window_ = Interval::Closed(
        start.Add(-Whole(k_.Param("adt_window_before_months")), CalendarUnit::kMonth),
        start.Add(Whole(k_.Param("adt_window_after_months")), CalendarUnit::kMonth));
  }

  // define "Initial Population":
  //   "Has Qualifying Encounter"
  //     and exists "Order for 12 Months of ADT in 3 Months Before to 9 Months After Start of
  //     Measurement Period"
  Tri InitialPopulation(Evidence& ev) {
    Evidence enc;
    const bool has_encounter = HasQualifyingEncounter(enc);
    const auto& orders = OrderFor12MonthsOfADT();
    if (has_encounter && !orders.empty()) {
      ev.insert(ev.end(), enc.begin(), enc.end());
      ev.insert(ev.end(), orders.begin(), orders.end());
      ev.insert(ev.end(), adt_evidence_.begin(), adt_evidence_.end());
    }
    return has_encounter && !orders.empty();
  }

  // define "Numerator":
  //   "Has Baseline DEXA Scan Two Years Prior to the Start of or Less than Three Months After the
  //   Start of ADT"
  Tri Numerator(Evidence& ev) {
    return HasBaselineDEXAScanTwoYearsPriorToTheStartOfOrLessThanThreeMonthsAfterTheStartOfADT(ev);
  }

  // define "Denominator Exception": false (placeholder in the measure; the refusal definitions
  // below are kept for reference but not used, as in the CQL).
  Tri DenominatorException() { return false; }

  // define "Has Baseline DEXA Scan Two Years Prior to the Start of or Less than Three Months After
  // the Start of ADT":
  //   exists ([ServiceRequest: DEXA] DEXAOrdered with "Order for 12 Months of ADT ..."
  //       OrderTwelveMonthsADT such that DEXAOrdered.authoredOn 3 months or less on or after day
  //       of OrderTwelveMonthsADT.authoredOn or DEXAOrdered.authoredOn 2 years or less before day
  //       of OrderTwelveMonthsADT.authoredOn
  //     where status in {'active','completed'} and intent = 'order' and doNotPerform is not true)
  //   union ([Observation: DEXA] DEXAPerformed with ... such that
  //       DEXAPerformed.effective.toInterval() 3 months or less on or after day of ... or
  //       ... 2 years or less before day of ...
  //     where status in {'final','amended','corrected'})
  bool HasBaselineDEXAScanTwoYearsPriorToTheStartOfOrLessThanThreeMonthsAfterTheStartOfADT(
      Evidence& ev) {
    const auto& orders = OrderFor12MonthsOfADT();
    const std::size_t before = ev.size();
    for (const auto& s : p_.service_requests) {
      if (!k_.InValueSet(kDexa, s.code)) continue;
      if (!OneOf(s.status, {"active", "completed"}) || s.intent != "order" ||
          IsTrue(s.do_not_perform))
        continue;
      for (const ServiceRequestFact* o : orders) {
        if (IsTrue(Or(OnOrAfterWithin(s.authored_on, o->authored_on),
                      BeforeWithin(s.authored_on, o->authored_on)))) {
          ev.push_back(&s);
          break;
        }
      }
    }
    for (const auto& ob : p_.observations) {
      if (!k_.InValueSet(kDexa, ob.code) || !IsObservationFinal(ob)) continue;
      auto eff = ToInterval(ob.effective, p_.birth_date);
      const std::optional<DateTime> start = eff ? eff->Start() : std::nullopt;
      const std::optional<DateTime> end = eff ? eff->End() : std::nullopt;
      for (const ServiceRequestFact* o : orders) {
        // An interval "N or less on or after" a point: its start; "N or less before": its end.
        if (IsTrue(Or(OnOrAfterWithin(start, o->authored_on), BeforeWithin(end, o->authored_on)))) {
          ev.push_back(&ob);
          break;
        }
      }
    }
    return ev.size() > before;
  }

  // define "First ADT in 3 Months Before to 9 Months After Start of Measurement Period":
  //   First(("Androgen Deprivation Therapy for Urology Care Medication Active Start Dates"
  //       union "Androgen Deprivation Therapy for Urology Care Medication Order Start Dates")
  //     ADTDateTime with "Prostate Cancer Diagnosis" ProstateCancer
  //       such that ADTDateTime during day of ProstateCancer.prevalenceInterval()
  //         and ADTDateTime during day of Interval[start of "Measurement Period" - 3 months,
  //                                                start of "Measurement Period" + 9 months]
  //     sort ascending)
  std::optional<DateTime> FirstADTIn3MonthsBeforeTo9MonthsAfterStartOfMeasurementPeriod() {
    if (first_adt_done_) return first_adt_;
    first_adt_done_ = true;
    std::vector<std::pair<std::optional<DateTime>, const Resource*>> dates;
    AndrogenDeprivationTherapyForUrologyCareMedicationActiveStartDates(dates);
    AndrogenDeprivationTherapyForUrologyCareMedicationOrderStartDates(dates);
    const auto cancers = ProstateCancerDiagnosis();
    std::optional<DateTime> best;
    const Resource* best_src = nullptr;
    const Resource* best_cancer = nullptr;
    for (const auto& [d, src] : dates) {
      if (!d) continue;
      if (!IsTrue(In(d, adt_window_, Precision::kDay))) continue;
      const ConditionFact* with = nullptr;
      for (const auto& [c, prev] : cancers)
        if (IsTrue(In(d, prev, Precision::kDay))) {
          with = c;
          break;
        }
      if (!with) continue;
      if (!best || EarlierOrNull(d, best)) {
        best = d;
        best_src = src;
        best_cancer = with;
      }
    }
    first_adt_ = best;
    if (best_src) adt_evidence_.push_back(best_src);
    if (best_cancer) adt_evidence_.push_back(best_cancer);
    return first_adt_;
  }

  // define "Order for 12 Months of ADT in 3 Months Before to 9 Months After Start of Measurement
  // Period":
  //   [ServiceRequest: "Injection of leuprolide acetate for twelve month period"]
  //     OrderTwelveMonthADT with "First ADT in 3 Months Before ..." FirstADTMP
  //     such that OrderTwelveMonthADT.authoredOn on or after day of FirstADTMP
  //       and OrderTwelveMonthADT.authoredOn during day of Interval[start of MP - 3 months,
  //                                                               start of MP + 9 months]
  //       and status in {'active','completed'} and intent = 'order' and doNotPerform is not true
  const std::vector<const ServiceRequestFact*>& OrderFor12MonthsOfADT() {
    if (orders_done_) return orders_;
    orders_done_ = true;
    const auto first = FirstADTIn3MonthsBeforeTo9MonthsAfterStartOfMeasurementPeriod();
    if (!first) return orders_;
    for (const auto& s : p_.service_requests) {
      if (!k_.HasCode("Injection of leuprolide acetate for twelve month period (regime/therapy)",
                      s.code))
        continue;
      const Tri ok = And(And(SameOrAfter(s.authored_on, first, Precision::kDay),
                             In(s.authored_on, adt_window_, Precision::kDay)),
                         OneOf(s.status, {"active", "completed"}) && s.intent == "order" &&
                             !IsTrue(s.do_not_perform));
      if (IsTrue(ok)) orders_.push_back(&s);
    }
    return orders_;
  }

  // define "Androgen Deprivation Therapy for Urology Care Medication Active Start Dates":
  //   [MedicationRequest: ADT] ADTActive
  //     let firstMedicationPeriod: First(collapse(dosageInstruction.timing.repeat.bounds
  //           .toInterval()) sort by start),
  //         firstMedicationEvent: First(per timing, First(timing.event sort ascending)
  //           sort ascending),
  //         medicationDateTime: NormalizeInterval(firstMedicationEvent,
  //           firstMedicationPeriod).earliest()
  //     where status in {'active','completed'} and intent in {order, original-order,
  //       reflex-order, filler-order, instance-order}
  //     return medicationDateTime
  void AndrogenDeprivationTherapyForUrologyCareMedicationActiveStartDates(
      std::vector<std::pair<std::optional<DateTime>, const Resource*>>& out) {
    for (const auto& m : p_.medication_requests) {
      if (!IsAdtOrder(m)) continue;
      std::optional<DateTime> first_event;
      for (const auto& d : m.dosage) {
        std::optional<DateTime> timing_first;
        for (const auto& e : d.events)
          if (!timing_first || EarlierOrNull(e, timing_first)) timing_first = e;
        if (timing_first && (!first_event || EarlierOrNull(timing_first, first_event)))
          first_event = timing_first;
      }
      out.emplace_back(Earliest(NormalizeInterval(first_event, FirstMedicationPeriod(m))), &m);
    }
  }

  // define "Androgen Deprivation Therapy for Urology Care Medication Order Start Dates":
  //   [MedicationRequest: ADT] ADTOrder
  //     let firstMedicationPeriod: (as above),
  //         medicationDateTime: NormalizeInterval(ADTOrder.authoredOn,
  //           firstMedicationPeriod).earliest()
  //     where status in {'active','completed'} and intent in {...}
  //     return medicationDateTime
  void AndrogenDeprivationTherapyForUrologyCareMedicationOrderStartDates(
      std::vector<std::pair<std::optional<DateTime>, const Resource*>>& out) {
    for (const auto& m : p_.medication_requests) {
      if (!IsAdtOrder(m)) continue;
      out.emplace_back(Earliest(NormalizeInterval(m.authored_on, FirstMedicationPeriod(m))), &m);
    }
  }

  // define "Has Qualifying Encounter":
  //   exists ([Encounter: "Office Visit"] OfficeVisit
  //     where OfficeVisit.period during "Measurement Period" and OfficeVisit.status = 'finished')
  bool HasQualifyingEncounter(Evidence& ev) {
    const std::size_t before = ev.size();
    for (const auto& e : p_.encounters) {
      bool coded = false;
      for (const auto& t : e.type_) coded = coded || k_.InValueSet("Office Visit", t);
      if (!coded || e.status != "finished") continue;
      if (IsTrue(IncludedIn(ToInterval(e.period, p_.birth_date), mpi_))) ev.push_back(&e);
    }
    return ev.size() > before;
  }

  // define "Prostate Cancer Diagnosis":
  //   [Condition: "Prostate Cancer"] ProstateCancer
  //     where ProstateCancer.prevalenceInterval() overlaps "Measurement Period"
  //       and ProstateCancer.clinicalStatus ~ QICoreCommon."active"
  //       and ProstateCancer.verificationStatus ~ QICoreCommon."confirmed"
  std::vector<std::pair<const ConditionFact*, std::optional<Interval>>> ProstateCancerDiagnosis() {
    std::vector<std::pair<const ConditionFact*, std::optional<Interval>>> out;
    for (const auto& c : p_.conditions) {
      if (!k_.InValueSet("Prostate Cancer", c.code)) continue;
      if (!k_.HasCode("active", c.clinical_status) ||
          !k_.HasCode("confirmed", c.verification_status))
        continue;
      auto prev = PrevalenceInterval(c, p_.birth_date, k_);
      if (IsTrue(Overlaps(prev, mpi_))) out.emplace_back(&c, prev);
    }
    return out;
  }

  // define function NormalizeInterval(pointInTime DateTime, dateTimeInterval Interval<DateTime>):
  //   if pointInTime is not null then Interval[pointInTime, pointInTime]
  //   else if dateTimeInterval is not null then dateTimeInterval else null
  static std::optional<Interval> NormalizeInterval(const std::optional<DateTime>& point,
                                                   const std::optional<Interval>& ivl) {
    if (point) return Interval::Point(*point);
    return ivl;
  }

 private:
  bool IsAdtOrder(const MedicationRequestFact& m) const {
    return MedicationInValueSet(m, kAdt, k_, meds_) && OneOf(m.status, {"active", "completed"}) &&
           OneOf(m.intent,
                 {"order", "original-order", "reflex-order", "filler-order", "instance-order"});
  }

  // firstMedicationPeriod: First((collapse(bounds.toInterval())) sort by start of $this).
  // The collapsed interval that sorts first starts at the earliest start of all bounds; its end
  // grows over the bounds that overlap it.
  std::optional<Interval> FirstMedicationPeriod(const MedicationRequestFact& m) const {
    std::vector<Interval> v;
    for (const auto& d : m.dosage)
      if (auto i = ToInterval(d.bounds, p_.birth_date)) v.push_back(*i);
    if (v.empty()) return std::nullopt;
    std::stable_sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
      return EarlierOrNull(a.low, b.low);
    });
    Interval first = v.front();
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (!first.high) break;  // open-ended: absorbs every later interval
      if (!v[i].low || !IsTrue(SameOrAfter(*first.high, *v[i].low))) break;
      if (!v[i].high || IsTrue(After(*v[i].high, *first.high))) {
        first.high = v[i].high;
        first.high_closed = v[i].high_closed;
      }
    }
    return first;
  }

  // `A N months or less on or after day of B`: A in Interval[B, B + N months] at day precision,
  // and B is not null.
  Tri OnOrAfterWithin(const std::optional<DateTime>& a, const std::optional<DateTime>& b) const {
    if (!b) return false;
    auto hi = b->Add(Whole(k_.Param("dexa_after_adt_months")), CalendarUnit::kMonth);
    return In(a, Interval::Closed(b, hi), Precision::kDay);
  }

  // `A N years or less before day of B`: A in Interval[B - N years, B) at day precision, and B is
  // not null.
  Tri BeforeWithin(const std::optional<DateTime>& a, const std::optional<DateTime>& b) const {
    if (!b) return false;
    auto lo = b->Add(-Whole(k_.Param("dexa_before_adt_years")), CalendarUnit::kYear);
    return In(a, Interval{lo, b, true, false}, Precision::kDay);
  }

  const MeasureKnowledge& k_;
  const PatientRecord& p_;
  const MedicationIndex& meds_;
  const Interval mpi_;
  Interval adt_window_;
  bool first_adt_done_ = false, orders_done_ = false;
  std::optional<DateTime> first_adt_;
  Evidence adt_evidence_;
  std::vector<const ServiceRequestFact*> orders_;
};

class Cms645 final : public Measure {
 public:
  explicit Cms645(MeasureKnowledge k) : Measure(std::move(k)) {}

  Criteria Evaluate(const PatientRecord& p, const MedicationIndex& meds,
                    const MeasurementPeriod& mp) const override {
    Eval e(k_, p, meds, mp);
    Criteria c;
    c.initial_population = e.InitialPopulation(c.ip_evidence);
    // define "Denominator": "Initial Population"
    c.denominator = c.initial_population;
    if (!IsTrue(c.initial_population)) return c;
    c.denominator_exclusion = false;  // CMS645 defines no Denominator Exclusions
    c.numerator = e.Numerator(c.numer_evidence);
    c.numerator_exclusion = false;
    c.denominator_exception = e.DenominatorException();
    return c;
  }
};

}  // namespace

Result<std::unique_ptr<Measure>> MakeCms645() {
  auto k = MeasureKnowledge::Load("CMS645", kParams, kCodes, kValueSets);
  if (!k) return k.errors();
  return std::unique_ptr<Measure>(new Cms645(std::move(*k)));
}

}  // namespace bp::measures
