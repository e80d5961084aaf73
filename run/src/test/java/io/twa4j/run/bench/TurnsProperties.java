package io.twa4j.run.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The turns of {@code bench}'s interleaved loop: rules take whole turns in order, a timed step
 * always follows a step of its own rule and comes after the warm-up, and {@code stepsFor} is the
 * shortest loop that gives every rule its timed steps.
 */
class TurnsProperties {

    @Property(tries = 200)
    void everyRuleGetsItsTimedStepsEachAfterOneOfItsOwn(@ForAll @IntRange(min = 0, max = 12) int warmup,
            @ForAll @IntRange(min = 2, max = 8) int length, @ForAll @IntRange(min = 1, max = 3) int rules,
            @ForAll @IntRange(min = 1, max = 40) int timed) {
        BenchSteps.Turns turns = new BenchSteps.Turns(warmup, length);
        int steps = turns.stepsFor(timed, rules);
        int[] counts = new int[rules];
        for (int k = 0; k < steps; k++) {
            if (turns.timed(k, rules)) {
                assertThat(k).as("step %d is timed", k).isGreaterThanOrEqualTo(warmup);
                if (rules > 1) {
                    assertThat(turns.rule(k - 1, rules)).as("the step before timed step %d", k).isEqualTo(turns.rule(k, rules));
                }
                counts[turns.rule(k, rules)]++;
            }
        }
        assertThat(java.util.Arrays.stream(counts).min().getAsInt()).isGreaterThanOrEqualTo(timed);
        // one step fewer leaves some rule short: the last step was a timed step the loop needed
        assertThat(turns.timed(steps - 1, rules)).isTrue();
        assertThat(counts[turns.rule(steps - 1, rules)]).isEqualTo(timed);
    }

    @Example
    void rulesTakeWholeTurnsInOrder() {
        BenchSteps.Turns turns = new BenchSteps.Turns(0, 4);
        int[] expected = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0};
        for (int k = 0; k < expected.length; k++) {
            assertThat(turns.rule(k, 2)).as("step %d", k).isEqualTo(expected[k]);
        }
        assertThat(turns.timed(4, 2)).isFalse(); // a turn's first step follows the other rule
        assertThat(turns.timed(5, 2)).isTrue();
        assertThat(turns.timed(4, 1)).isTrue(); // one rule alone follows itself everywhere
    }

    @Example
    void aTurnOfOneStepIsRefused() {
        assertThatThrownBy(() -> new BenchSteps.Turns(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
