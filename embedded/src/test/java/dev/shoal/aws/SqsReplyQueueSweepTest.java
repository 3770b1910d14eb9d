package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.spi.QueueOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Orphaned reply queues (a client killed before it cleaned up) are found by their expiry tag and deleted. */
class SqsReplyQueueSweepTest {
  @Test
  void expiredReplyQueuesAreDeletedAndOthersKept() {
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start();
         SqsTransport transport = SqsClients.transport(Map.of(SqsClients.ENDPOINT, server.endpoint().toString(),
             SqsClients.CREDENTIALS, "static"))) {
      Instant now = Instant.parse("2026-11-25T12:00:00Z");
      String expired = transport.createQueue("shoal-reply-old", QueueOptions.defaults()
          .withTags(Map.of(SqsTransport.EXPIRES_TAG, now.minusSeconds(60).toString()))).join();
      String live = transport.createQueue("shoal-reply-live", QueueOptions.defaults()
          .withTags(Map.of(SqsTransport.EXPIRES_TAG, now.plusSeconds(3600).toString()))).join();
      String untagged = transport.createQueue("shoal-reply-untagged", QueueOptions.defaults()).join();
      String otherPrefix = transport.createQueue("other-old", QueueOptions.defaults()
          .withTags(Map.of(SqsTransport.EXPIRES_TAG, now.minusSeconds(60).toString()))).join();

      List<String> deleted = transport.sweepExpired("shoal-reply-", now).join();

      assertThat(deleted).containsExactly(expired);
      assertThat(transport.client().listQueues().join().queueUrls())
          .contains(live, untagged, otherPrefix)
          .doesNotContain(expired);
    }
  }
}
