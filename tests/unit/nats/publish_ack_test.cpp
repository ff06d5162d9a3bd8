#include <gtest/gtest.h>

#include "roundtable/nats/jetstream.hpp"

namespace rt::nats {
namespace {

const std::string kSubject = "fleet-a.results.security.t-1";

TEST(PublishAck, NamesTheStreamTheSequenceAndADuplicate) {
  auto ack = parse_publish_ack(R"({"stream":"ROUNDTABLE_RESULTS","seq":18446744073709551615})", kSubject);
  ASSERT_TRUE(ack) << ack.error().message;
  EXPECT_EQ(ack->stream, "ROUNDTABLE_RESULTS");
  EXPECT_EQ(ack->sequence, 18446744073709551615u);
  EXPECT_FALSE(ack->duplicate);
  auto duplicate = parse_publish_ack(R"({"stream":"R","seq":7,"duplicate":true})", kSubject);
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->sequence, 7u);
  EXPECT_TRUE(duplicate->duplicate);
}

TEST(PublishAck, ReadsAnyLayoutOfItsMembers) {
  auto with_domain = parse_publish_ack(R"({"stream":"R","domain":"hub","seq":3})", kSubject);
  ASSERT_TRUE(with_domain);
  EXPECT_EQ(with_domain->stream, "R");
  EXPECT_EQ(with_domain->sequence, 3u);
  auto spaced = parse_publish_ack(R"({ "stream": "R", "seq": 4, "duplicate": false })", kSubject);
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->sequence, 4u);
  EXPECT_FALSE(spaced->duplicate);
  auto escaped = parse_publish_ack(R"({"stream":"R\u0041","seq":5})", kSubject);
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->stream, "RA");
}

// nats-server's own layout has a parse of its own: whatever it takes, the full parse must read alike.
TEST(PublishAck, TheServersLayoutReadsAsTheFullParseDoes) {
  for (const char* body : {R"({"stream":"R", "seq":0})", R"({"stream":"R","seq":7,"duplicate":false})",
                           R"({"stream":"ROUNDTABLE_RESULTS", "seq":18446744073709551615,"duplicate": true})"}) {
    auto ack = parse_publish_ack(body, kSubject);
    auto full = parse_publish_ack(std::string(body).insert(1, R"("domain":"d",)"), kSubject);  // a domain: the full parse
    ASSERT_TRUE(ack && full) << body;
    EXPECT_EQ(ack->stream, full->stream);
    EXPECT_EQ(ack->sequence, full->sequence);
    EXPECT_EQ(ack->duplicate, full->duplicate);
  }
  for (const char* nonsense : {R"({"stream":"R","seq":07})", R"({"stream":"R","seq":1,"duplicate":true,})", R"({"stream":"R","seq":1}x)", R"({"stream":"R","seq":1,"duplicate":maybe})", R"({" stream ":"R","seq":1})",
                               "{\"stream\":\"a\x01b\",\"seq\":1}", R"({"stream":"","seq":1})"})
    EXPECT_FALSE(parse_publish_ack(nonsense, kSubject)) << nonsense;
}

TEST(PublishAck, ErrorsAndNonsenseAreErrors) {
  auto refused = parse_publish_ack(R"({"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}})", kSubject);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("maximum messages exceeded"), std::string::npos);
  EXPECT_FALSE(parse_publish_ack(R"({"stream":"","seq":1})", kSubject)) << "an ack names its stream";
  EXPECT_FALSE(parse_publish_ack("not json", kSubject));
  EXPECT_FALSE(parse_publish_ack(R"({"stream":"R","seq":)", kSubject));
}

}  // namespace
}  // namespace rt::nats
