// OpenPostgresDatabase for the executables: loads bonepath-postgres.so (postgres_module.h) once,
// checks its ABI, and opens the connection through it.
#include <dlfcn.h>

#include <cstring>
#include <mutex>

#include "platform/companion.h"
#include "storage/postgres/postgres_database.h"
#include "storage/postgres/postgres_module.h"

namespace bp::storage {
namespace {

struct Driver {
  PostgresOpenFn open = nullptr;
  std::string error;  // why the module could not be used
};

Driver LoadDriver() {
  Driver d;
  const auto path = platform::FindCompanion(kPostgresModuleFile);
  if (!path) {
    d.error = std::string("PostgreSQL support is not installed: ") + kPostgresModuleFile +
              " not found in " + platform::CompanionSearchPath() +
              " (build it with the project, or set BONEPATH_LIBEXEC_DIR)";
    return d;
  }
  void* h = ::dlopen(path->c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char* why = ::dlerror();
    d.error = "cannot load " + *path + ": " + (why ? why : "unknown error");
    return d;
  }
  auto abi = reinterpret_cast<PostgresAbiFn>(::dlsym(h, kPostgresAbiSymbol));
  auto open = reinterpret_cast<PostgresOpenFn>(::dlsym(h, kPostgresOpenSymbol));
  if (abi == nullptr || open == nullptr) {
    d.error = *path + " is not a bonepath PostgreSQL module";
    return d;  // left loaded: harmless, and dlclose of a half-checked module gains nothing
  }
  if (std::strcmp(abi(), BP_POSTGRES_MODULE_ABI) != 0) {
    d.error = *path + " was built for \"" + abi() + "\", this program needs \"" +
              BP_POSTGRES_MODULE_ABI + "\"";
    return d;
  }
  d.open = open;
  return d;
}

const Driver& TheDriver() {
  static const Driver d = LoadDriver();  // thread-safe; loaded at most once per process
  return d;
}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url) {
  const Driver& d = TheDriver();
  if (!d.open) return Error{"db_open", "", d.error};
  Result<std::unique_ptr<Database>> out(Error{"db_open", "", "PostgreSQL module returned nothing"});
  d.open(&url, &out);
  return out;
}

}  // namespace bp::storage
