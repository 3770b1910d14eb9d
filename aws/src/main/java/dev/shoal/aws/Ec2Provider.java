package dev.shoal.aws;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link ComputeProvider} of EC2 instances, for one pool.
 *
 * <p><b>Launching.</b> {@code RunInstances} from a launch template (id or name, and a version) or
 * from explicit parameters (AMI, instance type, subnet, security groups, instance profile, spot or
 * on-demand). Every instance (and its volumes) is tagged {@value #POOL_TAG}{@code =<pool>}, is set to
 * terminate when it shuts down, and gets user data that fetches the worker jar (an {@code s3://} or
 * {@code https://} URL), runs {@link WorkerOptions#MAIN_CLASS} with the options' arguments, and powers the
 * machine off when the worker exits, which it does by itself once idle: the VM goes with it.
 *
 * <p><b>Pending or running.</b> EC2 cannot tell whether a worker polls, and workers have no EC2
 * permission to say so. With a readiness bucket set, the user data writes an empty object
 * {@code ready/<pool>/<instance-id>} to it once the worker prints its "ready" line; an instance is
 * {@link WorkerInstance.State#RUNNING RUNNING} once its marker exists and
 * {@link WorkerInstance.State#PENDING PENDING} until then (whatever EC2's own state). Without a
 * readiness bucket, EC2's state decides: {@code pending} is PENDING, {@code running} is RUNNING.
 * Either way an instance's {@link WorkerInstance#launchedAt()} is EC2's launch time, from which the
 * dispatcher's scaling step finds the ones still pending after its deadline and
 * {@linkplain #terminate(Collection) terminates} them. {@link #list()} also deletes the markers of
 * instances that are gone, so the bucket holds only live ones.
 *
 * <p><b>Only its own pool.</b> Instances are found only by the pool tag filter, and
 * {@link #terminate(Collection)} checks each id against it first: an id outside the pool is skipped
 * and logged, never terminated (Parsl's issue #3764).
 */
public final class Ec2Provider implements ComputeProvider {
  private static final Logger log = LoggerFactory.getLogger(Ec2Provider.class);

  /** The tag every instance of a pool carries; its value is the pool's name. */
  public static final String POOL_TAG = "shoal:pool";
  /** Where, in the readiness bucket, the user data marks a worker that polls: {@code ready/<pool>/<id>}. */
  public static final String READY_PREFIX = "ready/";

  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final List<String> LIVE_STATES = List.of(InstanceStateName.PENDING.toString(),
      InstanceStateName.RUNNING.toString());
  private static final int FILTER_CHUNK = 100;

  private final Ec2Client ec2;
  private final boolean ownsEc2;
  private final S3Client s3;
  private final boolean ownsS3;
  private final String pool;
  private final String launchTemplateId;
  private final String launchTemplateName;
  private final String launchTemplateVersion;
  private final String imageId;
  private final String instanceType;
  private final String subnetId;
  private final List<String> securityGroupIds;
  private final String instanceProfile;
  private final Boolean spot;
  private final WorkerOptions workerOptions;
  private final String workerJarUrl;
  private final String readyBucket;
  private final Clock clock;

  private Ec2Provider(Builder builder) {
    this.pool = Objects.requireNonNull(builder.pool, "an EC2 provider needs a pool name");
    if (!POOL_NAME.matcher(pool).matches()) {
      throw new IllegalArgumentException("pool name must be 1-63 of [A-Za-z0-9._-], starting alphanumeric: " + pool);
    }
    boolean template = builder.launchTemplateId != null || builder.launchTemplateName != null;
    if (builder.launchTemplateId != null && builder.launchTemplateName != null) {
      throw new IllegalArgumentException("give a launch template's id or its name, not both");
    }
    if (!template && builder.imageId == null) {
      throw new IllegalArgumentException("an EC2 provider needs a launch template or an AMI id");
    }
    this.workerOptions = Objects.requireNonNull(builder.workerOptions, "an EC2 provider needs worker options");
    this.workerJarUrl = Objects.requireNonNull(builder.workerJarUrl, "an EC2 provider needs the worker jar's URL");
    if (!workerJarUrl.startsWith("s3://") && !workerJarUrl.startsWith("https://")) {
      throw new IllegalArgumentException("the worker jar's URL must be s3:// or https://: " + workerJarUrl);
    }
    this.launchTemplateId = builder.launchTemplateId;
    this.launchTemplateName = builder.launchTemplateName;
    this.launchTemplateVersion = builder.launchTemplateVersion;
    this.imageId = builder.imageId;
    this.instanceType = builder.instanceType;
    this.subnetId = builder.subnetId;
    this.securityGroupIds = List.copyOf(builder.securityGroupIds);
    this.instanceProfile = builder.instanceProfile;
    this.spot = builder.spot;
    this.readyBucket = builder.readyBucket;
    this.clock = Objects.requireNonNull(builder.clock, "clock");
    if (builder.ec2 != null) {
      this.ec2 = builder.ec2;
      this.ownsEc2 = builder.ownsEc2;
    } else {
      this.ec2 = AwsClients.configure(Ec2Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
          builder.settings).build();
      this.ownsEc2 = true;
    }
    if (readyBucket == null) {
      this.s3 = null;
      this.ownsS3 = false;
    } else if (builder.s3 != null) {
      this.s3 = builder.s3;
      this.ownsS3 = builder.ownsS3;
    } else {
      this.s3 = AwsClients.configure(S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
          .forcePathStyle(AwsClients.hasEndpoint(builder.settings)), builder.settings).build();
      this.ownsS3 = true;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public String pool() {
    return pool;
  }

  @Override
  public List<WorkerInstance> launch(int count) {
    if (count < 1) {
      return List.of();
    }
    List<Tag> tags = List.of(Tag.builder().key(POOL_TAG).value(pool).build(),
        Tag.builder().key("Name").value("shoal-worker-" + pool).build());
    RunInstancesRequest.Builder request = RunInstancesRequest.builder()
        .minCount(count)
        .maxCount(count)
        .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
        .userData(Base64.getEncoder().encodeToString(userData().getBytes(StandardCharsets.UTF_8)))
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
            TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
    if (launchTemplateId != null || launchTemplateName != null) {
      request.launchTemplate(LaunchTemplateSpecification.builder().launchTemplateId(launchTemplateId)
          .launchTemplateName(launchTemplateName).version(launchTemplateVersion).build());
    }
    if (imageId != null) {
      request.imageId(imageId);
    }
    if (instanceType != null) {
      request.instanceType(instanceType);
    }
    if (subnetId != null) {
      request.subnetId(subnetId);
    }
    if (!securityGroupIds.isEmpty()) {
      request.securityGroupIds(securityGroupIds);
    }
    if (instanceProfile != null) {
      IamInstanceProfileSpecification.Builder profile = IamInstanceProfileSpecification.builder();
      request.iamInstanceProfile((instanceProfile.startsWith("arn:") ? profile.arn(instanceProfile)
          : profile.name(instanceProfile)).build());
    }
    if (Boolean.TRUE.equals(spot)) {
      request.instanceMarketOptions(InstanceMarketOptionsRequest.builder().marketType(MarketType.SPOT)
          .spotOptions(SpotMarketOptions.builder().spotInstanceType(SpotInstanceType.ONE_TIME)
              .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE).build())
          .build());
    }
    RunInstancesResponse response;
    try {
      response = ec2.runInstances(request.build());
    } catch (Ec2Exception e) {
      if (count == 1 || e.awsErrorDetails() == null
          || !"InsufficientInstanceCapacity".equals(e.awsErrorDetails().errorCode())) {
        throw e;
      }
      // Fewer than asked rather than none when capacity is short; the next evaluation asks again.
      log.warn("ec2 pool {}: not enough capacity for {} instance(s), asking for as many as there are", pool, count);
      response = ec2.runInstances(request.minCount(1).build());
    }
    Instant now = clock.instant();
    List<WorkerInstance> launched = response.instances().stream()
        .map(instance -> new WorkerInstance(instance.instanceId(), WorkerInstance.State.PENDING,
            instance.launchTime() != null ? instance.launchTime() : now))
        .toList();
    log.info("ec2 pool {}: launched {} of {} instance(s): {}", pool, launched.size(), count,
        launched.stream().map(WorkerInstance::id).toList());
    return launched;
  }

  /**
   * The pool's pending and running instances, each launched at EC2's launch time. With a readiness
   * bucket, it also deletes the markers of instances no longer listed (they left, or were
   * terminated), so that the bucket does not grow with the pool's history.
   */
  @Override
  public List<WorkerInstance> list() {
    List<Instance> instances = describe(List.of(), LIVE_STATES);
    Set<String> ready = readyBucket == null ? null : readyMarkers();
    List<WorkerInstance> workers = new ArrayList<>(instances.size());
    for (Instance instance : instances) {
      boolean polling = ready != null ? ready.contains(instance.instanceId())
          : instance.state().name() == InstanceStateName.RUNNING;
      workers.add(new WorkerInstance(instance.instanceId(),
          polling ? WorkerInstance.State.RUNNING : WorkerInstance.State.PENDING, instance.launchTime()));
    }
    if (ready != null) {
      // Markers are listed after the instances: one of a worker launched in between cannot exist yet.
      Set<String> live = workers.stream().map(WorkerInstance::id).collect(Collectors.toSet());
      for (String id : ready) {
        if (!live.contains(id)) {
          s3.deleteObject(r -> r.bucket(readyBucket).key(readyPrefix() + id));
        }
      }
    }
    return workers;
  }

  /**
   * Terminates those of these instances that carry this pool's tag; any other id is skipped and
   * logged, never terminated.
   */
  @Override
  public void terminate(Collection<String> workerIds) {
    Set<String> asked = new LinkedHashSet<>(workerIds);
    if (asked.isEmpty()) {
      return;
    }
    Set<String> mine = describe(List.copyOf(asked), List.of("pending", "running", "stopping", "stopped")).stream()
        .map(Instance::instanceId)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    Set<String> refused = new LinkedHashSet<>(asked);
    refused.removeAll(mine);
    if (!refused.isEmpty()) {
      log.warn("ec2 pool {}: not terminating {}: not (or no longer) instances of this pool", pool, refused);
    }
    List<String> ids = List.copyOf(mine);
    for (int from = 0; from < ids.size(); from += FILTER_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FILTER_CHUNK));
      ec2.terminateInstances(r -> r.instanceIds(chunk));
      log.info("ec2 pool {}: terminated {}", pool, chunk);
    }
  }

  /** Terminates every instance of the pool and closes the clients this provider created. */
  @Override
  public void close() {
    try {
      terminate(list().stream().map(WorkerInstance::id).toList());
    } finally {
      if (ownsEc2) {
        ec2.close();
      }
      if (ownsS3) {
        s3.close();
      }
    }
  }

  /** The user data script (before base64) of this pool's instances. */
  String userData() {
    StringBuilder script = new StringBuilder();
    script.append("#!/bin/bash\n")
        .append("# Shoal worker of pool ").append(pool).append(": fetch the worker jar, run it until it leaves by\n")
        .append("# itself (idle), then power off; the instance terminates on shutdown, so the VM goes with it.\n")
        .append("exec >>/var/log/shoal-worker.log 2>&1\n")
        .append("trap 'shutdown -h now' EXIT\n")
        .append("set -u\n");
    String region = workerOptions.transportSettings().get(SqsClients.REGION);
    if (region != null) {
      script.append("export AWS_REGION=").append(quote(region)).append(" AWS_DEFAULT_REGION=")
          .append(quote(region)).append('\n');
    }
    script.append("if ! command -v java >/dev/null 2>&1; then\n")
        .append("  dnf install -y -q java-17-amazon-corretto-headless || yum install -y -q ")
        .append("java-17-amazon-corretto-headless \\\n")
        .append("    || { apt-get update -q && apt-get install -y -q openjdk-17-jre-headless; } || exit 1\n")
        .append("fi\n")
        .append("mkdir -p /opt/shoal && cd /opt/shoal || exit 1\n");
    if (workerJarUrl.startsWith("s3://")) {
      script.append("aws s3 cp --only-show-errors ").append(quote(workerJarUrl)).append(" worker.jar || exit 1\n");
    } else {
      script.append("curl -fsSL -o worker.jar ").append(quote(workerJarUrl)).append(" || exit 1\n");
    }
    script.append("TOKEN=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token ")
        .append("-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n")
        .append("ID=$(curl -fsS -H \"X-aws-ec2-metadata-token: $TOKEN\" ")
        .append("http://169.254.169.254/latest/meta-data/instance-id)\n")
        .append("marked=\n")
        .append("java -cp worker.jar ").append(WorkerOptions.MAIN_CLASS);
    for (String argument : workerOptions.arguments()) {
      script.append(' ').append(quote(argument));
    }
    script.append(" --worker-id \"$ID\" | while IFS= read -r line; do\n")
        .append("  printf '%s\\n' \"$line\"\n");
    if (readyBucket != null) {
      script.append("  if [ -z \"$marked\" ] && [[ \"$line\" == *ready* ]]; then\n")
          .append("    aws s3api put-object --bucket ").append(quote(readyBucket)).append(" --key ")
          .append(quote(readyPrefix())).append("\"$ID\" >/dev/null && marked=1\n")
          .append("  fi\n");
    }
    script.append("done\n");
    return script.toString();
  }

  private String readyPrefix() {
    return READY_PREFIX + pool + "/";
  }

  private Set<String> readyMarkers() {
    Set<String> ids = new HashSet<>();
    String prefix = readyPrefix();
    s3.listObjectsV2Paginator(r -> r.bucket(readyBucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .map(key -> key.substring(prefix.length()))
        .filter(id -> !id.isEmpty() && !id.contains("/"))
        .forEach(ids::add);
    return ids;
  }

  /** The pool's instances in these states, found by the pool tag (and these ids, if any). */
  private List<Instance> describe(List<String> ids, List<String> states) {
    List<Instance> found = new ArrayList<>();
    List<List<String>> chunks = new ArrayList<>();
    if (ids.isEmpty()) {
      chunks.add(List.of());
    }
    for (int from = 0; from < ids.size(); from += FILTER_CHUNK) {
      chunks.add(ids.subList(from, Math.min(ids.size(), from + FILTER_CHUNK)));
    }
    for (List<String> chunk : chunks) {
      List<Filter> filters = new ArrayList<>(List.of(
          Filter.builder().name("tag:" + POOL_TAG).values(pool).build(),
          Filter.builder().name("instance-state-name").values(states).build()));
      if (!chunk.isEmpty()) {
        // A filter, not InstanceIds: an unknown id is then no match, not an error.
        filters.add(Filter.builder().name("instance-id").values(chunk).build());
      }
      ec2.describeInstancesPaginator(r -> r.filters(filters)).reservations()
          .forEach(reservation -> reservation.instances().stream()
              // Belt and braces: the filter already says so.
              .filter(instance -> instance.tags().stream()
                  .anyMatch(tag -> POOL_TAG.equals(tag.key()) && pool.equals(tag.value())))
              .forEach(found::add));
    }
    return found;
  }

  /** A word for bash, single-quoted. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  @Override
  public String toString() {
    return "Ec2Provider[" + pool + "]";
  }

  /** Builds an {@link Ec2Provider}. */
  public static final class Builder {
    private Ec2Client ec2;
    private boolean ownsEc2;
    private S3Client s3;
    private boolean ownsS3;
    private Map<String, String> settings = Map.of();
    private String pool;
    private String launchTemplateId;
    private String launchTemplateName;
    private String launchTemplateVersion;
    private String imageId;
    private String instanceType;
    private String subnetId;
    private List<String> securityGroupIds = List.of();
    private String instanceProfile;
    private Boolean spot;
    private WorkerOptions workerOptions;
    private String workerJarUrl;
    private String readyBucket;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The EC2 client to use; closed with the provider if {@code owned}. */
    public Builder ec2(Ec2Client client, boolean owned) {
      this.ec2 = Objects.requireNonNull(client, "client");
      this.ownsEc2 = owned;
      return this;
    }

    /** The S3 client that reads the readiness markers; closed with the provider if {@code owned}. */
    public Builder s3(S3Client client, boolean owned) {
      this.s3 = Objects.requireNonNull(client, "client");
      this.ownsS3 = owned;
      return this;
    }

    /**
     * Settings for the clients the provider builds when none is given: {@link SqsClients#ENDPOINT},
     * {@link SqsClients#REGION}, {@link SqsClients#CREDENTIALS}.
     */
    public Builder settings(Map<String, String> settings) {
      this.settings = Map.copyOf(settings);
      return this;
    }

    /** The pool's name, the value of its {@value Ec2Provider#POOL_TAG} tag. */
    public Builder pool(String pool) {
      this.pool = pool;
      return this;
    }

    /** Launch from this template ({@code lt-...}); version null for the template's default. */
    public Builder launchTemplateId(String id, String version) {
      this.launchTemplateId = blankToNull(id);
      this.launchTemplateVersion = blankToNull(version);
      return this;
    }

    /** Launch from the template of this name; version null for the template's default. */
    public Builder launchTemplateName(String name, String version) {
      this.launchTemplateName = blankToNull(name);
      this.launchTemplateVersion = blankToNull(version);
      return this;
    }

    /** The AMI (required without a launch template; overrides the template's otherwise). */
    public Builder imageId(String imageId) {
      this.imageId = blankToNull(imageId);
      return this;
    }

    public Builder instanceType(String type) {
      this.instanceType = blankToNull(type);
      return this;
    }

    public Builder subnetId(String subnetId) {
      this.subnetId = blankToNull(subnetId);
      return this;
    }

    /** Security groups; workers need none with inbound rules, since they only pull. */
    public Builder securityGroupIds(List<String> ids) {
      this.securityGroupIds = List.copyOf(ids);
      return this;
    }

    /** The instance profile, by ARN or by name. */
    public Builder instanceProfile(String arnOrName) {
      this.instanceProfile = blankToNull(arnOrName);
      return this;
    }

    /** Spot (one-time, terminated on interruption) or on-demand; not set: as the template says. */
    public Builder spot(boolean spot) {
      this.spot = spot;
      return this;
    }

    /** What the workers are told to start with: transport, settings, queue, slots, idle timeout. */
    public Builder workerOptions(WorkerOptions options) {
      this.workerOptions = options;
      return this;
    }

    /** The worker jar (shaded, with the SQS transport): {@code s3://bucket/key} or {@code https://...}. */
    public Builder workerJarUrl(String url) {
      this.workerJarUrl = url;
      return this;
    }

    /** The bucket where workers mark themselves ready (see the class comment); null: EC2's state decides. */
    public Builder readyBucket(String bucket) {
      this.readyBucket = blankToNull(bucket);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Ec2Provider build() {
      return new Ec2Provider(this);
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value;
    }
  }
}
