package dev.shoal.aws;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.HeartbeatProvider;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
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
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A {@link ComputeProvider} of EC2 instances, for one pool.
 *
 * <p><b>Launching.</b> {@code RunInstances} from a launch template (id or name, and a version) or
 * from explicit parameters (AMI, instance type, subnet, security groups, instance profile, spot or
 * on-demand). Every instance (and its volumes) is tagged {@value #POOL_TAG}{@code =<pool>}, is set to
 * terminate when it shuts down, and gets user data that fetches the worker jar, runs
 * {@link WorkerOptions#MAIN_CLASS} with the options' arguments, and powers the machine off when the
 * worker exits, which it does by itself once idle: the VM goes with it.
 *
 * <p><b>What the image needs.</b> bash, curl, and Java 17 or a package manager that installs it
 * (dnf, yum or apt-get): Amazon Linux 2023 and 2, Ubuntu, Debian. Not the AWS CLI: an
 * {@code s3://} jar is fetched with curl from a link this provider presigns at each launch (valid
 * for {@linkplain Builder#jarLinkValidity(Duration) an hour} by default; the instance fetches it
 * at boot), and the worker JVM writes its own heartbeat. Installs and downloads have timeouts. All
 * the script and the worker print goes to {@code /var/log/shoal-worker.log} and to the script's
 * output, which cloud-init keeps in {@code /var/log/cloud-init-output.log} and copies to the
 * console, so a boot that failed can be read with {@code aws ec2 get-console-output} after the
 * instance is gone.
 *
 * <p><b>Pending, running, silent.</b> EC2 cannot tell whether a worker polls, and workers have no
 * EC2 permission to say so. With a readiness bucket set, each worker JVM beats an
 * {@link S3Heartbeat} at {@code ready/<pool>/<instance-id>} in it as soon as it polls and then every
 * {@linkplain Builder#heartbeatPeriod(Duration) heartbeat period} while it makes progress; an
 * instance is {@link WorkerInstance.State#RUNNING RUNNING} once its marker exists, with the
 * marker's last-modified time as its {@link WorkerInstance#lastSeen() lastSeen}, and
 * {@link WorkerInstance.State#PENDING PENDING} until then (whatever EC2's own state). Without a
 * readiness bucket, EC2's state decides ({@code pending} is PENDING, {@code running} is RUNNING)
 * and nothing is ever seen. An instance's {@link WorkerInstance#launchedAt()} is EC2's launch time,
 * from which the dispatcher's scaling step finds the ones still pending after its deadline; from
 * {@code lastSeen} it finds the running ones that fell silent (a hung worker, or a VM that rebooted:
 * user data runs once, so nothing restarts the worker); it {@linkplain #terminate(Collection)
 * terminates} both. {@link #list()} also deletes the markers of instances that are gone, so the
 * bucket holds only live ones.
 *
 * <p><b>Only its own pool.</b> Instances are found only by the pool tag filter, and
 * {@link #terminate(Collection)} checks each id against it first: an id outside the pool is skipped
 * and logged, never terminated (Parsl's issue #3764).
 */
public final class Ec2Provider implements ComputeProvider {
  private static final Logger log = LoggerFactory.getLogger(Ec2Provider.class);

  /** The tag every instance of a pool carries; its value is the pool's name. */
  public static final String POOL_TAG = "shoal:pool";
  /** Where, in the readiness bucket, a worker that polls beats its heartbeat: {@code ready/<pool>/<id>}. */
  public static final String READY_PREFIX = "ready/";
  /** Where the user data writes its log (and the worker's), besides the console. */
  static final String LOG_FILE = "/var/log/shoal-worker.log";
  /** Where the user data puts the worker jar. */
  static final String HOME = "/opt/shoal";

  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern S3_URL = Pattern.compile("s3://([^/]+)/(.+)");
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
  private final Duration heartbeatPeriod;
  private final Duration jarLinkValidity;
  private final S3Presigner presigner;
  private final boolean ownsPresigner;
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
    if (!S3_URL.matcher(workerJarUrl).matches() && !workerJarUrl.startsWith("https://")) {
      throw new IllegalArgumentException("the worker jar's URL must be s3://bucket/key or https://...: "
          + workerJarUrl);
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
    this.heartbeatPeriod = builder.heartbeatPeriod;
    this.jarLinkValidity = builder.jarLinkValidity;
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
    if (builder.presigner != null) {
      this.presigner = builder.presigner;
      this.ownsPresigner = builder.ownsPresigner;
    } else if (workerJarUrl.startsWith("s3://")) {
      this.presigner = AwsClients.presigner(builder.settings);
      this.ownsPresigner = true;
    } else {
      this.presigner = null;
      this.ownsPresigner = false;
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
        .userData(Base64.getEncoder().encodeToString(userData(jarLink()).getBytes(StandardCharsets.UTF_8)))
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
   * The pool's pending and running instances, each launched at EC2's launch time and, with a
   * readiness bucket, last seen at its heartbeat's time. With a readiness bucket, it also deletes
   * the markers of instances no longer listed (they left, or were terminated), so that the bucket
   * does not grow with the pool's history.
   */
  @Override
  public List<WorkerInstance> list() {
    List<Instance> instances = describe(List.of(), LIVE_STATES);
    Map<String, Instant> ready = readyBucket == null ? null : readyMarkers();
    List<WorkerInstance> workers = new ArrayList<>(instances.size());
    for (Instance instance : instances) {
      Instant seen = ready != null ? ready.get(instance.instanceId()) : null;
      boolean polling = ready != null ? seen != null : instance.state().name() == InstanceStateName.RUNNING;
      workers.add(new WorkerInstance(instance.instanceId(),
          polling ? WorkerInstance.State.RUNNING : WorkerInstance.State.PENDING, instance.launchTime(), seen));
    }
    if (ready != null) {
      // Markers are listed after the instances: one of a worker launched in between cannot exist yet.
      Set<String> live = workers.stream().map(WorkerInstance::id).collect(Collectors.toSet());
      for (String id : ready.keySet()) {
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
      if (ownsPresigner && presigner != null) {
        presigner.close();
      }
    }
  }

  /**
   * The user data script (before base64) of this pool's instances, fetching the worker jar from
   * {@code jarLink} (an https URL).
   */
  String userData(String jarLink) {
    StringBuilder script = new StringBuilder();
    script.append("#!/bin/bash\n")
        .append("# Shoal worker of pool ").append(pool).append(": fetch the worker jar, run it until it leaves by\n")
        .append("# itself (idle), then power off; the instance terminates on shutdown, so the VM goes with it.\n")
        .append("# All output goes to a file and to this script's output, which cloud-init keeps in\n")
        .append("# /var/log/cloud-init-output.log and copies to the console: a failed boot leaves a trace.\n")
        .append("exec > >(tee -a ").append(LOG_FILE).append(") 2>&1\n")
        .append("trap 'echo \"shoal: powering off\"; shutdown -h now' EXIT\n")
        .append("set -u\n")
        .append("fail() { echo \"shoal: $*\" >&2; exit 1; }\n");
    String region = workerOptions.transportSettings().get(SqsClients.REGION);
    if (region != null) {
      script.append("export AWS_REGION=").append(quote(region)).append(" AWS_DEFAULT_REGION=")
          .append(quote(region)).append('\n');
    }
    script.append("command -v curl >/dev/null 2>&1 || fail \"this image has no curl (see README: supported images)\"\n")
        .append("if ! command -v java >/dev/null 2>&1; then\n")
        .append("  echo \"shoal: installing Java 17\"\n")
        .append("  if command -v dnf >/dev/null 2>&1; then\n")
        .append("    timeout 600 dnf install -y -q java-17-amazon-corretto-headless\n")
        .append("  elif command -v yum >/dev/null 2>&1; then\n")
        .append("    timeout 600 yum install -y -q java-17-amazon-corretto-headless\n")
        .append("  elif command -v apt-get >/dev/null 2>&1; then\n")
        // At boot, another apt (unattended upgrades, cloud-init's own) may hold the lock for a while.
        .append("    timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -q \\\n")
        .append("      && timeout 600 apt-get -o DPkg::Lock::Timeout=120 install -y -q openjdk-17-jre-headless\n")
        .append("  fi\n")
        .append("  command -v java >/dev/null 2>&1 || fail \"could not install Java 17 (no dnf, yum or apt-get, or it failed)\"\n")
        .append("fi\n")
        .append("mkdir -p ").append(HOME).append(" || fail \"cannot create ").append(HOME).append("\"\n")
        .append("cd ").append(HOME).append(" || fail \"cannot enter ").append(HOME).append("\"\n")
        // Never echoed: for its validity, the link lets anyone who reads it fetch the jar.
        .append("curl -fsS --connect-timeout 10 --max-time 300 --retry 5 --retry-delay 5 -o worker.jar ")
        .append(quote(jarLink)).append(" \\\n")
        .append("  || fail \"could not fetch the worker jar\"\n")
        .append("TOKEN=$(curl -fsS --connect-timeout 2 --max-time 10 --retry 3 -X PUT http://169.254.169.254/latest/api/token ")
        .append("-H 'X-aws-ec2-metadata-token-ttl-seconds: 300') \\\n")
        .append("  || fail \"no instance metadata token\"\n")
        .append("ID=$(curl -fsS --connect-timeout 2 --max-time 10 --retry 3 -H \"X-aws-ec2-metadata-token: $TOKEN\" ")
        .append("http://169.254.169.254/latest/meta-data/instance-id) \\\n")
        .append("  || fail \"no instance id from the instance metadata\"\n");
    if (readyBucket != null) {
      script.append("export ").append(HeartbeatProvider.TARGET_ENV).append('=')
          .append(quote("s3://" + readyBucket + "/" + readyPrefix())).append("\"$ID\" ")
          .append(HeartbeatProvider.PERIOD_ENV).append('=').append(quote(heartbeatPeriod.toString())).append('\n');
    }
    script.append("echo \"shoal: starting worker $ID\"\n")
        .append(workerOptions.shellCommand("worker.jar", "ID")).append('\n')
        .append("echo \"shoal: worker exited with status $?\"\n");
    return script.toString();
  }

  private String readyPrefix() {
    return READY_PREFIX + pool + "/";
  }

  /** The ids of the instances with a marker, each with the time of its last heartbeat. */
  private Map<String, Instant> readyMarkers() {
    Map<String, Instant> seen = new HashMap<>();
    String prefix = readyPrefix();
    for (S3Object marker : s3.listObjectsV2Paginator(r -> r.bucket(readyBucket).prefix(prefix)).contents()) {
      String id = marker.key().substring(prefix.length());
      if (!id.isEmpty() && !id.contains("/")) {
        seen.put(id, marker.lastModified());
      }
    }
    return seen;
  }

  /** Where the instances fetch the worker jar: the https URL as given, an s3 one presigned now. */
  private String jarLink() {
    Matcher s3Url = S3_URL.matcher(workerJarUrl);
    if (!s3Url.matches()) {
      return workerJarUrl;
    }
    return presigner.presignGetObject(r -> r.signatureDuration(jarLinkValidity)
        .getObjectRequest(get -> get.bucket(s3Url.group(1)).key(s3Url.group(2)))).url().toString();
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

  static String quote(String word) {
    return WorkerOptions.shellQuote(word);
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
    private Duration heartbeatPeriod = Duration.ofMinutes(1);
    private Duration jarLinkValidity = Duration.ofHours(1);
    private S3Presigner presigner;
    private boolean ownsPresigner;
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

    /**
     * The worker jar (shaded, with the SQS transport and the services files merged):
     * {@code s3://bucket/key} (the provider presigns a link at each launch, so its credentials need
     * {@code s3:GetObject} on it) or {@code https://...} (fetched as it is).
     */
    public Builder workerJarUrl(String url) {
      this.workerJarUrl = url;
      return this;
    }

    /** The bucket where workers beat their heartbeats (see the class comment); null: EC2's state decides. */
    public Builder readyBucket(String bucket) {
      this.readyBucket = blankToNull(bucket);
      return this;
    }

    /**
     * How often a worker beats its heartbeat (default 1 minute): a few periods must fit in the
     * dispatcher's silence limit.
     */
    public Builder heartbeatPeriod(Duration period) {
      this.heartbeatPeriod = requirePositive(period, "heartbeatPeriod");
      return this;
    }

    /**
     * How long the presigned link to an {@code s3://} worker jar stays valid (default 1 hour): an
     * instance fetches it while it boots. It cannot outlive the credentials that sign it.
     */
    public Builder jarLinkValidity(Duration validity) {
      this.jarLinkValidity = requirePositive(validity, "jarLinkValidity");
      return this;
    }

    /**
     * The presigner of the links to an {@code s3://} worker jar; closed with the provider if
     * {@code owned}. Default: one from the {@linkplain #settings(Map) settings}.
     */
    public Builder presigner(S3Presigner presigner, boolean owned) {
      this.presigner = Objects.requireNonNull(presigner, "presigner");
      this.ownsPresigner = owned;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Ec2Provider build() {
      return new Ec2Provider(this);
    }

    private static Duration requirePositive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value;
    }
  }
}
