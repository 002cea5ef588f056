package io.podflow.schema.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  @Test
  void matchesAddressesInsideItsPrefix() {
    Cidr block = Cidr.parse("10.1.0.0/16");
    Cidr v6 = Cidr.parse("fd00:10::/32");

    assertThat(block.contains(IpLiteral.require("10.1.255.3"))).isTrue();
    assertThat(block.contains(IpLiteral.require("10.2.0.1"))).isFalse();
    assertThat(v6.contains(IpLiteral.require("fd00:10:ffff::1"))).isTrue();
    assertThat(v6.contains(IpLiteral.require("10.1.0.1"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1/16", "010.001.0.0/16", "face.b00c/32", "9web/8", "x/0"})
  void refusesAnAddressTheApiServerRefusesNamingIt(String text) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'"
                + text
                + "' is not a CIDR block: '"
                + text.substring(0, text.indexOf('/'))
                + "' is not an IP address");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"10.0.0.0/33", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/", "::/129", "::/1x"})
  void refusesAPrefixLengthThatIsNotABareNumberInRange(String text) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix length out of range");
  }

  @Test
  void refusesTextWithoutAPrefix() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0"))
        .hasMessageContaining("is not a CIDR block (address/prefix)");
  }
}
