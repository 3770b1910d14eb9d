package dev.shoal.azure.vmss;

import dev.shoal.worker.HeartbeatProvider;
import dev.shoal.worker.WorkerOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * The custom data of the pool's VMs: a bash script, which cloud-init runs once at first boot, that
 * installs Java 17 if the image has none, fetches the worker jar from Blob storage with the VM's
 * managed identity (a token for {@value #STORAGE_RESOURCE} from the instance metadata service, then
 * a GET with {@code x-ms-version} and the token as Bearer), runs {@link WorkerOptions#MAIN_CLASS}
 * with the options' arguments and the VM's name as worker id, and powers the machine off when the
 * worker exits (it does by itself once idle, or on a failure at any step).
 *
 * <p>The worker's command line is {@link WorkerOptions#shellCommand}'s, every argument single-quoted:
 * what the options hold (queues, {@code --vm-queue} among them, settings) reaches the worker as one
 * word each and is never read by the shell.
 *
 * <p>A VM that powered itself off is stopped, not gone (and Azure still bills its cores): the
 * dispatcher's provider deletes it when it next lists the pool (see {@link VmssProvider}).
 *
 * <p>No secret is written here: the jar is fetched with a token the VM asks for at boot, never
 * printed and never on a command line (curl reads the header from standard input).
 */
final class CustomDataScript {
  /** Where the script writes its output (and the worker's), besides cloud-init's log and the serial console. */
  static final String LOG_FILE = "/var/log/shoal-worker.log";
  /** Where the script puts the worker jar. */
  static final String HOME = "/opt/shoal";
  /** The audience of the token that reads the jar. */
  static final String STORAGE_RESOURCE = "https://storage.azure.com/";
  /** The Blob service version the GET asks for; Bearer tokens need 2017-11-09 or later. */
  static final String STORAGE_VERSION = "2021-08-06";
  /** Azure's limit on custom data, after base64. */
  static final int MAX_CUSTOM_DATA = 64 * 1024;

  private static final String IMDS = "http://169.254.169.254/metadata";
  /** Tries for the managed identity's token: it may not answer in the first seconds of a boot. */
  private static final int TOKEN_TRIES = 10;
  private static final int TOKEN_PAUSE_SECONDS = 6;

  private final String scaleSet;
  private final WorkerOptions options;
  private final URI jarUrl;
  private final String identityClientId;
  private final String heartbeatTarget;
  private final Duration heartbeatPeriod;

  /**
   * @param identityClientId the user-assigned identity to use, or null for the VM's only one
   * @param heartbeatTarget where the worker beats its heartbeat, without the VM's name (appended
   *     here), or null for no heartbeat
   */
  CustomDataScript(String scaleSet, WorkerOptions options, URI jarUrl, String identityClientId, String heartbeatTarget,
      Duration heartbeatPeriod) {
    this.scaleSet = Objects.requireNonNull(scaleSet, "scaleSet");
    this.options = Objects.requireNonNull(options, "options");
    this.jarUrl = Objects.requireNonNull(jarUrl, "jarUrl");
    this.identityClientId = identityClientId;
    this.heartbeatTarget = heartbeatTarget;
    this.heartbeatPeriod = Objects.requireNonNull(heartbeatPeriod, "heartbeatPeriod");
  }

  /** The script, base64-encoded as ARM takes custom data; refused if over Azure's limit. */
  String base64() {
    String encoded = Base64.getEncoder().encodeToString(render().getBytes(StandardCharsets.UTF_8));
    if (encoded.length() > MAX_CUSTOM_DATA) {
      throw new IllegalArgumentException("the worker's custom data is " + encoded.length()
          + " bytes in base64, over Azure's limit of " + MAX_CUSTOM_DATA + " (too many or too long worker settings?)");
    }
    return encoded;
  }

  String render() {
    String tokenUrl = IMDS + "/identity/oauth2/token?api-version=2018-02-01&resource="
        + URLEncoder.encode(STORAGE_RESOURCE, StandardCharsets.UTF_8)
        + (identityClientId == null ? "" : "&client_id=" + URLEncoder.encode(identityClientId, StandardCharsets.UTF_8));
    StringBuilder script = new StringBuilder();
    script.append("#!/bin/bash\n")
        .append("# Shoal worker of scale set ").append(scaleSet).append(": fetch the worker jar with this VM's managed\n")
        .append("# identity, run it until it leaves by itself (idle), then power off; the dispatcher deletes\n")
        .append("# the stopped VM. All output goes to a file and to this script's output, which cloud-init\n")
        .append("# keeps in /var/log/cloud-init-output.log and copies to the serial console (boot diagnostics).\n")
        .append("exec > >(tee -a ").append(LOG_FILE).append(") 2>&1\n")
        .append("trap 'echo \"shoal: powering off\"; shutdown -h now' EXIT\n")
        .append("set -u\n")
        .append("fail() { echo \"shoal: $*\" >&2; exit 1; }\n")
        .append("command -v curl >/dev/null 2>&1 || fail \"this image has no curl (see README: supported images)\"\n")
        .append("if ! command -v java >/dev/null 2>&1; then\n")
        .append("  echo \"shoal: installing Java 17\"\n")
        .append("  if command -v apt-get >/dev/null 2>&1; then\n")
        // At boot, another apt (unattended upgrades, cloud-init's own) may hold the lock for a while.
        .append("    timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -q \\\n")
        .append("      && timeout 600 apt-get -o DPkg::Lock::Timeout=120 install -y -q openjdk-17-jre-headless\n")
        .append("  elif command -v tdnf >/dev/null 2>&1; then\n")
        .append("    timeout 600 tdnf install -y -q msopenjdk-17\n")
        .append("  elif command -v dnf >/dev/null 2>&1; then\n")
        .append("    timeout 600 dnf install -y -q java-17-openjdk-headless\n")
        .append("  fi\n")
        .append("  command -v java >/dev/null 2>&1 || fail \"could not install Java 17 (no apt-get, tdnf or dnf, or it failed)\"\n")
        .append("fi\n")
        .append("mkdir -p ").append(HOME).append(" || fail \"cannot create ").append(HOME).append("\"\n")
        .append("cd ").append(HOME).append(" || fail \"cannot enter ").append(HOME).append("\"\n")
        .append("token=\"\"\n")
        .append("for try in");
    for (int i = 1; i <= TOKEN_TRIES; i++) {
      script.append(' ').append(i);
    }
    script.append("; do\n")
        .append("  token=$(curl -fsS --connect-timeout 2 --max-time 10 -H 'Metadata: true' \\\n")
        .append("    ").append(quote(tokenUrl)).append(" \\\n")
        .append("    | sed -n 's/.*\"access_token\" *: *\"\\([^\"]*\\)\".*/\\1/p')\n")
        .append("  [ -n \"$token\" ] && break\n")
        .append("  echo \"shoal: no token from the managed identity yet (try $try of ").append(TOKEN_TRIES).append(")\"\n")
        .append("  sleep ").append(TOKEN_PAUSE_SECONDS).append('\n')
        .append("done\n")
        .append("[ -n \"$token\" ] || fail \"no token for Blob storage from this VM's managed identity")
        .append(" (is one assigned, with Storage Blob Data Reader on the jar?)\"\n")
        // The token on standard input, not on the command line, where any process could read it.
        .append("curl -fsS --connect-timeout 10 --max-time 300 --retry 5 --retry-delay 5 -H 'x-ms-version: ")
        .append(STORAGE_VERSION).append("' -H @- \\\n")
        .append("  -o worker.jar ").append(quote(jarUrl.toString())).append(" <<<\"Authorization: Bearer $token\" \\\n")
        .append("  || fail \"could not fetch the worker jar ").append(escapeForDoubleQuotes(jarUrl.toString())).append("\"\n")
        .append("unset token\n")
        .append("NAME=$(curl -fsS --connect-timeout 2 --max-time 10 --retry 3 -H 'Metadata: true' \\\n")
        .append("  '").append(IMDS).append("/instance/compute/name?api-version=2021-02-01&format=text') \\\n")
        .append("  || fail \"no VM name from the instance metadata\"\n")
        .append(exports())
        .append("echo \"shoal: starting worker $NAME\"\n")
        .append(options.shellCommand("worker.jar", "NAME")).append('\n')
        .append("echo \"shoal: worker exited with status $?\"\n");
    return script.toString();
  }

  /**
   * The worker's environment: its heartbeat's target and period, and which identity the worker's
   * own Azure clients (heartbeat, transport) sign in with when it is a user-assigned one.
   */
  private String exports() {
    StringBuilder exports = new StringBuilder();
    if (identityClientId != null) {
      exports.append("export AZURE_CLIENT_ID=").append(quote(identityClientId)).append('\n');
    }
    if (heartbeatTarget != null) {
      exports.append("export ").append(HeartbeatProvider.TARGET_ENV).append('=').append(quote(heartbeatTarget))
          .append("\"$NAME\" ").append(HeartbeatProvider.PERIOD_ENV).append('=')
          .append(quote(heartbeatPeriod.toString())).append('\n');
    }
    return exports.toString();
  }

  static String quote(String word) {
    return WorkerOptions.shellQuote(word);
  }

  private static String escapeForDoubleQuotes(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
  }
}
