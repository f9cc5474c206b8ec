// Wire names of the contract vocabularies (generated once from the schemas; keep in order).
#include "domain/enums.h"

namespace bp {
namespace {

constexpr std::pair<Sex, std::string_view> kSexNames[] = {
    {Sex::kFemale, "female"},
    {Sex::kMale, "male"},
    {Sex::kUnknown, "unknown"},
};
constexpr std::pair<Menopause, std::string_view> kMenopauseNames[] = {
    {Menopause::kPre, "premenopausal"},
    {Menopause::kPeri, "perimenopausal"},
    {Menopause::kPost, "postmenopausal"},
    {Menopause::kUnknown, "unknown"},
};
constexpr std::pair<BmdSite, std::string_view> kBmdSiteNames[] = {
    {BmdSite::kLumbarSpine, "lumbar_spine"},
    {BmdSite::kTotalHip, "total_hip"},
    {BmdSite::kFemoralNeck, "femoral_neck"},
    {BmdSite::kRadius33, "radius_33"},
};
constexpr std::pair<FractureSite, std::string_view> kFractureSiteNames[] = {
    {FractureSite::kHip, "hip"},           {FractureSite::kVertebral, "vertebral"},
    {FractureSite::kWrist, "wrist"},       {FractureSite::kForearm, "forearm"},
    {FractureSite::kHumerus, "humerus"},   {FractureSite::kPelvis, "pelvis"},
    {FractureSite::kRib, "rib"},           {FractureSite::kFemur, "femur"},
    {FractureSite::kTibia, "tibia"},       {FractureSite::kAnkle, "ankle"},
    {FractureSite::kClavicle, "clavicle"}, {FractureSite::kOther, "other"},
};
constexpr std::pair<FractureMechanism, std::string_view> kFractureMechanismNames[] = {
    {FractureMechanism::kFragility, "fragility"},
    {FractureMechanism::kHighTrauma, "high_trauma"},
    {FractureMechanism::kUnknown, "unknown"},
};
constexpr std::pair<LabTest, std::string_view> kLabTestNames[] = {
    {LabTest::kCreatinine, "creatinine"},
    {LabTest::kEgfr, "egfr"},
    {LabTest::kCalcium, "calcium"},
    {LabTest::kIonizedCalcium, "ionized_calcium"},
    {LabTest::kAlbumin, "albumin"},
    {LabTest::kVitaminD25oh, "vitamin_d_25oh"},
    {LabTest::kAlkalinePhosphatase, "alkaline_phosphatase"},
    {LabTest::kPhosphate, "phosphate"},
    {LabTest::kPth, "pth"},
    {LabTest::kTsh, "tsh"},
    {LabTest::kProlactin, "prolactin"},
    {LabTest::kUrineCalcium24h, "urine_calcium_24h"},
    {LabTest::kP1np, "p1np"},
    {LabTest::kCtx, "ctx"},
};
constexpr std::pair<ConditionCode, std::string_view> kConditionCodeNames[] = {
    {ConditionCode::kOsteoporosis, "osteoporosis"},
    {ConditionCode::kOsteopenia, "osteopenia"},
    {ConditionCode::kHyperparathyroidism, "hyperparathyroidism"},
    {ConditionCode::kHyperthyroidism, "hyperthyroidism"},
    {ConditionCode::kHypercalciuria, "hypercalciuria"},
    {ConditionCode::kHyperprolactinemia, "hyperprolactinemia"},
    {ConditionCode::kHypogonadism, "hypogonadism"},
    {ConditionCode::kCushingSyndrome, "cushing_syndrome"},
    {ConditionCode::kMalabsorption, "malabsorption"},
    {ConditionCode::kCeliacDisease, "celiac_disease"},
    {ConditionCode::kInflammatoryBowelDisease, "inflammatory_bowel_disease"},
    {ConditionCode::kBariatricSurgery, "bariatric_surgery"},
    {ConditionCode::kChronicKidneyDisease, "chronic_kidney_disease"},
    {ConditionCode::kDialysis, "dialysis"},
    {ConditionCode::kKidneyTransplant, "kidney_transplant"},
    {ConditionCode::kOrganTransplant, "organ_transplant"},
    {ConditionCode::kEsophagealDisorder, "esophageal_disorder"},
    {ConditionCode::kUpperGiDisorder, "upper_gi_disorder"},
    {ConditionCode::kHypocalcemia, "hypocalcemia"},
    {ConditionCode::kPagetDisease, "paget_disease"},
    {ConditionCode::kBoneMetastases, "bone_metastases"},
    {ConditionCode::kSkeletalMalignancy, "skeletal_malignancy"},
    {ConditionCode::kMultipleMyeloma, "multiple_myeloma"},
    {ConditionCode::kPriorSkeletalRadiation, "prior_skeletal_radiation"},
    {ConditionCode::kOpenEpiphyses, "open_epiphyses"},
    {ConditionCode::kHereditaryOsteosarcomaRisk, "hereditary_osteosarcoma_risk"},
    {ConditionCode::kMyocardialInfarction, "myocardial_infarction"},
    {ConditionCode::kStroke, "stroke"},
    {ConditionCode::kBreastCancer, "breast_cancer"},
    {ConditionCode::kProstateCancer, "prostate_cancer"},
    {ConditionCode::kRheumatoidArthritis, "rheumatoid_arthritis"},
    {ConditionCode::kType1Diabetes, "type1_diabetes"},
    {ConditionCode::kAnorexiaNervosa, "anorexia_nervosa"},
    {ConditionCode::kPregnancy, "pregnancy"},
    {ConditionCode::kOsteonecrosisOfJaw, "osteonecrosis_of_jaw"},
    {ConditionCode::kAtypicalFemoralFracture, "atypical_femoral_fracture"},
    {ConditionCode::kAcuteKidneyInjury, "acute_kidney_injury"},
    {ConditionCode::kVenousThromboembolism, "venous_thromboembolism"},
    {ConditionCode::kHypophosphatasia, "hypophosphatasia"},
    {ConditionCode::kOsteomalacia, "osteomalacia"},
    {ConditionCode::kPrimaryHyperparathyroidism, "primary_hyperparathyroidism"},
    {ConditionCode::kSecondaryHyperparathyroidism, "secondary_hyperparathyroidism"},
    {ConditionCode::kBacteremiaOrEndocarditis, "bacteremia_or_endocarditis"},
    {ConditionCode::kActiveMalignancy, "active_malignancy"},
};
constexpr std::pair<Agent, std::string_view> kAgentNames[] = {
    {Agent::kAlendronate, "alendronate"},
    {Agent::kRisedronate, "risedronate"},
    {Agent::kIbandronate, "ibandronate"},
    {Agent::kZoledronicAcid, "zoledronic_acid"},
    {Agent::kDenosumab, "denosumab"},
    {Agent::kTeriparatide, "teriparatide"},
    {Agent::kAbaloparatide, "abaloparatide"},
    {Agent::kRomosozumab, "romosozumab"},
    {Agent::kRaloxifene, "raloxifene"},
    {Agent::kEstrogen, "estrogen"},
    {Agent::kCalcitonin, "calcitonin"},
    {Agent::kGlucocorticoid, "glucocorticoid"},
    {Agent::kAromataseInhibitor, "aromatase_inhibitor"},
    {Agent::kGnrhAgonist, "gnrh_agonist"},
    {Agent::kAndrogenDeprivationTherapy, "androgen_deprivation_therapy"},
    {Agent::kImmunosuppressant, "immunosuppressant"},
    {Agent::kCalciumSupplement, "calcium_supplement"},
    {Agent::kVitaminDSupplement, "vitamin_d_supplement"},
};
constexpr std::pair<MedStatus, std::string_view> kMedStatusNames[] = {
    {MedStatus::kActive, "active"},
    {MedStatus::kCompleted, "completed"},
    {MedStatus::kStopped, "stopped"},
    {MedStatus::kPlanned, "planned"},
};
constexpr std::pair<StopReason, std::string_view> kStopReasonNames[] = {
    {StopReason::kIntolerance, "intolerance"},        {StopReason::kAdverseEvent, "adverse_event"},
    {StopReason::kCourseComplete, "course_complete"}, {StopReason::kDrugHoliday, "drug_holiday"},
    {StopReason::kPatientChoice, "patient_choice"},   {StopReason::kOther, "other"},
};
constexpr std::pair<Route, std::string_view> kRouteNames[] = {
    {Route::kOral, "oral"},
    {Route::kIntravenous, "intravenous"},
    {Route::kSubcutaneous, "subcutaneous"},
};
constexpr std::pair<Intolerance, std::string_view> kIntoleranceNames[] = {
    {Intolerance::kOralBisphosphonate, "oral_bisphosphonate"},
    {Intolerance::kZoledronicAcid, "zoledronic_acid"},
    {Intolerance::kDenosumab, "denosumab"},
    {Intolerance::kTeriparatide, "teriparatide"},
    {Intolerance::kAbaloparatide, "abaloparatide"},
    {Intolerance::kRomosozumab, "romosozumab"},
};
constexpr std::pair<Deformity, std::string_view> kDeformityNames[] = {
    {Deformity::kNone, "none"},
    {Deformity::kSignificant, "significant"},
    {Deformity::kProgressiveKyphosis, "progressive_kyphosis"},
};
constexpr std::pair<SpinePain, std::string_view> kSpinePainNames[] = {
    {SpinePain::kNone, "none"},
    {SpinePain::kImproving, "improving"},
    {SpinePain::kPersistent, "persistent"},
    {SpinePain::kSevereWorsening, "severe_worsening"},
};
constexpr std::pair<RedFlag, std::string_view> kRedFlagNames[] = {
    {RedFlag::kMalignancyHistory, "malignancy_history"},
    {RedFlag::kUnexplainedWeightLoss, "unexplained_weight_loss"},
    {RedFlag::kFeverOrInfection, "fever_or_infection"},
    {RedFlag::kNightPain, "night_pain"},
    {RedFlag::kAgeUnder50NoTrauma, "age_under_50_no_trauma"},
};
constexpr std::pair<Destination, std::string_view> kDestinationNames[] = {
    {Destination::kOsteoporosisSpecialist, "osteoporosis_specialist"},
    {Destination::kFractureLiaisonService, "fracture_liaison_service"},
    {Destination::kSpineSurgery, "spine_surgery"},
    {Destination::kInterventionalRadiology, "interventional_radiology"},
    {Destination::kPainManagement, "pain_management"},
    {Destination::kInfusionCenter, "infusion_center"},
    {Destination::kNephrology, "nephrology"},
    {Destination::kOncology, "oncology"},
    {Destination::kPrimaryCare, "primary_care"},
    {Destination::kDental, "dental"},
    {Destination::kObstetrics, "obstetrics"},
    {Destination::kInfectiousDisease, "infectious_disease"},
    {Destination::kOrthopedics, "orthopedics"},
};
constexpr std::pair<RiskTier, std::string_view> kRiskTierNames[] = {
    {RiskTier::kNotIndicated, "not_indicated"},
    {RiskTier::kHigh, "high"},
    {RiskTier::kVeryHigh, "very_high"},
    {RiskTier::kIndeterminate, "indeterminate"},
};
constexpr std::pair<TherapyClass, std::string_view> kTherapyClassNames[] = {
    {TherapyClass::kNone, "none"},
    {TherapyClass::kOralBisphosphonate, "oral_bisphosphonate"},
    {TherapyClass::kIvZoledronicAcid, "iv_zoledronic_acid"},
    {TherapyClass::kDenosumab, "denosumab"},
    {TherapyClass::kAnabolic, "anabolic"},
    {TherapyClass::kSpecialistDecision, "specialist_decision"},
};
constexpr std::pair<ZaStatus, std::string_view> kZaStatusNames[] = {
    {ZaStatus::kEligible, "eligible"},
    {ZaStatus::kEligibleAfterCorrection, "eligible_after_correction"},
    {ZaStatus::kContraindicated, "contraindicated"},
    {ZaStatus::kDeferred, "deferred"},
    {ZaStatus::kInsufficientData, "insufficient_data"},
    {ZaStatus::kNotIndicated, "not_indicated"},
};
constexpr std::pair<PreCheckKind, std::string_view> kPreCheckKindNames[] = {
    {PreCheckKind::kCreatinineClearance, "creatinine_clearance"},
    {PreCheckKind::kAcuteRenalImpairment, "acute_renal_impairment"},
    {PreCheckKind::kSerumCalcium, "serum_calcium"},
    {PreCheckKind::kVitaminD, "vitamin_d"},
    {PreCheckKind::kDosingInterval, "dosing_interval"},
    {PreCheckKind::kHypersensitivity, "hypersensitivity"},
    {PreCheckKind::kPregnancy, "pregnancy"},
    {PreCheckKind::kAcuteCondition, "acute_condition"},
    {PreCheckKind::kHydration, "hydration"},
    {PreCheckKind::kDentalReview, "dental_review"},
    {PreCheckKind::kAcetaminophenProphylaxis, "acetaminophen_prophylaxis"},
};
constexpr std::pair<CheckStatus, std::string_view> kCheckStatusNames[] = {
    {CheckStatus::kPass, "pass"},
    {CheckStatus::kFail, "fail"},
    {CheckStatus::kUnknown, "unknown"},
    {CheckStatus::kAdvice, "advice"},
};
constexpr std::pair<CourseState, std::string_view> kCourseStateNames[] = {
    {CourseState::kActive, "active"},       {CourseState::kOverdue, "overdue"},
    {CourseState::kHeld, "held"},           {CourseState::kHoliday, "holiday"},
    {CourseState::kCompleted, "completed"}, {CourseState::kStopped, "stopped"},
};
constexpr std::pair<CourseAction, std::string_view> kCourseActionNames[] = {
    {CourseAction::kContinue, "continue"}, {CourseAction::kStop, "stop"},
    {CourseAction::kSwitch, "switch"},     {CourseAction::kHoliday, "holiday"},
    {CourseAction::kResume, "resume"},     {CourseAction::kTransition, "transition"},
    {CourseAction::kHold, "hold"},         {CourseAction::kNone, "none"},
};
constexpr std::pair<DosesSource, std::string_view> kDosesSourceNames[] = {
    {DosesSource::kRecorded, "recorded"},
    {DosesSource::kCounted, "counted"},
    {DosesSource::kEstimated, "estimated"},
};
constexpr std::pair<Urgency, std::string_view> kUrgencyNames[] = {
    {Urgency::kRoutine, "routine"},
    {Urgency::kUrgent, "urgent"},
    {Urgency::kImmediate, "immediate"},
};
constexpr std::pair<Severity, std::string_view> kSeverityNames[] = {
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kCritical, "critical"},
};
constexpr std::pair<Outcome, std::string_view> kOutcomeNames[] = {
    {Outcome::kFired, "fired"},
    {Outcome::kNotFired, "not_fired"},
    {Outcome::kInsufficientData, "insufficient_data"},
};
}  // namespace

