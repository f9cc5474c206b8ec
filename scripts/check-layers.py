#!/usr/bin/env python3
"""Checks the one-way layering of src/ (docs/architecture.md, "Layers").

1. Every `#include "lib/..."` in src/<lib>/ names a library that <lib> may depend on (the
   declared direct dependencies below, taken transitively). Unit tests (*_test.cc) link into one
   binary and may include any library (e.g. the knowledge to build an engine) and tests/support.
2. The core (common, domain, calc, rules) includes no I/O header: it decides, it does not read
   files, sockets or databases.
3. Each library's CMake target (bp_<lib>) links exactly the bp_ libraries its sources (tests
   excluded) include, so the links mirror the includes.

Usage: scripts/check-layers.py [source-dir]   (exit status 1 and one line per problem on failure)
"""
import pathlib
import re
import sys

# Direct dependencies each library may have; a library may also use what those may use.
LAYERS = {
    "common": [],
    "domain": ["common"],
    "calc": ["domain"],
    "rules": ["calc"],
    "platform": ["common"],
    "knowledge": ["domain"],
    "io": ["knowledge", "rules"],
    "fhir": ["io"],
    "bulk": ["common"],
    "measures": ["bulk", "knowledge"],
    "storage": ["platform"],
    "registry": ["storage", "fhir"],
    "cdshooks": ["fhir"],
    "server": ["cdshooks", "registry"],
    "cli": ["server", "measures"],
}
CORE = {"common", "domain", "calc", "rules"}
IO_HEADERS = re.compile(
    r"^(fstream|iostream|filesystem|unistd\.h|fcntl\.h|dlfcn\.h|sys/.*|sqlite3\.h|libpq-fe\.h|"
    r"httplib\.h|curl/.*|netinet/.*|arpa/.*|spdlog/.*)$")
# Executables and modules built from src/ that are not bp_<lib> libraries.
NOT_LIBRARIES = {"cli"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def closure(lib, seen=None):
    seen = set() if seen is None else seen
    for dep in LAYERS.get(lib, []):
        if dep not in seen:
            seen.add(dep)
            closure(dep, seen)
    return seen


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def cmake_links(root):
    """bp_ targets each target_link_libraries(bp_x ...) call names, over all CMake files."""
    links = {}
    files = [root / "CMakeLists.txt"] + sorted((root / "cmake").glob("*.cmake"))
    for f in files:
        text = re.sub(r"#[^\n]*", "", f.read_text())
        for m in re.finditer(r"target_link_libraries\(\s*(bp_\w+)([^)]*)\)", text):
            links.setdefault(m.group(1), set()).update(re.findall(r"\bbp_\w+", m.group(2)))
        for m in re.finditer(r"(?:bp_library|add_library)\(\s*(bp_\w+)", text):
            links.setdefault(m.group(1), set())
    return links


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    src = root / "src"
    problems = []
    libs = sorted(p.name for p in src.iterdir() if p.is_dir())
    for lib in libs:
        if lib not in LAYERS:
            problems.append(f"src/{lib}: library not in the declared layering (scripts/check-layers.py)")
    used = {lib: set() for lib in libs}
    for lib in libs:
        allowed = closure(lib)
        for path in sorted((src / lib).rglob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            rel = path.relative_to(root)
            is_test = path.name.endswith("_test.cc")
            for kind, target in INCLUDE.findall(strip_comments(path.read_text())):
                if kind == "<":
                    if lib in CORE and not is_test and IO_HEADERS.match(target):
                        problems.append(f"{rel}: core library '{lib}' includes I/O header <{target}>")
                    continue
                dep = target.split("/", 1)[0] if "/" in target else lib
                if dep == lib:
                    continue
                if is_test and (dep == "support" or dep in LAYERS):
                    continue  # unit tests link into one binary and may set up any layer
                if dep not in LAYERS:
                    problems.append(f"{rel}: includes \"{target}\", not a library under src/")
                elif dep not in allowed:
                    problems.append(f"{rel}: '{lib}' may not include '{dep}' (\"{target}\"); "
                                    f"'{lib}' may use: {', '.join(sorted(allowed)) or 'nothing'}")
                elif not is_test:
                    used[lib].add(dep)
    links = cmake_links(root)
    for lib in libs:
        if lib in NOT_LIBRARIES or lib not in LAYERS:
            continue
        target = "bp_" + lib
        if target not in links:
            problems.append(f"CMake: no target {target} for src/{lib}")
            continue
        want = {"bp_" + d for d in used[lib]}
        have = {t for t in links[target] if t[3:] in LAYERS}
        for t in sorted(want - have):
            problems.append(f"CMake: {target} includes {t[3:]}/ but does not link {t}")
        for t in sorted(have - want):
            problems.append(f"CMake: {target} links {t} but includes nothing from {t[3:]}/")
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} problem(s)")
        return 1
    print(f"check-layers: {len(libs)} libraries follow the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
