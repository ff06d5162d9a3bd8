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
