// Renders the knowledge base for clinical review (`bonepath knowledge`), grouped by topic in the
// manifest's order (topics that rules name but the manifest lacks follow, so nothing is hidden).
//
// Each topic opens with its general question and an answer assembled from its rules' statements
// with their citations; where a seed document's question maps to the topic (questions.json), the
// seed's question, the summary and the answering rules follow. Each rule then shows its id,
// title, statement, the parameters it uses with their values (the us-composite default and every
// profile that differs), its seeds, full citations, verification mark with its meaning
// (catalogue §0.1) and note, and its review status, reviewers and last update.
//
// `topic` empty renders every topic; an unknown topic is an error (code "unsupported", path
// "--topic") whose message lists the valid topics. With a topic, the parameters and bibliography
// sections hold only what that topic's rules use.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/knowledge.h"

namespace bp {

// The topic ids in rendering order.
std::vector<std::string> KnowledgeTopics(const KnowledgeBase& kb);

Result<std::string> RenderKnowledgeMarkdown(const KnowledgeBase& kb, std::string_view topic = {});

// A self-contained HTML page (inline CSS, no scripts, no external resources; citation URLs are
// the only links out).
Result<std::string> RenderKnowledgeHtml(const KnowledgeBase& kb, std::string_view topic = {});

// {"version", "title", "review": {...}, "topics": [{"id", "title", "question", "answer": [...],
//   "seed_questions": [...], "rules": [every field of each rule, with "parameters" resolved]}],
//  "parameters": [{"name", "unit", "default", "profiles": {name: value}, ...}],
//  "profiles": [...], "bibliography": [...], "questions": [...]}, pretty-printed.
Result<std::string> RenderKnowledgeJson(const KnowledgeBase& kb, std::string_view topic = {});

// The seed documents' questions, each with the knowledge base's answer (summary, answering
// rules' statements and full citations), in Markdown.
std::string RenderQuestionAnswers(const KnowledgeBase& kb);

}  // namespace bp
