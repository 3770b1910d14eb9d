package dev.shoal.aws.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** template.yaml, checked offline: it parses, its references resolve, and it says what the code needs. */
class TemplateTest {
  private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
      "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

  private static Path repo;
  private static Map<String, Object> template;
  private static Map<String, Object> resources;

  /** A CloudFormation intrinsic function written with a short tag: {@code !Ref X} is {@code Fn("Ref", "X")}. */
  record Fn(String name, Object argument) {}

  /** SnakeYAML's safe constructor, plus CloudFormation's short tags. */
  static final class CloudFormationConstructor extends SafeConstructor {
    CloudFormationConstructor() {
      super(new LoaderOptions());
      for (String name : List.of("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or", "Condition", "Join",
          "Select", "Split", "Base64", "FindInMap", "GetAZs", "ImportValue", "Cidr", "Transform", "Length",
          "ToJsonString")) {
        yamlConstructors.put(new Tag("!" + name), new AbstractConstruct() {
          @Override
          public Object construct(Node node) {
            Object argument;
            if (node instanceof ScalarNode scalar) {
              argument = constructScalar(scalar);
            } else if (node instanceof SequenceNode sequence) {
              argument = constructSequence(sequence);
            } else {
              argument = constructMapping((MappingNode) node);
            }
            return new Fn(name, argument);
          }
        });
      }
    }
  }

