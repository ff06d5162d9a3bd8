// roundtable ask/fanout --notify against a local fleet (the test plays the knight on a real
// nats-server) and a local notify endpoint; and the example schedule's rendered CronJob command
// run as it is against both.
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <deque>
#include <fstream>
#include <sstream>

#include "cli_support.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/config/yaml_json.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A webhook receiver on loopback: records every request and answers with the next scripted
// status (200 when the script is used up).
class NotifyEndpoint {
 public:
  struct Seen {
    std::string path, body;
    httplib::Headers headers;
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };

  explicit NotifyEndpoint(std::deque<int> statuses = {}, std::string retry_after = "") : statuses_(std::move(statuses)), retry_after_(std::move(retry_after)) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      seen_.push_back({req.path, req.body, req.headers});
      int status = 200;
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      res.status = status;
      if (status != 200 && !retry_after_.empty()) res.set_header("Retry-After", retry_after_);
      res.set_content(status == 200 ? "ok" : "try later", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind the notify endpoint");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~NotifyEndpoint() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path, const std::string& userinfo = "") const {
    return "http://" + userinfo + "127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
  std::deque<int> statuses_;
  std::string retry_after_;
};

class CliNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    bus_ = std::make_unique<TestBus>(nats_.url());
    bus_->apply_streams();
  }
  // The last task.notified event of the fleet, as stored in ROUNDTABLE_EVENTS.
  json last_notified() {
    auto stored = bus_->js().last_message(contract::kEventsStream, "roundtable.events.fleet-a.task.notified");
    if (!stored.ok() || !stored->has_value()) return json();
    return json::parse((*stored)->data(), nullptr, false);
  }
  std::string task_id_of(PlayedKnight& knight) { return knight.received().at(0).envelope.value("id", ""); }

  NatsServer nats_;
  std::unique_ptr<TestBus> bus_;
};

PlayedKnight::Answer answering(const std::string& agent, const std::string& content) {
  return [agent, content](const contract::Envelope& task) { return result_envelope(agent, task, content); };
}

TEST_F(CliNotify, NtfyGetsTheAnswerAsTextWithHeadersAndTheDeliveryIsRecorded) {
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "## Morning\nall quiet"));
  NotifyEndpoint endpoint;
  auto url = endpoint.url("/ntfy/briefing-topic", "tim:s3cret@");
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", url});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("## Morning\nall quiet"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("s3cret"), std::string::npos) << "the URL's secret was printed: " << result.output;
  EXPECT_EQ(result.output.find("briefing-topic"), std::string::npos) << "the topic was printed: " << result.output;

  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/ntfy/briefing-topic");
  EXPECT_EQ(seen[0].body, "## Morning\nall quiet");
  EXPECT_EQ(seen[0].header("Title"), "lead.briefing");
  EXPECT_EQ(seen[0].header("Tags"), "white_check_mark");
  EXPECT_EQ(seen[0].header("Authorization"), "Basic " + rt::base64_encode("tim:s3cret"));

  auto event = last_notified();
  ASSERT_TRUE(event.is_object()) << "no task.notified event";
  EXPECT_EQ(event["type"], "task.notified");
  EXPECT_EQ(event["correlationId"], task_id_of(tim));
  EXPECT_TRUE(contract::parse_envelope(event.dump()).ok()) << event.dump();
  const json& p = event["payload"];
  EXPECT_EQ(p["taskId"], task_id_of(tim));
  EXPECT_EQ(p["status"], "delivered");
  EXPECT_EQ(p["format"], "ntfy");
  EXPECT_EQ(p["attempts"], 1);
  EXPECT_EQ(p["httpStatus"], 200);
  EXPECT_EQ(p["target"], "http://***@127.0.0.1:" + url.substr(url.rfind(':') + 1, url.find('/', url.rfind(':')) - url.rfind(':') - 1) + "/…");
}

TEST_F(CliNotify, SlackAndDiscordGetTheirJsonAndDiscordIsCutToTwoThousandCharacters) {
  std::string long_answer = "Sir <Gawain> & co\n";
  while (long_answer.size() < 5000) long_answer += "the watch was quiet; ";
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", long_answer));
  NotifyEndpoint endpoint;
  auto slack = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/slack"), "--notify-format", "slack"});
  EXPECT_EQ(slack.exit_code, 0) << slack.output;
  auto discord = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/discord"), "--notify-format", "discord"});
  EXPECT_EQ(discord.exit_code, 0) << discord.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 2u);
  auto slack_body = json::parse(seen[0].body, nullptr, false);
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(slack_body["text"].get<std::string>().rfind("*lead.briefing*\nSir &lt;Gawain&gt; &amp; co\n", 0), 0u) << seen[0].body;
  auto discord_body = json::parse(seen[1].body, nullptr, false);
  std::string content = discord_body["content"];
  size_t characters = 0;
  for (unsigned char ch : content) characters += (ch & 0xC0) != 0x80;
  EXPECT_EQ(characters, 2000u);
  EXPECT_EQ(content.rfind("**lead.briefing**\nSir <Gawain> & co\n", 0), 0u);
  EXPECT_EQ(discord_body["allowed_mentions"]["parse"], json::array());
}

