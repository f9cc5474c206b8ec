# The storage library (src/storage: the Database port, SQLite and PostgreSQL adapters, the
# registry store) and the registry (src/registry: due lists, checklists, alerts), with the SQL
# migrations of src/storage/migrations embedded at build time.
#
# Included from the top-level CMakeLists.txt after bp_fhir. Also runs in script mode
# (cmake -DBP_MIGRATIONS_DIR=... -DBP_MIGRATIONS_OUT=... -P Storage.cmake) to generate the
# table of embedded migration files.

if(CMAKE_SCRIPT_MODE_FILE)
  file(GLOB_RECURSE files RELATIVE ${BP_MIGRATIONS_DIR} ${BP_MIGRATIONS_DIR}/*.sql)
  list(SORT files)
  set(body "// Generated from src/storage/migrations at build time. Do not edit.\n")
  string(APPEND body "#include \"storage/database.h\"\n\nnamespace bp::storage {\nnamespace {\n")
  set(table "")
  set(i 0)
  foreach(f ${files})
    file(READ ${BP_MIGRATIONS_DIR}/${f} content HEX)
    string(LENGTH "${content}" hexlen)
    math(EXPR n "${hexlen} / 2")
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
    string(APPEND body "const unsigned char kSql${i}[] = {${content}0x00};\n")
    string(APPEND table "    {\"${f}\", std::string_view(reinterpret_cast<const char*>(kSql${i}), ${n})},\n")
    math(EXPR i "${i} + 1")
  endforeach()
  if(i EQUAL 0)
    message(FATAL_ERROR "no migrations in ${BP_MIGRATIONS_DIR}")
  endif()
  string(APPEND body "const MigrationFile kFiles[] = {\n${table}};\n}  // namespace\n\n")
  string(APPEND body "std::span<const MigrationFile> EmbeddedMigrations() { return kFiles; }\n\n")
  string(APPEND body "}  // namespace bp::storage\n")
  file(WRITE ${BP_MIGRATIONS_OUT}.tmp "${body}")
  file(COPY_FILE ${BP_MIGRATIONS_OUT}.tmp ${BP_MIGRATIONS_OUT} ONLY_IF_DIFFERENT)
  return()
endif()

find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)  # SHA-256 of the stored inputs (src/registry)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

set(_bp_migrations_dir ${CMAKE_SOURCE_DIR}/src/storage/migrations)
set(_bp_migrations_cc ${CMAKE_BINARY_DIR}/generated/migrations_embedded.cc)
file(GLOB_RECURSE _bp_migration_files CONFIGURE_DEPENDS ${_bp_migrations_dir}/*.sql)
add_custom_command(
  OUTPUT ${_bp_migrations_cc}
  COMMAND ${CMAKE_COMMAND} -DBP_MIGRATIONS_DIR=${_bp_migrations_dir}
          -DBP_MIGRATIONS_OUT=${_bp_migrations_cc} -P ${CMAKE_SOURCE_DIR}/cmake/Storage.cmake
  DEPENDS ${_bp_migration_files} ${CMAKE_SOURCE_DIR}/cmake/Storage.cmake
  COMMENT "Embedding storage migrations")

file(GLOB_RECURSE _bp_storage_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/storage/*.cc)
list(FILTER _bp_storage_srcs EXCLUDE REGEX "_test\\.cc$|/postgres_database\\.cc$")
add_library(bp_storage STATIC ${_bp_storage_srcs} ${_bp_migrations_cc})
target_include_directories(bp_storage PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(bp_storage PUBLIC bp_common
  PRIVATE bp_platform SQLite::SQLite3 ${CMAKE_DL_LIBS})
target_compile_definitions(bp_storage PRIVATE BONEPATH_VERSION="${PROJECT_VERSION}")

# The registry (due lists, checklists, alerts) over the store: assesses stored patients.
bp_library(bp_registry registry)
target_link_libraries(bp_registry
  PUBLIC bp_storage bp_fhir bp_io bp_rules bp_knowledge bp_domain bp_common
  PRIVATE OpenSSL::Crypto nlohmann_json::nlohmann_json fmt::fmt)

# The PostgreSQL adapter, as the module bonepath-postgres.so that bp_storage loads for
# postgresql:// URLs (src/storage/postgres/postgres_module.h): only it links libpq. It exports its
# two entry points and nothing else.
add_library(bonepath_postgres MODULE
  ${CMAKE_SOURCE_DIR}/src/storage/postgres/postgres_database.cc
  ${CMAKE_SOURCE_DIR}/src/storage/url.cc)
target_include_directories(bonepath_postgres PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(bonepath_postgres PRIVATE PkgConfig::LIBPQ)
target_compile_definitions(bonepath_postgres PRIVATE BONEPATH_VERSION="${PROJECT_VERSION}")
set_target_properties(bonepath_postgres PROPERTIES
  PREFIX "" OUTPUT_NAME bonepath-postgres
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
if(NOT BONEPATH_SANITIZE AND NOT BONEPATH_FUZZ)
  # Every symbol resolved at link time (sanitizer runtimes are resolved from the executable).
  target_link_options(bonepath_postgres PRIVATE -Wl,--no-undefined)
endif()

# The unit-test binary (tests/CMakeLists.txt, added after this file) globs src/**/*_test.cc,
# which includes the storage tests: link the library into it once that directory is processed.
function(_bp_storage_link_tests)
  if(TARGET bonepath_unit_tests)
    target_link_libraries(bonepath_unit_tests PRIVATE bp_storage bp_registry)
    add_dependencies(bonepath_unit_tests bonepath_postgres)
    target_compile_definitions(bonepath_unit_tests PRIVATE
      BONEPATH_BINARY_FOR_STORAGE_TESTS="$<TARGET_FILE:bonepath>")
    add_dependencies(bonepath_unit_tests bonepath)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _bp_storage_link_tests)
