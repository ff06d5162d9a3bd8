#pragma once
// A fast path for parsing JSON. nlohmann's lexer reads a char at a time through an input adapter
// and hands each token on through a call: about 140 instructions a byte for an ordinary task
// envelope. Most messages a knight reads are JSON of an ordinary kind, which this reads by hand
// in one pass into the tree nlohmann would build, leaving everything else to nlohmann.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rt {

// Members of one top-level member's object that a scan keeps, the rest being checked and dropped
// (a task envelope's payload: contract/task_view.hpp).
struct ScanTrim {
  std::string_view object_key;                // the top-level member whose object is trimmed
  std::span<const std::string_view> kept;     // its members kept whole
  std::string_view type_only;                 // its member kept only as its type (an empty object or array)
};

// The tree nlohmann builds of `text` (last duplicate key wins; with `trim`, that object trimmed),
// when `text` is JSON of the ordinary kind: strings nlohmann's lexer accepts, integers without
// fraction or exponent that fit in 64 bits (non-negative ones unsigned, as nlohmann types them),
// true, false, null, no byte-order mark, nesting at most `max_depth` (and 256) deep. nullopt for anything
// else (floats, larger integers, and everything that is not valid JSON): the caller then parses
// it with nlohmann, whose judgement and error messages stand.
std::optional<nlohmann::json> scan_ordinary_json(std::string_view text, size_t max_depth, const ScanTrim* trim = nullptr);

}  // namespace rt
