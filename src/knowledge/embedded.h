// The knowledge files compiled into the binary (cmake/EmbedScript.cmake generates the table).
#pragma once

#include <span>
#include <string_view>

namespace bp {

struct EmbeddedFile {
  std::string_view path;  // relative to knowledge/, e.g. "rules/infusion.json"
  std::string_view content;
};

std::span<const EmbeddedFile> EmbeddedKnowledgeFiles();

}  // namespace bp
