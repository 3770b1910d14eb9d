package dev.shoal.azure.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.azure.fake.FakeArm;
import dev.shoal.spi.BurstSwitch.State;
import dev.shoal.testing.ManualClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The burst switch against {@link FakeArm}'s App Service settings API, through the SDK's HTTP
 * pipeline: the state read from {@code AzureWebJobs.<function>.Disabled}, turns written back with
 * every other setting, no write for a turn to the state the app is in, and ARM's refusals surfaced.
 */
@Timeout(60)
class FunctionBurstSwitchOnFakeArmTest {
  private static final String FUNCTION = "work";
  private static final String DISABLED = "AzureWebJobs.work.Disabled";
  private static final Map<String, String> OTHERS = Map.of(
      "FUNCTIONS_WORKER_RUNTIME", "java",
      "SHOAL_TASK_QUEUE", "sb://shoal.servicebus.windows.net/shoal-tasks",
      "AzureWebJobs.other.Disabled", "true");

  private FakeArm arm;

  @BeforeEach
  void start() {
    arm = FakeArm.start();
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  @Test
  void theSettingAbsentOrFalseIsOnAndTrueIsOff() {
    assertThat(burst(app(Map.of())).state()).isEqualTo(State.ON);
    assertThat(burst(app(Map.of(DISABLED, "false"))).state()).isEqualTo(State.ON);
    assertThat(burst(app(Map.of(DISABLED, "True"))).state()).isEqualTo(State.OFF);
  }

  @Test
  void turningOnAndOffWritesTheSettingAndKeepsEveryOtherSetting() {
    String app = app(withDisabled("true"));
    FunctionBurstSwitch burst = burst(app);

    burst.turn(true);

    assertThat(arm.appSettings(app)).isEqualTo(withDisabled("false"));
    assertThat(burst.state()).isEqualTo(State.ON);

    burst.turn(false);

    assertThat(arm.appSettings(app)).isEqualTo(withDisabled("true"));
    assertThat(burst.state()).isEqualTo(State.OFF);
    assertThat(arm.appSettingsWrites(app)).isEqualTo(2);
    assertThat(arm.requests()).filteredOn(r -> r.method().equals("PUT"))
        .allSatisfy(r -> assertThat(r.query()).containsEntry("api-version", FunctionBurstSwitch.API_VERSION));
  }

  @Test
  void turningToTheStateTheAppIsInWritesNothingSinceAWriteRestartsTheApp() {
    String app = app(withDisabled("true"));
    burst(app).turn(false);
    assertThat(arm.appSettingsWrites(app)).isZero();

    String absent = app(OTHERS);
    burst(absent).turn(true);
    assertThat(arm.appSettingsWrites(absent)).isZero();
  }

  @Test
  void aRefusedReadIsSurfacedWithTheRoleTheIdentityLacks() {
    String app = app(withDisabled("true"));
    arm.fail("POST", ".*/config/appsettings/list", 403, "AuthorizationFailed", "The client 'x' does not have "
        + "authorization to perform action 'Microsoft.Web/sites/config/list/action'", Map.of(), 1);

    assertThatThrownBy(() -> burst(app).state()).isInstanceOfSatisfying(AppSettingsException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.errorCode()).contains("AuthorizationFailed");
      assertThat(e.getMessage()).contains("reading the app settings", "403", "Microsoft.Web/sites/config/write", app);
    });
  }

  @Test
  void aConflictingWriteIsSurfacedAndChangesNothing() {
    String app = app(withDisabled("true"));
    arm.fail("PUT", ".*/config/appsettings", 409, "Conflict", "Cannot modify this site because another operation is in "
        + "progress.", Map.of(), 1);

    assertThatThrownBy(() -> burst(app).turn(true)).isInstanceOfSatisfying(AppSettingsException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(409);
      assertThat(e.errorCode()).contains("Conflict");
      assertThat(e.getMessage()).contains("turning the burst on", "another operation is in progress",
          "the next evaluation tries again");
    });
    assertThat(arm.appSettings(app)).isEqualTo(withDisabled("true"));
  }

  @Test
  void aValueThatIsNeitherTrueNorFalseIsUnreadableButATurnOverwritesIt() {
    String app = app(withDisabled("maybe"));
    FunctionBurstSwitch burst = burst(app);
    assertThatThrownBy(burst::state).isInstanceOf(IllegalStateException.class).hasMessageContaining("'maybe'");
    burst.turn(false);
    assertThat(arm.appSettings(app)).containsEntry(DISABLED, "true");
  }

  @Test
  void aStateReadOrWrittenIsRememberedForAWhileSoThatNudgesDoNotFloodArm() {
    String app = app(withDisabled("true"));
    ManualClock clock = new ManualClock();
    FunctionBurstSwitch burst = FunctionBurstSwitch.builder().functionAppId(app).functionName(FUNCTION)
        .environment(arm.profile().getEnvironment()).pipeline(arm.pipeline()).clock(clock)
        .stateCachedFor(Duration.ofSeconds(15)).build();

    assertThat(burst.state()).isEqualTo(State.OFF);
    assertThat(burst.state()).isEqualTo(State.OFF);
    assertThat(lists()).isEqualTo(1);

    burst.turn(true);
    assertThat(burst.state()).as("the state it wrote").isEqualTo(State.ON);
    assertThat(lists()).as("a turn reads afresh, the state after it does not").isEqualTo(2);

    clock.advance(Duration.ofSeconds(15));
    assertThat(burst.state()).isEqualTo(State.ON);
    assertThat(lists()).isEqualTo(3);
  }

  private long lists() {
    return arm.requests().stream().filter(r -> r.method().equals("POST")).count();
  }

  @Test
  void anIdThatIsNoFunctionAppIsRefused() {
    assertThatThrownBy(() -> FunctionBurstSwitch.builder().functionAppId("/subscriptions/s/resourceGroups/g/providers"
        + "/Microsoft.Compute/virtualMachineScaleSets/x").functionName(FUNCTION).pipeline(arm.pipeline()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Microsoft.Web/sites");
    assertThat(FunctionBurstSwitch.disabledSetting(FUNCTION)).isEqualTo(DISABLED);
  }

  private Map<String, String> withDisabled(String value) {
    Map<String, String> settings = new java.util.LinkedHashMap<>(OTHERS);
    settings.put(DISABLED, value);
    return Map.copyOf(settings);
  }

  private String app(Map<String, String> settings) {
    return arm.createFunctionApp("rg", "burst-" + arm.requests().size() + "-" + System.nanoTime(), settings);
  }

  private FunctionBurstSwitch burst(String app) {
    return FunctionBurstSwitch.builder().functionAppId(app).functionName(FUNCTION)
        .environment(arm.profile().getEnvironment()).pipeline(arm.pipeline()).stateCachedFor(Duration.ZERO).build();
  }
}
