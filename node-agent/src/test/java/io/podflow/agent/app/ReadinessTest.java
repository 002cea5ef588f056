package io.podflow.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.agent.app.Readiness.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  /** Signals set by the test, and a clock it moves. */
  private static final class Fake implements Readiness.Signals {
    boolean started = true;
    int uncaptured;
    boolean rescanFailed;
    long evictions;
    long now = 1_000_000_000L;

    @Override
    public boolean started() {
      return started;
    }

    @Override
    public int uncapturedInterfaces() {
      return uncaptured;
    }

    @Override
    public boolean rescanFailed() {
      return rescanFailed;
    }

    @Override
    public long budgetEvictions() {
      return evictions;
    }
  }

  private final Fake fake = new Fake();
  private final Readiness readiness = new Readiness(fake, () -> fake.now, Duration.ofSeconds(30));

  @Test
  void aStartedAgentWithEveryInterfaceCapturedIsReady() {
    assertThat(readiness.reasons()).isEmpty();
  }

  @Test
  void anAgentStillStartingSaysSoAndNothingElse() {
    fake.started = false;
    fake.uncaptured = 2;

    assertThat(readiness.reasons()).containsExactly(Reason.STARTING);
  }

  @Test
  void anInterfaceThatCannotBeCapturedOrAFailedRescanMakesItUnready() {
    fake.uncaptured = 1;
    fake.rescanFailed = true;

    assertThat(readiness.reasons())
        .containsExactlyInAnyOrder(Reason.INTERFACE_NOT_CAPTURED, Reason.RESCAN_FAILED);

    fake.uncaptured = 0;
    fake.rescanFailed = false;
    assertThat(readiness.reasons()).isEmpty();
  }

  @Test
  void earlyExportsFromASpentBudgetMakeItSaturatedUntilTheyStopForAWindow() {
    assertThat(readiness.reasons()).isEmpty();

    fake.evictions = 5;
    fake.now += Duration.ofSeconds(1).toNanos();
    assertThat(readiness.reasons()).containsExactly(Reason.FLOWS_SATURATED);

    fake.now += Duration.ofSeconds(29).toNanos();
    assertThat(readiness.reasons()).containsExactly(Reason.FLOWS_SATURATED);

    fake.now += Duration.ofSeconds(2).toNanos();
    assertThat(readiness.reasons()).isEmpty();

    fake.evictions = 6;
    assertThat(readiness.reasons()).containsExactly(Reason.FLOWS_SATURATED);
  }

  @Test
  void evictionsBeforeTheFirstLookCountAsRecent() {
    fake.evictions = 3;

    assertThat(readiness.reasons()).containsExactly(Reason.FLOWS_SATURATED);
  }

  @Test
  void labelsAreTheMetricsReasonTag() {
    assertThat(Reason.INTERFACE_NOT_CAPTURED.label()).isEqualTo("interface_not_captured");
  }
}