template <typename E>
std::string_view ToString(E e) {
  for (const auto& [v, n] : AllNames<E>())
    if (v == e) return n;
  return "?";
}

template <typename E>
std::optional<E> Parse(std::string_view s) {
  for (const auto& [v, n] : AllNames<E>())
    if (n == s) return v;
  return std::nullopt;
}

template <>
std::span<const std::pair<Sex, std::string_view>> AllNames<Sex>() {
  return kSexNames;
}
template std::string_view ToString<Sex>(Sex);
template std::optional<Sex> Parse<Sex>(std::string_view);
template <>
std::span<const std::pair<Menopause, std::string_view>> AllNames<Menopause>() {
  return kMenopauseNames;
}
template std::string_view ToString<Menopause>(Menopause);
template std::optional<Menopause> Parse<Menopause>(std::string_view);
template <>
std::span<const std::pair<BmdSite, std::string_view>> AllNames<BmdSite>() {
  return kBmdSiteNames;
}
template std::string_view ToString<BmdSite>(BmdSite);
template std::optional<BmdSite> Parse<BmdSite>(std::string_view);
template <>
std::span<const std::pair<FractureSite, std::string_view>> AllNames<FractureSite>() {
  return kFractureSiteNames;
}
template std::string_view ToString<FractureSite>(FractureSite);
template std::optional<FractureSite> Parse<FractureSite>(std::string_view);
template <>
std::span<const std::pair<FractureMechanism, std::string_view>> AllNames<FractureMechanism>() {
  return kFractureMechanismNames;
}
template std::string_view ToString<FractureMechanism>(FractureMechanism);
template std::optional<FractureMechanism> Parse<FractureMechanism>(std::string_view);
template <>
std::span<const std::pair<LabTest, std::string_view>> AllNames<LabTest>() {
  return kLabTestNames;
}
template std::string_view ToString<LabTest>(LabTest);
template std::optional<LabTest> Parse<LabTest>(std::string_view);
template <>
std::span<const std::pair<ConditionCode, std::string_view>> AllNames<ConditionCode>() {
  return kConditionCodeNames;
}
template std::string_view ToString<ConditionCode>(ConditionCode);
template std::optional<ConditionCode> Parse<ConditionCode>(std::string_view);
template <>
std::span<const std::pair<Agent, std::string_view>> AllNames<Agent>() {
  return kAgentNames;
}
template std::string_view ToString<Agent>(Agent);
template std::optional<Agent> Parse<Agent>(std::string_view);
template <>
std::span<const std::pair<MedStatus, std::string_view>> AllNames<MedStatus>() {
  return kMedStatusNames;
}
template std::string_view ToString<MedStatus>(MedStatus);
template std::optional<MedStatus> Parse<MedStatus>(std::string_view);
template <>
std::span<const std::pair<StopReason, std::string_view>> AllNames<StopReason>() {
  return kStopReasonNames;
}
template std::string_view ToString<StopReason>(StopReason);
template std::optional<StopReason> Parse<StopReason>(std::string_view);
template <>
std::span<const std::pair<Route, std::string_view>> AllNames<Route>() {
  return kRouteNames;
}
template std::string_view ToString<Route>(Route);
template std::optional<Route> Parse<Route>(std::string_view);
template <>
std::span<const std::pair<Intolerance, std::string_view>> AllNames<Intolerance>() {
  return kIntoleranceNames;
}
template std::string_view ToString<Intolerance>(Intolerance);
template std::optional<Intolerance> Parse<Intolerance>(std::string_view);
template <>
std::span<const std::pair<Deformity, std::string_view>> AllNames<Deformity>() {
  return kDeformityNames;
}
template std::string_view ToString<Deformity>(Deformity);
template std::optional<Deformity> Parse<Deformity>(std::string_view);
template <>
std::span<const std::pair<SpinePain, std::string_view>> AllNames<SpinePain>() {
  return kSpinePainNames;
}
template std::string_view ToString<SpinePain>(SpinePain);
template std::optional<SpinePain> Parse<SpinePain>(std::string_view);
template <>
std::span<const std::pair<RedFlag, std::string_view>> AllNames<RedFlag>() {
  return kRedFlagNames;
}
template std::string_view ToString<RedFlag>(RedFlag);
template std::optional<RedFlag> Parse<RedFlag>(std::string_view);
template <>
std::span<const std::pair<Destination, std::string_view>> AllNames<Destination>() {
  return kDestinationNames;
}
template std::string_view ToString<Destination>(Destination);
template std::optional<Destination> Parse<Destination>(std::string_view);
template <>
std::span<const std::pair<RiskTier, std::string_view>> AllNames<RiskTier>() {
  return kRiskTierNames;
}
template std::string_view ToString<RiskTier>(RiskTier);
template std::optional<RiskTier> Parse<RiskTier>(std::string_view);
template <>
std::span<const std::pair<TherapyClass, std::string_view>> AllNames<TherapyClass>() {
  return kTherapyClassNames;
}
template std::string_view ToString<TherapyClass>(TherapyClass);
template std::optional<TherapyClass> Parse<TherapyClass>(std::string_view);
template <>
std::span<const std::pair<ZaStatus, std::string_view>> AllNames<ZaStatus>() {
  return kZaStatusNames;
}
template std::string_view ToString<ZaStatus>(ZaStatus);
template std::optional<ZaStatus> Parse<ZaStatus>(std::string_view);
template <>
std::span<const std::pair<PreCheckKind, std::string_view>> AllNames<PreCheckKind>() {
  return kPreCheckKindNames;
}
template std::string_view ToString<PreCheckKind>(PreCheckKind);
template std::optional<PreCheckKind> Parse<PreCheckKind>(std::string_view);
template <>
std::span<const std::pair<CheckStatus, std::string_view>> AllNames<CheckStatus>() {
  return kCheckStatusNames;
}
template std::string_view ToString<CheckStatus>(CheckStatus);
template std::optional<CheckStatus> Parse<CheckStatus>(std::string_view);
template <>
std::span<const std::pair<CourseState, std::string_view>> AllNames<CourseState>() {
  return kCourseStateNames;
}
template std::string_view ToString<CourseState>(CourseState);
template std::optional<CourseState> Parse<CourseState>(std::string_view);
template <>
std::span<const std::pair<CourseAction, std::string_view>> AllNames<CourseAction>() {
  return kCourseActionNames;
}
template std::string_view ToString<CourseAction>(CourseAction);
template std::optional<CourseAction> Parse<CourseAction>(std::string_view);
template <>
std::span<const std::pair<DosesSource, std::string_view>> AllNames<DosesSource>() {
  return kDosesSourceNames;
}
template std::string_view ToString<DosesSource>(DosesSource);
template std::optional<DosesSource> Parse<DosesSource>(std::string_view);
template <>
std::span<const std::pair<Urgency, std::string_view>> AllNames<Urgency>() {
  return kUrgencyNames;
}
template std::string_view ToString<Urgency>(Urgency);
template std::optional<Urgency> Parse<Urgency>(std::string_view);
template <>
std::span<const std::pair<Severity, std::string_view>> AllNames<Severity>() {
  return kSeverityNames;
}
template std::string_view ToString<Severity>(Severity);
template std::optional<Severity> Parse<Severity>(std::string_view);
template <>
std::span<const std::pair<Outcome, std::string_view>> AllNames<Outcome>() {
  return kOutcomeNames;
}
template std::string_view ToString<Outcome>(Outcome);
template std::optional<Outcome> Parse<Outcome>(std::string_view);

}  // namespace bp
