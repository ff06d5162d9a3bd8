// knight new: scaffold knights/<name>/ from knights/template/.
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/views.hpp"

namespace rt::cli {

Command knight_new_command() {
  Command c;
  c.words = {"knight", "new"};
  c.summary = "scaffold a new knight from knights/template/";
  c.usage = R"(usage: roundtable knight new <name> --domain <domain> [--dir knights]

Copies <dir>/template/ to <dir>/<name>/ and fills in the name and the domain (the template's
__NAME__ and __DOMAIN__ placeholders in knight.yaml, SOUL.md, kustomization.yaml, patch.yaml
...). Refuses an existing folder, and a name or domain that is not an identifier
([a-z0-9][a-z0-9-]*). Then: write SOUL.md, check domains and model in knight.yaml, commit.
)";
  c.flags = {"DOMAIN", "DIR"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("name", "knight new needs exactly one <name> (see roundtable knight new --help)");
    auto domain = s.identifier("DOMAIN", std::nullopt);
    auto target = scaffold_knight(s.text("DIR", "knights"), positional[0], domain);
    if (!target) {
      if (target.error().code == ErrorCode::invalid_params) throw config::ConfigError("name", target.error().message);
      throw std::runtime_error(target.error().message);
    }
    std::printf("created %s (knight %s, domain %s)\nnext: write %s/SOUL.md, check domains and model in %s/knight.yaml, commit\n",
                target->c_str(), positional[0].c_str(), domain.c_str(), target->c_str(), target->c_str());
    return 0;
  };
  return c;
}

}  // namespace rt::cli
