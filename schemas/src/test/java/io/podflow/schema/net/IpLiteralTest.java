package io.podflow.schema.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.schema.json.IpText;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {
  @Test
  void readsEveryCanonicalAndFullFormAsJavasLiteralParserDoes() throws Exception {
    Random random = new Random(15);
    for (int n = 0; n < 20_000; n++) {
      byte[] address = new byte[n % 2 == 0 ? 4 : 16];
      random.nextBytes(address);
      if (address.length == 16 && n % 3 == 0) {
        java.util.Arrays.fill(address, 2 + random.nextInt(6), 10 + random.nextInt(6), (byte) 0);
      }
      String canonical = IpText.format(address);
      // InetAddress takes a literal without any lookup; the full form without "::" too.
      String full = InetAddress.getByAddress(address).getHostAddress();

      assertThat(IpLiteral.parse(canonical)).as(canonical).isEqualTo(address);
      if (address.length == 16) {
        assertThat(IpLiteral.parse(full)).as(full).isEqualTo(address);
        assertThat(IpLiteral.parse(canonical.toUpperCase())).isEqualTo(address);
      }
    }
  }

  @Test
  void readsIpv6WithADottedQuadAndEveryPlaceOfTheEllipsis() throws Exception {
    for (String text :
        new String[] {
          "::",
          "::1",
          "1::",
          "1::2",
          "1:2:3:4:5:6:7::",
          "::2:3:4:5:6:7:8",
          "::ffff:10.1.0.5",
          "64:ff9b::192.0.2.33",
          "1:2:3:4:5:6:1.2.3.4",
          "fd00::"
        }) {
      assertThat(IpLiteral.parse(text))
          .as(text)
          .isEqualTo(
              InetAddress.getByName(text).getAddress().length == 16
                  ? InetAddress.getByName(text).getAddress()
                  : mapped(InetAddress.getByName(text).getAddress()));
    }
  }

  /** Java gives an IPv4-mapped literal as IPv4; as text it is IPv6, 16 bytes. */
  private static byte[] mapped(byte[] v4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xff;
    out[11] = (byte) 0xff;
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "face.b00c",
        "9web",
        "localhost",
        "10.1",
        "10.1.2",
        "10",
        "010.001.0.0",
        "10.0.0.01",
        "256.0.0.1",
        "1.2.3.4.5",
        "1.2.3.",
        ".1.2.3",
        "1..2.3",
        "+1.2.3.4",
        "1.2.3.4 ",
        " 1.2.3.4",
        "0x0a.0.0.1",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::",
        "::1::",
        "1:::2",
        ":1",
        "1:",
        "12345::",
        "fe80::1%eth0",
        "[::1]",
        "::ffff:1.2.3",
        "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::ffff:010.1.2.3",
        "g::1",
        "1.2.3.4/8"
      })
  void refusesWhatIsNoStrictLiteralWithoutLookingItUp(String text) {
    assertThat(IpLiteral.parse(text)).isNull();
    assertThatThrownBy(() -> IpLiteral.require(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is not an IP address");
  }
}
