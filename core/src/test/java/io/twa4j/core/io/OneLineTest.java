package io.twa4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneLineTest {

    @Test
    void quoteEscapesWhatWouldBreakALineAndCutsLongValues() {
        assertThat(OneLine.quote("w")).isEqualTo("'w'");
        assertThat(OneLine.quote(null)).isEqualTo("null");
        assertThat(OneLine.quote("a\nb\u0000c\u2028d\u0085")).isEqualTo("'a\\u000ab\\u0000c\\u2028d\\u0085'");
        assertThat(OneLine.quote("\ud83d\ude00")).isEqualTo("'\\ud83d\\ude00'"); // even a valid pair: a lone half is as likely
        assertThat(OneLine.quote("x".repeat(79))).isEqualTo("'" + "x".repeat(79) + "'");
        assertThat(OneLine.quote("x".repeat(80))).isEqualTo("'" + "x".repeat(76) + "...'").hasSize(81);
        assertThat(OneLine.quote("\n".repeat(1000))).hasSize(81).endsWith("...'");
    }

    @Test
    void ofMakesLineBreaksSpacesAndFirstLineCutsAtTheFirst() {
        assertThat(OneLine.of("a\r\nb\u0085c\u2028d\u2029e")).isEqualTo("a  b c d e");
        assertThat(OneLine.of(null)).isEqualTo("null");
        assertThat(OneLine.firstLine("disk gone\r\nsecond")).isEqualTo("disk gone");
        assertThat(OneLine.firstLine("one\u2028two")).isEqualTo("one");
        assertThat(OneLine.firstLine("whole")).isEqualTo("whole");
        assertThat(OneLine.firstLine(null)).isEmpty();
    }

    @Test
    void abbreviateKeepsEightyCharacters() {
        assertThat(OneLine.abbreviate("y".repeat(80))).isEqualTo("y".repeat(80));
        assertThat(OneLine.abbreviate("y".repeat(81))).isEqualTo("y".repeat(77) + "...");
    }
}
