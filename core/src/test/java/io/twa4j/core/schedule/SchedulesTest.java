package io.twa4j.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SchedulesTest {

    @Test
    void multiStepDropsTenfoldAtHalfAndThreeQuartersOfTheRun() {
        LrSchedule schedule = Schedules.multiStep(0.1, 200, new double[] {0.5, 0.75}, 0.1);
        assertThat(schedule.at(0, 0, 391)).isEqualTo(0.1);
        assertThat(schedule.at(99, 390, 391)).isEqualTo(0.1);
        assertThat(schedule.at(100, 0, 391)).isCloseTo(0.01, within(1e-12));
        assertThat(schedule.at(149, 0, 391)).isCloseTo(0.01, within(1e-12));
        assertThat(schedule.at(150, 0, 391)).isCloseTo(0.001, within(1e-12));
        assertThat(schedule.at(199, 390, 391)).isCloseTo(0.001, within(1e-12));
    }

    @Test
    void multiStepMilestonesTruncateLikeTheReference() {
        // the reference: milestones=[int(epochs * 0.5), int(epochs * 0.75)]
        assertThat(Schedules.milestones(10, new double[] {0.5, 0.75})).containsExactly(5, 7);
        assertThat(Schedules.milestones(3, new double[] {0.5, 0.75})).containsExactly(1, 2);
    }

    @Test
    void linearDecaysPerIterationToZero() {
        LrSchedule schedule = Schedules.linear(2.0, 10);
        assertThat(schedule.at(0, 0, 100)).isEqualTo(2.0);
        assertThat(schedule.at(5, 0, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(schedule.at(0, 50, 100)).isCloseTo(2.0 * (1 - 50.0 / 1000), within(1e-12));
        assertThat(schedule.at(9, 99, 100)).isCloseTo(2.0 / 1000, within(1e-12));
    }

    @Test
    void constantAndNames() {
        assertThat(Schedules.byName("CONSTANT", 0.5, 10, new double[] {0.5}).at(9, 3, 4)).isEqualTo(0.5);
        assertThatThrownBy(() -> Schedules.byName("cosine", 0.1, 10, new double[] {0.5}))
                .hasMessage("unknown schedule 'cosine'; valid schedules: step, constant, linear");
        assertThatThrownBy(() -> Schedules.constant(-1)).hasMessageContaining("positive");
    }

    @Test
    void swaScheduleFollowsTheReferenceAtItsCornerPoints() {
        // VGG16BN recipe: lr-init 0.1, swa-lr 0.05, swa-start 160 (so 0.5, 0.7, 0.9 of it are whole epochs)
        LrSchedule schedule = Schedules.swa(0.1, 0.05, 160, 300);
        assertThat(schedule.at(0, 0, 391)).isEqualTo(0.1);
        assertThat(schedule.at(80, 0, 391)).isEqualTo(0.1); // t = 0.5: still lr-init
        // t = 0.7: half way down, 0.1 * (1 - (1 - 0.5) * 0.2 / 0.4) = 0.075
        assertThat(schedule.at(112, 0, 391)).isCloseTo(0.075, within(1e-12));
        assertThat(schedule.at(144, 0, 391)).isCloseTo(0.05, within(1e-12)); // t = 0.9: swa-lr
        assertThat(schedule.at(145, 0, 391)).isCloseTo(0.05, within(1e-12));
        assertThat(schedule.at(299, 390, 391)).isCloseTo(0.05, within(1e-12)); // the averaging phase
        // between the corners: linear, t = 0.6 -> 0.1 * (1 - 0.5 * 0.25) = 0.0875; per epoch, not per step
        assertThat(schedule.at(96, 200, 391)).isCloseTo(0.0875, within(1e-12));
    }

    @Test
    void swaScheduleBeyondTheRunSpansTheWholeRun() {
        // swa-start beyond the epochs: plain SGD with the same shape over the 100 epochs, ending at swa-lr
        LrSchedule schedule = Schedules.swa(0.1, 0.001, 500, 100);
        assertThat(schedule.at(50, 0, 10)).isEqualTo(0.1);
        assertThat(schedule.at(70, 0, 10)).isCloseTo(0.1 * (1 - 0.99 * 0.5), within(1e-12));
        assertThat(schedule.at(90, 0, 10)).isCloseTo(0.001, within(1e-12));
        assertThat(schedule.at(99, 0, 10)).isCloseTo(0.001, within(1e-12));
        assertThatThrownBy(() -> Schedules.swa(0.1, -0.05, 10, 20)).hasMessageContaining("-0.05");
        assertThatThrownBy(() -> Schedules.swa(0.1, 0.05, 0, 20)).hasMessageContaining("swa-start");
    }
}
