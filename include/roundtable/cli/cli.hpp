#pragma once
// The roundtable CLI: a table of subcommands, each in its own file.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "roundtable/config/settings.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::cli {

struct Invocation {
  std::vector<std::string> args;  // after the subcommand name(s)
  config::EnvMap env;
};

struct Command {
  std::vector<std::string> words;  // e.g. {"streams", "apply"}
  std::string summary;
  std::string usage;  // full --help text
  std::vector<std::string> flags;           // value flags (env-style names): --wait is WAIT
  std::vector<std::string> boolean_flags;   // e.g. JSON
  // Settings also read from the environment (besides kNatsFlags, which always are). Other flags
  // are flags only: a WAIT or DIR in the user's environment must not change a command.
  std::vector<std::string> environment;
  std::function<int(const config::Settings&, const std::vector<std::string>& positional)> run;
};

const std::vector<Command>& commands();
int run(int argc, char** argv, char** envp);

// NATS from docs/contract.md §7 settings (NATS_URL, NATS_USER ..., FLEET_ID): environment and flags.
extern const std::vector<std::string> kNatsFlags;
// Flags every command takes that are not read from the environment (--fleet).
extern const std::vector<std::string> kCommonFlags;
struct Bus {
  std::unique_ptr<nats::Connection> connection;
  std::unique_ptr<nats::JetStream> js;
};
// Connects or throws std::runtime_error with a readable reason.
Bus connect_bus(const config::Settings& settings);
std::string fleet_of(const config::Settings& settings);  // FLEET_ID / --fleet, default fleet-a
bool stderr_is_terminal();
// A JetStream error's text, with a hint when it means the contract's streams are missing.
std::string explain_stream_error(const Error& error);

// One subcommand's entry, defined in its own file.
Command streams_command();
Command ask_command();
Command fanout_command();
Command watch_command();
Command knights_command();
Command knight_new_command();
Command up_command();
Command consumers_command();
Command consumers_prune_command();
Command spend_command();
Command trace_command();
Command schedule_render_command();
Command dashboard_command();
Command cancel_command();

}  // namespace rt::cli
