package dev.shoal.aws;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A burst worker function on moto, as template.yaml makes it: a role, the function (code that is
 * never run), a queue (moto's SQS) and the event source mapping between them, created off. No
 * message may be sent to the queue: moto would try to invoke the function in Docker. Closing
 * deletes all four.
 */
public final class MotoBurstMapping implements AutoCloseable {
  private final IamClient iam;
  private final LambdaClient lambda;
  private final SqsClient sqs;
  private final String name;
  private final String queueUrl;
  private final String queueArn;
  private final String uuid;

  public MotoBurstMapping(String name) {
    this.name = name;
    this.iam = AwsClients.configure(IamClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
        Moto.settings()).build();
    this.lambda = AwsClients.configure(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
        Moto.settings()).build();
    this.sqs = AwsClients.configure(SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
        Moto.settings()).build();
    String role = iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
    lambda.createFunction(r -> r.functionName(name).runtime(Runtime.JAVA21).role(role)
        .handler("dev.shoal.aws.dispatcher.WorkerFunctionHandler::handleRequest")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(Moto.unrunFunctionCode()))));
    this.queueUrl = sqs.createQueue(r -> r.queueName(name + "-tasks")).queueUrl();
    this.queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    this.uuid = lambda.createEventSourceMapping(r -> r.functionName(name).eventSourceArn(queueArn)
        .batchSize(10).enabled(false)).uuid();
  }

  /** The mapping's UUID. */
  public String uuid() {
    return uuid;
  }

  public String queueArn() {
    return queueArn;
  }

  /** The mapping's state as Lambda reports it: {@code Enabled}, {@code Disabled}... */
  public String state() {
    return lambda.getEventSourceMapping(r -> r.uuid(uuid)).state();
  }

  /** The queue the mapping reads, as Lambda reports it. */
  public String source() {
    return lambda.getEventSourceMapping(r -> r.uuid(uuid)).eventSourceArn();
  }

  /** A switch of this mapping on its own client. */
  public EventSourceMappingSwitch burstSwitch() {
    return EventSourceMappingSwitch.create(uuid, Moto.settings());
  }

  @Override
  public void close() {
    try {
      lambda.deleteEventSourceMapping(r -> r.uuid(uuid));
      lambda.deleteFunction(r -> r.functionName(name));
      sqs.deleteQueue(r -> r.queueUrl(queueUrl));
      iam.deleteRole(r -> r.roleName(name));
    } finally {
      iam.close();
      lambda.close();
      sqs.close();
    }
  }
}