  @SuppressWarnings("unchecked")
  @BeforeAll
  static void parse() throws IOException {
    repo = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(repo.resolve("template.yaml"))) {
      repo = repo.getParent();
      assertThat(repo).as("template.yaml above the working directory").isNotNull();
    }
    template = new Yaml(new CloudFormationConstructor()).load(Files.readString(repo.resolve("template.yaml")));
    resources = (Map<String, Object>) template.get("Resources");
  }

  @Test
  void isASamTemplate() {
    assertThat(template.get("Transform")).isEqualTo("AWS::Serverless-2016-10-31");
    assertThat(resources).isNotEmpty();
  }

  @Test
  void everyRefGetAttSubAndConditionTargetExists() {
    Set<String> parameters = keys("Parameters");
    Set<String> conditions = keys("Conditions");
    List<String> broken = new ArrayList<>();
    walk(template, "", (path, fn) -> {
      switch (fn.name()) {
        case "Ref" -> {
          String target = (String) fn.argument();
          if (!resources.containsKey(target) && !parameters.contains(target) && !PSEUDO_PARAMETERS.contains(target)) {
            broken.add(path + ": !Ref " + target);
          }
        }
        case "GetAtt" -> {
          String resource = fn.argument() instanceof List<?> list ? (String) list.get(0)
              : ((String) fn.argument()).split("\\.", 2)[0];
          if (!resources.containsKey(resource)) {
            broken.add(path + ": !GetAtt " + fn.argument());
          }
        }
        case "Sub" -> {
          String text = fn.argument() instanceof List<?> list ? (String) list.get(0) : (String) fn.argument();
          Set<String> local = fn.argument() instanceof List<?> list && list.size() > 1
              ? ((Map<?, ?>) list.get(1)).keySet().stream().map(Object::toString).collect(
                  java.util.stream.Collectors.toSet())
              : Set.of();
          Matcher matcher = SUB_VARIABLE.matcher(text);
          while (matcher.find()) {
            String variable = matcher.group(1);
            String name = variable.contains("::") ? variable : variable.split("\\.", 2)[0];
            boolean attribute = !variable.contains("::") && variable.contains(".");
            boolean ok = local.contains(variable) || PSEUDO_PARAMETERS.contains(name) || resources.containsKey(name)
                || (!attribute && parameters.contains(name));
            if (!ok) {
              broken.add(path + ": ${" + variable + "} in !Sub " + text);
            }
          }
        }
        case "FindInMap" -> {
          String mapping = (String) ((List<?>) fn.argument()).get(0);
          if (!keys("Mappings").contains(mapping)) {
            broken.add(path + ": !FindInMap " + mapping);
          }
        }
        case "If" -> {
          String condition = (String) ((List<?>) fn.argument()).get(0);
          if (!conditions.contains(condition)) {
            broken.add(path + ": !If " + condition);
          }
        }
        case "Condition" -> {
          if (!conditions.contains((String) fn.argument())) {
            broken.add(path + ": !Condition " + fn.argument());
          }
        }
        default -> { }
      }
    });
    resources.forEach((name, body) -> {
      Object condition = ((Map<?, ?>) body).get("Condition");
      if (condition != null && !conditions.contains(condition.toString())) {
        broken.add(name + ": Condition " + condition);
      }
      Object dependsOn = ((Map<?, ?>) body).get("DependsOn");
      for (Object target : dependsOn instanceof List<?> list ? list : dependsOn == null ? List.of() : List.of(dependsOn)) {
        if (!resources.containsKey(target.toString())) {
          broken.add(name + ": DependsOn " + target);
        }
      }
    });
    assertThat(broken).isEmpty();
  }

  @Test
  void theDispatcherFunctionRunsAHandlerThatExistsOnASupportedJavaRuntimeWithOneInstanceAtATime() throws Exception {
    Map<String, Object> function = properties("DispatcherFunction", "AWS::Serverless::Function");
    String[] handler = ((String) function.get("Handler")).split("::");
    Class<?> type = Class.forName(handler[0]);
    assertThat(Arrays.stream(type.getMethods()).map(Method::getName)).contains(handler[1]);
    assertThat(com.amazonaws.services.lambda.runtime.RequestStreamHandler.class).isAssignableFrom(type);
    assertThat(type.getConstructor()).isNotNull();
    // Java 17 bytecode, on a runtime Lambda still creates (java17's creation ended in 2026).
    assertThat(function.get("Runtime")).isEqualTo("java21");
    assertThat(function.get("ReservedConcurrentExecutions")).isEqualTo(1);
    Map<?, ?> schedule = (Map<?, ?>) ((Map<?, ?>) function.get("Events")).get("Schedule");
    assertThat(schedule.get("Type")).isEqualTo("Schedule");
    assertThat(((Map<?, ?>) schedule.get("Properties")).get("Schedule").toString()).startsWith("rate(");
  }

  @Test
  void theFunctionsCodeIsTheJarTheBuildMakes() throws IOException {
    String codeUri = (String) properties("DispatcherFunction", "AWS::Serverless::Function").get("CodeUri");
    assertThat(codeUri).startsWith("aws-dispatcher/target/");
    String jar = codeUri.substring("aws-dispatcher/target/".length());
    assertThat(Files.readString(repo.resolve("aws-dispatcher/pom.xml")))
        .contains("<outputFile>${project.build.directory}/" + jar + "</outputFile>");
  }

  @Test
  void theTemplateSetsEveryVariableTheDispatcherReadsAndNoOther() throws IOException {
    Map<?, ?> environment = (Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment");
    Set<String> set = new TreeSet<>();
    ((Map<?, ?>) environment.get("Variables")).keySet().forEach(key -> set.add(key.toString()));

    assertThat(set).containsExactlyInAnyOrderElementsOf(DispatcherSettings.VARIABLES);

    // And the code names no variable outside that list: every SHOAL_ literal in its sources is in it.
    Set<String> named = new TreeSet<>();
    Pattern literal = Pattern.compile("\"(SHOAL_[A-Z0-9_]+)\"");
    try (Stream<Path> sources = Files.walk(repo.resolve("aws-dispatcher/src/main/java"))) {
      for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
        Matcher matcher = literal.matcher(Files.readString(source));
        while (matcher.find()) {
          named.add(matcher.group(1));
        }
      }
    }
    assertThat(named).isNotEmpty().isSubsetOf(set);
  }

  @Test
  void theWorkerRoleHasNoEc2AndNoQueueWildcards() {
    List<Map<?, ?>> statements = statements(properties("WorkerRole", "AWS::IAM::Role"));
    assertThat(statements).isNotEmpty();
    for (Map<?, ?> statement : statements) {
      List<String> actions = strings(statement.get("Action"));
      assertThat(actions).noneMatch(action -> action.startsWith("ec2:") || action.equals("*")
          || action.endsWith(":*") || action.startsWith("iam:"));
      if (actions.stream().anyMatch(action -> action.startsWith("sqs:"))) {
        assertThat(statement.get("Resource")).as("sqs resource of %s", actions).isNotEqualTo("*");
        assertThat(statement.get("Resource").toString()).doesNotContain(":*}", "sqs:*");
      }
    }
    // Sending goes only to the dead-letter queue, the reply queues, and the task queue itself
    // (a redelivered bundle split into single tasks, waiting tasks handed back).
    statements.stream().filter(statement -> strings(statement.get("Action")).contains("sqs:SendMessage"))
        .forEach(statement -> assertThat(statement.get("Resource").toString())
            .satisfiesAnyOf(resource -> assertThat(resource).contains("DeadLetterQueue.Arn"),
                resource -> assertThat(resource).contains(":shoal-reply-*"),
                resource -> assertThat(resource).contains("TaskQueue.Arn")));
    for (String queue : List.of("TaskQueue.Arn", "VmTaskQueue.Arn")) {
      assertThat(statements).as("the worker may re-send to its own task queue %s", queue).anySatisfy(statement -> {
        assertThat(strings(statement.get("Action"))).contains("sqs:SendMessage");
        assertThat(statement.get("Resource")).isEqualTo(new Fn("GetAtt", queue));
      });
      assertThat(statements).as("the worker pulls from %s", queue).anySatisfy(statement -> {
        assertThat(strings(statement.get("Action"))).contains("sqs:ReceiveMessage", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility");
        assertThat(statement.get("Resource")).isEqualTo(new Fn("GetAtt", queue));
      });
    }
  }

  @Test
  void claimCheckObjectsAreReachableOnlyUnderPayloadsAndOnlyTheClientDeletes() {
    List<Map<?, ?>> worker = statements(properties("WorkerRole", "AWS::IAM::Role"));
    @SuppressWarnings("unchecked")
    Map<String, Object> clientDocument = (Map<String, Object>) properties("ClientPolicy", "AWS::IAM::ManagedPolicy")
        .get("PolicyDocument");
    List<Map<?, ?>> client = ((List<?>) clientDocument.get("Statement")).stream().<Map<?, ?>>map(o -> (Map<?, ?>) o).toList();
    for (List<Map<?, ?>> statements : List.of(worker, client)) {
      List<Map<?, ?>> payloads = statements.stream()
          .filter(statement -> String.valueOf(statement.get("Resource")).contains("/payloads/*")).toList();
      assertThat(payloads).singleElement().satisfies(statement ->
          assertThat(strings(statement.get("Action"))).contains("s3:GetObject", "s3:PutObject")
              .allMatch(action -> action.startsWith("s3:") && !action.contains("*")));
    }
    assertThat(worker).noneMatch(statement -> strings(statement.get("Action")).contains("s3:DeleteObject"));
    assertThat(client).anyMatch(statement -> strings(statement.get("Action")).contains("s3:DeleteObject")
        && String.valueOf(statement.get("Resource")).contains("/payloads/*"));
    assertThat(String.valueOf(((Map<?, ?>) template.get("Outputs")).get("PayloadStoreUri")))
        .contains("s3://${ArtifactBucket}/payloads");
  }

  @Test
  void theWorkersAreToldThePayloadStoreTheClientsAreGiven() {
    Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    Map<?, ?> output = (Map<?, ?>) ((Map<?, ?>) template.get("Outputs")).get("PayloadStoreUri");
    assertThat(variables.get(DispatcherSettings.WORKER_PAYLOAD_STORE))
        .isEqualTo(new Fn("Sub", "s3://${ArtifactBucket}/payloads"))
        .isEqualTo(output.get("Value"));
  }

  @Test
  void theDispatcherRunsAndTerminatesOnlyPoolTaggedInstancesAndPassesOnlyTheWorkerRole() {
    List<Map<?, ?>> statements = statements(properties("DispatcherRole", "AWS::IAM::Role"));
    for (Map<?, ?> statement : statements) {
      List<String> actions = strings(statement.get("Action"));
      assertThat(actions).doesNotContain("*", "ec2:*", "iam:*", "sqs:*");
      String resource = String.valueOf(statement.get("Resource"));
      if (actions.contains("ec2:RunInstances") && resource.contains(":instance/")) {
        assertThat(String.valueOf(statement.get("Condition"))).contains("aws:RequestTag/shoal:pool=Fn[name=Ref, argument=PoolName]");
      }
      if (actions.contains("ec2:TerminateInstances")) {
        assertThat(String.valueOf(statement.get("Condition")))
            .contains("ec2:ResourceTag/shoal:pool=Fn[name=Ref, argument=PoolName]");
      }
      if (actions.contains("iam:PassRole")) {
        assertThat(statement.get("Resource")).isEqualTo(new Fn("GetAtt", "WorkerRole.Arn"));
      }
      if (actions.stream().anyMatch(action -> action.startsWith("sqs:"))) {
        // The depth, and the tasks per message its clients record on it, of the two task queues.
        assertThat(actions).containsExactly("sqs:GetQueueAttributes", "sqs:ListQueueTags");
        assertThat(statement.get("Resource")).isIn(new Fn("GetAtt", "TaskQueue.Arn"), new Fn("GetAtt", "VmTaskQueue.Arn"));
      }
      if ("*".equals(statement.get("Resource"))) {
        assertThat(actions).allMatch(action -> action.startsWith("ec2:Describe"));
      }
      if (actions.stream().anyMatch(action -> action.startsWith("lambda:"))) {
        // The burst: the one mapping's state, and only while it feeds the burst worker function.
        assertThat(actions).containsExactlyInAnyOrder("lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping");
        assertThat(String.valueOf(statement.get("Resource")))
            .endsWith(":event-source-mapping:${WorkerFunctionMapping}]");
        assertThat(String.valueOf(statement.get("Condition")))
            .contains("lambda:FunctionArn=Fn[name=GetAtt, argument=WorkerFunction.Arn]");
      }
    }
    assertThat(statements).anyMatch(statement -> strings(statement.get("Action")).contains("lambda:UpdateEventSourceMapping"));
    Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    assertThat(variables.get(DispatcherSettings.BURST_MAPPING)).isEqualTo(new Fn("Ref", "WorkerFunctionMapping"));
    assertThat(statements).anyMatch(statement -> strings(statement.get("Action")).contains("ec2:TerminateInstances"));
    assertThat(statements).anyMatch(statement -> strings(statement.get("Action")).contains("ec2:RunInstances")
        && String.valueOf(statement.get("Condition")).contains("aws:RequestTag/shoal:pool"));
  }

  @Test
  void workersAcceptNoInboundConnectionsAndTheirVmEndsWithThem() {
    assertThat(properties("WorkerSecurityGroup", "AWS::EC2::SecurityGroup")).doesNotContainKey("SecurityGroupIngress");
    assertThat(resources.values()).noneMatch(body -> "AWS::EC2::SecurityGroupIngress".equals(((Map<?, ?>) body)
        .get("Type")));
    Map<?, ?> data = (Map<?, ?>) properties("WorkerLaunchTemplate", "AWS::EC2::LaunchTemplate")
        .get("LaunchTemplateData");
    assertThat(data.get("InstanceInitiatedShutdownBehavior")).isEqualTo("terminate");
    assertThat(data.get("IamInstanceProfile").toString()).contains("WorkerInstanceProfile");
    assertThat(data.get("UserData")).isInstanceOf(Fn.class);
  }

  @Test
  void theTaskQueueIsEncryptedAndDeadLetters() {
    Map<String, Object> queue = properties("TaskQueue", "AWS::SQS::Queue");
    assertThat(queue.get("SqsManagedSseEnabled")).isEqualTo(true);
    Map<?, ?> redrive = (Map<?, ?>) queue.get("RedrivePolicy");
    assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(new Fn("GetAtt", "DeadLetterQueue.Arn"));
    assertThat(properties("DeadLetterQueue", "AWS::SQS::Queue").get("SqsManagedSseEnabled")).isEqualTo(true);
  }

  /**
   * A worker flags a task as poison on delivery maxDeliveries + 1 and tells its client; the queue's
   * redrive must leave that delivery to it, or the task vanishes into the dead-letter queue and its
   * client waits for ever. One parameter for both (as the template had) leaves no such delivery.
   */
  @Test
  void theTaskQueuesRedriveComesAfterTheDeliveryOnWhichAWorkerFlagsPoison() {
    Map<?, ?> redrive = (Map<?, ?>) properties("TaskQueue", "AWS::SQS::Queue").get("RedrivePolicy");
    assertThat(redrive.get("maxReceiveCount")).isEqualTo(new Fn("FindInMap",
        List.of("DeliveriesToRedrive", new Fn("Ref", "WorkerMaxDeliveries"), "MaxReceiveCount")));
    Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    assertThat(variables.get(DispatcherSettings.WORKER_MAX_DELIVERIES)).isEqualTo(new Fn("Ref", "WorkerMaxDeliveries"));

    Map<?, ?> parameter = (Map<?, ?>) ((Map<?, ?>) template.get("Parameters")).get("WorkerMaxDeliveries");
    Map<?, ?> table = (Map<?, ?>) ((Map<?, ?>) template.get("Mappings")).get("DeliveriesToRedrive");
    List<String> allowed = strings(parameter.get("AllowedValues"));
    assertThat(allowed).contains(parameter.get("Default").toString());
    assertThat(table.keySet()).map(Object::toString).containsExactlyInAnyOrderElementsOf(allowed);
    for (String deliveries : allowed) {
      int receiveCount = (Integer) ((Map<?, ?>) table.get(deliveries)).get("MaxReceiveCount");
      // As LocalCluster: the worker's delivery maxDeliveries + 1, and one more to spare.
      assertThat(receiveCount).as("redrive for %s deliveries", deliveries)
          .isEqualTo(Integer.parseInt(deliveries) + 2);
    }
    assertThat(DispatcherSettings.fromEnvironment(Map.of(DispatcherSettings.TASK_QUEUE_URL, "q",
        DispatcherSettings.POOL, "p", DispatcherSettings.LAUNCH_TEMPLATE_ID, "lt",
        DispatcherSettings.WORKER_JAR_URL, "s3://b/k")).workerMaxDeliveries())
        .as("the dispatcher's own default matches the template's").isEqualTo(Integer.parseInt(parameter.get("Default")
            .toString()));
  }

  /**
   * Workers fetch their jar through a link the dispatcher presigns (no AWS CLI on the image): the
   * dispatcher may read the jar, the workers may not read anything; they only beat their heartbeats.
   */
  @Test
  void theDispatcherPresignsTheJarLinkAndWorkersOnlyWriteTheirHeartbeatsAndReachPayloads() {
    List<Map<?, ?>> dispatcher = statements(properties("DispatcherRole", "AWS::IAM::Role"));
    assertThat(dispatcher).anySatisfy(statement -> {
      assertThat(strings(statement.get("Action"))).containsExactly("s3:GetObject");
      assertThat(statement.get("Resource")).isEqualTo(new Fn("Sub", "${ArtifactBucket.Arn}/${WorkerJarKey}"));
    });
    List<Map<?, ?>> worker = statements(properties("WorkerRole", "AWS::IAM::Role"));
    List<Map<?, ?>> s3 = worker.stream()
        .filter(statement -> strings(statement.get("Action")).stream().anyMatch(action -> action.startsWith("s3:")))
        .toList();
    // The heartbeat (write only), and the claim-check objects under payloads/: nothing else in the bucket.
    assertThat(s3).hasSize(2).anySatisfy(statement -> {
      assertThat(strings(statement.get("Action"))).containsExactly("s3:PutObject");
      assertThat(statement.get("Resource")).isEqualTo(new Fn("Sub", "${ArtifactBucket.Arn}/ready/${PoolName}/*"));
    }).anySatisfy(statement -> {
      assertThat(strings(statement.get("Action"))).containsExactly("s3:GetObject", "s3:PutObject");
      assertThat(statement.get("Resource")).isEqualTo(new Fn("Sub", "${ArtifactBucket.Arn}/payloads/*"));
    });
  }

  /**
   * Every function runs on a Java runtime Lambda still creates (java17's creation ended on
   * 2026-07-31: cfn-lint's E2533) and the code stays Java 17 bytecode, which such a runtime runs.
   */
  @Test
  void everyFunctionRunsOnAJavaRuntimeLambdaStillCreatesAndTheCodeIsJava17Bytecode() throws IOException {
    Map<String, Object> functions = new LinkedHashMap<>();
    resources.forEach((name, body) -> {
      Object type = ((Map<?, ?>) body).get("Type");
      if ("AWS::Serverless::Function".equals(type) || "AWS::Lambda::Function".equals(type)) {
        functions.put(name, ((Map<?, ?>) ((Map<?, ?>) body).get("Properties")).get("Runtime"));
      }
    });
    Object globals = template.get("Globals");
    if (globals instanceof Map<?, ?> map && map.get("Function") instanceof Map<?, ?> function
        && function.get("Runtime") != null) {
      functions.put("Globals.Function", function.get("Runtime"));
    }
    assertThat(functions).containsKey("DispatcherFunction");
    Pattern java = Pattern.compile("java(\\d+)");
    functions.forEach((name, runtime) -> {
      Matcher matcher = java.matcher(String.valueOf(runtime));
      assertThat(matcher.matches()).as("%s runs on Java, not %s", name, runtime).isTrue();
      assertThat(Integer.parseInt(matcher.group(1))).as("%s's runtime %s", name, runtime).isGreaterThanOrEqualTo(21);
    });

    int major;
    try (var bytes = new java.io.DataInputStream(DispatcherHandler.class.getResourceAsStream(
        "DispatcherHandler.class"))) {
      assertThat(bytes.readInt()).isEqualTo(0xCAFEBABE);
      bytes.readUnsignedShort();
      major = bytes.readUnsignedShort();
    }
    assertThat(major).as("class file version of the handler (61 is Java 17)").isEqualTo(61);
  }

  /**
   * CloudFormation refuses a security group's egress rules without a VpcId, and VpcId is empty by
   * default (the default VPC): the rules come only with a VPC. There they allow HTTPS and HTTP out.
   */
  @Test
  void theWorkersEgressRulesComeOnlyWithTheirVpcAndAllowOnlyHttpsAndHttp() {
    Map<String, Object> group = properties("WorkerSecurityGroup", "AWS::EC2::SecurityGroup");
    Fn vpc = new Fn("If", List.of("HasVpc", new Fn("Ref", "VpcId"), new Fn("Ref", "AWS::NoValue")));
    assertThat(group.get("VpcId")).isEqualTo(vpc);
    assertThat(((Map<?, ?>) template.get("Conditions")).get("HasVpc"))
        .isEqualTo(new Fn("Not", List.of(new Fn("Equals", List.of(new Fn("Ref", "VpcId"), "")))));

    assertThat(group.get("SecurityGroupEgress")).isInstanceOf(Fn.class);
    Fn egress = (Fn) group.get("SecurityGroupEgress");
    assertThat(egress.name()).isEqualTo("If");
    List<?> branches = (List<?>) egress.argument();
    assertThat(branches.get(0)).as("the condition of the egress rules").isEqualTo("HasVpc");
    assertThat(branches.get(2)).as("without a VPC: no rules").isEqualTo(new Fn("Ref", "AWS::NoValue"));
    List<?> rules = (List<?>) branches.get(1);
    assertThat(rules).isNotEmpty().allSatisfy(rule -> {
      Map<?, ?> map = (Map<?, ?>) rule;
      assertThat(map.get("IpProtocol")).isEqualTo("tcp");
      assertThat(map.get("FromPort")).isEqualTo(map.get("ToPort")).isIn(443, 80);
    });
    assertThat(resources.values()).noneMatch(body -> "AWS::EC2::SecurityGroupEgress".equals(((Map<?, ?>) body)
        .get("Type")));

    // A VPC without a subnet would launch into a default subnet, where the group does not exist.
    Map<?, ?> rule = (Map<?, ?>) ((Map<?, ?>) template.get("Rules")).get("SubnetInTheGivenVpc");
    assertThat(rule.get("RuleCondition")).isEqualTo(((Map<?, ?>) template.get("Conditions")).get("HasVpc"));
    assertThat(((Map<?, ?>) ((List<?>) rule.get("Assertions")).get(0)).get("Assert"))
        .isEqualTo(new Fn("Not", List.of(new Fn("Equals", List.of(new Fn("Ref", "SubnetId"), "")))));
  }

  /**
   * Claim-check payloads that a crashed client left behind expire after 7 days, and nothing else
   * does: the worker jar and the readiness markers share the bucket.
   */
  @Test
  void theArtifactBucketExpiresOnlyAbandonedPayloadsAfterSevenDays() {
    Map<?, ?> lifecycle = (Map<?, ?>) properties("ArtifactBucket", "AWS::S3::Bucket").get("LifecycleConfiguration");
    assertThat(lifecycle).isNotNull();
    List<?> rules = (List<?>) lifecycle.get("Rules");
    assertThat(rules).singleElement().satisfies(rule -> {
      Map<?, ?> map = (Map<?, ?>) rule;
      assertThat(map.get("Status")).isEqualTo("Enabled");
      assertThat(map.get("Prefix")).isEqualTo("payloads/");
      assertThat(map.get("ExpirationInDays")).isEqualTo(7);
      assertThat(map.keySet()).map(Object::toString).doesNotContain("ExpirationDate", "TagFilters", "Transitions",
          "Transition");
      // Parts of an upload that died with its client.
      assertThat(map.get("AbortIncompleteMultipartUpload")).isEqualTo(Map.of("DaysAfterInitiation", 1));
    });
    // The jar is not under the prefix (the markers are under ready/).
    Map<?, ?> parameter = (Map<?, ?>) ((Map<?, ?>) template.get("Parameters")).get("WorkerJarKey");
    assertThat(parameter.get("Default").toString()).doesNotStartWith("payloads/");
  }

  /** An error silenced in the template would pass the lint below while CloudFormation still refuses it. */
  @Test
  void theTemplateSilencesNoCfnLintCheck() {
    List<String> silenced = new ArrayList<>();
    Object metadata = template.get("Metadata");
    if (metadata instanceof Map<?, ?> map && map.containsKey("cfn-lint")) {
      silenced.add("Metadata: " + map.get("cfn-lint"));
    }
    resources.forEach((name, body) -> {
      Object resourceMetadata = ((Map<?, ?>) body).get("Metadata");
      if (resourceMetadata instanceof Map<?, ?> map && map.containsKey("cfn-lint")) {
        silenced.add(name + ": " + map.get("cfn-lint"));
      }
    });
    assertThat(silenced).isEmpty();
    assertThat(repo.resolve(".cfnlintrc")).doesNotExist();
    assertThat(repo.resolve(".cfnlintrc.yaml")).doesNotExist();
    assertThat(repo.resolve(".cfnlintrc.yml")).doesNotExist();
  }

  /**
   * AWS's own linter, where it is installed ({@code pip install cfn-lint}): no error, and no
   * warning either. Its exit code is a bit set: 2 errors, 4 warnings, 8 informational.
   */
  @Test
  void cfnLintFindsNothing() throws Exception {
    Path cfnLint = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "cfn-lint")).filter(Files::isExecutable).findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(cfnLint != null,
        "cfn-lint is not on the PATH (pip install cfn-lint): template.yaml is not checked against AWS's rules");

    Path report = Files.createTempFile("cfn-lint", ".txt");
    try {
      Process process = new ProcessBuilder(cfnLint.toString(), "--", "template.yaml").directory(repo.toFile())
          .redirectErrorStream(true).redirectOutput(report.toFile()).start();
      process.getOutputStream().close();
      boolean ended = process.waitFor(3, java.util.concurrent.TimeUnit.MINUTES);
      if (!ended) {
        process.destroyForcibly();
      }
      String out = Files.readString(report);
      assertThat(ended).withFailMessage("cfn-lint did not end within 3 minutes; it printed:%n%s", out).isTrue();
      int code = process.exitValue();
      // A cfn-lint that fails to start prints a traceback and exits 1: no bit set, but no check ran either.
      assertThat(code).withFailMessage("cfn-lint exited %d (not a lint result):%n%s", code, out).isNotEqualTo(1);
      assertThat(code & 2).withFailMessage("cfn-lint reports errors in template.yaml:%n%s", out).isZero();
      assertThat(out).withFailMessage("cfn-lint reports on template.yaml:%n%s", out).isEmpty();
      assertThat(code).withFailMessage("cfn-lint exited %d:%n%s", code, out).isZero();
    } finally {
      Files.deleteIfExists(report);
    }
  }

  @Test
  void theWorkerFunctionRunsItsHandlerOnJava21FromTheSameJarFedByTheTaskQueueOffByDefault() throws Exception {
    Map<String, Object> function = properties("WorkerFunction", "AWS::Serverless::Function");
    String[] handler = ((String) function.get("Handler")).split("::");
    assertThat(handler[0]).isEqualTo(WorkerFunctionHandler.class.getName());
    Class<?> type = Class.forName(handler[0]);
    assertThat(Arrays.stream(type.getMethods()).map(Method::getName)).contains(handler[1]);
    assertThat(com.amazonaws.services.lambda.runtime.RequestStreamHandler.class).isAssignableFrom(type);
    assertThat(type.getConstructor()).isNotNull();
    assertThat(function.get("Runtime")).isEqualTo("java21");
    assertThat(function.get("CodeUri"))
        .isEqualTo(properties("DispatcherFunction", "AWS::Serverless::Function").get("CodeUri"));
    assertThat(function.get("MemorySize")).isInstanceOf(Integer.class);
    assertThat(function.get("Role")).isEqualTo(new Fn("GetAtt", "WorkerFunctionRole.Arn"));

    assertThat(function).as("fed by its own mapping resource, which the dispatcher can name").doesNotContainKey("Events");
    Map<String, Object> properties = properties("WorkerFunctionMapping", "AWS::Lambda::EventSourceMapping");
    assertThat(properties.get("FunctionName")).isEqualTo(new Fn("Ref", "WorkerFunction"));
    assertThat(properties.get("EventSourceArn")).isEqualTo(new Fn("GetAtt", "TaskQueue.Arn"));
    assertThat(properties.get("Enabled")).as("off until the dispatcher turns it on").isEqualTo(false);
    assertThat(strings(properties.get("FunctionResponseTypes"))).containsExactly("ReportBatchItemFailures");
    assertThat(((Map<?, ?>) properties.get("ScalingConfig")).get("MaximumConcurrency"))
        .isEqualTo(new Fn("Ref", "BurstMaxConcurrency"));
  }

  /** Lambda refuses a mapping on a queue whose visibility timeout is shorter than the function's timeout. */
  @Test
  void theWorkerFunctionsTimeoutFitsLambdaAndByDefaultTheTaskQueuesVisibility() {
    Map<String, Object> function = properties("WorkerFunction", "AWS::Serverless::Function");
    assertThat(function.get("Timeout")).isEqualTo(new Fn("Ref", "BurstTimeoutSeconds"));
    Map<?, ?> parameters = (Map<?, ?>) template.get("Parameters");
    Map<?, ?> timeout = (Map<?, ?>) parameters.get("BurstTimeoutSeconds");
    Map<?, ?> visibility = (Map<?, ?>) parameters.get("TaskVisibilitySeconds");
    assertThat((Integer) timeout.get("MaxValue")).isLessThanOrEqualTo(900);
    assertThat((Integer) timeout.get("Default")).isLessThanOrEqualTo((Integer) visibility.get("Default"));
    Map<?, ?> concurrency = (Map<?, ?>) parameters.get("BurstMaxConcurrency");
    assertThat((Integer) concurrency.get("MinValue")).isGreaterThanOrEqualTo(2);
    assertThat((Integer) concurrency.get("MaxValue")).isLessThanOrEqualTo(1000);
  }

  @Test
  void theTemplateSetsEveryVariableTheWorkerFunctionReadsAndNoOther() {
    Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) properties("WorkerFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    assertThat(variables.keySet().stream().map(Object::toString).toList())
        .containsExactlyInAnyOrderElementsOf(WorkerFunctionHandler.VARIABLES);
    Map<?, ?> dispatcher = (Map<?, ?>) ((Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    // The same queue, slots, poison rule and payload store as the VM workers the dispatcher launches.
    for (String name : WorkerFunctionHandler.VARIABLES) {
      assertThat(variables.get(name)).as(name).isEqualTo(dispatcher.get(name));
    }
  }

  @Test
  void theVmOnlyQueueIsServedByVmsAndFedByClientsButNeverReachesTheBurstFunction() {
    Map<String, Object> queue = properties("VmTaskQueue", "AWS::SQS::Queue");
    Map<String, Object> tasks = properties("TaskQueue", "AWS::SQS::Queue");
    assertThat(queue.get("VisibilityTimeout")).isEqualTo(tasks.get("VisibilityTimeout"));
    assertThat(queue.get("RedrivePolicy")).isEqualTo(tasks.get("RedrivePolicy"));
    assertThat(queue.get("SqsManagedSseEnabled")).isEqualTo(true);
    assertThat(String.valueOf(statements(properties("WorkerFunctionRole", "AWS::IAM::Role"))))
        .doesNotContain("VmTaskQueue");
    assertThat(String.valueOf(properties("WorkerFunction", "AWS::Serverless::Function"))).doesNotContain("VmTaskQueue");
    Map<?, ?> dispatcher = (Map<?, ?>) ((Map<?, ?>) properties("DispatcherFunction", "AWS::Serverless::Function")
        .get("Environment")).get("Variables");
    assertThat(dispatcher.get(DispatcherSettings.VM_QUEUE_URL)).isEqualTo(new Fn("Ref", "VmTaskQueue"));
    Map<?, ?> clientDocument = (Map<?, ?>) properties("ClientPolicy", "AWS::IAM::ManagedPolicy").get("PolicyDocument");
    assertThat(((List<?>) clientDocument.get("Statement")).stream().map(o -> (Map<?, ?>) o))
        .anySatisfy(statement -> {
          assertThat(strings(statement.get("Action"))).contains("sqs:SendMessage");
          assertThat(statement.get("Resource")).isEqualTo(new Fn("GetAtt", "VmTaskQueue.Arn"));
        });
    assertThat(((Map<?, ?>) ((Map<?, ?>) template.get("Outputs")).get("VmTaskQueueUrl")).get("Value"))
        .isEqualTo(new Fn("Ref", "VmTaskQueue"));
  }

  @Test
  void theWorkerFunctionsRoleIsLeastPrivilege() {
    List<Map<?, ?>> statements = statements(properties("WorkerFunctionRole", "AWS::IAM::Role"));
    Set<String> actions = new TreeSet<>();
    for (Map<?, ?> statement : statements) {
      assertThat(statement.get("Effect")).isEqualTo("Allow");
      assertThat(statement.get("Resource")).as("resource of %s", statement.get("Sid")).isNotEqualTo("*");
      assertThat(statement.keySet().stream().map(Object::toString).toList()).doesNotContain("NotResource", "NotAction");
      List<String> these = strings(statement.get("Action"));
      actions.addAll(these);
      assertThat(these).noneMatch(action -> action.contains("*"));
      String resource = String.valueOf(statement.get("Resource"));
      if (these.contains("sqs:SendMessage")) {
        assertThat(resource).satisfiesAnyOf(r -> assertThat(r).contains("DeadLetterQueue.Arn"),
            r -> assertThat(r).contains("TaskQueue.Arn"), r -> assertThat(r).contains(":shoal-reply-*"));
      }
      if (these.stream().anyMatch(action -> action.startsWith("s3:"))) {
        assertThat(resource).contains("${ArtifactBucket.Arn}/payloads/*");
      }
      if (these.contains("sqs:ReceiveMessage") || these.contains("sqs:DeleteMessage")
          || these.contains("sqs:ChangeMessageVisibility")) {
        assertThat(statement.get("Resource")).isEqualTo(new Fn("GetAtt", "TaskQueue.Arn"));
      }
    }
    assertThat(actions).containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents",
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl", "sqs:SendMessage", "s3:GetObject", "s3:PutObject");
  }

  @Test
  void theOutputsGiveWhatAClientNeeds() {
    assertThat(keys("Outputs")).contains("Region", "TaskQueueUrl", "DeadLetterQueueUrl", "DispatcherFunctionName",
        "ArtifactBucketName");
  }

  // ------------------------------------------------------------------ helpers

  private static Set<String> keys(String section) {
    Object value = template.get(section);
    return value == null ? Set.of() : new HashSet<>(((Map<?, ?>) value).keySet().stream().map(Object::toString).toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(String resource, String type) {
    Map<String, Object> body = (Map<String, Object>) resources.get(resource);
    assertThat(body).as("resource %s", resource).isNotNull();
    assertThat(body.get("Type")).isEqualTo(type);
    return (Map<String, Object>) body.get("Properties");
  }

  private static List<Map<?, ?>> statements(Map<String, Object> role) {
    List<Map<?, ?>> statements = new ArrayList<>();
    for (Object policy : (List<?>) role.get("Policies")) {
      Map<?, ?> document = (Map<?, ?>) ((Map<?, ?>) policy).get("PolicyDocument");
      for (Object statement : (List<?>) document.get("Statement")) {
        statements.add((Map<?, ?>) statement);
      }
    }
    return statements;
  }

  private static List<String> strings(Object value) {
    return value instanceof List<?> list ? list.stream().map(Object::toString).toList() : List.of(value.toString());
  }

  private interface Visitor {
    void visit(String path, Fn fn);
  }

  private static void walk(Object node, String path, Visitor visitor) {
    if (node instanceof Fn fn) {
      visitor.visit(path, fn);
      walk(fn.argument(), path + "/!" + fn.name(), visitor);
    } else if (node instanceof Map<?, ?> map) {
      new LinkedHashMap<>(map).forEach((key, value) -> walk(value, path + "/" + key, visitor));
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", visitor);
      }
    }
  }
}
