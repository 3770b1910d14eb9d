package dev.shoal.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.spi.BurstSwitch;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The AWS burst switch against moto's Lambda: a burst worker function, a task queue (moto's SQS),
 * and the event source mapping between them, created off as template.yaml creates it, then turned
 * on and off by the switch. No message is sent: moto would try to invoke the function in Docker.
 */
@ExtendWith(Moto.class)
class EventSourceMappingSwitchTest {

  @Test
  void turnsTheTaskQueuesMappingOnAndOffAndReadsItsState() {
    String name = "shoal-burst-" + UUID.randomUUID().toString().substring(0, 8);
    try (IamClient iam = AwsClients.configure(IamClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
             Moto.settings()).build();
         LambdaClient lambda = AwsClients.configure(LambdaClient.builder()
             .httpClientBuilder(UrlConnectionHttpClient.builder()), Moto.settings()).build();
         SqsClient sqs = AwsClients.configure(SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
             Moto.settings()).build()) {
      String role = iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
              + "{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
      lambda.createFunction(r -> r.functionName(name).runtime(Runtime.JAVA21).role(role)
          .handler("dev.shoal.aws.dispatcher.WorkerFunctionHandler::handleRequest")
          .code(c -> c.zipFile(SdkBytes.fromByteArray(Moto.unrunFunctionCode()))));
      String queueUrl = sqs.createQueue(r -> r.queueName(name + "-tasks")).queueUrl();
      String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
          .attributes().get(QueueAttributeName.QUEUE_ARN);
      String uuid = lambda.createEventSourceMapping(r -> r.functionName(name).eventSourceArn(queueArn)
          .batchSize(10).enabled(false)).uuid();

      try (EventSourceMappingSwitch burst = EventSourceMappingSwitch.create(uuid, Moto.settings())) {
        assertThat(burst.state()).isEqualTo(BurstSwitch.State.OFF);

        burst.turn(true);
        assertThat(burst.state()).isEqualTo(BurstSwitch.State.ON);
        assertThat(lambda.getEventSourceMapping(r -> r.uuid(uuid)).state()).isEqualTo("Enabled");
        burst.turn(true);
        assertThat(burst.state()).as("turning on what is on is no error").isEqualTo(BurstSwitch.State.ON);

        burst.turn(false);
        assertThat(burst.state()).isEqualTo(BurstSwitch.State.OFF);
        assertThat(lambda.getEventSourceMapping(r -> r.uuid(uuid)).eventSourceArn())
            .as("the mapping itself is untouched").isEqualTo(queueArn);
      } finally {
        lambda.deleteEventSourceMapping(r -> r.uuid(uuid));
        lambda.deleteFunction(r -> r.functionName(name));
        sqs.deleteQueue(r -> r.queueUrl(queueUrl));
        iam.deleteRole(r -> r.roleName(name));
      }
    }
  }

  @Test
  void aMappingThatIsGoneFailsClearlyAndANonUuidIsRefusedAtOnce() {
    try (EventSourceMappingSwitch gone = EventSourceMappingSwitch.create(UUID.randomUUID().toString(),
        Moto.settings())) {
      assertThatThrownBy(gone::state).isInstanceOf(ResourceNotFoundException.class);
      assertThatThrownBy(() -> gone.turn(true)).satisfiesAnyOf(
          error -> assertThat(error).isInstanceOf(ResourceNotFoundException.class),
          error -> assertThat(error).hasMessageContaining("was not updated"));
    }
    assertThatThrownBy(() -> EventSourceMappingSwitch.create("WorkerFunctionTaskQueue", Moto.settings()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UUID");
  }

}