TEST_F(CliNotify, ACommaListAndTheEnvironmentNotifyEveryUrl) {
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "briefing"));
  NotifyEndpoint endpoint;
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/one") + "," + endpoint.url("/two")},
                           {{"ROUNDTABLE_NOTIFY_URL", endpoint.url("/three")}});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::vector<std::string> paths;
  for (const auto& s : endpoint.seen()) paths.push_back(s.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/one", "/two", "/three"}));
}

TEST_F(CliNotify, A503IsTriedAgainAfterItsRetryAfterAndThenDelivered) {
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "briefing"));
  NotifyEndpoint endpoint({503}, "1");
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/hook"), "--notify-backoff", "100ms"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].body, seen[0].body);
  auto event = last_notified();
  EXPECT_EQ(event["payload"]["status"], "delivered") << event.dump();
  EXPECT_EQ(event["payload"]["attempts"], 2) << event.dump();
  EXPECT_EQ(event["payload"]["format"], "json");
  EXPECT_EQ(json::parse(seen[1].body, nullptr, false)["result"]["content"], "briefing");
}

TEST_F(CliNotify, APersistent500UsesTheBudgetThenGivesUpWithExit3AndTheFailureRecorded) {
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "briefing"));
  NotifyEndpoint endpoint({500, 500, 500, 500, 500, 500});
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/hook"), "--notify-attempts", "3",
                                   "--notify-backoff", "100ms"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("briefing"), std::string::npos) << "the answer is still printed: " << result.output;
  EXPECT_NE(result.output.find("gave up after 3 attempts"), std::string::npos) << result.output;
  EXPECT_EQ(endpoint.seen().size(), 3u);
  auto event = last_notified();
  ASSERT_TRUE(event.is_object());
  EXPECT_EQ(event["payload"]["status"], "failed") << event.dump();
  EXPECT_EQ(event["payload"]["attempts"], 3);
  EXPECT_EQ(event["payload"]["httpStatus"], 500);
  EXPECT_NE(event["payload"].value("error", "").find("HTTP 500"), std::string::npos) << event.dump();
}

TEST_F(CliNotify, A404IsNotTriedAgain) {
  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "briefing"));
  NotifyEndpoint endpoint({404, 404});
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/gone"), "--notify-backoff", "100ms"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_EQ(endpoint.seen().size(), 1u);
  EXPECT_EQ(last_notified()["payload"]["attempts"], 1);
}

TEST_F(CliNotify, AFailedTaskIsNotifiedTooAndKeepsExit1) {
  PlayedKnight tim(*bus_, "tim", "lead", [](const contract::Envelope& task) {
    return failure_envelope("tim", task, ErrorCode::model_error, "LLM API down");
  });
  NotifyEndpoint endpoint;
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "30s", "--notify", endpoint.url("/ntfy/topic")});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Title"), "lead.briefing failed");
  EXPECT_EQ(seen[0].header("Priority"), "high");
  EXPECT_NE(seen[0].body.find("model_error: LLM API down"), std::string::npos) << seen[0].body;
  EXPECT_EQ(last_notified()["payload"]["status"], "delivered");
}

TEST_F(CliNotify, ABriefingThatDidNotComeIsNotified) {
  NotifyEndpoint endpoint;  // no knight serves the domain
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--wait", "1s", "--notify", endpoint.url("/ntfy/topic")});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Title"), "lead.briefing timed out");
  EXPECT_NE(seen[0].body.find("no result within 1s"), std::string::npos) << seen[0].body;
}

TEST_F(CliNotify, ATaskThatCouldNotEvenBeSentIsNotified) {
  NotifyEndpoint endpoint;
  auto dead = "nats://127.0.0.1:" + std::to_string(free_port());  // nothing listens there
  auto result = run_command({roundtable_binary(), "ask", "lead.briefing", "--notify", endpoint.url("/ntfy/topic")},
                            {{"NATS_URL", dead}, {"FLEET_ID", "fleet-a"}}, 60s);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u) << result.output;
  EXPECT_EQ(seen[0].header("Title"), "lead.briefing not sent");
  EXPECT_EQ(seen[0].header("Priority"), "high");
  EXPECT_NE(seen[0].body.find("cannot reach NATS"), std::string::npos) << seen[0].body;
}

