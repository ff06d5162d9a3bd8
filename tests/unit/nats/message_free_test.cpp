#include "roundtable/nats/message_free.hpp"

#include <gtest/gtest.h>

namespace rt::nats {
namespace {

TEST(MessageFree, TheCollectorIsBypassedOnThisLibnats) {
  ASSERT_EQ(nats_Open(0), NATS_OK);
  EXPECT_TRUE(frees_messages_directly()) << "nats.c's message layout changed: messages go through its GC thread again";
}

TEST(MessageFree, MessagesOfEveryShapeAreFreed) {
  ASSERT_EQ(nats_Open(0), NATS_OK);
  for (const char* reply : {static_cast<const char*>(nullptr), "_INBOX.reply"}) {
    natsMsg* msg = nullptr;
    ASSERT_EQ(natsMsg_Create(&msg, "rt.subject", reply, "payload", 7), NATS_OK);
    ASSERT_EQ(natsMsgHeader_Set(msg, "Nats-Msg-Id", "one"), NATS_OK);
    destroy_message(msg);
  }
  destroy_message(nullptr);
}

}  // namespace
}  // namespace rt::nats
