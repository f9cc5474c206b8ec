#include "storage/registry_store.h"

#include <utility>

namespace bp::storage {
namespace {

std::optional<Date> ParseOptDate(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return Date::Parse(*s);
}

SqlValue OptDate(const std::optional<Date>& d) {
  if (!d) return std::monostate{};
  return d->ToString();
}

class SqlRegistryStore final : public RegistryStore {
 public:
  explicit SqlRegistryStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Result<std::vector<bool>> SavePatients(const std::vector<PatientWrite>& batch) override {
    std::vector<bool> created;
    Status st = db_->Transaction([&](Database& db) -> Status {
      created.assign(batch.size(), false);  // a retried transaction starts again
      for (size_t i = 0; i < batch.size(); ++i) {
        auto c = SaveOne(db, batch[i]);
        if (!c) return c.errors();
        created[i] = *c;
      }
      return Ok{};
    });
    if (!st) return st.errors();
    return created;
  }

  Result<std::optional<StoredPatient>> GetPatient(const std::string& id) override {
    auto rows = db_->Query(
        "SELECT id, record_json, source_kind, source_sha256, created_at, updated_at "
        "FROM patients WHERE id = $1",
        {id});
    if (!rows) return rows.errors();
    if (rows->empty()) return std::optional<StoredPatient>();
    const Row& r = rows->front();
    return std::optional<StoredPatient>(
        StoredPatient{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
  }

  Result<std::vector<std::string>> PatientIds() override {
    auto rows = db_->Query("SELECT id FROM patients ORDER BY id");
    if (!rows) return rows.errors();
    std::vector<std::string> out;
    out.reserve(rows->size());
    for (const Row& r : *rows) out.push_back(r.Text(0));
    return out;
  }

  Result<std::int64_t> CountPatients() override {
    auto rows = db_->Query("SELECT COUNT(*) FROM patients");
    if (!rows) return rows.errors();
    return rows->front().Int(0);
  }

  Result<bool> AddDose(const DoseRecord& d) override {
    bool added = false;
    Status st = db_->Transaction([&](Database& db) -> Status {
      auto known = db.Query("SELECT 1 FROM patients WHERE id = $1", {d.patient_id});
      if (!known) return known.errors();
      if (known->empty()) {
        return Error{"unknown_patient", "", "no patient with this id in the registry"};
      }
      auto r = InsertDose(db, d);
      if (!r) return r.errors();
      added = *r > 0;
      return Ok{};
    });
    if (!st) return st.errors();
    return added;
  }

  Result<std::vector<DoseRecord>> Doses(const std::string& patient_id) override {
    auto rows = db_->Query(
        "SELECT id, patient_id, agent, dose_date, planned, source, recorded_at FROM doses "
        "WHERE patient_id = $1 ORDER BY dose_date, planned, agent",
        {patient_id});
    if (!rows) return rows.errors();
    std::vector<DoseRecord> out;
    for (const Row& r : *rows) {
      DoseRecord d;
      d.id = r.Int(0);
      d.patient_id = r.Text(1);
      d.agent = r.Text(2);
      d.date = Date::Parse(r.Text(3)).value_or(Date());
      d.planned = r.Int(4) != 0;
      d.source = r.Text(5);
      d.recorded_at = r.Text(6);
      out.push_back(std::move(d));
    }
    return out;
  }

  Result<std::vector<DoseSummary>> DoseSummaries() override {
    auto rows = db_->Query(
        "SELECT d.patient_id, d.agent, "
        "MAX(CASE WHEN d.planned = 0 THEN d.dose_date END), "
        "SUM(CASE WHEN d.planned = 0 THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN d.planned = 1 THEN d.dose_date END), "
        "MAX(pa.status), MAX(pa.end_date), MAX(pa.doses_received) "
        "FROM doses d LEFT JOIN patient_agents pa "
        "ON pa.patient_id = d.patient_id AND pa.agent = d.agent "
        "GROUP BY d.patient_id, d.agent");
    if (!rows) return rows.errors();
    std::vector<DoseSummary> out;
    out.reserve(rows->size());
    for (const Row& r : *rows) {
      DoseSummary s;
      s.patient_id = r.Text(0);
      s.agent = r.Text(1);
      s.last_given = ParseOptDate(r[2]);
      s.given_count = static_cast<int>(r.Int(3));
      const std::optional<Date> booked = ParseOptDate(r[4]);
      if (booked && (!s.last_given || *booked > *s.last_given)) s.booked = booked;
      s.record_status = r.Text(5);
      s.record_end = ParseOptDate(r[6]);
      if (!r.IsNull(7)) s.record_doses_received = static_cast<int>(r.Int(7));
      out.push_back(std::move(s));
    }
    return out;
  }

  Status AddAssessment(const AssessmentRecord& a) override {
    auto r = InsertAssessment(*db_, a);
    if (!r) return r.errors();
    return Ok{};
  }

  Result<std::vector<AssessmentRecord>> History(const std::string& patient_id) override {
    auto rows = db_->Query(
        "SELECT id, patient_id, created_at, as_of, input_sha256, knowledge_version, profile, "
        "reason, output_json FROM assessments WHERE patient_id = $1 ORDER BY id",
        {patient_id});
    if (!rows) return rows.errors();
    std::vector<AssessmentRecord> out;
    for (const Row& r : *rows) {
      AssessmentRecord a;
      a.id = r.Int(0);
      a.patient_id = r.Text(1);
      a.created_at = r.Text(2);
      a.as_of = Date::Parse(r.Text(3)).value_or(Date());
      a.input_sha256 = r.Text(4);
      a.knowledge_version = r.Text(5);
      a.profile = r.Text(6);
      a.reason = r.Text(7);
      a.output_json = r.Text(8);
      out.push_back(std::move(a));
    }
    return out;
  }

  Result<std::map<std::string, std::string>> LatestKnowledgeVersions() override {
    auto rows = db_->Query(
        "SELECT a.patient_id, a.knowledge_version FROM assessments a JOIN "
        "(SELECT patient_id, MAX(id) AS id FROM assessments GROUP BY patient_id) l "
        "ON a.id = l.id");
    if (!rows) return rows.errors();
    std::map<std::string, std::string> out;
    for (const Row& r : *rows) out.emplace(r.Text(0), r.Text(1));
    return out;
  }

 private:
  // True when this transaction created the patient. Insert first and update only when the row
  // was there: what the writer reports is what it committed, with concurrent importers too (a
  // concurrent insert of the same id makes this one wait, then update).
  static Result<bool> SaveOne(Database& db, const PatientWrite& w) {
    const StoredPatient& p = w.patient;
    auto ins = db.Exec(
        "INSERT INTO patients (id, record_json, source_kind, source_sha256, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING",
        {p.id, p.record_json, p.source_kind, p.source_sha256, p.updated_at});
    if (!ins) return ins.errors();
    const bool created = *ins == 1;
    if (!created) {
      auto up = db.Exec(
          "UPDATE patients SET record_json = $2, source_kind = $3, source_sha256 = $4, "
          "updated_at = $5 WHERE id = $1",
          {p.id, p.record_json, p.source_kind, p.source_sha256, p.updated_at});
      if (!up) return up.errors();
    }
    auto del = db.Exec("DELETE FROM patient_agents WHERE patient_id = $1", {p.id});
    if (!del) return del.errors();
    for (const AgentLine& a : w.agents) {
      SqlValue doses = std::monostate{};
      if (a.doses_received) doses = static_cast<std::int64_t>(*a.doses_received);
      auto r = db.Exec(
          "INSERT INTO patient_agents (patient_id, agent, status, end_date, doses_received) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (patient_id, agent) DO UPDATE SET "
          "status = excluded.status, end_date = excluded.end_date, "
          "doses_received = excluded.doses_received",
          {p.id, a.agent, a.status, OptDate(a.end), doses});
      if (!r) return r.errors();
    }
    for (const DoseRecord& d : w.record_doses) {
      if (auto r = InsertDose(db, d); !r) return r.errors();
    }
    if (auto r = InsertAssessment(db, w.assessment); !r) return r.errors();
    return created;
  }

  static Result<std::int64_t> InsertDose(Database& db, const DoseRecord& d) {
    return db.Exec(
        "INSERT INTO doses (patient_id, agent, dose_date, planned, source, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (patient_id, agent, dose_date, planned) DO NOTHING",
        {d.patient_id, d.agent, d.date.ToString(), std::int64_t{d.planned ? 1 : 0}, d.source,
         d.recorded_at.empty() ? NowUtcTimestamp() : d.recorded_at});
  }

  static Result<std::int64_t> InsertAssessment(Database& db, const AssessmentRecord& a) {
    return db.Exec(
        "INSERT INTO assessments (patient_id, created_at, as_of, input_sha256, "
        "knowledge_version, profile, reason, output_json) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {a.patient_id, a.created_at.empty() ? NowUtcTimestamp() : a.created_at, a.as_of.ToString(),
         a.input_sha256, a.knowledge_version, a.profile,
         a.reason.empty() ? std::string("import") : a.reason, a.output_json});
  }

  std::unique_ptr<Database> db_;
};

}  // namespace

std::unique_ptr<RegistryStore> MakeSqlRegistryStore(std::unique_ptr<Database> db) {
  return std::make_unique<SqlRegistryStore>(std::move(db));
}

Result<std::unique_ptr<RegistryStore>> OpenRegistryStore(const std::string& path_or_url) {
  auto db = OpenDatabase(path_or_url);
  if (!db) return db.errors();
  if (Status st = (*db)->Migrate(); !st) return st.errors();
  return Result<std::unique_ptr<RegistryStore>>(MakeSqlRegistryStore(std::move(*db)));
}

}  // namespace bp::storage