TEST_F(CliNotify, FanoutNotifiesEveryOutcomeInOneMessage) {
  PlayedKnight galahad(*bus_, "galahad", "security", answering("galahad", "no open ports"));
  PlayedKnight lancelot(*bus_, "lancelot", "home", answering("lancelot", "doors locked"));
  NotifyEndpoint endpoint;
  auto dir = make_temp_dir("rt-notify-fanout").string();
  std::ofstream(dir + "/tasks.yaml") << "- {task: security.briefing}\n- {task: home.status}\n";
  auto result = roundtable(nats_, {"fanout", dir + "/tasks.yaml", "--wait", "30s", "--notify", endpoint.url("/hook")});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u);
  auto body = json::parse(seen[0].body, nullptr, false);
  EXPECT_EQ(body["title"], "fanout: 2/2 completed");
  EXPECT_EQ(body["result"]["tasks"].size(), 2u);
  EXPECT_NE(body["text"].get<std::string>().find("doors locked"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_F(CliNotify, ABadNotifyUrlStopsBeforeTheTaskIsSentWithoutPrintingIt) {
  auto result = roundtable(nats_, {"ask", "lead.briefing", "--notify", "ftp://user:s3cret@example.com/x"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("NOTIFY"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("s3cret"), std::string::npos) << result.output;
  auto info = bus_->js().last_message(contract::kTasksStream, "fleet-a.tasks.lead.briefing");
  EXPECT_TRUE(info.ok() && !info->has_value()) << "a task was sent";
}

// The example schedule, rendered by the CLI, run exactly as its CronJob would run it.
TEST_F(CliNotify, TheRenderedMorningBriefingCronJobDeliversTheBriefing) {
  const std::string source = std::string(RT_SOURCE_DIR) + "/deploy/schedules/fleet-a.yaml";
  auto rendered = run_command({roundtable_binary(), "schedule", "render", source}, {}, 30s);
  ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
  json cron_job;
  for (const auto& doc : YAML::LoadAll(rendered.output)) {
    auto obj = config::yaml_to_json(doc);
    if (obj.value("kind", "") == "CronJob" && obj["metadata"]["name"] == "roundtable-morning-briefing") cron_job = obj;
  }
  ASSERT_TRUE(cron_job.is_object()) << rendered.output;
  EXPECT_EQ(cron_job["spec"]["schedule"], "0 7 * * *");
  EXPECT_EQ(cron_job["spec"]["timeZone"], "Europe/Berlin");
  EXPECT_EQ(cron_job["spec"]["concurrencyPolicy"], "Forbid");
  const json container = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
  ASSERT_EQ(container["command"], json::array({"/usr/local/bin/roundtable"}));

  NotifyEndpoint endpoint;
  std::map<std::string, std::string> env;
  for (const auto& e : container["env"]) {
    if (e.contains("value")) env[e["name"]] = e["value"];
    else if (e["name"] == "ROUNDTABLE_NOTIFY_URL") env[e["name"]] = endpoint.url("/ntfy/morning");  // the Secret's value
    else env[e["name"]] = "test-password";  // NATS_PASSWORD: the test's server has no auth
  }
  EXPECT_EQ(env["FLEET_ID"], "fleet-a");
  EXPECT_EQ(env.count("ROUNDTABLE_NOTIFY_URL"), 1u);
  env["NATS_URL"] = nats_.url();

  PlayedKnight tim(*bus_, "tim", "lead", answering("tim", "Good morning: two things need you today."));
  std::vector<std::string> argv{roundtable_binary()};
  for (const auto& a : container["args"]) argv.push_back(a);
  auto run = run_command(argv, env, 120s);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  auto seen = endpoint.seen();
  ASSERT_EQ(seen.size(), 1u) << run.output;
  EXPECT_EQ(seen[0].body, "Good morning: two things need you today.");
  EXPECT_EQ(seen[0].header("Title"), "lead.briefing");
  auto task = tim.received().at(0).envelope;
  EXPECT_EQ(task["from"], "morning-briefing");
  EXPECT_TRUE(task["payload"]["params"].contains("question")) << task.dump();
  EXPECT_EQ(last_notified()["payload"]["status"], "delivered");

  // The committed component is this render, so what the cluster gets is what was tested.
  std::ifstream committed(std::string(RT_SOURCE_DIR) + "/deploy/components/schedules/schedules.yaml");
  std::stringstream text;
  text << committed.rdbuf();
  EXPECT_EQ(text.str(), rendered.output) << "deploy/components/schedules/schedules.yaml is stale: render deploy/schedules/fleet-a.yaml again";
}

}  // namespace
}  // namespace rt::testing
